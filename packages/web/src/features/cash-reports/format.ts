import { dateTimeFormat, formatNumber, localeSettings, numberFormat } from '../../lib/format';

/**
 * Money and periods as the cash reports show them: amounts arrive as exact decimal strings and are
 * handed to Intl.NumberFormat as strings (formatted exactly, never through a float); each currency
 * on its own.
 */
export function money(value: string | number | null | undefined, currency: string, options: { compact?: boolean } = {}): string {
  if (value === null || value === undefined) return '—';
  const opts: Intl.NumberFormatOptions = { style: 'currency', currency, ...(options.compact ? { notation: 'compact', maximumFractionDigits: 1 } : {}) };
  try {
    return numberFormat(localeSettings().locale, opts).format(value as unknown as number);
  } catch {
    return `${value} ${currency}`;
  }
}

/** Several currencies side by side: "€1,200.00 · $300.00" (never summed). */
export const moneyList = (items: Array<{ amount: string; currency: string }>, empty = '—') => (items.length ? items.map((i) => money(i.amount, i.currency)).join(' · ') : empty);

export const isPositive = (v: string | null | undefined) => !!v && !v.startsWith('-') && /[1-9]/.test(v);

export function monthLabel(month: string, style: 'short' | 'long' = 'short'): string {
  const [y, m] = month.split('-').map(Number) as [number, number];
  return dateTimeFormat(localeSettings().locale, { month: style, year: 'numeric', timeZone: 'UTC' }).format(new Date(Date.UTC(y, m - 1, 1)));
}

export const daysText = (n: number | null | undefined) => (n === null || n === undefined ? '—' : `${formatNumber(n, { minimumFractionDigits: 1, maximumFractionDigits: 1 })} days`);

export function todayText(): string {
  const d = new Date();
  return `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}-${String(d.getDate()).padStart(2, '0')}`;
}

export function monthsBack(n: number): string {
  const d = new Date();
  d.setDate(1);
  d.setMonth(d.getMonth() - n);
  return `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}`;
}
