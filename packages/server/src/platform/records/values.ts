import type { FieldDefinition } from '../metadata/types.ts';
import type { FieldError } from '../errors.ts';

/**
 * Per-type validation and normalisation of client input, and conversion of database rows to the
 * API shape. Input rules are deliberately strict (a wrong type is an error, not a guess) except
 * where users expect leniency: numeric strings, URLs without a scheme, e-mail case.
 */
export const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
export const EMAIL_RE = /^[^\s@"<>(),;:]+@[^\s@"<>(),;:]+\.[^\s@"<>(),;:]{2,}$/;
const DATE_RE = /^(\d{4})-(\d{2})-(\d{2})$/;
const DATETIME_RE = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2})$/;
const PHONE_RE = /^[+()0-9 .\-\/x#*]{3,40}$/i;

export const TEXT_MAX = 1000;
export const LONG_TEXT_MAX = 131072;
const NUMBER_MAX = 1e15;

export type Coerced = { ok: true; value: unknown } | { ok: false; error: FieldError };

const fail = (field: string, code: string, message: string): Coerced => ({ ok: false, error: { field, code, message } });

function isValidDate(s: string): boolean {
  const m = DATE_RE.exec(s);
  if (!m) return false;
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const dt = new Date(Date.UTC(y, mo - 1, d));
  return dt.getUTCFullYear() === y && dt.getUTCMonth() === mo - 1 && dt.getUTCDate() === d && y >= 1 && y <= 9999;
}

function decimals(n: number): number {
  const s = String(n);
  if (s.includes('e-')) return Number(s.split('e-')[1]);
  return s.includes('.') ? s.split('.')[1]!.length : 0;
}

/** Validates and normalises one input value. `null` clears a field (required is checked later). */
export function coerceValue(field: FieldDefinition, input: unknown, path = field.apiName): Coerced {
  if (input === null) return { ok: true, value: null };
  if (input === undefined) return fail(path, 'invalid', 'A value is required (use null to clear)');
  switch (field.type) {
    case 'text':
    case 'long_text': {
      if (typeof input !== 'string') return fail(path, 'type', 'Must be a string');
      const max = field.type === 'text' ? TEXT_MAX : LONG_TEXT_MAX;
      if (input.length > max) return fail(path, 'too_long', `Must be at most ${max} characters`);
      if (input.includes('\u0000')) return fail(path, 'invalid', 'Must not contain NUL characters');
      return { ok: true, value: field.type === 'text' ? input.trim() : input };
    }
    case 'email': {
      if (typeof input !== 'string') return fail(path, 'type', 'Must be a string');
      const v = input.trim();
      if (v === '') return { ok: true, value: null };
      if (v.length > 254 || !EMAIL_RE.test(v)) return fail(path, 'invalid_email', `'${v.slice(0, 80)}' is not a valid e-mail address`);
      return { ok: true, value: v };
    }
    case 'phone': {
      if (typeof input !== 'string') return fail(path, 'type', 'Must be a string');
      const v = input.trim();
      if (v === '') return { ok: true, value: null };
      if (!PHONE_RE.test(v) || !/\d/.test(v)) return fail(path, 'invalid_phone', 'Must be a phone number (digits, spaces, + ( ) - .)');
      return { ok: true, value: v };
    }
    case 'url': {
      if (typeof input !== 'string') return fail(path, 'type', 'Must be a string');
      let v = input.trim();
      if (v === '') return { ok: true, value: null };
      if (!/^[a-z][a-z0-9+.-]*:/i.test(v)) v = `https://${v}`;
      try {
        const u = new URL(v);
        if (!['http:', 'https:'].includes(u.protocol) || !u.hostname.includes('.')) throw new Error('scheme');
        if (v.length > TEXT_MAX) throw new Error('long');
      } catch {
        return fail(path, 'invalid_url', 'Must be a web address (http or https)');
      }
      return { ok: true, value: v };
    }
    case 'number':
    case 'percent':
    case 'currency': {
      let n: number;
      if (typeof input === 'number') n = input;
      else if (typeof input === 'string' && /^-?\d+(\.\d+)?$/.test(input.trim())) n = Number(input.trim());
      else return fail(path, 'type', 'Must be a number');
      if (!Number.isFinite(n) || Math.abs(n) >= NUMBER_MAX) return fail(path, 'out_of_range', 'Must be a finite number below 10^15');
      if (field.type === 'currency' && decimals(n) > 2) return fail(path, 'precision', 'Money amounts have at most 2 decimals');
      return { ok: true, value: n };
    }
    case 'boolean':
      if (typeof input !== 'boolean') return fail(path, 'type', 'Must be true or false');
      return { ok: true, value: input };
    case 'date':
      if (typeof input !== 'string' || !isValidDate(input)) return fail(path, 'invalid_date', 'Must be a date as YYYY-MM-DD');
      return { ok: true, value: input };
    case 'datetime': {
      if (typeof input !== 'string' || !DATETIME_RE.test(input)) return fail(path, 'invalid_datetime', 'Must be an ISO 8601 date-time with a zone, e.g. 2026-05-01T09:30:00Z');
      const t = Date.parse(input);
      if (Number.isNaN(t)) return fail(path, 'invalid_datetime', 'Not a real date-time');
      return { ok: true, value: new Date(t).toISOString() };
    }
    case 'picklist': {
      if (typeof input !== 'string') return fail(path, 'type', 'Must be a string');
      const allowed = field.picklist?.values.filter((v) => v.active !== false).map((v) => v.value) ?? [];
      if (!allowed.includes(input)) return fail(path, 'invalid_choice', `'${input.slice(0, 80)}' is not one of: ${allowed.join(', ')}`);
      return { ok: true, value: input };
    }
    case 'multi_picklist': {
      if (!Array.isArray(input) || input.some((x) => typeof x !== 'string')) return fail(path, 'type', 'Must be an array of strings');
      const allowed = field.picklist?.values.filter((v) => v.active !== false).map((v) => v.value) ?? [];
      const bad = input.find((x) => !allowed.includes(x as string));
      if (bad !== undefined) return fail(path, 'invalid_choice', `'${String(bad).slice(0, 80)}' is not one of: ${allowed.join(', ')}`);
      // Stored in the order of the picklist, without repeats: equal sets compare equal.
      const set = new Set(input as string[]);
      return { ok: true, value: allowed.filter((v) => set.has(v)) };
    }
    case 'lookup':
    case 'user':
    case 'id':
      if (typeof input !== 'string' || !UUID_RE.test(input)) return fail(path, 'invalid_reference', 'Must be the id (UUID) of a record');
      return { ok: true, value: input.toLowerCase() };
    case 'autonumber':
      return fail(path, 'read_only', 'Is set by Meridian');
  }
}

export function isEmpty(value: unknown): boolean {
  return value === null || value === undefined || value === '' || (Array.isArray(value) && value.length === 0);
}

/** Database value → API value. */
export function fromDb(field: FieldDefinition, value: unknown): unknown {
  if (value === null || value === undefined) return null;
  switch (field.type) {
    case 'number':
    case 'percent':
    case 'currency':
      return Number(value);
    case 'datetime': {
      // PostgreSQL's ±infinity (an open task's timeline key: upcoming with no end) has no ISO form:
      // it is answered as the last / first instant an ISO timestamp can name, which sorts the same.
      const d = value instanceof Date ? value : new Date(String(value));
      if (Number.isNaN(d.getTime())) {
        const text = String(value).toLowerCase();
        if (value === Infinity || text === 'infinity' || text === '+infinity') return '9999-12-31T23:59:59.999Z';
        if (value === -Infinity || text === '-infinity') return '0001-01-01T00:00:00.000Z';
      }
      return d.toISOString();
    }
    case 'date':
      return value instanceof Date ? value.toISOString().slice(0, 10) : String(value);
    default:
      return value;
  }
}

/** API value → database parameter. */
export function toDb(field: FieldDefinition, value: unknown): unknown {
  if (value === null || value === undefined) return null;
  if (field.type === 'multi_picklist') return value; // pg and PGlite both serialise JS arrays as text[]
  if (typeof value === 'number') return String(value);
  return value;
}
