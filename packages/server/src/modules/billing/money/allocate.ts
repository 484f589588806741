import { Decimal } from './decimal.ts';
import { minorUnits } from './currencies.ts';

/**
 * Spreads an amount over parts in proportion to their weights, in whole minor units, by the
 * largest-remainder method (Hamilton): every part first gets its exact share rounded toward zero,
 * then the units left over go one each to the parts with the largest remainders (ties to the
 * earlier part). So the parts always add up to the amount exactly, and each part differs from
 * its exact share by less than one minor unit. Used wherever an amount is spread: a document
 * discount over lines, a document-level tax over lines, a tax-inclusive total over taxes.
 *
 * `amount` must already be a whole number of minor units of `currency`; weights must be ≥ 0.
 * When every weight is 0 the amount is spread evenly.
 */
export function allocate(args: { amount: Decimal; weights: readonly Decimal[]; currency: string }): Decimal[] {
  const { amount, weights, currency } = args;
  if (weights.length === 0) {
    if (!amount.isZero()) throw new RangeError('Cannot allocate a non-zero amount over no parts');
    return [];
  }
  if (weights.some((w) => w.isNegative() || !w.isFinite())) throw new RangeError('Allocation weights must be finite and ≥ 0');
  const scale = new Decimal(10).pow(minorUnits(currency));
  const units = amount.times(scale);
  if (!units.isInteger()) throw new RangeError(`Cannot allocate ${amount.toString()} ${currency}: it is not a whole number of minor units`);
  const total = weights.reduce((s, w) => s.plus(w), new Decimal(0));
  const even = total.isZero();
  const sign = units.isNegative() ? -1 : 1;
  const absUnits = units.abs();
  const shares = weights.map((w) => (even ? absUnits.dividedBy(weights.length) : absUnits.times(w).dividedBy(total)));
  const floors = shares.map((s) => s.floor());
  let left = absUnits.minus(floors.reduce((s, f) => s.plus(f), new Decimal(0))).toNumber();
  const order = shares
    .map((s, i) => ({ i, remainder: s.minus(floors[i]!) }))
    .sort((a, b) => b.remainder.comparedTo(a.remainder) || a.i - b.i);
  for (const { i } of order) {
    if (left <= 0) break;
    floors[i] = floors[i]!.plus(1);
    left -= 1;
  }
  return floors.map((f) => f.times(sign).dividedBy(scale));
}
