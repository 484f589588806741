import { describe, expect, it } from 'vitest';
import { AppError } from '../../../platform/errors.ts';
import { Decimal, allocate, computeDocumentTotals, formatMoney, minorUnits, roundMoney, toDecimal } from './index.ts';

const d = (s: string) => new Decimal(s);
const strings = (xs: Decimal[]) => xs.map((x) => x.toString());

describe('currencies and rounding', () => {
  it('knows the minor units of ISO 4217 currencies and refuses unknown codes', () => {
    expect([minorUnits('JPY'), minorUnits('USD'), minorUnits('KWD'), minorUnits('CLF')]).toEqual([0, 2, 3, 4]);
    expect(() => minorUnits('XYZ')).toThrow(/Unknown currency 'XYZ'/);
  });

  it('rounds ties half-up (away from zero) or half-even, to the currency minor unit', () => {
    expect(roundMoney(d('2.345'), 'USD', 'half_up').toString()).toBe('2.35');
    expect(roundMoney(d('2.345'), 'USD', 'half_even').toString()).toBe('2.34');
    expect(roundMoney(d('2.355'), 'USD', 'half_even').toString()).toBe('2.36');
    expect(roundMoney(d('-2.345'), 'USD', 'half_up').toString()).toBe('-2.35');
    expect(roundMoney(d('0.5'), 'JPY', 'half_even').toString()).toBe('0');
    expect(roundMoney(d('1.5'), 'JPY', 'half_even').toString()).toBe('2');
    expect(roundMoney(d('1.2345'), 'KWD', 'half_up').toString()).toBe('1.235');
  });

  it('formats amounts with exactly the minor digits, never as -0', () => {
    expect(formatMoney(d('12.5'), 'USD')).toBe('12.50');
    expect(formatMoney(d('1200'), 'JPY')).toBe('1200');
    expect(formatMoney(d('1.25'), 'KWD')).toBe('1.250');
    expect(formatMoney(d('-0'), 'USD')).toBe('0.00');
  });

  it('reads numbers through their shortest text, so 0.1 is 0.1 and not the float', () => {
    expect(toDecimal(0.1)!.toString()).toBe('0.1');
    expect(toDecimal(0.1)!.plus(toDecimal(0.2)!).toString()).toBe('0.3');
    expect(toDecimal('1e3')).toBeUndefined();
    expect(toDecimal(Number.NaN)).toBeUndefined();
  });
});

describe('largest-remainder allocation', () => {
  it('spreads 100.00 over three equal parts as 33.34, 33.33, 33.33', () => {
    expect(strings(allocate({ amount: d('100'), weights: [d('1'), d('1'), d('1')], currency: 'USD' }))).toEqual(['33.34', '33.33', '33.33']);
  });

  it('gives the leftover units to the largest remainders, not to the first part', () => {
    // exact shares 1.666…, 3.333…, 5 → floors 1, 3, 5 (9); one unit left goes to the .666 remainder.
    expect(strings(allocate({ amount: d('10'), weights: [d('1'), d('2'), d('3')], currency: 'JPY' }))).toEqual(['2', '3', '5']);
  });

  it('keeps the sign of a negative amount and spreads over zero weights evenly', () => {
    expect(strings(allocate({ amount: d('-0.05'), weights: [d('1'), d('1')], currency: 'USD' }))).toEqual(['-0.03', '-0.02']);
    expect(strings(allocate({ amount: d('0.03'), weights: [d('0'), d('0')], currency: 'USD' }))).toEqual(['0.02', '0.01']);
  });

  it('refuses amounts that are not whole minor units and negative weights', () => {
    expect(() => allocate({ amount: d('0.005'), weights: [d('1')], currency: 'USD' })).toThrow(/whole number of minor units/);
    expect(() => allocate({ amount: d('1'), weights: [d('-1'), d('2')], currency: 'USD' })).toThrow(/≥ 0/);
  });
});

describe('computeDocumentTotals', () => {
  const line = { policy: { mode: 'half_up' as const, scope: 'line' as const } };

  it('computes a worked example: line discounts, a document discount spread by largest remainder, GST and compound QST', () => {
    const gst = { id: 'gst', name: 'GST', rate: '5' };
    const qst = { id: 'qst', name: 'QST', rate: '9.975', compound: true };
    const totals = computeDocumentTotals({
      currency: 'CAD',
      rounding: line.policy,
      lines: [
        { key: 'a', quantity: '3', unitPrice: '19.99', taxes: [gst, qst] },
        { key: 'b', quantity: '2.5', unitPrice: '80.00', discount: { percent: '10' }, taxes: [gst, qst] },
        { key: 'c', quantity: '1', unitPrice: '10.00', discount: { amount: '1.50' }, taxes: [gst] },
      ],
      discount: { amount: '10.00' },
    });
    // The 10.00 discount over nets 59.97 / 180.00 / 8.50 (subtotal 248.47): exact shares 2.4135…,
    // 7.2443…, 0.3420… → 2.41, 7.24, 0.34 (9.99); the last cent goes to the largest remainder (.43).
    expect(totals.lines.map((l) => [l.gross, l.lineDiscount, l.net, l.documentDiscount, l.taxable])).toEqual([
      ['59.97', '0.00', '59.97', '2.41', '57.56'],
      ['200.00', '20.00', '180.00', '7.25', '172.75'],
      ['10.00', '1.50', '8.50', '0.34', '8.16'],
    ]);
    // GST 5% of 57.56 = 2.878 → 2.88; QST 9.975% of (57.56 + 2.88) = 6.02889 → 6.03
    expect(totals.lines[0]!.taxes.map((t) => [t.id, t.base, t.amount])).toEqual([['gst', '57.56', '2.88'], ['qst', '60.44', '6.03']]);
    expect(totals.subtotal).toBe('248.47');
    expect(totals.documentDiscount).toBe('10.00');
    expect(totals.taxable).toBe('238.47');
    expect(totals.taxes.map((t) => [t.id, t.amount])).toEqual([['gst', '11.93'], ['qst', '24.12']]);
    expect(totals.taxTotal).toBe('36.05');
    expect(totals.total).toBe('274.52');
  });

  it('rounds taxes per line or once per document, as the organisation chose', () => {
    const vat = { id: 'vat', rate: '7' };
    const lines = [1, 2, 3].map(() => ({ quantity: '1', unitPrice: '0.07', taxes: [vat] }));
    const perLine = computeDocumentTotals({ currency: 'USD', rounding: { mode: 'half_up', scope: 'line' }, lines });
    const perDocument = computeDocumentTotals({ currency: 'USD', rounding: { mode: 'half_up', scope: 'document' }, lines });
    // 7% of 0.07 = 0.0049 → 0.00 on each line; 7% of 0.21 = 0.0147 → 0.01 once, given to one line.
    expect(perLine.taxTotal).toBe('0.00');
    expect(perDocument.taxTotal).toBe('0.01');
    expect(perDocument.lines.map((l) => l.taxTotal)).toEqual(['0.01', '0.00', '0.00']);
  });

  it('splits tax-inclusive prices exactly into net and taxes', () => {
    const totals = computeDocumentTotals({
      currency: 'EUR',
      rounding: line.policy,
      taxInclusive: true,
      lines: [{ quantity: '1', unitPrice: '10.00', taxes: [{ id: 'vat', rate: '19' }] }],
    });
    // 10.00 / 1.19 = 8.4033… → 8.40 net, 1.60 VAT: together exactly the 10.00 the customer was quoted.
    expect([totals.taxable, totals.taxTotal, totals.total]).toEqual(['8.40', '1.60', '10.00']);
  });

  it('names every bad field at once: quantity ≤ 0, too many decimals, unknown currency, discount above the amount', () => {
    const refused = (input: Parameters<typeof computeDocumentTotals>[0]) => {
      try {
        computeDocumentTotals(input);
      } catch (error) {
        expect(error).toBeInstanceOf(AppError);
        return { status: (error as AppError).status, errors: (error as AppError).errors.map((e) => `${e.field}:${e.code}`) };
      }
      throw new Error('accepted');
    };
    expect(refused({ currency: 'XYZ', rounding: line.policy, lines: [] })).toEqual({ status: 422, errors: ['currency:unknown_currency'] });
    expect(refused({ currency: 'JPY', rounding: line.policy, lines: [{ quantity: '0', unitPrice: '1.5' }, { quantity: '-2', unitPrice: 'ten' }] }).errors).toEqual([
      'lines[0].quantity:out_of_range', 'lines[0].unitPrice:precision', 'lines[1].quantity:out_of_range', 'lines[1].unitPrice:type',
    ]);
    expect(refused({ currency: 'USD', rounding: line.policy, lines: [{ quantity: '1', unitPrice: '5', discount: { amount: '6' } }] }).errors).toEqual(['lines[0].discount.amount:out_of_range']);
    expect(refused({ currency: 'USD', rounding: line.policy, lines: [{ quantity: '1', unitPrice: '5' }], discount: { percent: '101' } }).errors).toEqual(['discount.percent:out_of_range']);
  });
});
