import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getTestServer, type TestServer, type TestUser } from '../server.ts';
import { buildAccount, buildOpportunity, buildRecord } from '../factories.ts';
import { ok } from '../access/fixture.ts';

/**
 * Opportunity products (SAL-8): priced for the deal's account with resolvePrice (and its
 * explanation), costed from the product, and the deal's amount and potential gross profit follow
 * them through the record pipeline — so sales' negative-profit guard judges the real figures.
 */
let server: TestServer;
let admin: TestUser;
const ids: Record<string, string> = {};

const addLine = (opportunity: string, body: Record<string, unknown>) => admin.request('POST', '/api/v1/opportunity_line', { body: { opportunity, ...body } });
const deal = async (id: string) => (await admin.request('GET', `/api/v1/opportunity/${id}`)).body;

beforeAll(async () => {
  server = await getTestServer();
  admin = server.admin;
  const each = (await admin.request('GET', `/api/v1/unit_of_measure?filter=${encodeURIComponent(JSON.stringify({ field: 'code', op: 'eq', value: 'each' }))}`)).body.data[0].id;
  ids.part = (await buildRecord(admin, 'product', { code: 'PRT-FILTER', name: 'Oil filter', type: 'part', unit_of_measure: each, cost: 8 })).id;
  ids.free = (await buildRecord(admin, 'product', { code: 'SVC-FREE', name: 'Site visit', type: 'service', unit_of_measure: each })).id;
  ids.book = (await buildRecord(admin, 'price_book', { name: 'Key accounts', currency: 'USD' })).id;
  await buildRecord(admin, 'price_book_entry', { price_book: ids.book, product: ids.part, unit_price: '12.50' });
  await buildRecord(admin, 'price_book_entry', { price_book: ids.book, product: ids.free, unit_price: '0.00' });
  ids.account = (await buildAccount(admin, { name: 'Key Power', currency: 'USD', price_book: ids.book, price_adjuster: -4 })).id;
  ids.generous = (await buildAccount(admin, { name: 'Loss Leader', currency: 'USD', price_book: ids.book, allow_negative_profit: true })).id;
});
afterAll(async () => server?.close());

describe('opportunity products', () => {
  it("prices from the account's book with the explanation, and the deal's amount and gross profit follow the lines", async () => {
    const opp = await buildOpportunity(admin, { account: ids.account });
    const line = await addLine(opp.id, { product: ids.part, quantity: 4 });
    expect(line.status, line.text).toBe(201);
    expect(line.body).toMatchObject({ unit_price: 12, list_price: 12, cost: 8, total: 48, total_cost: 32, currency: 'USD' });
    expect(line.body.price_explanation).toBe('12.50 USD in Key accounts\n-4% adjuster of Key Power: 12.00 USD');
    expect(await deal(opp.id)).toMatchObject({ amount: 48, gross_profit: 16 });

    const second = await addLine(opp.id, { product: ids.part, quantity: 1, unit_price: 11 });
    expect(second.body).toMatchObject({ unit_price: 11, list_price: 12, total: 11 });
    expect(await deal(opp.id)).toMatchObject({ amount: 59, gross_profit: 19 });
    ok(await admin.request('PATCH', `/api/v1/opportunity_line/${line.body.id}`, { body: { quantity: 2 } }));
    expect(await deal(opp.id)).toMatchObject({ amount: 35, gross_profit: 11 });
    expect((await admin.request('DELETE', `/api/v1/opportunity_line/${second.body.id}`)).status).toBe(204);
    expect(await deal(opp.id)).toMatchObject({ amount: 24, gross_profit: 8 });
    expect((await admin.request('DELETE', `/api/v1/opportunity_line/${line.body.id}`)).status).toBe(204);
    expect(await deal(opp.id)).toMatchObject({ amount: null, gross_profit: null });
  });

  it('a product restored from the recycle bin counts again', async () => {
    const opp = await buildOpportunity(admin, { account: ids.account });
    const line = (await addLine(opp.id, { product: ids.part, quantity: 4 })).body;
    ok(await admin.request('DELETE', `/api/v1/opportunity_line/${line.id}`));
    expect(await deal(opp.id)).toMatchObject({ amount: null });
    const entry = (await admin.request('GET', '/api/v1/recycle-bin?object=opportunity_line')).body.data.find((e: any) => e.recordId === line.id);
    ok(await admin.request('POST', `/api/v1/recycle-bin/${entry.id}/restore`));
    expect(await deal(opp.id)).toMatchObject({ amount: 48, gross_profit: 16 });
  });

  it('sales’ negative-profit guard refuses a line that takes the deal below zero, unless the account allows it', async () => {
    const opp = await buildOpportunity(admin, { account: ids.account, amount: 1000 });
    const res = await addLine(opp.id, { product: ids.part, quantity: 3, unit_price: 5 });
    expect([res.status, res.body.errors[0].field, res.body.errors[0].code]).toEqual([422, 'gross_profit', 'negative_profit']);
    const lines = await admin.request('GET', `/api/v1/opportunity_line?filter=${encodeURIComponent(JSON.stringify({ field: 'opportunity', op: 'eq', value: opp.id }))}`);
    expect(lines.body.data).toEqual([]);
    expect(await deal(opp.id)).toMatchObject({ amount: 1000 });
    const allowed = await buildOpportunity(admin, { account: ids.generous });
    expect((await addLine(allowed.id, { product: ids.part, quantity: 3, unit_price: 5 })).status).toBe(201);
    expect(await deal(allowed.id)).toMatchObject({ amount: 15, gross_profit: -9 });
  });

  it('refuses bad input naming the field', async () => {
    const opp = await buildOpportunity(admin, { account: ids.account });
    const refusal = async (body: Record<string, unknown>, on = opp.id) => {
      const r = await addLine(on, body);
      return [r.status, r.body.errors?.[0]?.field, r.body.errors?.[0]?.code];
    };
    expect(await refusal({ product: ids.part, quantity: 0 })).toEqual([422, 'quantity', 'out_of_range']);
    expect(await refusal({ product: ids.part, quantity: 1, unit_price: 1.005 })).toEqual([422, 'unit_price', 'precision']);
    const outside = (await buildRecord(admin, 'product', { code: 'PRT-OUT', name: 'Not in book', type: 'part', unit_of_measure: (await admin.request('GET', `/api/v1/product/${ids.part}`)).body.unit_of_measure })).id;
    expect(await refusal({ product: outside, quantity: 1 })).toEqual([422, 'product', 'not_in_price_book']);
    const orphan = await buildOpportunity(admin, {});
    expect(await refusal({ product: ids.part, quantity: 1 }, orphan.id)).toEqual([422, 'opportunity', 'no_account']);
  });
});
