import fc from 'fast-check';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getTestServer, type TestServer, type TestUser } from '../server.ts';
import { buildAccount, buildRecord } from '../factories.ts';
import { Decimal, minorUnits } from '../../src/modules/billing/index.ts';

/**
 * Random quotes built through the API and read back from the numeric columns: in every currency
 * (0, 2, 3 decimals), with taxes (simple and compound), line and document discounts and optional
 * lines, the stored lines' totals, taxes and discount shares add up to the stored quote exactly.
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
  for (let i = 0; i < 3; i++) products.push((await buildRecord(admin, 'product', { code: `P-${i}`, name: `Product ${i}`, unit_of_measure: each })).id);
  for (const currency of CURRENCIES) {
    const book = await buildRecord(admin, 'price_book', { name: `Standard ${currency}`, currency, is_standard: true });
    for (const [i, p] of products.entries()) await buildRecord(admin, 'price_book_entry', { price_book: book.id, product: p, unit_price: PRICES[currency]![i] });
    // Sales' account currency list has no KWD: such a buyer gets its quotes in the currency asked for.
    accounts[currency] = (await buildAccount(admin, { name: `Buyer ${currency}`, ...(currency === 'KWD' ? {} : { currency }), billing_state: 'QC', billing_country: 'CA' })).id;
  }
  await buildRecord(admin, 'tax_rate', { name: 'GST', rate: 5, region: 'CA' });
  await buildRecord(admin, 'tax_rate', { name: 'QST', rate: 9.975, region: 'QC', compound: true });
}, 120_000);
afterAll(async () => server?.close());

const quoteArb = fc.record({
  currency: fc.constantFrom(...CURRENCIES),
  discount: fc.oneof(fc.constant(null), fc.integer({ min: 1, max: 3000 }).map((n) => ({ discount_percent: n / 100 }))),
  lines: fc.array(
    fc.record({
      product: fc.integer({ min: 0, max: 2 }),
      quantity: fc.integer({ min: 1, max: 50_000 }).map((n) => n / 1000),
      discount: fc.oneof(fc.constant({}), fc.integer({ min: 1, max: 9999 }).map((n) => ({ discount_percent: n / 100 }))),
      optional: fc.boolean(),
      preselected: fc.boolean(),
    }),
    { minLength: 1, maxLength: 12 },
  ),
});

describe('stored quote totals (property, through the API and the database)', () => {
  it('the stored lines add up to the stored quote exactly', async () => {
    await fc.assert(
      fc.asyncProperty(quoteArb, async (q) => {
        const res = await admin.request('POST', '/api/v1/quotes', {
          body: {
            quote: { account: accounts[q.currency], currency: q.currency, ...(q.discount ?? {}) },
            lines: q.lines.map((l) => ({ product: products[l.product], quantity: l.quantity, optional: l.optional, ...(l.optional && l.preselected ? { selected: true } : {}), ...l.discount })),
          },
        });
        expect(res.status, res.text).toBe(201);
        const id = res.body.quote.id as string;
        const stored = await sql<Record<string, string>>`SELECT q.subtotal::text, q.discount_total::text, q.taxable::text, q.tax_total::text, q.total::text,
            (SELECT sum(net) FROM obj_quote_line l WHERE l.quote_id = q.id AND l.deleted_at IS NULL AND l.selected)::text AS nets,
            (SELECT sum(document_discount) FROM obj_quote_line l WHERE l.quote_id = q.id AND l.deleted_at IS NULL AND l.selected)::text AS shares,
            (SELECT sum(taxable) FROM obj_quote_line l WHERE l.quote_id = q.id AND l.deleted_at IS NULL AND l.selected)::text AS taxables,
            (SELECT sum(tax_total) FROM obj_quote_line l WHERE l.quote_id = q.id AND l.deleted_at IS NULL AND l.selected)::text AS taxes,
            (SELECT sum(total) FROM obj_quote_line l WHERE l.quote_id = q.id AND l.deleted_at IS NULL AND l.selected)::text AS totals,
            (SELECT max(scale(total)) FROM obj_quote_line l WHERE l.quote_id = q.id) AS scale
          FROM obj_quote q WHERE q.id = ${id}`.execute(server.platform.db);
        const s = stored.rows[0]!;
        const eq = (a: string | null, b: string | null) => new Decimal(a ?? 0).equals(new Decimal(b ?? 0));
        expect(eq(s.nets!, s.subtotal!), JSON.stringify(s)).toBe(true);
        expect(eq(s.shares!, s.discount_total!), JSON.stringify(s)).toBe(true);
        expect(eq(s.taxables!, s.taxable!), JSON.stringify(s)).toBe(true);
        expect(eq(s.taxes!, s.tax_total!), JSON.stringify(s)).toBe(true);
        expect(eq(s.totals!, s.total!), JSON.stringify(s)).toBe(true);
        expect(new Decimal(s.taxable!).plus(s.tax_total!).equals(s.total!)).toBe(true);
        expect(Number(s.scale)).toBeLessThanOrEqual(minorUnits(q.currency));
      }),
      { numRuns: 25 },
    );
  }, 300_000);
});
