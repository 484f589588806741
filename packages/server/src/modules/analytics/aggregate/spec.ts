import { validationFailed, type FieldError } from '../../../platform/errors.ts';
import type { FieldDefinition, MetadataRegistry, ObjectDefinition } from '../../../platform/metadata/types.ts';
import { parseCondition, type PathStep } from '../../../platform/query/index.ts';
import { isFieldReadable, permissionsFor } from '../../../platform/access/policy.ts';
import type { Actor } from '../../../platform/records/context.ts';

/**
 * The aggregate question (docs/analytics.md): untrusted JSON checked into a typed spec before any
 * SQL is built. Every path is resolved by the condition language's own parser (same depth limit,
 * same messages) and checked against the caller's object and field access: a hidden field or an
 * object the caller may not read answers like an unknown field, so probing learns nothing.
 */
export const BUCKETS = ['day', 'week', 'month', 'quarter', 'year'] as const;
export type Bucket = (typeof BUCKETS)[number];
export const MEASURE_FNS = ['count', 'count_distinct', 'sum', 'avg', 'min', 'max'] as const;
export type MeasureFn = (typeof MEASURE_FNS)[number];
const HAVING_OPS = ['eq', 'ne', 'lt', 'lte', 'gt', 'gte'] as const;
export type HavingOp = (typeof HAVING_OPS)[number];

export const MAX_GROUP_BY = 4;
export const MAX_MEASURES = 10;

export interface GroupSpec {
  /** The key of this column in every answer row: the path, or `path:bucket`. */
  key: string;
  path: string;
  steps: PathStep[];
  field: FieldDefinition;
  bucket?: Bucket;
}

export interface MeasureSpec {
  /** `count`, or `fn:path` (e.g. `sum:amount`). */
  key: string;
  fn: MeasureFn;
  path?: string;
  steps?: PathStep[];
  field?: FieldDefinition;
}

export interface HavingSpec {
  measure: MeasureSpec;
  op: HavingOp;
  value: number;
}

export interface SortSpec {
  key: string;
  desc: boolean;
}

export interface AggregateSpec {
  object: ObjectDefinition;
  filter: unknown;
  groupBy: GroupSpec[];
  measures: MeasureSpec[];
  having: HavingSpec[];
  sort: SortSpec[];
  limit?: number;
}

const NUMERIC = new Set(['number', 'currency', 'percent']);
const ORDERED = new Set([...NUMERIC, 'date', 'datetime']);
const UNGROUPABLE = new Set(['long_text', 'multi_picklist']);

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function fail(field: string, code: string, message: string): never {
  throw validationFailed([{ field, code, message }]);
}

/** Resolves a dotted path and refuses what the actor may not read, in the same words as an unknown field. */
export function resolveReadablePath(args: { actor: Actor; registry: MetadataRegistry; object: ObjectDefinition; path: unknown; source: string }): PathStep[] {
  const { actor, registry, object, path, source } = args;
  if (typeof path !== 'string') fail(source, 'type', 'A field name or a dotted path through lookups, e.g. account.industry');
  const parsed = parseCondition({ input: { field: path, op: 'isNull' }, object, registry, source });
  if (parsed.kind !== 'leaf') fail(source, 'invalid', 'A field path');
  for (const step of parsed.steps) {
    if (!permissionsFor(actor, step.object).read || !isFieldReadable(actor, step.object, step.field)) {
      fail(source, 'unknown_field', `${source}: unknown field '${path.slice(0, 64)}' on ${object.apiName}`);
    }
  }
  const last = parsed.steps[parsed.steps.length - 1]!;
  if (last.field.lookup || last.field.type === 'user') {
    const target = registry.getObject(last.field.lookup?.object ?? 'user');
    // A lookup's value is an id, but grouping by it reveals which records exist: read access to the target is required too.
    if (target && !permissionsFor(actor, target).read) fail(source, 'unknown_field', `${source}: unknown field '${path.slice(0, 64)}' on ${object.apiName}`);
  }
  return parsed.steps;
}

function parseGroup(actor: Actor, registry: MetadataRegistry, object: ObjectDefinition, input: unknown, i: number): GroupSpec {
  const source = `groupBy[${i}]`;
  const raw = typeof input === 'string' ? { field: input } : input;
  if (!isObject(raw)) fail(source, 'type', "A field path, or {field, bucket} with bucket one of day, week, month, quarter, year");
  const extra = Object.keys(raw).find((k) => k !== 'field' && k !== 'bucket');
  if (extra) fail(`${source}.${extra.slice(0, 32)}`, 'unknown_property', `Unknown property '${extra.slice(0, 32)}'; expected field and bucket`);
  const steps = resolveReadablePath({ actor, registry, object, path: raw.field, source });
  const field = steps[steps.length - 1]!.field;
  const path = raw.field as string;
  if (UNGROUPABLE.has(field.type)) fail(source, 'not_groupable', `${source}: fields of type ${field.type} cannot be grouped`);
  if (raw.bucket === undefined || raw.bucket === null) {
    if (field.type === 'datetime') fail(`${source}.bucket`, 'required', `${source}: group a date-time by day, week, month, quarter or year`);
    return { key: path, path, steps, field };
  }
  if (!BUCKETS.includes(raw.bucket as Bucket)) fail(`${source}.bucket`, 'invalid_choice', `One of ${BUCKETS.join(', ')}`);
  if (field.type !== 'date' && field.type !== 'datetime') fail(`${source}.bucket`, 'not_a_date', `${source}: '${path}' is a ${field.type}; only dates and date-times have buckets`);
  return { key: `${path}:${raw.bucket as string}`, path, steps, field, bucket: raw.bucket as Bucket };
}

function parseMeasure(actor: Actor, registry: MetadataRegistry, object: ObjectDefinition, input: unknown, i: number): MeasureSpec {
  const source = `measures[${i}]`;
  if (!isObject(input)) fail(source, 'type', '{fn, field}: fn one of count, count_distinct, sum, avg, min, max');
  const extra = Object.keys(input).find((k) => k !== 'fn' && k !== 'field');
  if (extra) fail(`${source}.${extra.slice(0, 32)}`, 'unknown_property', `Unknown property '${extra.slice(0, 32)}'; expected fn and field`);
  const fn = input.fn as MeasureFn;
  if (!MEASURE_FNS.includes(fn)) fail(`${source}.fn`, 'invalid_choice', `One of ${MEASURE_FNS.join(', ')}`);
  if (input.field === undefined || input.field === null) {
    if (fn !== 'count') fail(`${source}.field`, 'required', `${fn} needs a field`);
    return { key: 'count', fn };
  }
  const steps = resolveReadablePath({ actor, registry, object, path: input.field, source: `${source}.field` });
  const field = steps[steps.length - 1]!.field;
  const path = input.field as string;
  if ((fn === 'sum' || fn === 'avg') && !NUMERIC.has(field.type)) {
    fail(`${source}.field`, 'not_numeric', `${source}: ${fn} needs a number, currency or percent field; '${path}' is a ${field.type}`);
  }
  if ((fn === 'min' || fn === 'max') && !ORDERED.has(field.type)) {
    fail(`${source}.field`, 'not_ordered', `${source}: ${fn} needs a number, currency, percent, date or date-time field; '${path}' is a ${field.type}`);
  }
  if ((fn === 'count' || fn === 'count_distinct') && UNGROUPABLE.has(field.type)) fail(`${source}.field`, 'not_countable', `${source}: fields of type ${field.type} cannot be counted`);
  return { key: `${fn}:${path}`, fn, path, steps, field };
}

function parseSortKeys(input: unknown, keys: Set<string>): SortSpec[] {
  if (input === undefined || input === null) return [];
  const list = typeof input === 'string' ? input.split(',').map((s) => s.trim()).filter(Boolean) : input;
  if (!Array.isArray(list) || list.length > 10) fail('sort', 'type', "An array of column keys, '-' first for descending, e.g. [\"-sum:amount\"]");
  return list.map((entry, i) => {
    if (typeof entry !== 'string') fail(`sort[${i}]`, 'type', 'A column key');
    const desc = entry.startsWith('-');
    const key = desc ? entry.slice(1) : entry;
    if (!keys.has(key)) fail(`sort[${i}]`, 'unknown_key', `'${key.slice(0, 64)}' is not a group or measure of this question; one of ${[...keys].join(', ').slice(0, 300)}`);
    return { key, desc };
  });
}

function parseHaving(input: unknown, measures: MeasureSpec[]): HavingSpec[] {
  if (input === undefined || input === null) return [];
  if (!Array.isArray(input) || input.length > 10) fail('having', 'type', 'An array of {measure, op, value}, e.g. [{"measure": "count", "op": "gte", "value": 5}]');
  return input.map((h, i) => {
    if (!isObject(h)) fail(`having[${i}]`, 'type', '{measure, op, value}');
    const measure = measures.find((m) => m.key === h.measure);
    if (!measure) fail(`having[${i}].measure`, 'unknown_key', `One of the measures: ${measures.map((m) => m.key).join(', ')}`);
    if (!HAVING_OPS.includes(h.op as HavingOp)) fail(`having[${i}].op`, 'invalid_choice', `One of ${HAVING_OPS.join(', ')}`);
    if (typeof h.value !== 'number' || !Number.isFinite(h.value)) fail(`having[${i}].value`, 'type', 'A number');
    if (measure.field && (measure.field.type === 'date' || measure.field.type === 'datetime')) fail(`having[${i}].measure`, 'not_numeric', 'Only numeric measures can be compared');
    return { measure, op: h.op as HavingOp, value: h.value };
  });
}

/** Checks the untrusted body of `POST /{object}/aggregate` into an AggregateSpec (400 naming the field otherwise). */
export function parseAggregateSpec(args: { actor: Actor; registry: MetadataRegistry; object: ObjectDefinition; input: unknown; maxGroups: number }): AggregateSpec {
  const { actor, registry, object, input, maxGroups } = args;
  if (!isObject(input)) fail('', 'type', 'Send {filter, groupBy, measures, having, sort, limit}');
  const allowed = ['filter', 'groupBy', 'measures', 'having', 'sort', 'limit'];
  const unknown = Object.keys(input).filter((k) => !allowed.includes(k));
  if (unknown.length) throw validationFailed(unknown.map((k): FieldError => ({ field: k.slice(0, 64), code: 'unknown_property', message: `Unknown property '${k.slice(0, 64)}'` })));
  const groupInput = input.groupBy ?? [];
  if (!Array.isArray(groupInput) || groupInput.length > MAX_GROUP_BY) fail('groupBy', 'type', `An array of at most ${MAX_GROUP_BY} groupings`);
  const groupBy = groupInput.map((g, i) => parseGroup(actor, registry, object, g, i));
  if (new Set(groupBy.map((g) => g.key)).size !== groupBy.length) fail('groupBy', 'duplicate', 'Each grouping once');
  const measureInput = input.measures ?? [{ fn: 'count' }];
  if (!Array.isArray(measureInput) || measureInput.length < 1 || measureInput.length > MAX_MEASURES) fail('measures', 'type', `An array of 1 to ${MAX_MEASURES} measures`);
  const measures = measureInput.map((m, i) => parseMeasure(actor, registry, object, m, i));
  if (new Set(measures.map((m) => m.key)).size !== measures.length) fail('measures', 'duplicate', 'Each measure once');
  const keys = new Set([...groupBy.map((g) => g.key), ...measures.map((m) => m.key)]);
  let limit: number | undefined;
  if (input.limit !== undefined && input.limit !== null) {
    if (!Number.isInteger(input.limit) || (input.limit as number) < 1 || (input.limit as number) > maxGroups) fail('limit', 'out_of_range', `An integer from 1 to ${maxGroups}`);
    limit = input.limit as number;
  }
  return { object, filter: input.filter ?? undefined, groupBy, measures, having: parseHaving(input.having, measures), sort: parseSortKeys(input.sort, keys), limit };
}
