import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Decimal, allocate, computeDocumentTotals, minorUnit, minorUnits, roundMoney, type DocumentInput, type DocumentTotals, type RoundingPolicy, type TaxInput } from './index.ts';

/**
 * Property tests of the money kernel over random documents: whatever the lines, discounts, taxes,
 * currency and rounding policy, the figures add up exactly and each rounding is the one the rules
 * name. A failure prints the smallest document that breaks a property (fast-check shrinks it).
 */
const d = (x: string | number) => new Decimal(x);
const sum = (xs: string[]) => xs.reduce((s, x) => s.plus(x), d(0));
const RUNS = { numRuns: 300 };

const CURRENCIES = ['USD', 'JPY', 'KWD', 'EUR', 'CLF'];
const TAXES: TaxInput[] = [
  { id: 'gst', name: 'GST', rate: '5' },
  { id: 'qst', name: 'QST', rate: '9.975', compound: true },
  { id: 'vat', name: 'VAT', rate: '20' },
  { id: 'zero', name: 'Zero-rated', rate: '0' },
  { id: 'eco', name: 'Eco levy', rate: '1.5', compound: true },
];

const money = (currency: string, maxUnits: number) => fc.integer({ min: 0, max: maxUnits }).map((u) => d(u).dividedBy(d(10).pow(minorUnits(currency))).toFixed(minorUnits(currency)));
const quantity = fc.oneof(fc.integer({ min: 1, max: 500 }).map(String), fc.integer({ min: 1, max: 999_999 }).map((n) => d(n).dividedBy(1000).toString()));
const percent = fc.integer({ min: 0, max: 10_000 }).map((n) => d(n).dividedBy(100).toString());
const policy: fc.Arbitrary<RoundingPolicy> = fc.record({ mode: fc.constantFrom('half_up' as const, 'half_even' as const), scope: fc.constantFrom('line' as const, 'document' as const) });

const documentArb: fc.Arbitrary<DocumentInput> = fc.constantFrom(...CURRENCIES).chain((currency) =>
  fc.record({
    currency: fc.constant(currency),
    rounding: policy,
    taxInclusive: fc.boolean(),
    lines: fc.array(
      fc.record({
        quantity,
        unitPrice: money(currency, 5_000_000),
        discountKind: fc.constantFrom('none', 'percent', 'amount'),
        discountPercent: percent,
        discountFraction: fc.double({ min: 0, max: 1, noNaN: true }),
        taxes: fc.subarray(TAXES),
      }).map((l) => {
        const exact = d(l.quantity).times(l.unitPrice);
        const units = d(10).pow(minorUnits(currency));
        // An amount discount of at most the line's amount (in whole minor units, rounded down).
        const amount = exact.times(l.discountFraction).times(units).floor().dividedBy(units).toString();
        const discount = l.discountKind === 'percent' ? { percent: l.discountPercent } : l.discountKind === 'amount' ? { amount } : null;
        return { quantity: l.quantity, unitPrice: l.unitPrice, discount, taxes: l.taxes };
      }),
      { minLength: 1, maxLength: 25 },
    ),
    discountKind: fc.constantFrom('none', 'percent', 'amount'),
    discountPercent: percent,
    discountFraction: fc.double({ min: 0, max: 1, noNaN: true }),
  }).map((doc) => {
    const base: DocumentInput = { currency: doc.currency, rounding: doc.rounding, taxInclusive: doc.taxInclusive, lines: doc.lines };
    if (doc.discountKind === 'percent') return { ...base, discount: { percent: doc.discountPercent } };
    if (doc.discountKind === 'amount') {
      const subtotal = d(computeDocumentTotals(base).subtotal);
      const units = d(10).pow(minorUnits(doc.currency));
      return { ...base, discount: { amount: subtotal.times(doc.discountFraction).times(units).floor().dividedBy(units).toString() } };
    }
    return base;
  }),
);

function expectWholeMinorUnits(totals: DocumentTotals) {
  const places = minorUnits(totals.currency);
  const shape = places === 0 ? /^-?\d+$/ : new RegExp(`^-?\\d+\\.\\d{${places}}$`);
  const amounts = [totals.subtotal, totals.documentDiscount, totals.taxable, totals.taxTotal, totals.total, ...totals.taxes.map((t) => t.amount)];
  for (const l of totals.lines) amounts.push(l.gross, l.lineDiscount, l.net, l.documentDiscount, l.taxable, l.taxTotal, l.total, ...l.taxes.map((t) => t.amount));
  for (const a of amounts) expect(a).toMatch(shape);
}

describe('document totals (property)', () => {
  it('the lines add up to the document exactly, column by column, in every currency and policy', () => {
    fc.assert(
      fc.property(documentArb, (input) => {
        const t = computeDocumentTotals(input);
        expectWholeMinorUnits(t);
        expect(sum(t.lines.map((l) => l.total)).equals(t.total)).toBe(true);
        expect(sum(t.lines.map((l) => l.net)).equals(t.subtotal)).toBe(true);
        expect(sum(t.lines.map((l) => l.documentDiscount)).equals(t.documentDiscount)).toBe(true);
        expect(sum(t.lines.map((l) => l.taxable)).equals(t.taxable)).toBe(true);
        expect(sum(t.lines.map((l) => l.taxTotal)).equals(t.taxTotal)).toBe(true);
        expect(sum(t.taxes.map((x) => x.amount)).equals(t.taxTotal)).toBe(true);
        for (const tax of t.taxes) {
          expect(sum(t.lines.flatMap((l) => l.taxes.filter((x) => x.id === tax.id).map((x) => x.amount))).equals(tax.amount)).toBe(true);
          expect(sum(t.lines.flatMap((l) => l.taxes.filter((x) => x.id === tax.id).map((x) => x.base))).equals(tax.base)).toBe(true);
        }
        expect(d(t.taxable).plus(t.taxTotal).equals(t.total)).toBe(true);
        for (const l of t.lines) {
          expect(d(l.gross).minus(l.lineDiscount).equals(l.net)).toBe(true);
          expect(d(l.taxable).plus(l.taxTotal).equals(l.total)).toBe(true);
          expect(d(l.net).minus(l.documentDiscount).isNegative()).toBe(false);
          expect(d(l.taxable).isNegative() || d(l.taxTotal).isNegative()).toBe(false);
          // Exclusive: the taxes come on top; inclusive: they are inside what the customer was quoted.
          if (input.taxInclusive) expect(d(l.net).minus(l.documentDiscount).equals(l.total)).toBe(true);
          else expect(d(l.net).minus(l.documentDiscount).equals(l.taxable)).toBe(true);
        }
        const beforeTax = d(t.subtotal).minus(t.documentDiscount);
        expect((input.taxInclusive ? beforeTax : beforeTax.plus(t.taxTotal)).equals(t.total)).toBe(true);
      }),
      RUNS,
    );
  });

  it('the document discount is spread within one minor unit of each line’s exact share', () => {
    fc.assert(
      fc.property(documentArb, (input) => {
        const t = computeDocumentTotals(input);
        const subtotal = d(t.subtotal);
        if (subtotal.isZero()) return;
        for (const l of t.lines) {
          const exact = d(t.documentDiscount).times(l.net).dividedBy(subtotal);
          expect(exact.minus(l.documentDiscount).abs().lessThan(minorUnit(t.currency))).toBe(true);
        }
      }),
      RUNS,
    );
  });

  it('per-line rounding: each line tax is its base × rate rounded; per-document: each tax is rounded once and spread within a unit', () => {
    const exclusive = documentArb.map((doc) => ({ ...doc, taxInclusive: false }));
    fc.assert(
      fc.property(exclusive, (input) => {
        const t = computeDocumentTotals(input);
        const unit = minorUnit(t.currency);
        for (const tax of t.taxes) {
          const rate = d(tax.rate).dividedBy(100);
          const lines = t.lines.flatMap((l) => l.taxes.filter((x) => x.id === tax.id));
          if (input.rounding.scope === 'line') {
            for (const x of lines) expect(d(x.amount).equals(roundMoney(d(x.base).times(rate), t.currency, input.rounding.mode))).toBe(true);
          } else {
            expect(d(tax.amount).equals(roundMoney(d(tax.base).times(rate), t.currency, input.rounding.mode))).toBe(true);
            for (const x of lines) {
              const share = d(tax.base).isZero() ? d(0) : d(tax.amount).times(x.base).dividedBy(tax.base);
              expect(share.minus(x.amount).abs().lessThan(unit)).toBe(true);
            }
          }
        }
      }),
      RUNS,
    );
  });

  it('tax-inclusive lines: the taxable part is the amount ÷ (1 + rates), rounded', () => {
    const inclusive = documentArb.map((doc) => ({ ...doc, taxInclusive: true }));
    fc.assert(
      fc.property(inclusive, (input) => {
        const t = computeDocumentTotals(input);
        t.lines.forEach((l, i) => {
          const taxes = (input.lines[i]!.taxes ?? []).map((x) => ({ rate: d(String(x.rate)).dividedBy(100), compound: x.compound === true }));
          let multiplier = d(1).plus(taxes.filter((x) => !x.compound).reduce((s, x) => s.plus(x.rate), d(0)));
          for (const x of taxes.filter((x) => x.compound)) multiplier = multiplier.times(d(1).plus(x.rate));
          expect(d(l.taxable).equals(roundMoney(d(l.total).dividedBy(multiplier), t.currency, input.rounding.mode))).toBe(true);
        });
      }),
      RUNS,
    );
  });

  it('the same document gives the same figures every time (no hidden state)', () => {
    fc.assert(fc.property(documentArb, (input) => {
      expect(computeDocumentTotals(input)).toEqual(computeDocumentTotals(structuredClone(input)));
    }), { numRuns: 50 });
  });
});

describe('allocation (property)', () => {
  it('parts sum to the amount exactly and each is within one minor unit of its exact share', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...CURRENCIES),
        fc.integer({ min: -10_000_000, max: 10_000_000 }),
        fc.array(fc.integer({ min: 0, max: 1_000_000 }), { minLength: 1, maxLength: 40 }),
        (currency, units, weightInts) => {
          const amount = d(units).times(minorUnit(currency));
          const weights = weightInts.map((w) => d(w));
          const parts = allocate({ amount, weights, currency });
          expect(parts.reduce((s, p) => s.plus(p), d(0)).equals(amount)).toBe(true);
          const total = weights.reduce((s, w) => s.plus(w), d(0));
          parts.forEach((p, i) => {
            const exact = total.isZero() ? amount.dividedBy(weights.length) : amount.times(weights[i]!).dividedBy(total);
            expect(exact.minus(p).abs().lessThan(minorUnit(currency))).toBe(true);
            expect(p.times(d(10).pow(minorUnits(currency))).isInteger()).toBe(true);
          });
        },
      ),
      RUNS,
    );
  });
});

describe('rounding modes (property)', () => {
  it('on a tie half-up goes away from zero and half-even to the even unit; off ties both agree', () => {
    fc.assert(
      fc.property(fc.constantFrom(...CURRENCIES), fc.integer({ min: -1_000_000, max: 1_000_000 }), fc.integer({ min: 1, max: 9 }), (currency, units, tenth) => {
        const unit = minorUnit(currency);
        const value = d(units).plus(d(tenth).dividedBy(10)).times(unit);
        const up = roundMoney(value, currency, 'half_up').dividedBy(unit);
        const even = roundMoney(value, currency, 'half_even').dividedBy(unit);
        if (tenth === 5) {
          const away = units >= 0 ? units + 1 : units; // value = units + 0.5 units
          expect(up.toNumber()).toBe(away);
          expect(even.mod(2).isZero()).toBe(true);
          expect(even.minus(value.dividedBy(unit)).abs().toString()).toBe('0.5');
        } else {
          expect(up.equals(even)).toBe(true);
        }
      }),
      RUNS,
    );
  });
});
