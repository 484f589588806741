/**
 * Evaluates a typed formula tree in memory over an API-shaped record (validation rules on a
 * record about to be saved), with exactly the semantics of compile.ts's SQL — see there; the
 * property test holds the two together. Numbers are exact decimals (decimal.js), like numeric.
 *
 * `upper`/`lower` agree with PostgreSQL for ASCII and for characters without case; other letters
 * depend on the database's locale there (as in the condition language's `contains`).
 */
import decimalModule from 'decimal.js';
import type { Decimal as DecimalClass } from 'decimal.js';
import { DateTime } from 'luxon';
import { compareCodePoints } from '../query/evaluate.ts';
import { getReferencedObject } from '../query/field-kinds.ts';
import type { ConditionContext, ConditionRecord, ResolveRecord } from '../query/parsed.ts';
import { DIVISION_DECIMALS, FORMULA_TEXT_MAX, MAX_DAY_OFFSET, MAX_TEXT_COUNT, type FormulaReturnType, type FormulaType, type TypedNode } from './types.ts';

const DecimalJs = ((decimalModule as unknown as { Decimal?: typeof DecimalClass }).Decimal ?? decimalModule) as typeof DecimalClass;
/** Enough digits that no formula operation rounds except where the language says so. */
export const Decimal = DecimalJs.clone({ precision: 1_000_000, rounding: DecimalJs.ROUND_HALF_UP, toExpNeg: -9e15, toExpPos: 9e15 });
export type Decimal = InstanceType<typeof Decimal>;

/** A value while evaluating: numbers as Decimal, dates as 'YYYY-MM-DD', date-times as epoch ms. */
export type FormulaValue = Decimal | string | boolean | number | null;

export interface FormulaEvaluation {
  context: ConditionContext;
  resolve: ResolveRecord;
  /** The value of a formula or roll-up field of `record` (computed.ts supplies it). */
  computed: (input: { object: string; field: string; record: ConditionRecord }) => FormulaValue;
}

const DAY_MS = 86_400_000;
const MIN_DAY = dayNumber('0001-01-01');
const MAX_DAY = dayNumber('9999-12-31');

/** An API value → the formula value of its type. */
export function toFormulaValue(value: unknown, type: FormulaType): FormulaValue {
  if (value === null || value === undefined) return null;
  switch (type) {
    case 'number': {
      if (value instanceof Decimal) return value;
      const d = typeof value === 'number' ? (Number.isFinite(value) ? new Decimal(String(value)) : null) : typeof value === 'string' && value.trim() !== '' ? new Decimal(value) : null;
      return d;
    }
    case 'text':
      return typeof value === 'string' ? value : String(value);
    case 'id':
      return typeof value === 'string' ? value.toLowerCase() : null;
    case 'boolean':
      return typeof value === 'boolean' ? value : null;
    case 'date':
      return typeof value === 'string' ? value.slice(0, 10) : value instanceof Date ? value.toISOString().slice(0, 10) : null;
    case 'datetime': {
      const time = value instanceof Date ? value.getTime() : typeof value === 'string' ? Date.parse(value) : typeof value === 'number' ? value : NaN;
      return Number.isNaN(time) ? null : time;
    }
    case 'null':
      return null;
  }
}

function dayNumber(date: string): number {
  const at = new Date(0);
  at.setUTCFullYear(Number(date.slice(0, 4)), Number(date.slice(5, 7)) - 1, Number(date.slice(8, 10)));
  return at.getTime();
}

function dayText(ms: number): string {
  const at = new Date(ms);
  return `${String(at.getUTCFullYear()).padStart(4, '0')}-${String(at.getUTCMonth() + 1).padStart(2, '0')}-${String(at.getUTCDate()).padStart(2, '0')}`;
}

/** Decimal → text the way PostgreSQL's trim_scale(numeric)::text writes it. */
function numberText(d: Decimal): string {
  return d.isZero() ? '0' : d.toFixed();
}

function boundedInteger(d: Decimal, min: number, max: number): number {
  if (d.lt(min)) return min;
  if (d.gt(max)) return max;
  return d.toDecimalPlaces(0, Decimal.ROUND_HALF_UP).toNumber();
}

function compare(a: FormulaValue, b: FormulaValue, type: FormulaType): number {
  if (type === 'number') return (a as Decimal).cmp(b as Decimal);
  if (type === 'text') return compareCodePoints(a as string, b as string);
  if (a === b) return 0;
  return (a as string | number) < (b as string | number) ? -1 : 1;
}

function equal(a: FormulaValue, b: FormulaValue, type: FormulaType): boolean {
  return type === 'number' ? (a as Decimal).eq(b as Decimal) : a === b;
}

function readField(record: ConditionRecord, name: string): unknown {
  return Object.hasOwn(record, name) ? record[name] : undefined;
}

function evaluateField(node: Extract<TypedNode, { kind: 'field' }>, record: ConditionRecord, run: FormulaEvaluation): FormulaValue {
  let current = record;
  for (const step of node.steps.slice(0, -1)) {
    const id = readField(current, step.field.apiName);
    if (typeof id !== 'string') return null;
    const related = run.resolve(getReferencedObject(step.field)!, id.toLowerCase());
    if (!related) return null;
    const deletedAt = readField(related, 'deleted_at');
    if (deletedAt !== undefined && deletedAt !== null) return null;
    current = related;
  }
  const last = node.steps[node.steps.length - 1]!;
  if (last.field.formula || last.field.rollup) return run.computed({ object: last.object.apiName, field: last.field.apiName, record: current });
  return toFormulaValue(readField(current, last.field.apiName), node.type);
}

function evaluateOp(node: Extract<TypedNode, { kind: 'op' }>, record: ConditionRecord, run: FormulaEvaluation): FormulaValue {
  const arg = (i: number) => evaluateNode(node.args[i]!, record, run);
  const argType = node.args[0]?.type ?? 'null';
  switch (node.op) {
    case 'and': {
      const a = arg(0);
      if (a === false) return false;
      const b = arg(1);
      if (b === false) return false;
      return a === null || b === null ? null : true;
    }
    case 'or': {
      const a = arg(0);
      if (a === true) return true;
      const b = arg(1);
      if (b === true) return true;
      return a === null || b === null ? null : false;
    }
    case 'if':
      return arg(0) === true ? arg(1) : arg(2);
    case 'case': {
      const value = arg(0);
      for (let i = 1; i < node.args.length - 1; i += 2) {
        const match = arg(i);
        if (value !== null && match !== null && equal(value, match, argType)) return arg(i + 1);
      }
      return arg(node.args.length - 1);
    }
    case 'isnull':
      return arg(0) === null;
    case 'coalesce':
      for (let i = 0; i < node.args.length; i += 1) {
        const value = arg(i);
        if (value !== null) return value;
      }
      return null;
    case 'min':
    case 'max': {
      const values = node.args.map((_, i) => arg(i)).filter((v) => v !== null);
      if (!values.length) return null;
      return values.reduce((best, v) => ((node.op === 'min' ? compare(v, best, node.type) < 0 : compare(v, best, node.type) > 0) ? v : best));
    }
    case 'concat': {
      const a = arg(0);
      const b = arg(1);
      return `${(a as string | null) ?? ''}${(b as string | null) ?? ''}`;
    }
    default:
      break;
  }
  const values = node.args.map((_, i) => arg(i));
  if (values.some((v) => v === null)) return null;
  const [a, b] = values as [FormulaValue, FormulaValue];
  switch (node.op) {
    case 'eq':
      return equal(a, b, argType);
    case 'ne':
      return !equal(a, b, argType);
    case 'lt':
      return compare(a, b, argType) < 0;
    case 'le':
      return compare(a, b, argType) <= 0;
    case 'gt':
      return compare(a, b, argType) > 0;
    case 'ge':
      return compare(a, b, argType) >= 0;
    case 'not':
      return !a;
    case 'neg':
      return (a as Decimal).neg();
    case 'add':
      return (a as Decimal).plus(b as Decimal);
    case 'sub':
      return (a as Decimal).minus(b as Decimal);
    case 'mul':
      return (a as Decimal).times(b as Decimal);
    case 'div':
      if ((b as Decimal).isZero()) return null;
      return (a as Decimal).times(`1e${DIVISION_DECIMALS}`).divToInt(b as Decimal).times(`1e-${DIVISION_DECIMALS}`);
    case 'round':
      return (a as Decimal).toDecimalPlaces(node.digits ?? 0, Decimal.ROUND_HALF_UP);
    case 'abs':
      return (a as Decimal).abs();
    case 'floor':
      return (a as Decimal).floor();
    case 'ceil':
      return (a as Decimal).ceil();
    case 'upper':
      return (a as string).toUpperCase();
    case 'lower':
      return (a as string).toLowerCase();
    case 'len':
      return new Decimal([...(a as string)].length);
    case 'trim':
      return (a as string).replace(/^ +| +$/g, '');
    case 'left':
    case 'right': {
      const count = boundedInteger(b as Decimal, 0, MAX_TEXT_COUNT);
      const chars = [...(a as string)];
      if (count === 0) return '';
      return (node.op === 'left' ? chars.slice(0, count) : chars.slice(-count)).join('');
    }
    case 'contains':
      return (a as string).includes(b as string);
    case 'text':
      return argType === 'number' ? numberText(a as Decimal) : argType === 'datetime' ? new Date(a as number).toISOString() : String(a);
    case 'year':
      return new Decimal((a as string).slice(0, 4));
    case 'month':
      return new Decimal((a as string).slice(5, 7));
    case 'day':
      return new Decimal((a as string).slice(8, 10));
    case 'datevalue':
      return DateTime.fromMillis(a as number, { zone: run.context.timeZone }).toISODate();
    case 'date_add': {
      const days = b as Decimal;
      if (days.abs().gt(MAX_DAY_OFFSET)) return null;
      const at = dayNumber(a as string) + days.toDecimalPlaces(0, Decimal.ROUND_HALF_UP).toNumber() * DAY_MS;
      return at < MIN_DAY || at > MAX_DAY ? null : dayText(at);
    }
    case 'date_diff':
      return new Decimal(Math.round((dayNumber(a as string) - dayNumber(b as string)) / DAY_MS));
    default:
      throw new Error(`formula operator ${node.op} has no evaluation`);
  }
}

export function evaluateNode(node: TypedNode, record: ConditionRecord, run: FormulaEvaluation): FormulaValue {
  switch (node.kind) {
    case 'literal':
      return node.type === 'number' && typeof node.value === 'string' ? new Decimal(node.value) : node.value;
    case 'field':
      return evaluateField(node, record, run);
    case 'context':
      return node.name === 'today' ? DateTime.fromJSDate(run.context.now, { zone: run.context.timeZone }).toISODate() : run.context.now.getTime();
    case 'op':
      return evaluateOp(node, record, run);
  }
}

/** The formula's value shaped by its return type (cents, text length), still as a formula value. */
export function evaluateFormulaTree(input: { tree: TypedNode; returnType: FormulaReturnType; record: ConditionRecord; run: FormulaEvaluation }): FormulaValue {
  const value = evaluateNode(input.tree, input.record, input.run);
  if (value === null) return null;
  if (input.returnType === 'currency') return (value as Decimal).toDecimalPlaces(2, Decimal.ROUND_HALF_UP);
  if (input.returnType === 'text') return [...(value as string)].slice(0, FORMULA_TEXT_MAX).join('');
  return value;
}

/** A formula value → the API value of a field of `returnType` (what a read answers). */
export function toApiValue(value: FormulaValue, returnType: FormulaReturnType | FormulaType): unknown {
  if (value === null) return null;
  if (value instanceof Decimal) return value.toNumber() || 0;
  if (returnType === 'datetime' && typeof value === 'number') return new Date(value).toISOString();
  return value;
}
