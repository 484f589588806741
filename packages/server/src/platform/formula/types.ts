/**
 * The typed formula tree check.ts produces and both back ends (compile.ts → SQL, evaluate.ts →
 * in memory) consume, and the field-level definitions of formula and roll-up fields.
 */
import type { Condition } from '../query/types.ts';
import type { PathStep } from '../query/parsed.ts';

/** What an expression computes; `null` is the type of a bare `null` whose type nothing decides. */
export type FormulaType = 'number' | 'text' | 'boolean' | 'date' | 'datetime' | 'id' | 'null';

/** The field type a formula field presents (filters, OpenAPI, the web app treat it as that type). */
export const FORMULA_RETURN_TYPES = ['number', 'currency', 'percent', 'text', 'date', 'datetime', 'boolean'] as const;
export type FormulaReturnType = (typeof FORMULA_RETURN_TYPES)[number];

export const ROLLUP_AGGREGATES = ['count', 'sum', 'min', 'max'] as const;
export type RollupAggregate = (typeof ROLLUP_AGGREGATES)[number];

/** `type: "formula"`: stored as `{expression, returnType}`; the field's `type` is the return type. */
export interface FormulaDefinition {
  expression: string;
  returnType: FormulaReturnType;
}

/**
 * `type: "rollup"` on a parent: an aggregate over the live children of `object` whose lookup
 * `lookup` points to the parent, optionally only those matching `filter` (the condition language).
 */
export interface RollupDefinition {
  object: string;
  lookup: string;
  aggregate: RollupAggregate;
  /** The child field summed or compared; absent for count. */
  field?: string;
  filter?: Condition;
}

export type OpName =
  | 'neg' | 'not' | 'add' | 'sub' | 'mul' | 'div' | 'concat'
  | 'eq' | 'ne' | 'lt' | 'le' | 'gt' | 'ge' | 'and' | 'or'
  | 'if' | 'case' | 'isnull' | 'coalesce'
  | 'round' | 'abs' | 'floor' | 'ceil' | 'min' | 'max'
  | 'upper' | 'lower' | 'len' | 'left' | 'right' | 'trim' | 'text' | 'contains'
  | 'year' | 'month' | 'day' | 'datevalue' | 'date_add' | 'date_diff';

export type TypedNode =
  /** Numbers as their decimal text (exact), texts, booleans, or null. */
  | { kind: 'literal'; type: FormulaType; value: string | boolean | null }
  /** A field of the record or, through lookups, of a related record. */
  | { kind: 'field'; type: FormulaType; path: string; steps: PathStep[] }
  /** `today()` in the reader's zone, `now()`. */
  | { kind: 'context'; type: 'date' | 'datetime'; name: 'today' | 'now' }
  /** `digits` only for round(). */
  | { kind: 'op'; type: FormulaType; op: OpName; args: TypedNode[]; digits?: number };

/** A field a formula or roll-up reads: readers need access to each of them (access/policy.ts). */
export interface FieldDependency {
  object: string;
  field: string;
}

/** Division keeps this many decimals (truncated toward zero), so SQL and memory agree exactly. */
export const DIVISION_DECIMALS = 10;
/** Formula texts are cut to this many characters (the API's limit for text values). */
export const FORMULA_TEXT_MAX = 1000;
/** A day offset beyond this (about 2,700 years) gives null: the result stays within PostgreSQL's dates. */
export const MAX_DAY_OFFSET = 1_000_000;
/** left()/right() counts are clamped to this. */
export const MAX_TEXT_COUNT = 100_000;
