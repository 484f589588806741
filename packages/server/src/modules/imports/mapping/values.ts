import decimalModule from 'decimal.js';
import type { Decimal as DecimalClass } from 'decimal.js';
import type { FieldDefinition } from '../../../platform/metadata/types.ts';

export type DateOrder = 'dmy' | 'mdy' | 'ymd';

export interface ValueLocale {
  /** How dates with slashes, dots or dashes are read: 31/12/2026 (dmy), 12/31/2026 (mdy), 2026-12-31 (ymd, always accepted). */
  dateOrder: DateOrder;
  /** 1.234,56 (true) or 1,234.56 (false). */
  decimalComma: boolean;
}

export type Parsed = { ok: true; value: unknown } | { ok: false; message: string };

// decimal.js ships ESM with CommonJS typings: take the class from whichever shape loaded (as billing's money kernel does).
const Decimal = ((decimalModule as unknown as { Decimal?: typeof DecimalClass }).Decimal ?? decimalModule) as typeof DecimalClass;

const TRUE = new Set(['true', 'yes', 'y', '1', 'x', 'ja', 'oui', 'si', 'sí', 'wahr', 'on', 'checked']);
const FALSE = new Set(['false', 'no', 'n', '0', 'nein', 'non', 'off', 'unchecked']);
const CURRENCY = /[$€£¥₹₽₩₪₫฿₦₱]|\b(?:USD|EUR|GBP|CHF|JPY|CAD|AUD|SEK|NOK|DKK|PLN|CZK|INR|CNY)\b|\bkr\.?|\bzł/gi;

const fail = (message: string): Parsed => ({ ok: false, message });

/**
 * A cell's text as the value the record API takes for the field, read in the user's locale.
 * Picklists are matched on value or label (any case) through the user's own mapping of values
 * not in the list; lookups are resolved later, a batch at a time (engine/lookups.ts).
 */
export function parseCell(field: FieldDefinition, text: string, locale: ValueLocale, picklistMap: Record<string, string> = {}): Parsed {
  const raw = text.trim();
  switch (field.type) {
    case 'number':
    case 'currency':
    case 'percent':
      return parseNumber(raw, locale, field.type === 'percent');
    case 'boolean': {
      const v = raw.toLowerCase();
      if (TRUE.has(v)) return { ok: true, value: true };
      if (FALSE.has(v)) return { ok: true, value: false };
      return fail(`'${raw.slice(0, 40)}' is not yes or no`);
    }
    case 'date':
      return parseDate(raw, locale.dateOrder);
    case 'datetime':
      return parseDateTime(raw, locale.dateOrder);
    case 'picklist': {
      const v = choose(field, raw, picklistMap);
      return v === undefined ? fail(`'${raw.slice(0, 80)}' is not a value of ${field.label}`) : { ok: true, value: v };
    }
    case 'multi_picklist': {
      const values: string[] = [];
      for (const part of raw.split(/[;|]/).map((p) => p.trim()).filter(Boolean)) {
        const v = choose(field, part, picklistMap);
        if (v === undefined) return fail(`'${part.slice(0, 80)}' is not a value of ${field.label}`);
        values.push(v);
      }
      return { ok: true, value: values };
    }
    case 'long_text':
      return { ok: true, value: text };
    default:
      return { ok: true, value: raw };
  }
}

/** The picklist value for a cell: the user's mapping, else a value or label equal but for case. */
export function choose(field: FieldDefinition, raw: string, picklistMap: Record<string, string>): string | undefined {
  if (raw in picklistMap) return picklistMap[raw] || undefined;
  const lower = raw.toLowerCase();
  const values = (field.picklist?.values ?? []).filter((v) => v.active !== false);
  return values.find((v) => v.value.toLowerCase() === lower || v.label.toLowerCase() === lower)?.value;
}

function parseNumber(raw: string, locale: ValueLocale, percent: boolean): Parsed {
  let s = raw.replace(CURRENCY, '').replace(/[\s\u00a0\u202f']/g, '');
  if (percent) s = s.replace(/%$/, '');
  let negative = false;
  if (/^\(.*\)$/.test(s)) {
    negative = true; // accounting style: (1,234.00)
    s = s.slice(1, -1);
  }
  if (s.endsWith('-')) {
    negative = true;
    s = s.slice(0, -1);
  }
  const [group, decimal] = locale.decimalComma ? ['.', ','] : [',', '.'];
  s = s.split(group).join('');
  if (decimal === ',') s = s.replace(',', '.');
  if (!/^[-+]?\d*\.?\d+$/.test(s) && !/^[-+]?\d+\.$/.test(s)) return fail(`'${raw.slice(0, 40)}' is not a number${locale.decimalComma ? ' (decimal comma)' : ''}`);
  let d = new Decimal(s.replace(/\.$/, ''));
  if (negative) d = d.negated();
  return { ok: true, value: d.toFixed() };
}

const pad = (n: number) => String(n).padStart(2, '0');

function ymd(y: number, m: number, d: number): string | undefined {
  if (y < 100) y += y < 70 ? 2000 : 1900;
  const date = new Date(Date.UTC(y, m - 1, d));
  if (date.getUTCFullYear() !== y || date.getUTCMonth() !== m - 1 || date.getUTCDate() !== d) return undefined;
  return `${String(y).padStart(4, '0')}-${pad(m)}-${pad(d)}`;
}

function parseDate(raw: string, order: DateOrder): Parsed {
  const iso = /^(\d{4})-(\d{1,2})-(\d{1,2})(?:[T ].*)?$/.exec(raw);
  let v: string | undefined;
  if (iso) v = ymd(Number(iso[1]), Number(iso[2]), Number(iso[3]));
  else {
    const m = /^(\d{1,4})[/.\-](\d{1,2})[/.\-](\d{1,4})$/.exec(raw);
    if (m) {
      const [a, b, c] = [Number(m[1]), Number(m[2]), Number(m[3])];
      v = order === 'dmy' ? ymd(c, b, a) : order === 'mdy' ? ymd(c, a, b) : ymd(a, b, c);
    }
  }
  if (!v) return fail(`'${raw.slice(0, 40)}' is not a date (${order === 'dmy' ? 'dd/mm/yyyy' : order === 'mdy' ? 'mm/dd/yyyy' : 'yyyy-mm-dd'})`);
  return { ok: true, value: v };
}

function parseDateTime(raw: string, order: DateOrder): Parsed {
  if (/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})$/.test(raw)) return { ok: true, value: new Date(raw).toISOString() };
  const m = /^(.+?)[ T](\d{1,2}):(\d{2})(?::(\d{2}))?$/.exec(raw);
  const date = parseDate(m ? m[1]! : raw, order);
  if (!date.ok) return fail(`'${raw.slice(0, 40)}' is not a date and time`);
  const [h, min, s] = m ? [Number(m[2]), Number(m[3]), Number(m[4] ?? 0)] : [0, 0, 0];
  if (h > 23 || min > 59 || s > 59) return fail(`'${raw.slice(0, 40)}' is not a time of day`);
  // Times without a zone are read as UTC (the file says nothing else).
  return { ok: true, value: `${date.value as string}T${pad(h)}:${pad(min)}:${pad(s)}Z` };
}
