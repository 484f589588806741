import { describe, expect, it } from 'vitest';
import { normalizeIntakeOrder, validateIntakeOrder } from './validate.ts';
import type { IntakeOrder } from './types.ts';

const order = (over: Partial<IntakeOrder> = {}): IntakeOrder => ({
  externalId: 'WEB-1',
  customer: { accountNumber: 'C-1' },
  lines: [{ sku: 'A', quantity: '1' }],
  ...over,
});
const fieldsAndCodes = (o: IntakeOrder) => validateIntakeOrder(o).map((p) => `${p.field} ${p.code}`);

describe('validateIntakeOrder', () => {
  it('accepts a plain order', () => {
    expect(validateIntakeOrder(order({ currency: 'EUR', orderDate: '2024-02-29', lines: [{ sku: 'A', quantity: '0.000001', unitPrice: '0' }] }))).toEqual([]);
  });

  it('rejects negative, zero, non-numeric, huge and over-precise quantities, naming the line', () => {
    const lines = ['-1', '0', '-0', 'abc', '1e3', '1,5', '1000000001', '1.1234567', ' ', '0x10'].map((quantity, i) => ({ sku: `S${i}`, quantity }));
    expect(fieldsAndCodes(normalizeIntakeOrder(order({ lines })))).toEqual([
      'lines[0].quantity not_positive',
      'lines[1].quantity not_positive',
      'lines[2].quantity not_positive',
      'lines[3].quantity not_a_number',
      'lines[4].quantity not_a_number',
      'lines[5].quantity not_a_number',
      'lines[6].quantity too_large',
      'lines[7].quantity too_precise',
      'lines[8].quantity required',
      'lines[9].quantity not_a_number',
    ]);
    expect(fieldsAndCodes(order({ lines: [{ sku: 'A', quantity: '1000000000' }, { sku: 'B', quantity: '2.5' }, { sku: 'C', quantity: '.5' }] }))).toEqual([]);
  });

  it('reports every problem at once: id, lines, sku, price, currency, dates, e-mail', () => {
    const bad = order({
      externalId: '',
      currency: 'EURO',
      orderDate: '2023-02-29',
      requestedDate: '12/06/2024',
      contactEmail: 'not an email',
      lines: [
        { sku: '', quantity: '2', unitPrice: '-0.01' },
        { sku: 'B', quantity: '1', unitPrice: 'free', requestedDate: '2024-13-01' },
      ],
    });
    expect(fieldsAndCodes(bad)).toEqual([
      'externalId required',
      'orderDate invalid_date',
      'requestedDate invalid_date',
      'currency unknown_currency',
      'contactEmail invalid_email',
      'lines[0].sku required',
      'lines[0].unitPrice negative',
      'lines[1].unitPrice not_a_number',
      'lines[1].requestedDate invalid_date',
    ]);
    expect(fieldsAndCodes(order({ lines: [] }))).toEqual(['lines required']);
    expect(fieldsAndCodes(order({ externalId: 'x'.repeat(201) }))).toEqual(['externalId too_long']);
    expect(fieldsAndCodes(order({ currency: 'XYZ' }))).toEqual(['currency unknown_currency']);
  });

  it('caps a flood of problems', () => {
    const lines = Array.from({ length: 1000 }, () => ({ sku: '', quantity: '-1' }));
    const problems = validateIntakeOrder(order({ lines }));
    expect(problems).toHaveLength(101);
    expect(problems[100]).toMatchObject({ code: 'too_many_problems' });
  });
});

describe('normalizeIntakeOrder', () => {
  it('trims, drops empty text and upper-cases codes', () => {
    expect(normalizeIntakeOrder({ externalId: ' 7 ', currency: ' usd', poNumber: '  ', customer: { name: ' Atlas ' }, shipTo: { country: 'us', city: ' ' }, lines: [{ sku: ' A ', quantity: ' 2 ', uom: '' }] })).toEqual({
      externalId: '7',
      currency: 'USD',
      customer: { name: 'Atlas' },
      shipTo: { country: 'US' },
      lines: [{ sku: 'A', quantity: '2' }],
    });
  });
});
