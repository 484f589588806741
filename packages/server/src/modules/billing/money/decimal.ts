import decimalModule from 'decimal.js';
import type { Decimal as DecimalClass } from 'decimal.js';

/**
 * decimal.js ships ESM (default export: the class) with CommonJS typings, so TypeScript sees the
 * default import as the CommonJS module object; this takes the class from whichever shape loaded.
 */
const DecimalJs = ((decimalModule as unknown as { Decimal?: typeof DecimalClass }).Decimal ?? decimalModule) as typeof DecimalClass;
export type RoundingConstant = DecimalClass.Rounding;
export const ROUND_HALF_UP = DecimalJs.ROUND_HALF_UP;
export const ROUND_HALF_EVEN = DecimalJs.ROUND_HALF_EVEN;

/**
 * The kernel's own Decimal constructor (a clone, so no other code's global configuration can
 * change ours): 40 significant digits carry any amount × quantity × rate exactly enough that the
 * only rounding is the one the kernel does on purpose, to a currency's minor unit.
 */
export const Decimal = DecimalJs.clone({ precision: 40, rounding: DecimalJs.ROUND_HALF_UP, toExpNeg: -40, toExpPos: 40 });
export type Decimal = InstanceType<typeof Decimal>;

/** What the kernel accepts as an amount: a decimal string ("12.50"), a Decimal, or a number as stored values arrive from the record API. */
export type DecimalInput = string | number | Decimal;

const DECIMAL_TEXT = /^[-+]?(\d+(\.\d*)?|\.\d+)$/;

/**
 * A Decimal from input, or undefined when it is not a finite decimal. Numbers are read through
 * their shortest round-trip text (`String(0.1)` is "0.1"), so a value stored as `numeric` and read
 * back as a JavaScript number is the decimal that was written (up to 15 significant digits).
 */
export function toDecimal(value: unknown): Decimal | undefined {
  if (value instanceof Decimal) return value.isFinite() ? value : undefined;
  if (typeof value === 'number') return Number.isFinite(value) ? new Decimal(String(value)) : undefined;
  if (typeof value === 'string') {
    const text = value.trim();
    return DECIMAL_TEXT.test(text) && text.length <= 60 ? new Decimal(text) : undefined;
  }
  return undefined;
}

/** Digits after the decimal point that the value needs (1.50 → 1, 2 → 0). */
export function decimalPlaces(value: Decimal): number {
  return value.decimalPlaces();
}

/** Significant digits the value needs; more than 15 cannot travel as a JSON number without change. */
export function significantDigits(value: Decimal): number {
  return value.isZero() ? 1 : value.precision(false);
}
