import { validationFailed } from '../../platform/errors.ts';
import { Decimal, toDecimal } from '../billing/index.ts';

/** Bad input: a problem naming the field, before anything is written. */
export function invalid(field: string, code: string, message: string): never {
  throw validationFailed([{ field, code, message }]);
}

const LIMIT = new Decimal('1e13');

/** An amount as entered: a finite decimal, not negative, at most two decimals (the corporate currency's cents). */
export function readAmount(value: unknown, field: string): Decimal {
  const d = typeof value === 'string' || typeof value === 'number' ? toDecimal(value) : undefined;
  if (!d) invalid(field, 'invalid_amount', 'A decimal amount such as 1250.50');
  if (d!.isNegative()) invalid(field, 'negative', 'Cannot be negative');
  if (d!.gte(LIMIT)) invalid(field, 'out_of_range', 'Too large');
  if (d!.decimalPlaces() > 2) invalid(field, 'too_precise', 'At most two decimals');
  return d!;
}

/** A stored numeric as text with two decimals (exact: numeric arrives as text or as a number from PGlite). */
export const money = (value: unknown): string => (value === null || value === undefined ? '0.00' : new Decimal(String(value)).toFixed(2));
export const dec = (value: unknown): Decimal => new Decimal(value === null || value === undefined ? 0 : String(value));
