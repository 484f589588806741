/**
 * Checks and coerces the `value` of one leaf against the compared field's kind. The result is
 * canonical (uuid lower-cased, datetimes as UTC ISO with milliseconds, numbers as JS numbers) so
 * that compile.ts and evaluate.ts never have to interpret raw input.
 */
import { DateTime } from 'luxon';
import type { FieldDefinition } from '../metadata/types.ts';
import type { Operator } from './types.ts';
import type { LeafValue, Period, ScalarValue, ValueKind } from './parsed.ts';
import { extendLocation, isPlainObject, quoteInput, throwFilterError, type InputLocation } from './filter-error.ts';
import { parseRelativeDate, RELATIVE_DATE_NAMES } from './relative-dates.ts';

export const MAX_LIST_ITEMS = 1000;
/** Longer strings cannot be meaningful filter values and only cost memory and parameters. */
export const MAX_TEXT_LENGTH = 10_000;

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const NUMERIC = /^[+-]?([0-9]+\.?[0-9]*|\.[0-9]+)([eE][+-]?[0-9]+)?$/;
const DATE = /^[0-9]{4}-[0-9]{2}-[0-9]{2}$/;
const DATETIME_WITH_OFFSET = /^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}(:[0-9]{2}(\.[0-9]+)?)?(Z|[+-][0-9]{2}(:?[0-9]{2})?)$/i;

interface ValueInput {
  location: InputLocation;
  field: FieldDefinition;
  kind: ValueKind;
}

function describeField(field: FieldDefinition): string {
  return `field '${field.apiName}' (${field.type})`;
}

function coerceText(raw: unknown, input: ValueInput): string {
  const text = typeof raw === 'number' && Number.isFinite(raw) ? String(raw) : raw;
  if (typeof text !== 'string') throwFilterError(input.location, `expected a string for ${describeField(input.field)}`);
  if (text.length > MAX_TEXT_LENGTH) throwFilterError(input.location, `string is longer than ${MAX_TEXT_LENGTH} characters`);
  // PostgreSQL text cannot hold NUL or unpaired surrogates; reject them here rather than fail in SQL.
  if (text.includes('\u0000') || !text.isWellFormed()) throwFilterError(input.location, 'string contains characters that cannot be stored');
  return text;
}

function coerceUuid(raw: unknown, input: ValueInput): string {
  if (typeof raw !== 'string' || !UUID.test(raw)) {
    throwFilterError(input.location, `${quoteInput(raw)} is not a valid record id (UUID) for ${describeField(input.field)}`);
  }
  return raw.toLowerCase();
}

function coerceNumber(raw: unknown, input: ValueInput): number {
  const number = typeof raw === 'string' && NUMERIC.test(raw.trim()) ? Number(raw.trim()) : raw;
  if (typeof number !== 'number' || !Number.isFinite(number)) {
    throwFilterError(input.location, `${quoteInput(raw)} is not a finite number for ${describeField(input.field)}`);
  }
  return number;
}

function coerceBoolean(raw: unknown, input: ValueInput): boolean {
  if (raw === true || raw === 'true') return true;
  if (raw === false || raw === 'false') return false;
  return throwFilterError(input.location, `${quoteInput(raw)} is not a boolean for ${describeField(input.field)}`);
}

function isCalendarDate(text: string): boolean {
  if (!DATE.test(text)) return false;
  const date = DateTime.fromISO(text, { zone: 'utc' });
  return date.isValid && date.year >= 1;
}

function coercePeriod(raw: Record<string, unknown>, input: ValueInput): Period {
  const keys = Object.keys(raw);
  const unknown = keys.find((key) => key !== 'relative');
  if (unknown !== undefined) throwFilterError(input.location, `unknown key ${quoteInput(unknown)} in a relative date`);
  const relative = typeof raw.relative === 'string' ? parseRelativeDate(raw.relative) : undefined;
  if (!relative) {
    throwFilterError(
      input.location,
      `${quoteInput(raw.relative)} is not a relative date; expected one of ${RELATIVE_DATE_NAMES.join(', ')} (N from 1 to 3650)`,
    );
  }
  return relative;
}

function coerceDate(raw: unknown, input: ValueInput, allowPeriod: boolean): string | Period {
  if (allowPeriod && isPlainObject(raw)) return coercePeriod(raw, input);
  if (typeof raw !== 'string' || !isCalendarDate(raw)) {
    throwFilterError(input.location, `${quoteInput(raw)} is not a date 'YYYY-MM-DD' for ${describeField(input.field)}`);
  }
  return raw;
}

function coerceDatetime(raw: unknown, input: ValueInput, allowPeriod: boolean): string | Period {
  if (allowPeriod && isPlainObject(raw)) return coercePeriod(raw, input);
  // A bare day means that whole day in the user's zone, resolved with the context like a relative date.
  if (allowPeriod && typeof raw === 'string' && isCalendarDate(raw)) {
    // Local midnight of year 1 or 9999 can fall outside the years PostgreSQL and ISO strings share.
    const year = Number(raw.slice(0, 4));
    if (year < 2 || year > 9998) throwFilterError(input.location, `${quoteInput(raw)} is out of range (years 0002 to 9998)`);
    return { kind: 'day', date: raw };
  }
  const instant = typeof raw === 'string' && DATETIME_WITH_OFFSET.test(raw) ? DateTime.fromISO(raw, { setZone: true }) : undefined;
  if (!instant?.isValid || instant.toUTC().year < 1 || instant.toUTC().year > 9999) {
    throwFilterError(
      input.location,
      `${quoteInput(raw)} is not an ISO 8601 datetime with a time zone offset (or a date 'YYYY-MM-DD') for ${describeField(input.field)}`,
    );
  }
  // Millisecond precision, like the timestamptz(3) columns and JS dates.
  return instant.toUTC().toISO()!;
}

function coerceScalar(raw: unknown, input: ValueInput, allowPeriod: boolean): ScalarValue {
  if (raw === null || raw === undefined) {
    throwFilterError(input.location, `value must not be null; use op 'isNull' to test for empty values`);
  }
  switch (input.kind) {
    case 'text':
    case 'multi':
      return coerceText(raw, input);
    case 'uuid':
      return coerceUuid(raw, input);
    case 'number':
      return coerceNumber(raw, input);
    case 'boolean':
      return coerceBoolean(raw, input);
    case 'date':
      return coerceDate(raw, input, allowPeriod);
    case 'datetime':
      return coerceDatetime(raw, input, allowPeriod);
  }
}

function coerceList(raw: unknown, input: ValueInput): ScalarValue[] {
  if (!Array.isArray(raw) || raw.length === 0 || raw.length > MAX_LIST_ITEMS) {
    throwFilterError(input.location, `expected a non-empty array of at most ${MAX_LIST_ITEMS} values`);
  }
  return raw.map((item, i) => coerceScalar(item, { ...input, location: extendLocation(input.location, `[${i}]`) }, false));
}

function coerceRange(raw: unknown, input: ValueInput): LeafValue {
  if (!Array.isArray(raw) || raw.length !== 2) throwFilterError(input.location, `'between' expects [low, high]`);
  const dated = input.kind === 'date' || input.kind === 'datetime';
  const [low, high] = raw.map((item, i) => coerceScalar(item, { ...input, location: extendLocation(input.location, `[${i}]`) }, dated));
  return { kind: 'range', low, high };
}

/** `isNull` takes true (default) or false; false flips the leaf's negation. */
function coerceIsNull(raw: unknown, input: ValueInput): boolean {
  if (raw === undefined) return true;
  if (raw === true || raw === 'true') return true;
  if (raw === false || raw === 'false') return false;
  return throwFilterError(input.location, `'isNull' takes value true or false`);
}

/**
 * Returns the canonical value and whether the operator inverts the leaf (`isNull: false`).
 * `hasValue` separates an absent value from an explicit null.
 */
export function coerceLeafValue(input: ValueInput & { op: Operator; raw: unknown; hasValue: boolean }): {
  value: LeafValue;
  invert: boolean;
} {
  const { op, raw } = input;
  if (op === 'isNull') return { value: { kind: 'none' }, invert: !coerceIsNull(raw, input) };
  if (!input.hasValue) throwFilterError(input.location, `value is required for op '${op}'`);
  if (op === 'between') return { value: coerceRange(raw, input), invert: false };
  if (op === 'in' || op === 'nin' || (input.kind === 'multi' && (op === 'eq' || op === 'ne'))) {
    return { value: { kind: 'list', values: coerceList(raw, input) }, invert: false };
  }
  const allowPeriod = (input.kind === 'date' || input.kind === 'datetime') && op !== 'contains' && op !== 'startsWith';
  return { value: { kind: 'scalar', value: coerceScalar(raw, input, allowPeriod) }, invert: false };
}
