/**
 * Compiles a typed formula tree to a SQL expression over the row aliased `alias`, for SELECT
 * lists, WHERE and ORDER BY. Values are always bound parameters with an explicit cast;
 * identifiers come only from the metadata. The semantics are those of evaluate.ts, held
 * together by the property test (compile.property.test.ts):
 * - numbers are `numeric` (exact decimals); division keeps DIVISION_DECIMALS decimals,
 *   truncated toward zero (`div()`), and dividing by zero gives null;
 * - null propagates through operators and functions (SQL's rules), except `&`/concat, which
 *   reads null as '', `isnull`, `coalesce`, and `min`/`max`, which skip nulls (LEAST/GREATEST);
 * - `and`/`or`/`not` are three-valued; `if` and `case` take a null condition as false;
 * - text ordering is by code point (COLLATE "C").
 */
import { sql, type RawBuilder } from 'kysely';
import { DateTime } from 'luxon';
import { compilePathValue, type PathVisibility } from '../query/compile.ts';
import type { ConditionContext } from '../query/parsed.ts';
import { DIVISION_DECIMALS, FORMULA_TEXT_MAX, MAX_DAY_OFFSET, MAX_TEXT_COUNT, type FormulaReturnType, type FormulaType, type OpName, type TypedNode } from './types.ts';

export interface FormulaSqlState {
  /** The row the formula's fields belong to. */
  alias: string;
  context: ConditionContext;
  visibility?: PathVisibility;
  /** Numbers this formula's subquery aliases (paths, helper values). */
  joins: number;
}

const SQL_TYPE: Record<Exclude<FormulaType, 'null'>, RawBuilder<unknown>> = {
  number: sql`numeric`,
  text: sql`text`,
  boolean: sql`boolean`,
  date: sql`date`,
  datetime: sql`timestamptz`,
  id: sql`uuid`,
};

const SCALE = `1${'0'.repeat(DIVISION_DECIMALS)}`;
const UNSCALE = `0.${'0'.repeat(DIVISION_DECIMALS - 1)}1`;

function nextAlias(state: FormulaSqlState, tag: string): string {
  state.joins += 1;
  return `${state.alias}_${tag}${state.joins}`;
}

function compileLiteral(node: Extract<TypedNode, { kind: 'literal' }>): RawBuilder<unknown> {
  if (node.value === null) return node.type === 'null' ? sql`NULL` : sql`CAST(NULL AS ${SQL_TYPE[node.type]})`;
  if (typeof node.value === 'boolean') return node.value ? sql`TRUE` : sql`FALSE`;
  return node.type === 'number' ? sql`${node.value}::numeric` : sql`${node.value}::text`;
}

/**
 * A numeric rounded half away from zero and clamped to [min, max] as an integer. The clamp comes
 * before the cast: the planner may fold constants inside any CASE branch, and a cast that
 * overflowed there would fail the whole query. NULL stays NULL (GREATEST alone would skip it).
 */
function compileClampedInteger(value: RawBuilder<unknown>, min: number, max: number): RawBuilder<unknown> {
  return sql`LEAST(GREATEST(round(${value}), ${sql.lit(min)}), ${sql.lit(max)})::int`;
}

/** A whole number in [min, max] from a numeric (rounded half away from zero), or NULL. */
function compileBoundedInteger(value: RawBuilder<unknown>, min: number, max: number, state: FormulaSqlState): RawBuilder<unknown> {
  const alias = nextAlias(state, 'v');
  const v = sql.id(alias, 'v');
  return sql`(SELECT CASE WHEN ${v} IS NULL THEN NULL ELSE ${compileClampedInteger(v, min, max)} END FROM (VALUES (${value})) AS ${sql.id(alias)}(v))`;
}

/** date + n days (n rounded), NULL beyond ±MAX_DAY_OFFSET days or outside years 1–9999. */
function compileDateAdd(date: RawBuilder<unknown>, days: RawBuilder<unknown>, state: FormulaSqlState): RawBuilder<unknown> {
  const alias = nextAlias(state, 'v');
  const d = sql.id(alias, 'd');
  const n = sql.id(alias, 'n');
  const shifted = sql`${d} + ${compileClampedInteger(n, -MAX_DAY_OFFSET - 1, MAX_DAY_OFFSET + 1)}`;
  // GREATEST/LEAST skip NULLs, so a null count must stop here.
  return sql`(SELECT CASE WHEN ${n} IS NULL OR abs(${n}) > ${sql.lit(MAX_DAY_OFFSET)} THEN NULL
    WHEN ${shifted} BETWEEN DATE '0001-01-01' AND DATE '9999-12-31' THEN ${shifted} END
    FROM (VALUES (${date}, ${days})) AS ${sql.id(alias)}(d, n))`;
}

function compileText(arg: TypedNode, value: RawBuilder<unknown>): RawBuilder<unknown> {
  switch (arg.type) {
    case 'number':
      return sql`trim_scale(${value})::text`;
    case 'date':
      return sql`to_char(${value}, 'YYYY-MM-DD')`;
    case 'datetime':
      return sql`to_char(${value} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`;
    case 'text':
      return value;
    default:
      return sql`CAST(${value} AS text)`;
  }
}

const COMPARE: Partial<Record<OpName, RawBuilder<unknown>>> = { eq: sql`=`, ne: sql`<>`, lt: sql`<`, le: sql`<=`, gt: sql`>`, ge: sql`>=` };
const ARITHMETIC: Partial<Record<OpName, RawBuilder<unknown>>> = { add: sql`+`, sub: sql`-`, mul: sql`*` };
const SQL_FUNCTION: Partial<Record<OpName, string>> = { abs: 'abs', floor: 'floor', ceil: 'ceil', upper: 'upper', lower: 'lower' };

function compileOp(node: Extract<TypedNode, { kind: 'op' }>, state: FormulaSqlState): RawBuilder<unknown> {
  const args = node.args.map((arg) => compileNode(arg, state));
  const [a, b] = args as [RawBuilder<unknown>, RawBuilder<unknown>];
  const compare = COMPARE[node.op];
  if (compare) {
    // Code-point order for text, as in the condition language.
    return node.args[0]!.type === 'text' && node.op !== 'eq' && node.op !== 'ne' ? sql`(${a} COLLATE "C" ${compare} ${b})` : sql`(${a} ${compare} ${b})`;
  }
  const arithmetic = ARITHMETIC[node.op];
  if (arithmetic) return sql`(${a} ${arithmetic} ${b})`;
  const fn = SQL_FUNCTION[node.op];
  if (fn) return sql`${sql.raw(fn)}(${a})`;
  switch (node.op) {
    case 'neg':
      return sql`(- ${a})`;
    case 'not':
      return sql`(NOT ${a})`;
    case 'and':
      return sql`(${a} AND ${b})`;
    case 'or':
      return sql`(${a} OR ${b})`;
    case 'div':
      return sql`(div(${a} * ${sql.lit(SCALE)}::numeric, NULLIF(${b}, 0)) * ${sql.lit(UNSCALE)}::numeric)`;
    case 'concat':
      return sql`concat(${a}, ${b})`;
    case 'if':
      return sql`(CASE WHEN ${a} THEN ${b} ELSE ${args[2]!} END)`;
    case 'case': {
      const whens: RawBuilder<unknown>[] = [];
      for (let i = 1; i < args.length - 1; i += 2) whens.push(sql`WHEN ${args[i]!} THEN ${args[i + 1]!}`);
      return sql`(CASE ${a} ${sql.join(whens, sql` `)} ELSE ${args[args.length - 1]!} END)`;
    }
    case 'isnull':
      return sql`(${a} IS NULL)`;
    case 'coalesce':
      return sql`COALESCE(${sql.join(args)})`;
    case 'min':
      return sql`LEAST(${sql.join(args)})`;
    case 'max':
      return sql`GREATEST(${sql.join(args)})`;
    case 'round':
      return sql`round(${a}, ${sql.lit(node.digits ?? 0)})`;
    case 'trim':
      return sql`btrim(${a}, ' ')`;
    case 'len':
      // length() is an integer; numbers are numeric everywhere (floor(integer) would be floor(double)).
      return sql`length(${a})::numeric`;
    case 'left':
    case 'right':
      return sql`${sql.raw(node.op)}(${a}, ${compileBoundedInteger(b, 0, MAX_TEXT_COUNT, state)})`;
    case 'contains':
      return sql`(strpos(${a}, ${b}) > 0)`;
    case 'text':
      return compileText(node.args[0]!, a);
    case 'year':
    case 'month':
    case 'day':
      return sql`extract(${sql.raw(node.op)} from ${a})`;
    case 'datevalue':
      return sql`timezone(${state.context.timeZone}::text, ${a})::date`;
    case 'date_add':
      return compileDateAdd(a, b, state);
    case 'date_diff':
      return sql`(${a} - ${b})::numeric`;
    default:
      throw new Error(`formula operator ${node.op} has no SQL`);
  }
}

/** Operators whose SQL type comes from their branches, which may all be untyped NULLs. */
const BRANCHING = new Set<OpName>(['if', 'case', 'coalesce', 'min', 'max']);

function compileNode(node: TypedNode, state: FormulaSqlState): RawBuilder<unknown> {
  if (node.kind === 'op' && BRANCHING.has(node.op) && node.type !== 'null') return sql`CAST(${compileOp(node, state)} AS ${SQL_TYPE[node.type]})`;
  switch (node.kind) {
    case 'literal':
      return compileLiteral(node);
    case 'field':
      // Path aliases (`<alias>_j<n>`) only need to differ from the scopes they sit in.
      return compilePathValue(node.steps, { alias: state.alias, visibility: state.visibility, joins: 0, context: state.context });
    case 'context':
      return node.name === 'today'
        ? sql`${DateTime.fromJSDate(state.context.now, { zone: state.context.timeZone }).toISODate()}::date`
        : sql`${state.context.now.toISOString()}::timestamptz`;
    case 'op':
      return compileOp(node, state);
  }
}

/** The SQL of a formula field: the tree, then the return type's shaping (cents, text length). */
export function compileFormula(input: { tree: TypedNode; returnType: FormulaReturnType; state: FormulaSqlState }): RawBuilder<unknown> {
  const value = compileNode(input.tree, input.state);
  if (input.tree.type === 'null') return sql`CAST(NULL AS ${SQL_TYPE[input.returnType === 'currency' || input.returnType === 'percent' ? 'number' : input.returnType]})`;
  if (input.returnType === 'currency') return sql`round(${value}, 2)`;
  if (input.returnType === 'text') return sql`left(${value}, ${sql.lit(FORMULA_TEXT_MAX)})`;
  return value;
}
