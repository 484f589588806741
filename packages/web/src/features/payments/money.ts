/**
 * Exact cents for the allocation grid: amounts typed by the user are decimal strings; sums are
 * done in integer minor units (BigInt), never in floating point, so "oldest first" fills and the
 * running "left as credit" figure are exactly what the server will compute.
 */
export function toMinor(value: string | number | null | undefined, digits: number): bigint | null {
  const text = String(value ?? '').trim().replace(/\s/g, '');
  if (!/^\d+(\.\d*)?$/.test(text)) return null;
  const [whole, frac = ''] = text.split('.');
  if (frac.length > digits) return null;
  return BigInt(whole!) * 10n ** BigInt(digits) + BigInt((frac + '0'.repeat(digits)).slice(0, digits) || '0');
}

export function fromMinor(minor: bigint, digits: number): string {
  const negative = minor < 0n;
  const abs = negative ? -minor : minor;
  const scale = 10n ** BigInt(digits);
  const whole = abs / scale;
  const frac = (abs % scale).toString().padStart(digits, '0');
  return `${negative ? '-' : ''}${whole}${digits ? `.${frac}` : ''}`;
}

/** The currency's minor-unit digits (2 for USD, 0 for JPY, 3 for KWD), from the browser's own tables. */
export function minorDigits(currency: string): number {
  try {
    return new Intl.NumberFormat('en', { style: 'currency', currency }).resolvedOptions().maximumFractionDigits ?? 2;
  } catch {
    return 2;
  }
}

/** Oldest first: each open amount in turn, until the budget is spent. */
export function fillOldestFirst(open: bigint[], budget: bigint): bigint[] {
  let left = budget;
  return open.map((o) => {
    const take = left < o ? left : o;
    left -= take > 0n ? take : 0n;
    return take > 0n ? take : 0n;
  });
}
