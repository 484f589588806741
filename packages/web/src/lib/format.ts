import type { DisplayMap, FieldDef, RecordData } from '../api/types';
import { lookupTarget, picklistLabel } from '../api/metadata';

/** Locale and time zone of the signed-in user (from /me), used by every formatter. */
export interface LocaleSettings {
  locale: string;
  timeZone: string;
}

let current: LocaleSettings = { locale: navigator.language || 'en-US', timeZone: Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC' };

export function setLocaleSettings(s: Partial<LocaleSettings>) {
  const locale = s.locale && isValidLocale(s.locale) ? s.locale : current.locale;
  const timeZone = s.timeZone && isValidZone(s.timeZone) ? s.timeZone : current.timeZone;
  current = { locale, timeZone };
}

export function localeSettings() {
  return current;
}

function isValidLocale(l: string) {
  try {
    new Intl.NumberFormat(l);
    return true;
  } catch {
    return false;
  }
}
function isValidZone(z: string) {
  try {
    new Intl.DateTimeFormat('en', { timeZone: z });
    return true;
  } catch {
    return false;
  }
}

/**
 * Intl formatters, one per locale and options. Making one costs far more than using it (the
 * board's 200 cards spent a third of their render building date and currency formatters), so
 * they are kept; the key includes the locale, so a change of the user's locale takes effect.
 */
const formatters = new Map<string, Intl.NumberFormat | Intl.DateTimeFormat>();

/** `locale` undefined is the browser's own (the portal's visitors). */
export function numberFormat(locale: string | undefined, options: Intl.NumberFormatOptions = {}): Intl.NumberFormat {
  const key = `n|${locale ?? ''}|${JSON.stringify(options)}`;
  let f = formatters.get(key) as Intl.NumberFormat | undefined;
  if (!f) formatters.set(key, (f = new Intl.NumberFormat(locale, options)));
  return f;
}

export function dateTimeFormat(locale: string | undefined, options: Intl.DateTimeFormatOptions = {}): Intl.DateTimeFormat {
  const key = `d|${locale ?? ''}|${JSON.stringify(options)}`;
  let f = formatters.get(key) as Intl.DateTimeFormat | undefined;
  if (!f) formatters.set(key, (f = new Intl.DateTimeFormat(locale, options)));
  return f;
}

export function formatNumber(n: number, options: Intl.NumberFormatOptions = {}) {
  return numberFormat(current.locale, options).format(n);
}

export function formatCurrency(n: number, currency = 'USD') {
  try {
    return numberFormat(current.locale, { style: 'currency', currency }).format(n);
  } catch {
    return `${formatNumber(n, { minimumFractionDigits: 2, maximumFractionDigits: 2 })} ${currency}`;
  }
}

/** A date-only value (YYYY-MM-DD) is a calendar day: format it without shifting zones. */
export function formatDate(value: string) {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(value);
  if (!m) return value;
  const d = new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])));
  return dateTimeFormat(current.locale, { dateStyle: 'medium', timeZone: 'UTC' }).format(d);
}

export function formatDateTime(value: string) {
  const d = new Date(value);
  if (Number.isNaN(d.getTime())) return value;
  return dateTimeFormat(current.locale, { dateStyle: 'medium', timeStyle: 'short', timeZone: current.timeZone }).format(d);
}

/** Currency code of a record: its `currency` field when it has one. */
export function recordCurrency(record: Record<string, unknown> | undefined): string {
  const c = record?.currency;
  return typeof c === 'string' && /^[A-Z]{3}$/.test(c) ? c : 'USD';
}

/** No value to show: null, undefined, an empty string or an empty list (multi-picklists). */
export function isEmptyValue(value: unknown): boolean {
  return value === null || value === undefined || value === '' || (Array.isArray(value) && value.length === 0);
}

/** Plain text for a field value: lists, CSV export, titles. */
export function formatValue(field: FieldDef, value: unknown, record?: RecordData | Record<string, unknown>, display?: DisplayMap): string {
  if (value === null || value === undefined || value === '') return '';
  switch (field.type) {
    case 'number':
      return typeof value === 'number' ? formatNumber(value) : String(value);
    case 'currency':
      return typeof value === 'number' ? formatCurrency(value, recordCurrency(record)) : String(value);
    case 'percent':
      return typeof value === 'number' ? `${formatNumber(value, { maximumFractionDigits: 2 })} %` : String(value);
    case 'boolean':
      return value ? 'Yes' : 'No';
    case 'date':
      return formatDate(String(value));
    case 'datetime':
      return formatDateTime(String(value));
    case 'picklist':
      return picklistLabel(field, value);
    case 'multi_picklist':
      return Array.isArray(value) ? value.map((v) => picklistLabel(field, v)).join('; ') : String(value);
    case 'lookup':
    case 'user': {
      const target = lookupTarget(field);
      return (target && display?.[target]?.[String(value)]) || String(value);
    }
    default:
      return String(value);
  }
}
