/**
 * Lowers a parsed leaf to a small predicate algebra, given the context. compile.ts and
 * evaluate.ts both start from this, so relative dates, day values and `between` bounds are
 * interpreted in exactly one place. A predicate is the *positive* test on a non-null value; a
 * null (or missing) value never satisfies it, except `isNull`. Negation is applied afterwards.
 */
import type { ConditionContext, ParsedLeaf, Period, ScalarValue } from './parsed.ts';
import { resolvePeriod } from './relative-dates.ts';

/** text/uuid/date/datetime values are strings, numbers are numbers, booleans booleans. */
export type Comparable = string | number | boolean;

export interface Bound {
  value: Comparable;
  inclusive: boolean;
}

export type Predicate =
  | { kind: 'isNull' }
  | { kind: 'eq'; value: Comparable }
  | { kind: 'range'; low?: Bound; high?: Bound }
  | { kind: 'in'; values: Comparable[] }
  | { kind: 'contains'; value: string }
  | { kind: 'startsWith'; value: string }
  /** multi_picklist: has every one of (contains has a single value). */
  | { kind: 'hasAll'; values: string[] }
  /** multi_picklist: has at least one of. */
  | { kind: 'hasAny'; values: string[] }
  /** multi_picklist: the same set, order and duplicates ignored. */
  | { kind: 'sameSet'; values: string[] };

function isPeriod(value: ScalarValue): value is Period {
  return typeof value === 'object';
}

function resolveRange(leaf: ParsedLeaf, value: Period, context: ConditionContext): { start: string; end: string } {
  const kind = leaf.valueKind === 'date' ? 'date' : 'datetime';
  return resolvePeriod({ period: value, kind, context });
}

function lowerComparison(leaf: ParsedLeaf, value: ScalarValue, context: ConditionContext): Predicate {
  if (!isPeriod(value)) {
    switch (leaf.op) {
      case 'lt':
        return { kind: 'range', high: { value, inclusive: false } };
      case 'lte':
        return { kind: 'range', high: { value, inclusive: true } };
      case 'gt':
        return { kind: 'range', low: { value, inclusive: false } };
      case 'gte':
        return { kind: 'range', low: { value, inclusive: true } };
      default:
        return { kind: 'eq', value };
    }
  }
  // A period is a range [start, end): "lte this_week" means before next week starts.
  const { start, end } = resolveRange(leaf, value, context);
  switch (leaf.op) {
    case 'lt':
      return { kind: 'range', high: { value: start, inclusive: false } };
    case 'lte':
      return { kind: 'range', high: { value: end, inclusive: false } };
    case 'gt':
      return { kind: 'range', low: { value: end, inclusive: true } };
    case 'gte':
      return { kind: 'range', low: { value: start, inclusive: true } };
    default:
      return { kind: 'range', low: { value: start, inclusive: true }, high: { value: end, inclusive: false } };
  }
}

function lowerBetween(leaf: ParsedLeaf, low: ScalarValue, high: ScalarValue, context: ConditionContext): Predicate {
  const lowBound: Bound = isPeriod(low)
    ? { value: resolveRange(leaf, low, context).start, inclusive: true }
    : { value: low, inclusive: true };
  const highBound: Bound = isPeriod(high)
    ? { value: resolveRange(leaf, high, context).end, inclusive: false }
    : { value: high, inclusive: true };
  return { kind: 'range', low: lowBound, high: highBound };
}

/** Evaluating a list of records lowers each leaf once, not once per record (Luxon is not free). */
const lowered = new WeakMap<ParsedLeaf, { now: number; timeZone: string; predicate: Predicate }>();

export function buildPredicate(input: { leaf: ParsedLeaf; context: ConditionContext }): Predicate {
  const { leaf, context } = input;
  const cached = lowered.get(leaf);
  if (cached && cached.now === context.now.getTime() && cached.timeZone === context.timeZone) return cached.predicate;
  const predicate = lowerLeaf(leaf, context);
  lowered.set(leaf, { now: context.now.getTime(), timeZone: context.timeZone, predicate });
  return predicate;
}

function lowerLeaf(leaf: ParsedLeaf, context: ConditionContext): Predicate {
  const { value } = leaf;
  if (leaf.op === 'isNull' || value.kind === 'none') return { kind: 'isNull' };
  if (value.kind === 'range') return lowerBetween(leaf, value.low, value.high, context);
  if (value.kind === 'list') {
    const values = value.values as Comparable[];
    if (leaf.valueKind !== 'multi') return { kind: 'in', values };
    return leaf.op === 'eq' ? { kind: 'sameSet', values: values as string[] } : { kind: 'hasAny', values: values as string[] };
  }
  if (leaf.valueKind === 'multi') return { kind: 'hasAll', values: [value.value as string] };
  if (leaf.op === 'contains' || leaf.op === 'startsWith') return { kind: leaf.op, value: value.value as string };
  return lowerComparison(leaf, value.value, context);
}
