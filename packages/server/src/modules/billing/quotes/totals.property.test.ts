import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Decimal, minorUnits, type RoundingPolicy, type TaxInput } from '../money/index.ts';
import { computeQuoteFigures, type PricedLine } from './totals.ts';

/**
 * For random quotes — currencies with 0, 2 and 3 decimals, both rounding policies, tax-inclusive
 * or not, line and document discounts, chosen and unchosen optional lines — the chosen lines'
 * figures add up to the quote's exactly, and unchosen lines count for nothing.
 */
const d = (x: string | number) => new Decimal(x);
const sum = (xs: string[]) => xs.reduce((s, x) => s.plus(x), d(0));
const TAXES: TaxInput[] = [{ id: 'gst', name: 'GST', rate: '5' }, { id: 'qst', name: 'QST', rate: '9.975', compound: true }, { id: 'vat', name: 'VAT', rate: '20' }];
const money = (currency: string, max: number) => fc.integer({ min: 0, max }).map((u) => d(u).dividedBy(d(10).pow(minorUnits(currency))).toFixed(minorUnits(currency)));

const quoteArb = fc.constantFrom('USD', 'JPY', 'KWD').chain((currency) =>
  fc.record({
    currency: fc.constant(currency),
    rounding: fc.record({ mode: fc.constantFrom('half_up' as const, 'half_even' as const), scope: fc.constantFrom('line' as const, 'document' as const) }) as fc.Arbitrary<RoundingPolicy>,
    taxInclusive: fc.boolean(),
    discountPercent: fc.option(fc.integer({ min: 0, max: 5000 }).map((n) => d(n).dividedBy(100).toString()), { nil: undefined }),
    lines: fc.array(
      fc.record({
        quantity: fc.integer({ min: 1, max: 99_999 }).map((n) => d(n).dividedBy(100).toString()),
        unitPrice: money(currency, 2_000_000),
        listExtra: money(currency, 50_000),
        discountPercent: fc.option(fc.integer({ min: 0, max: 10_000 }).map((n) => d(n).dividedBy(100).toString()), { nil: undefined }),
        taxes: fc.subarray(TAXES),
        selected: fc.boolean(),
      }),
      { minLength: 1, maxLength: 25 },
    ),
  }),
);

describe('quote totals (property)', () => {
  it('the chosen lines’ totals, taxes and discount shares sum to the quote’s exactly', () => {
    fc.assert(
      fc.property(quoteArb, (q) => {
        const lines: PricedLine[] = q.lines.map((l, i) => ({
          key: String(i), quantity: l.quantity, unit_price: l.unitPrice, list_price: d(l.unitPrice).plus(l.listExtra).toString(),
          discount_percent: l.discountPercent ?? null, taxes: JSON.stringify(l.taxes), selected: l.selected,
        }));
        const f = computeQuoteFigures({ currency: q.currency, rounding: q.rounding, taxInclusive: q.taxInclusive, discount: q.discountPercent ? { percent: q.discountPercent } : null, lines });
        const chosen = lines.filter((l) => l.selected !== false).map((l) => f.lines.get(l.key)!);
        expect(f.lines.size).toBe(lines.length);
        expect(sum(chosen.map((l) => l.total)).equals(f.document.total)).toBe(true);
        expect(sum(chosen.map((l) => l.taxTotal)).equals(f.document.taxTotal)).toBe(true);
        expect(sum(chosen.map((l) => l.taxable)).equals(f.document.taxable)).toBe(true);
        expect(sum(chosen.map((l) => l.net)).equals(f.document.subtotal)).toBe(true);
        expect(sum(chosen.map((l) => l.documentDiscount)).equals(f.document.documentDiscount)).toBe(true);
        expect(d(f.document.taxable).plus(f.document.taxTotal).equals(f.document.total)).toBe(true);
        // Unchosen optional lines carry no document discount and are not in the totals.
        for (const l of lines.filter((x) => x.selected === false)) expect(f.lines.get(l.key)!.documentDiscount).toBe(d(0).toFixed(minorUnits(q.currency)));
        const e = d(f.effectiveDiscount);
        expect(e.greaterThanOrEqualTo(0) && e.lessThanOrEqualTo(100)).toBe(true);
      }),
      { numRuns: 300 },
    );
  });
});
