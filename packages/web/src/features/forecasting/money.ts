import { formatCurrency, formatNumber } from '../../lib/format';

/**
 * Amounts arrive as exact decimal strings in the currency the answer names (the corporate one for the
 * forecast and the pillars); display only, never summed here.
 */
export const showMoney = (value: string | null | undefined, currency?: string) => (value === null || value === undefined ? '—' : formatCurrency(Number(value), currency));
export const showPercent = (value: string | null) => (value === null ? '—' : `${formatNumber(Number(value), { maximumFractionDigits: 1 })} %`);

/** Exact decimal addition of two-place amounts (cents as BigInt), so totals on screen match the server's. */
export function addMoney(values: Array<string | null | undefined>): string {
  let cents = 0n;
  for (const v of values) {
    if (!v) continue;
    const m = /^(-?)(\d+)(?:\.(\d{1,2}))?$/.exec(v.trim());
    if (!m) continue;
    const c = BigInt(m[2]!) * 100n + BigInt((m[3] ?? '').padEnd(2, '0') || '0');
    cents += m[1] ? -c : c;
  }
  const sign = cents < 0n ? '-' : '';
  const abs = cents < 0n ? -cents : cents;
  return `${sign}${abs / 100n}.${String(abs % 100n).padStart(2, '0')}`;
}

/** An amount as typed: digits with at most two decimals (a comma taken as the decimal point). */
export const AMOUNT_RE = /^\d+(\.\d{1,2})?$/;
export const normaliseAmount = (typed: string) => typed.trim().replace(',', '.');
