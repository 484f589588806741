/**
 * Evaluates a ParsedCondition against an API-shaped record in memory, with the same semantics
 * as the SQL of compile.ts (the property test holds the two together):
 * - a null or missing value fails every positive test except isNull; a negated leaf is the exact
 *   opposite, so `ne`/`nin` hold for null;
 * - text equality is exact, ordering is by code point (SQL: COLLATE "C");
 * - contains/startsWith lower-case both sides with toLowerCase (SQL: lower()); the two agree for
 *   ASCII and for characters without case, not necessarily for other letters, whose lower-casing
 *   in PostgreSQL depends on the database's locale;
 * - datetimes compare as instants with millisecond precision, uuids case-insensitively.
 */
import type { ConditionContext, ConditionRecord, ParsedCondition, ParsedLeaf, ResolveRecord, ValueKind } from './parsed.ts';
import { buildPredicate, type Bound, type Comparable, type Predicate } from './predicate.ts';
import { assertConditionContext } from './relative-dates.ts';
import { getReferencedObject } from './field-kinds.ts';

type Normalised = string | number | boolean | string[];

function readField(record: ConditionRecord, apiName: string): unknown {
  return Object.hasOwn(record, apiName) ? record[apiName] : undefined;
}

/** Follows the leaf's path; a missing or soft-deleted record on the way gives null. */
export function readPathValue(input: { leaf: ParsedLeaf; record: ConditionRecord; resolve: ResolveRecord }): unknown {
  let current: ConditionRecord = input.record;
  const { steps } = input.leaf;
  for (const step of steps.slice(0, -1)) {
    const id = readField(current, step.field.apiName);
    if (typeof id !== 'string') return null;
    const related = input.resolve(getReferencedObject(step.field)!, id.toLowerCase());
    if (!related) return null;
    const deletedAt = readField(related, 'deleted_at');
    if (deletedAt !== undefined && deletedAt !== null) return null;
    current = related;
  }
  return readField(current, steps[steps.length - 1].field.apiName);
}

function toInstant(value: unknown): number | null {
  const time = value instanceof Date ? value.getTime() : typeof value === 'string' ? Date.parse(value) : NaN;
  return Number.isNaN(time) ? null : time;
}

/** Brings a record value to the comparable form of its kind, or null. */
function normaliseValue(value: unknown, kind: ValueKind): Normalised | null {
  if (value === null || value === undefined) return null;
  switch (kind) {
    case 'text':
      return typeof value === 'string' ? value : String(value);
    case 'uuid':
      return typeof value === 'string' ? value.toLowerCase() : null;
    case 'number': {
      const number = typeof value === 'number' ? value : typeof value === 'string' && value.trim() !== '' ? Number(value) : NaN;
      return Number.isFinite(number) ? number : null;
    }
    case 'boolean':
      return typeof value === 'boolean' ? value : null;
    case 'date':
      return typeof value === 'string' ? value.slice(0, 10) : value instanceof Date ? value.toISOString().slice(0, 10) : null;
    case 'datetime':
      return toInstant(value);
    case 'multi':
      return Array.isArray(value) ? value.filter((item): item is string => typeof item === 'string') : null;
  }
}

function normaliseOperand(value: Comparable, kind: ValueKind): string | number | boolean {
  return kind === 'datetime' ? Date.parse(value as string) : value;
}

/** Code-point order, which is UTF-8 byte order and so PostgreSQL's COLLATE "C". */
export function compareCodePoints(a: string, b: string): number {
  const length = Math.min(a.length, b.length);
  for (let i = 0; i < length; i += 1) {
    const x = a.charCodeAt(i);
    const y = b.charCodeAt(i);
    if (x !== y) {
      // Surrogates (supplementary code points) sort after every other BMP unit.
      const fx = x >= 0xd800 && x < 0xe000 ? x + 0x2000 : x >= 0xe000 ? x - 0x800 : x;
      const fy = y >= 0xd800 && y < 0xe000 ? y + 0x2000 : y >= 0xe000 ? y - 0x800 : y;
      return fx - fy;
    }
  }
  return a.length - b.length;
}

function compareValues(a: string | number | boolean, b: string | number | boolean, kind: ValueKind): number {
  if (kind === 'text') return compareCodePoints(a as string, b as string);
  if (a === b) return 0;
  return a < b ? -1 : 1;
}

function isWithinBound(value: Normalised, bound: Bound, kind: ValueKind, side: 'low' | 'high'): boolean {
  const order = compareValues(value as string | number, normaliseOperand(bound.value, kind), kind);
  if (order === 0) return bound.inclusive;
  return side === 'low' ? order > 0 : order < 0;
}

function testPredicate(value: Normalised, predicate: Predicate, kind: ValueKind): boolean {
  switch (predicate.kind) {
    case 'isNull':
      return Array.isArray(value) && value.length === 0;
    case 'eq':
      return compareValues(value as string | number | boolean, normaliseOperand(predicate.value, kind), kind) === 0;
    case 'range':
      return (
        (!predicate.low || isWithinBound(value, predicate.low, kind, 'low')) &&
        (!predicate.high || isWithinBound(value, predicate.high, kind, 'high'))
      );
    case 'in':
      return predicate.values.some((item) => compareValues(value as string | number, normaliseOperand(item, kind), kind) === 0);
    case 'contains':
      return (value as string).toLowerCase().includes(predicate.value.toLowerCase());
    case 'startsWith':
      return (value as string).toLowerCase().startsWith(predicate.value.toLowerCase());
    case 'hasAll':
      return predicate.values.every((item) => (value as string[]).includes(item));
    case 'hasAny':
      return predicate.values.some((item) => (value as string[]).includes(item));
    case 'sameSet':
      return (
        predicate.values.every((item) => (value as string[]).includes(item)) &&
        (value as string[]).every((item) => predicate.values.includes(item))
      );
  }
}

function evaluateLeaf(leaf: ParsedLeaf, record: ConditionRecord, context: ConditionContext, resolve: ResolveRecord): boolean {
  const predicate = buildPredicate({ leaf, context });
  const value = normaliseValue(readPathValue({ leaf, record, resolve }), leaf.valueKind);
  const holds = value === null ? predicate.kind === 'isNull' : testPredicate(value, predicate, leaf.valueKind);
  return holds !== leaf.negated;
}

function evaluateNode(node: ParsedCondition, record: ConditionRecord, context: ConditionContext, resolve: ResolveRecord): boolean {
  if (node.kind === 'leaf') return evaluateLeaf(node, record, context, resolve);
  if (node.kind === 'and') return node.children.every((child) => evaluateNode(child, record, context, resolve));
  return node.children.some((child) => evaluateNode(child, record, context, resolve));
}

/**
 * Whether `record` satisfies the condition. `resolve` supplies the related records that paths
 * walk through (see prefetchPathRecords for loading them ahead); without it paths are null.
 */
export function evaluateCondition(input: {
  condition: ParsedCondition;
  record: ConditionRecord;
  context: ConditionContext;
  resolve?: ResolveRecord;
}): boolean {
  assertConditionContext(input.context);
  return evaluateNode(input.condition, input.record, input.context, input.resolve ?? (() => undefined));
}
