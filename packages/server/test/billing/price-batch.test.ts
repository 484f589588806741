import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getTestServer, type TestServer, type TestUser } from '../server.ts';
import { randomUUID } from 'node:crypto';
import { buildAccount, buildRecord } from '../factories.ts';
import { systemActor } from '../../src/platform/records/context.ts';
import { resolvePrice, resolvePrices } from '../../src/modules/billing/queries/resolvePrice.ts';

/**
 * A quote's lines are priced as one batch (queries/priceMemo.ts): the answers must be exactly
 * those of resolvePrice line by line, and a product the caller cannot see must still be refused.
 */
let server: TestServer;
let admin: TestUser;
const ids: Record<string, string> = {};

beforeAll(async () => {
  server = await getTestServer();
  admin = server.admin;
  const unit = (await admin.request('GET', `/api/v1/unit_of_measure?filter=${encodeURIComponent(JSON.stringify({ field: 'code', op: 'eq', value: 'each' }))}`)).body.data[0].id;
  ids.book = (await buildRecord(admin, 'price_book', { name: 'Batch USD', currency: 'USD', is_standard: true })).id;
  for (const [key, price] of [['a', '10.00'], ['b', '24.99'], ['c', '7.10']] as const) {
    ids[key] = (await buildRecord(admin, 'product', { code: `BATCH-${key}`, name: `Batch ${key}`, unit_of_measure: unit })).id;
    await buildRecord(admin, 'price_book_entry', { price_book: ids.book, product: ids[key], unit_price: price });
  }
  await buildRecord(admin, 'price_book_entry', { price_book: ids.book, product: ids.a, unit_price: '8.00', min_quantity: 50 });
  await buildRecord(admin, 'tax_rate', { name: 'Batch VAT', rate: 7.5, region: 'ZZ' });
  ids.account = (await buildAccount(admin, { name: 'Batch Buyer', currency: 'USD', billing_country: 'ZZ', price_adjuster: -3 })).id;
});
afterAll(async () => server?.close());

describe('pricing a quote’s lines as a batch', () => {
  it('gives every line the same price, explanation and taxes as pricing it alone', async () => {
    const lines = [{ product: ids.a, quantity: 1 }, { product: ids.a, quantity: 60 }, { product: ids.b, quantity: 3 }, { product: ids.c, quantity: 2 }, { product: ids.b, quantity: 1 }];
    const res = await admin.request('POST', '/api/v1/quotes', { body: { quote: { account: ids.account }, lines } });
    expect(res.status, res.text).toBe(201);
    for (const [i, line] of res.body.lines.entries()) {
      const alone = (await admin.request('GET', `/api/v1/billing/price?${new URLSearchParams({ account: ids.account, product: lines[i]!.product, quantity: String(lines[i]!.quantity) })}`)).body;
      expect([line.unit_price, line.price_explanation, JSON.parse(line.taxes).map((t: { name: string }) => t.name)]).toEqual([Number(alone.unitPrice), alone.explanation.steps.join('\n'), alone.taxes.rates.map((t: { name: string }) => t.name)]);
    }
    expect(res.body.lines.map((l: { unit_price: number }) => l.unit_price)).toEqual([9.7, 7.76, 24.24, 6.89, 24.24]);
  });

  it('prices for the system (one read per record, no visibility read) as for a user, and refuses a missing record by its field', async () => {
    const ctx = { platform: server.platform, actor: systemActor('api') };
    const questions = [{ account: ids.account!, product: ids.a!, quantity: 60 }, { account: ids.account!, product: ids.b!, quantity: 3 }];
    const answers = await resolvePrices({ ctx, questions });
    for (const [i, q] of questions.entries()) {
      const alone = (await admin.request('GET', `/api/v1/billing/price?${new URLSearchParams({ account: q.account, product: q.product, quantity: String(q.quantity) })}`)).body;
      expect([answers[i]!.unitPrice, answers[i]!.explanation.steps]).toEqual([alone.unitPrice, alone.explanation.steps]);
    }
    const missing = randomUUID();
    await expect(resolvePrice({ ctx, account: ids.account!, product: missing })).rejects.toMatchObject({ code: 'not_found', errors: [{ field: 'product', code: 'not_found' }] });
    await expect(resolvePrice({ ctx, account: missing, product: ids.a! })).rejects.toMatchObject({ code: 'not_found', errors: [{ field: 'account', code: 'not_found' }] });
    await expect(resolvePrices({ ctx, questions: [{ account: ids.account!, product: missing }] })).rejects.toMatchObject({ code: 'not_found', errors: [{ field: 'product', code: 'not_found' }] });
  });

  it('still refuses, naming the line, a product the caller cannot see', async () => {
    const rep = await server.createUser();
    expect((await admin.request('PUT', '/api/v1/sharing-settings/product', { body: { sharing: 'private' } })).status).toBe(200);
    try {
      const own = (await buildAccount(rep, { name: 'Rep Batch', currency: 'USD' })).id;
      const res = await rep.request('POST', '/api/v1/quotes', { body: { quote: { account: own }, lines: [{ product: ids.b, quantity: 1 }] } });
      // The pipeline's lookup check answers first, as for any lookup the caller cannot see.
      expect([res.status, res.body.errors?.[0]?.field, res.body.errors?.[0]?.code], res.text).toEqual([400, 'lines[0].product', 'invalid_reference']);
      expect(res.text).not.toContain('Batch b');
    } finally {
      await admin.request('PUT', '/api/v1/sharing-settings/product', { body: { sharing: 'public_read_write' } });
    }
  });
});
