import { Decimal, ROUND_HALF_EVEN, ROUND_HALF_UP, type RoundingConstant } from './decimal.ts';
import { minorUnits } from './currencies.ts';

/**
 * How amounts are rounded to a currency's minor unit.
 * - `half_up`: ties away from zero (2.345 → 2.35, −2.345 → −2.35), commercial rounding;
 * - `half_even`: ties to the even digit (2.345 → 2.34, 2.355 → 2.36), banker's rounding.
 */
export type RoundingMode = 'half_up' | 'half_even';
/** Where taxes are rounded: on each line (then summed), or once per tax on the document (then spread over the lines). */
export type RoundingScope = 'line' | 'document';

export interface RoundingPolicy {
  mode: RoundingMode;
  scope: RoundingScope;
}

export const ROUNDING_MODES: readonly RoundingMode[] = ['half_up', 'half_even'];
export const ROUNDING_SCOPES: readonly RoundingScope[] = ['line', 'document'];

const DECIMAL_MODE: Record<RoundingMode, RoundingConstant> = { half_up: ROUND_HALF_UP, half_even: ROUND_HALF_EVEN };

/** The amount rounded to the currency's minor unit. */
export function roundMoney(amount: Decimal, currency: string, mode: RoundingMode): Decimal {
  return amount.toDecimalPlaces(minorUnits(currency), DECIMAL_MODE[mode]);
}

/** The amount as the API carries it: a string with exactly the currency's minor digits ("12.50", "1200", "1.250"). */
export function formatMoney(amount: Decimal, currency: string): string {
  const text = amount.toFixed(minorUnits(currency));
  return /^-0(\.0*)?$/.test(text) ? text.slice(1) : text;
}

/** One minor unit of the currency as a Decimal (USD 0.01, JPY 1, KWD 0.001). */
export function minorUnit(currency: string): Decimal {
  return new Decimal(1).dividedBy(new Decimal(10).pow(minorUnits(currency)));
}
