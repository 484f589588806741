/**
 * The validated, resolved form of a Condition (types.ts). parse.ts produces it; compile.ts and
 * evaluate.ts consume it. It is in negation normal form: there is no `not` node, every leaf says
 * whether it is negated, and `ne`/`nin`/`isNull false` are folded into a negated `eq`/`in`/`isNull`
 * so the two back ends have fewer cases to agree on.
 */
import type { FieldDefinition, ObjectDefinition } from '../metadata/types.ts';

/** How values of a field compare; every field type maps to one (field-kinds.ts). */
export type ValueKind = 'text' | 'uuid' | 'number' | 'boolean' | 'date' | 'datetime' | 'multi';

/** Operators left after normalisation (`ne`, `nin` become negated `eq`, `in`). */
export type LeafOperator = 'eq' | 'lt' | 'lte' | 'gt' | 'gte' | 'in' | 'contains' | 'startsWith' | 'isNull' | 'between';

export type RelativeUnit = 'day' | 'week' | 'month' | 'quarter' | 'year';

/** A period relative to "now" in the user's zone; resolved late because it depends on the context. */
export type RelativeDate =
  | { kind: 'relative'; name: string; unit: RelativeUnit; offset: number }
  | { kind: 'relative'; name: string; unit: 'last_n_days' | 'next_n_days'; days: number };

/** A calendar day given for a datetime field: the whole day in the user's zone. */
export interface DayPeriod {
  kind: 'day';
  date: string;
}

export type Period = RelativeDate | DayPeriod;

/**
 * One comparison value. text/uuid/date are strings (uuid lower-cased, date 'YYYY-MM-DD'),
 * datetime is a UTC ISO string with milliseconds, number a finite JS number.
 */
export type ScalarValue = string | number | boolean | Period;

export type LeafValue =
  | { kind: 'none' }
  | { kind: 'scalar'; value: ScalarValue }
  | { kind: 'list'; values: ScalarValue[] }
  | { kind: 'range'; low: ScalarValue; high: ScalarValue };

/** One segment of a field path: the field and the object that holds it. */
export interface PathStep {
  object: ObjectDefinition;
  field: FieldDefinition;
}

export interface ParsedLeaf {
  kind: 'leaf';
  /** The dotted path as written, e.g. `account.parent_account.name`. */
  path: string;
  /** One step per segment; all but the last are lookup/user fields. */
  steps: PathStep[];
  /** The compared field (the last step's). */
  field: FieldDefinition;
  valueKind: ValueKind;
  op: LeafOperator;
  value: LeafValue;
  negated: boolean;
}

/** An empty `and` is true, an empty `or` is false. */
export type ParsedCondition =
  | { kind: 'and'; children: ParsedCondition[] }
  | { kind: 'or'; children: ParsedCondition[] }
  | ParsedLeaf;

/** What relative dates and day values are resolved against. */
export interface ConditionContext {
  now: Date;
  /** IANA zone of the user, e.g. `Europe/Berlin`. */
  timeZone: string;
}

/** An API-shaped record: keys are field API names. */
export type ConditionRecord = Record<string, unknown>;

/**
 * Gives the related record a path walks to, or undefined when it is missing or deleted (a
 * record with a non-null `deleted_at` is treated as missing too). Ids are passed lower-cased.
 */
export type ResolveRecord = (objectApiName: string, id: string) => ConditionRecord | undefined;
