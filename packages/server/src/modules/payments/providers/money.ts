import { Decimal, minorUnits } from '../../billing/index.ts';

/** Major-unit decimal → the integer of minor units providers count in ("115.50" USD → 11550; JPY 1200 → 1200). */
export function toMinor(amount: string, currency: string): number {
  const minor = new Decimal(amount).times(new Decimal(10).pow(minorUnits(currency.toUpperCase())));
  if (!minor.isInteger()) throw new Error(`${amount} ${currency} has more decimals than the currency`);
  return minor.toNumber();
}

/** Minor units → the exact major-unit decimal with the currency's digits (11550, "usd" → "115.50"). */
export function fromMinor(minor: number, currency: string): string {
  const digits = minorUnits(currency.toUpperCase());
  return new Decimal(minor).div(new Decimal(10).pow(digits)).toFixed(digits);
}

export function sameAmount(a: unknown, b: unknown): boolean {
  try {
    return new Decimal(String(a)).eq(new Decimal(String(b)));
  } catch {
    return false;
  }
}
