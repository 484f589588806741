import fc from 'fast-check';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getTestServer, type TestServer, type TestUser } from '../server.ts';
import { buildAccount, buildRecord } from '../factories.ts';
import { Decimal } from '../../src/modules/billing/index.ts';

/**
 * Random invoices (quantities with decimals, line and document discounts, simple and compound
 * taxes, 0/2/3-decimal currencies) posted, then credited in random pieces through the API:
 * read back from the numeric columns, the credited total never exceeds the invoice's total, it
 * is exactly the sum of the posted credit notes, the open amount is exactly total − credited,
 * refused pieces change nothing, and a last full credit leaves exactly zero open.
 */
let server: TestServer;
let admin: TestUser;
const products: string[] = [];
const accounts: Record<string, string> = {};
const CURRENCIES = ['USD', 'JPY', 'KWD'];
const PRICES: Record<string, string[]> = { USD: ['19.99', '80.00', '0.05'], JPY: ['1999', '8000', '5'], KWD: ['6.125', '24.500', '0.015'] };

beforeAll(async () => {
  server = await getTestServer();
  admin = server.admin;
  const each = (await admin.request('GET', `/api/v1/unit_of_measure?filter=${encodeURIComponent(JSON.stringify({ field: 'code', op: 'eq', value: 'each' }))}`)).body.data[0].id;
  for (let i = 0; i < 3; i++) products.push((await buildRecord(admin, 'product', { code: `CP-${i}`, name: `Product ${i}`, unit_of_measure: each })).id);
  for (const currency of CURRENCIES) {
    const book = await buildRecord(admin, 'price_book', { name: `Standard ${currency}`, currency, is_standard: true });
    for (const [i, p] of products.entries()) await buildRecord(admin, 'price_book_entry', { price_book: book.id, product: p, unit_price: PRICES[currency]![i] });
    accounts[currency] = (await buildAccount(admin, { name: `Payer ${currency}`, ...(currency === 'KWD' ? {} : { currency }), billing_state: 'QC', billing_country: 'CA' })).id;
  }
  await buildRecord(admin, 'tax_rate', { name: 'GST', rate: 5, region: 'CA' });
  await buildRecord(admin, 'tax_rate', { name: 'QST', rate: 9.975, region: 'QC', compound: true });
}, 120_000);
afterAll(async () => server?.close());

const scenario = fc.record({
  currency: fc.constantFrom(...CURRENCIES),
  discount: fc.oneof(fc.constant({}), fc.integer({ min: 1, max: 3000 }).map((n) => ({ discount_percent: n / 100 }))),
  lines: fc.array(
    fc.record({
      product: fc.integer({ min: 0, max: 2 }),
      quantity: fc.integer({ min: 1, max: 20_000 }).map((n) => n / 1000),
      discount: fc.oneof(fc.constant({}), fc.integer({ min: 1, max: 9999 }).map((n) => ({ discount_percent: n / 100 }))),
    }),
    { minLength: 1, maxLength: 6 },
  ),
  // Each credit: which line, and what share of the line's quantity (may be more than is left: refused).
  credits: fc.array(fc.record({ line: fc.nat(), share: fc.integer({ min: 1, max: 700 }) }), { minLength: 1, maxLength: 6 }),
  closeInFull: fc.boolean(),
});

describe('credit notes (property, through the API and the database)', () => {
  it('never credit more than the invoice total, and open = total − credited exactly', async () => {
    await fc.assert(
      fc.asyncProperty(scenario, async (s) => {
        const made = await admin.request('POST', '/api/v1/invoices', {
          body: { invoice: { account: accounts[s.currency], currency: s.currency, ...s.discount }, lines: s.lines.map((l) => ({ product: products[l.product], quantity: l.quantity, ...l.discount })) },
        });
        expect(made.status, made.text).toBe(201);
        const id = made.body.invoice.id as string;
        const lines = made.body.lines as Array<{ id: string; quantity: number }>;
        expect((await admin.request('POST', `/api/v1/invoices/${id}/post`, { body: {} })).status).toBe(200);
        const check = async () => {
          const r = await sql<Record<string, string>>`SELECT i.total::text, i.credited_total::text, i.open_amount::text,
              (SELECT coalesce(sum(c.total), 0) FROM obj_invoice c WHERE c.credited_invoice_id = i.id AND c.status = 'posted' AND c.deleted_at IS NULL)::text AS notes
            FROM obj_invoice i WHERE i.id = ${id}`.execute(server.platform.db);
          const row = r.rows[0]!;
          const [total, credited, open, notes] = [row.total, row.credited_total, row.open_amount, row.notes].map((v) => new Decimal(v ?? 0));
          expect(credited!.lte(total!), JSON.stringify(row)).toBe(true);
          expect(credited!.equals(notes!), JSON.stringify(row)).toBe(true);
          expect(open!.equals(total!.minus(credited!)), JSON.stringify(row)).toBe(true);
          return { total: total!, open: open! };
        };
        for (const c of s.credits) {
          const line = lines[c.line % lines.length]!;
          const quantity = new Decimal(line.quantity).times(c.share).dividedBy(1000).toDecimalPlaces(3, Decimal.ROUND_DOWN);
          if (quantity.lte(0)) continue;
          const before = await check();
          const res = await admin.request('POST', `/api/v1/invoices/${id}/credit`, { body: { lines: [{ invoiceLine: line.id, quantity: quantity.toString() }] } });
          expect([200, 422], res.text).toContain(res.status);
          const after = await check();
          if (res.status === 422) expect(after.open.equals(before.open)).toBe(true);
          else expect(after.open.equals(before.open.minus(String(res.body.creditNote.total)))).toBe(true);
        }
        if (s.closeInFull) {
          const res = await admin.request('POST', `/api/v1/invoices/${id}/credit`, { body: { full: true } });
          expect([200, 422], res.text).toContain(res.status);
          if (res.status === 200) expect((await check()).open.isZero()).toBe(true);
          else expect(res.body.errors[0]).toMatchObject({ field: 'lines', code: 'nothing_to_credit' });
        }
      }),
      {
        numRuns: 20,
        examples: [
          // Found by this property (stop 31): four partial credits of a 0.05 line under a 5 % document
          // discount and two taxes, then the rest in full — the pieces' rounding (5 cents) was more
          // than the closing note's own allowance, and 0.01 stayed open.
          [{ currency: 'USD', discount: { discount_percent: 5 }, lines: [{ product: 2, quantity: 3.7, discount: {} }],
            credits: [{ line: 0, share: 120 }, { line: 0, share: 547 }, { line: 0, share: 286 }, { line: 0, share: 21 }], closeInFull: true }],
        ],
      },
    );
  }, 600_000);
});
