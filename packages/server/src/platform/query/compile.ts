/**
 * Compiles a ParsedCondition to a SQL boolean for `WHERE`. Values are always bound parameters
 * (with an explicit cast, so both pg and PGlite infer the same types); identifiers come only
 * from the metadata, through sql.id / sql.table. The result is never NULL: every leaf is made
 * two-valued (a null value fails a positive test and passes a negated one), which keeps it
 * identical to evaluate.ts and safe for callers to negate or combine.
 */
import { sql, type RawBuilder } from 'kysely';
import type { FieldDefinition, ObjectDefinition } from '../metadata/types.ts';
import type { ConditionContext, ParsedCondition, ParsedLeaf, PathStep, ValueKind } from './parsed.ts';
import { compileComputedField } from '../formula/computed.ts';
import { buildPredicate, type Comparable, type Predicate } from './predicate.ts';
import { assertConditionContext } from './relative-dates.ts';

/** Restricts which referenced records a path may read through (record access); undefined = all. */
export type PathVisibility = (object: ObjectDefinition, alias: string) => RawBuilder<boolean> | undefined;

export interface CompileState {
  alias: string;
  visibility?: PathVisibility;
  /** Numbers the aliases of path subqueries so nested ones never shadow each other. */
  joins: number;
  /** Formula fields read `today()` / `now()` from it. */
  context: ConditionContext;
}

const CAST: Record<Exclude<ValueKind, 'multi'>, RawBuilder<unknown>> = {
  text: sql`text`,
  uuid: sql`uuid`,
  number: sql`numeric`,
  boolean: sql`boolean`,
  date: sql`date`,
  datetime: sql`timestamptz`,
};

/** A PostgreSQL array literal, sent as one text parameter (identical on pg and PGlite). */
export function encodeArrayLiteral(values: readonly string[]): string {
  return `{${values.map((v) => `"${v.replace(/[\\"]/g, '\\$&')}"`).join(',')}}`;
}

function toParameterText(value: Comparable): string {
  // Numbers travel as their shortest round-trip decimal so numeric compares the same value JS does.
  return typeof value === 'string' ? value : String(value);
}

function compileParameter(value: Comparable, kind: ValueKind): RawBuilder<unknown> {
  const cast = kind === 'multi' ? CAST.text : CAST[kind];
  return sql`${toParameterText(value)}::${cast}`;
}

function compileArrayParameter(values: readonly Comparable[], kind: ValueKind): RawBuilder<unknown> {
  const cast = kind === 'multi' ? CAST.text : CAST[kind];
  return sql`${encodeArrayLiteral(values.map(toParameterText))}::${cast}[]`;
}

/** Escapes LIKE wildcards so the value matches literally (used with ESCAPE '\'). */
export function escapeLikePattern(value: string): string {
  return value.replace(/[\\%_]/g, '\\$&');
}

/**
 * The value at the end of a path: a column of the row `state.alias`, or for a path through
 * lookups a chain of scalar subqueries; a soft-deleted record along the way yields NULL, like a
 * missing one. A formula or roll-up field is its SQL expression over the row that holds it.
 */
export function compilePathValue(steps: readonly PathStep[], state: CompileState): RawBuilder<unknown> {
  let expression = compileFieldValue({ object: steps[0]!.object, field: steps[0]!.field, alias: state.alias, state });
  for (const step of steps.slice(1)) {
    state.joins += 1;
    const alias = `${state.alias}_j${state.joins}`;
    // A parent the user may not see behaves like no parent, so paths cannot leak its values.
    const visible = state.visibility?.(step.object, alias);
    const value = compileFieldValue({ object: step.object, field: step.field, alias, state });
    expression = sql`(SELECT ${value} FROM ${sql.table(step.object.table)} AS ${sql.id(alias)} WHERE ${sql.id(alias, 'id')} = ${expression} AND ${sql.id(alias, 'deleted_at')} IS NULL${visible ? sql` AND ${visible}` : sql``})`;
  }
  return expression;
}

/** One field of the row `alias`: its column, or a computed field's expression (formula/). */
function compileFieldValue(input: { object: ObjectDefinition; field: FieldDefinition; alias: string; state: CompileState }): RawBuilder<unknown> {
  if (input.field.formula || input.field.rollup) {
    return compileComputedField({ object: input.object, field: input.field, alias: input.alias, context: input.state.context, visibility: input.state.visibility });
  }
  return sql.id(input.alias, input.field.column);
}

function compileValueExpression(leaf: ParsedLeaf, state: CompileState): RawBuilder<unknown> {
  return compilePathValue(leaf.steps, state);
}

function compileOrdered(expression: RawBuilder<unknown>, kind: ValueKind): RawBuilder<unknown> {
  // Byte order of UTF-8 is code-point order, which is what evaluate.ts uses for text.
  return kind === 'text' ? sql`${expression} COLLATE "C"` : expression;
}

function compileRange(expression: RawBuilder<unknown>, predicate: Extract<Predicate, { kind: 'range' }>, kind: ValueKind) {
  const ordered = compileOrdered(expression, kind);
  const parts: RawBuilder<unknown>[] = [];
  if (predicate.low) {
    const op = predicate.low.inclusive ? sql`>=` : sql`>`;
    parts.push(sql`${ordered} ${op} ${compileParameter(predicate.low.value, kind)}`);
  }
  if (predicate.high) {
    const op = predicate.high.inclusive ? sql`<=` : sql`<`;
    parts.push(sql`${ordered} ${op} ${compileParameter(predicate.high.value, kind)}`);
  }
  return sql`(${sql.join(parts, sql` AND `)})`;
}

/** The positive test; NULL when the value is NULL (the caller makes it two-valued). */
function compilePredicate(expression: RawBuilder<unknown>, predicate: Predicate, kind: ValueKind): RawBuilder<unknown> {
  switch (predicate.kind) {
    case 'isNull':
      return sql`${expression} IS NULL`;
    case 'eq':
      return sql`${expression} = ${compileParameter(predicate.value, kind)}`;
    case 'range':
      return compileRange(expression, predicate, kind);
    case 'in':
      return sql`${expression} = ANY(${compileArrayParameter(predicate.values, kind)})`;
    case 'contains':
      return sql`lower(${expression}) LIKE lower(${`%${escapeLikePattern(predicate.value)}%`}::text) ESCAPE '\\'`;
    case 'startsWith':
      return sql`lower(${expression}) LIKE lower(${`${escapeLikePattern(predicate.value)}%`}::text) ESCAPE '\\'`;
    case 'hasAll':
      return sql`${expression} @> ${compileArrayParameter(predicate.values, kind)}`;
    case 'hasAny':
      return sql`${expression} && ${compileArrayParameter(predicate.values, kind)}`;
    case 'sameSet': {
      const values = compileArrayParameter(predicate.values, kind);
      return sql`(${expression} @> ${values} AND ${expression} <@ ${values})`;
    }
  }
}

function compileLeaf(leaf: ParsedLeaf, state: CompileState, context: ConditionContext): RawBuilder<boolean> {
  const predicate = buildPredicate({ leaf, context });
  const expression = compileValueExpression(leaf, state);
  if (predicate.kind === 'isNull') {
    if (leaf.valueKind === 'multi') {
      // An empty list counts as empty; coalesce evaluates a path subquery once.
      return leaf.negated
        ? sql<boolean>`(COALESCE(cardinality(${expression}), 0) > 0)`
        : sql<boolean>`(COALESCE(cardinality(${expression}), 0) = 0)`;
    }
    return leaf.negated ? sql<boolean>`(${expression} IS NOT NULL)` : sql<boolean>`(${expression} IS NULL)`;
  }
  const test = compilePredicate(expression, predicate, leaf.valueKind);
  if (leaf.steps.length > 1 || leaf.field.formula || leaf.field.rollup) {
    // A subquery or formula would run twice in the IS NULL form; COALESCE runs it once.
    return leaf.negated ? sql<boolean>`(NOT COALESCE(${test}, false))` : sql<boolean>`COALESCE(${test}, false)`;
  }
  // For a plain column this form keeps the comparison indexable.
  return leaf.negated
    ? sql<boolean>`(${expression} IS NULL OR NOT (${test}))`
    : sql<boolean>`(${expression} IS NOT NULL AND ${test})`;
}

function compileNode(node: ParsedCondition, state: CompileState, context: ConditionContext): RawBuilder<boolean> {
  if (node.kind === 'leaf') return compileLeaf(node, state, context);
  if (node.children.length === 0) return node.kind === 'and' ? sql<boolean>`TRUE` : sql<boolean>`FALSE`;
  const parts = node.children.map((child) => compileNode(child, state, context));
  if (parts.length === 1) return parts[0];
  return sql<boolean>`(${sql.join(parts, node.kind === 'and' ? sql` AND ` : sql` OR `)})`;
}

/**
 * SQL for "the row aliased `alias` satisfies the condition", e.g.
 * `SELECT id FROM obj_contact t0 WHERE ${compileCondition({ condition, alias: 't0', context })}`.
 */
export function compileCondition(input: {
  condition: ParsedCondition;
  alias: string;
  context: ConditionContext;
  visibility?: PathVisibility;
}): RawBuilder<boolean> {
  assertConditionContext(input.context);
  return compileNode(input.condition, { alias: input.alias, joins: 0, visibility: input.visibility, context: input.context }, input.context);
}
