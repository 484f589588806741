import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { computeCreditLimit, rateBehaviour, summariseInvoices, type CreditInputs, type CreditPolicy } from './formula.ts';

const policy: CreditPolicy = { startingLimit: 1000, monthsOfSpending: 2, step: 100 };
const inputs = (over: Partial<CreditInputs> = {}): CreditInputs => ({
  currency: 'USD', invoices: 20, onTime: 19, avgDaysLate: 1, maxDaysLate: 6, disputes: 0, reversals: 0, invoiced: 60_000, months: 12, ...over,
});

describe('the credit limit formula', () => {
  it('the worked example of docs/credit.md', () => {
    const r = computeCreditLimit(inputs({ invoices: 24, onTime: 22, avgDaysLate: 3.5, maxDaysLate: 21, reversals: 1, invoiced: 50_400 }), policy);
    // 50,400 / 12 = 4,200 × 2 = 8,400; good payer (92%, 3.5 days) × 1 = 8,400; one reversal × 0.8 = 6,720 → 6,700.
    expect(r).toMatchObject({ limit: 6700, behaviour: 'good', currency: 'USD' });
    expect(r.steps.map((s) => s.value)).toEqual([4200, 8400, 8400, 6720, 6700]);
    expect(r.explanation).toContain('Average monthly invoiced: 4,200.00 USD');
    expect(r.explanation).toContain('92% of 24 invoices paid on time');
    expect(r.explanation).toContain('credit limit 6,700.00 USD');
  });

  it('rates behaviour in buckets, best first', () => {
    expect(rateBehaviour({ invoices: 20, onTime: 20, avgDaysLate: 0, maxDaysLate: 0 })).toBe('excellent');
    expect(rateBehaviour({ invoices: 20, onTime: 19, avgDaysLate: 1, maxDaysLate: 30 })).toBe('good');
    expect(rateBehaviour({ invoices: 10, onTime: 8, avgDaysLate: 10, maxDaysLate: 40 })).toBe('average');
    expect(rateBehaviour({ invoices: 10, onTime: 5, avgDaysLate: 30, maxDaysLate: 90 })).toBe('poor');
    expect(rateBehaviour({ invoices: 10, onTime: 1, avgDaysLate: 80, maxDaysLate: 200 })).toBe('bad');
    expect(rateBehaviour({ invoices: 0, onTime: 0, avgDaysLate: 0, maxDaysLate: 0 })).toBeNull();
  });

  it('gives a new customer the starting limit, or more when it already buys more', () => {
    expect(computeCreditLimit(inputs({ invoices: 0, onTime: 0, avgDaysLate: 0, maxDaysLate: 0, invoiced: 0, months: 1 }), policy)).toMatchObject({ limit: 1000, behaviour: null });
    expect(computeCreditLimit(inputs({ invoices: 0, onTime: 0, avgDaysLate: 0, maxDaysLate: 0, invoiced: 5000, months: 1 }), policy).limit).toBe(6000);
  });

  it('cuts 20% per reversal and 10% per dispute, never below zero; a bad payer gets nothing', () => {
    expect(computeCreditLimit(inputs({ invoices: 20, onTime: 20, avgDaysLate: 0, maxDaysLate: 0, disputes: 2 }), policy).limit).toBe(10000); // 10,000 × 1.25 × 0.8
    expect(computeCreditLimit(inputs({ reversals: 6 }), policy).limit).toBe(0);
    expect(computeCreditLimit(inputs({ invoices: 10, onTime: 0, avgDaysLate: 90, maxDaysLate: 120 }), policy)).toMatchObject({ limit: 0, behaviour: 'bad' });
  });

  it('averages over the months of history, at most 12', () => {
    expect(computeCreditLimit(inputs({ invoiced: 6000, months: 3 }), policy).steps[0]!.value).toBe(2000);
    expect(computeCreditLimit(inputs({ invoiced: 24_000, months: 30 }), policy).steps[0]!.value).toBe(2000);
  });
});

describe('the formula, by property', () => {
  const RUNS = { numRuns: 500 };
  const invoiceList = fc.array(fc.record({ daysLate: fc.oneof(fc.constant(0), fc.integer({ min: 0, max: 200 })) }), { minLength: 1, maxLength: 40 });
  const policyArb = fc.record({ startingLimit: fc.integer({ min: 0, max: 20_000 }), monthsOfSpending: fc.integer({ min: 1, max: 6 }), step: fc.constantFrom(1, 50, 100, 500) });
  const rest = fc.record({
    disputes: fc.integer({ min: 0, max: 5 }), reversals: fc.integer({ min: 0, max: 5 }),
    invoiced: fc.integer({ min: 0, max: 10_000_000 }).map((c) => c / 100), months: fc.integer({ min: 1, max: 12 }),
  });

  it('more late days never raise the limit (nor improve the rating)', () => {
    fc.assert(fc.property(invoiceList, fc.nat(), fc.integer({ min: 1, max: 120 }), rest, policyArb, (list, at, extra, r, p) => {
      const later = list.map((inv, i) => (i === at % list.length ? { daysLate: inv.daysLate + extra } : inv));
      const before = computeCreditLimit({ currency: 'USD', ...summariseInvoices(list), ...r }, p);
      const after = computeCreditLimit({ currency: 'USD', ...summariseInvoices(later), ...r }, p);
      expect(after.limit).toBeLessThanOrEqual(before.limit);
      const rank = (b: string | null) => ['excellent', 'good', 'average', 'poor', 'bad'].indexOf(b!);
      expect(rank(after.behaviour)).toBeGreaterThanOrEqual(rank(before.behaviour));
    }), RUNS);
  });

  it('more spending with the same behaviour never lowers the limit', () => {
    fc.assert(fc.property(fc.option(invoiceList, { nil: undefined }), fc.integer({ min: 0, max: 5_000_000 }), rest, policyArb, (list, more, r, p) => {
      const behaviour = list ? summariseInvoices(list) : { invoices: 0, onTime: 0, avgDaysLate: 0, maxDaysLate: 0 };
      const before = computeCreditLimit({ currency: 'USD', ...behaviour, ...r }, p);
      const after = computeCreditLimit({ currency: 'USD', ...behaviour, ...r, invoiced: r.invoiced + more / 100 }, p);
      expect(after.limit).toBeGreaterThanOrEqual(before.limit);
    }), RUNS);
  });

  it('is a non-negative multiple of the step', () => {
    fc.assert(fc.property(invoiceList, rest, policyArb, (list, r, p) => {
      const { limit } = computeCreditLimit({ currency: 'USD', ...summariseInvoices(list), ...r }, p);
      expect(limit).toBeGreaterThanOrEqual(0);
      expect(Math.abs(limit / p.step - Math.round(limit / p.step))).toBeLessThan(1e-9);
    }), RUNS);
  });
});
