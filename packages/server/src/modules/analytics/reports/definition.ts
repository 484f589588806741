import { AppError, validationFailed, type FieldError } from '../../../platform/errors.ts';
import type { MetadataRegistry, ObjectDefinition } from '../../../platform/metadata/types.ts';
import { parseCondition } from '../../../platform/query/index.ts';
import type { Actor } from '../../../platform/records/context.ts';
import { permissionsFor } from '../../../platform/access/policy.ts';
import { parseAggregateSpec, resolveReadablePath, type AggregateSpec } from '../aggregate/spec.ts';

/**
 * A saved report's question (issue 16 item 2): the primary object, columns (its fields and its
 * parents' fields through one lookup, `account.industry`), a filter in the condition language
 * (relative dates included), up to three row groupings and one column grouping (a matrix),
 * measures, totals and a chart. No groupings = a tabular report paged with the list's keyset
 * cursors; groupings = the aggregate compiler. The definition names fields, so it is checked
 * again at every run against the runner's access and today's metadata: a deleted field or one
 * the runner cannot see makes the report "broken" with the reason, for that run only.
 */
export const CHART_TYPES = ['none', 'bar', 'stacked_bar', 'line', 'area', 'donut', 'funnel', 'kpi'] as const;
export type ChartType = (typeof CHART_TYPES)[number];
export const MAX_ROW_GROUPINGS = 3;
export const MAX_COLUMNS = 30;

/**
 * A child aggregate column of a tabular report ("open opportunities' total per account"): the
 * child object, its lookup to the primary object, one measure and an optional filter — run per
 * page as one aggregate over the child with the runner's access.
 */
export interface ChildColumn {
  object: string;
  lookup: string;
  fn: string;
  field?: string;
  filter?: unknown;
}

export const MAX_CHILD_COLUMNS = 5;

export interface ReportDefinition {
  columns: string[];
  children?: ChildColumn[];
  filter: unknown;
  sort: string | null;
  groupings: { rows: unknown[]; column: unknown | null };
  measures: unknown[];
  totals: boolean;
  chart: { type: ChartType; measure: string | null };
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Which shape a report has: tabular (no groupings), summary (row groupings) or matrix (a column grouping too). */
export function reportShape(def: ReportDefinition): 'tabular' | 'summary' | 'matrix' {
  if (def.groupings.column) return 'matrix';
  return def.groupings.rows.length ? 'summary' : 'tabular';
}

/** The definition as an aggregate spec for this actor; throws the aggregate checks' errors (a broken report). */
export function reportAggregateSpec(actor: Actor, registry: MetadataRegistry, object: ObjectDefinition, def: ReportDefinition, maxGroups: number): AggregateSpec {
  const groupBy = [...def.groupings.rows, ...(def.groupings.column ? [def.groupings.column] : [])];
  return parseAggregateSpec({ actor, registry, object, maxGroups, input: { filter: def.filter ?? undefined, groupBy, measures: def.measures.length ? def.measures : [{ fn: 'count' }] } });
}

/** The key of a child column in answer rows: `opportunity.account:sum:amount`. */
export const childKey = (c: ChildColumn) => `${c.object}.${c.lookup}:${c.fn}${c.field ? `:${c.field}` : ''}`;

/** A child column as an aggregate spec over the child, grouped by its lookup to the primary object. */
export function childSpec(actor: Actor, registry: MetadataRegistry, object: ObjectDefinition, child: ChildColumn, i: number, maxGroups: number, parentIds?: string[]): AggregateSpec {
  const source = `children[${i}]`;
  const target = registry.getObject(child.object);
  if (!target || !permissionsFor(actor, target).read) throw validationFailed([{ field: `${source}.object`, code: 'unknown_object', message: `${source}: unknown object '${String(child.object).slice(0, 64)}'` }]);
  const lookup = registry.getField(target, child.lookup);
  if (!lookup || lookup.lookup?.object !== object.apiName) throw validationFailed([{ field: `${source}.lookup`, code: 'invalid', message: `${source}: '${String(child.lookup).slice(0, 64)}' is not a lookup from ${target.apiName} to ${object.apiName}` }]);
  const ids = parentIds ? [{ field: child.lookup, op: 'in', value: parentIds }] : [];
  const filter = child.filter !== undefined && child.filter !== null ? { and: [child.filter, ...ids] } : ids.length ? { and: ids } : undefined;
  try {
    return parseAggregateSpec({ actor, registry, object: target, maxGroups, input: { filter, groupBy: [child.lookup], measures: [{ fn: child.fn, ...(child.field ? { field: child.field } : {}) }] } });
  } catch (error) {
    if (error instanceof AppError && error.errors.length) throw validationFailed(error.errors.map((e) => ({ ...e, field: `${source}.${e.field}`, message: `${source}: ${e.message}` })));
    throw error;
  }
}

function checkChildren(actor: Actor, registry: MetadataRegistry, object: ObjectDefinition, def: ReportDefinition, maxGroups: number): void {
  (def.children ?? []).forEach((c, i) => childSpec(actor, registry, object, c, i, maxGroups));
}

/** Columns of a tabular report, each a readable field or one lookup then a readable field of the parent. */
export function checkColumns(actor: Actor, registry: MetadataRegistry, object: ObjectDefinition, columns: string[]): void {
  columns.forEach((c, i) => {
    const steps = resolveReadablePath({ actor, registry, object, path: c, source: `columns[${i}]` });
    if (steps.length > 2) throw validationFailed([{ field: `columns[${i}]`, code: 'too_deep', message: 'A field, or a lookup then one field of its record (account.industry)' }]);
    if (steps[steps.length - 1]!.field.type === 'long_text' && steps.length > 1) throw validationFailed([{ field: `columns[${i}]`, code: 'invalid', message: 'Long text of a parent cannot be a column' }]);
  });
}

/**
 * Why the report cannot run for this actor now (a deleted field, an object or field they may not
 * read), or null. Used for the list's "broken" badge and before every run.
 */
export function brokenReason(actor: Actor, registry: MetadataRegistry, objectName: string, def: ReportDefinition, maxGroups: number): string | null {
  const object = registry.getObject(objectName);
  if (!object) return `The object '${objectName}' no longer exists`;
  try {
    checkColumns(actor, registry, object, def.columns);
    checkChildren(actor, registry, object, def, maxGroups);
    reportAggregateSpec(actor, registry, object, def, maxGroups);
    return null;
  } catch (error) {
    if (error instanceof AppError) return [error.message, ...error.errors.map((e) => e.message)].filter((m) => m && m !== 'The input is not valid').join('; ') || error.message;
    throw error;
  }
}

/** Checks untrusted input into a definition (400 naming the field), as the saver: they must be able to read what it names. */
export function readDefinition(actor: Actor, registry: MetadataRegistry, object: ObjectDefinition, input: unknown, maxGroups: number): ReportDefinition {
  if (!isObject(input)) throw validationFailed([{ field: 'definition', code: 'type', message: '{columns, filter, sort, groupings, measures, totals, chart}' }]);
  const errors: FieldError[] = [];
  const allowed = ['columns', 'children', 'filter', 'sort', 'groupings', 'measures', 'totals', 'chart'];
  for (const k of Object.keys(input)) if (!allowed.includes(k)) errors.push({ field: `definition.${k.slice(0, 32)}`, code: 'unknown_property', message: `Unknown property '${k.slice(0, 32)}'` });
  const columns = input.columns ?? [];
  if (!Array.isArray(columns) || columns.length > MAX_COLUMNS || columns.some((c) => typeof c !== 'string')) errors.push({ field: 'definition.columns', code: 'type', message: `At most ${MAX_COLUMNS} field paths` });
  const children = input.children ?? [];
  if (!Array.isArray(children) || children.length > MAX_CHILD_COLUMNS || children.some((c) => !isObject(c) || typeof c.object !== 'string' || typeof c.lookup !== 'string' || typeof c.fn !== 'string' || (c.field !== undefined && typeof c.field !== 'string'))) {
    errors.push({ field: 'definition.children', code: 'type', message: `At most ${MAX_CHILD_COLUMNS} of {object, lookup, fn, field, filter}` });
  }
  const groupings = input.groupings ?? { rows: [], column: null };
  if (!isObject(groupings)) errors.push({ field: 'definition.groupings', code: 'type', message: '{rows: [...], column}' });
  const rows = isObject(groupings) ? (groupings.rows ?? []) : [];
  const column = isObject(groupings) ? (groupings.column ?? null) : null;
  if (!Array.isArray(rows) || rows.length > MAX_ROW_GROUPINGS) errors.push({ field: 'definition.groupings.rows', code: 'type', message: `At most ${MAX_ROW_GROUPINGS} row groupings` });
  if (column !== null && Array.isArray(rows) && rows.length === 0) errors.push({ field: 'definition.groupings.column', code: 'needs_rows', message: 'A matrix needs a row grouping too' });
  const measures = input.measures ?? [];
  if (!Array.isArray(measures)) errors.push({ field: 'definition.measures', code: 'type', message: 'An array of {fn, field}' });
  const totals = input.totals ?? true;
  if (typeof totals !== 'boolean') errors.push({ field: 'definition.totals', code: 'type', message: 'true or false' });
  const chart = input.chart ?? { type: 'none' };
  if (!isObject(chart) || !CHART_TYPES.includes(chart.type as ChartType)) errors.push({ field: 'definition.chart.type', code: 'invalid_choice', message: `One of ${CHART_TYPES.join(', ')}` });
  const sort = input.sort ?? null;
  if (sort !== null && (typeof sort !== 'string' || sort.length > 500)) errors.push({ field: 'definition.sort', code: 'type', message: 'e.g. -amount,name' });
  if (errors.length) throw validationFailed(errors);
  const def: ReportDefinition = {
    columns: columns as string[], filter: input.filter ?? null,
    ...(Array.isArray(children) && children.length ? { children: (children as Array<Record<string, unknown>>).map((c): ChildColumn => ({ object: c.object as string, lookup: c.lookup as string, fn: c.fn as string, ...(c.field ? { field: c.field as string } : {}), ...(c.filter !== undefined && c.filter !== null ? { filter: c.filter } : {}) })) } : {}), sort: sort as string | null,
    groupings: { rows: rows as unknown[], column }, measures: measures as unknown[], totals: totals as boolean,
    chart: { type: (chart as Record<string, unknown>).type as ChartType, measure: typeof (chart as Record<string, unknown>).measure === 'string' ? ((chart as Record<string, unknown>).measure as string) : null },
  };
  if (def.filter !== null) parseCondition({ input: def.filter, object, registry, source: 'definition.filter' });
  try {
    checkColumns(actor, registry, object, def.columns);
    checkChildren(actor, registry, object, def, maxGroups);
    const spec = reportAggregateSpec(actor, registry, object, def, maxGroups);
    if (def.chart.measure && !spec.measures.some((m) => m.key === def.chart.measure)) {
      throw validationFailed([{ field: 'definition.chart.measure', code: 'unknown_key', message: `One of the measures: ${spec.measures.map((m) => m.key).join(', ')}` }]);
    }
  } catch (error) {
    // The aggregate checks name fields of the question (groupBy[1]); say where they are in a report.
    if (error instanceof AppError && error.errors.length && error.code === 'validation_failed') {
      throw validationFailed(error.errors.map((e) => ({ ...e, field: `definition.${renameField(e.field, def.groupings.rows.length)}` })));
    }
    throw error;
  }
  return def;
}

function renameField(field: string, rowCount: number): string {
  const m = /^groupBy\[(\d+)\](.*)$/.exec(field);
  if (!m) return field;
  const i = Number(m[1]);
  return i < rowCount ? `groupings.rows[${i}]${m[2]}` : `groupings.column${m[2]}`;
}
