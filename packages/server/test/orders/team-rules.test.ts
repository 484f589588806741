import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getTestServer, type TestServer, type TestUser } from '../server.ts';
import { buildAccount, buildRecord } from '../factories.ts';

/**
 * Seed 004's team rules: a line without a team gets the team of the most specific rule that fits
 * (account, then spec, then type; an inactive team's rule never fits). An order's lines created
 * together take their teams from one statement (saveOrderLines); each must get the team the
 * one-line path (saveOrderLine, a line added on its own) gives the same line.
 */
let server: TestServer;
let admin: TestUser;
const ids: Record<string, string> = {};

beforeAll(async () => {
  server = await getTestServer();
  admin = server.admin;
  const each = (await admin.request('GET', `/api/v1/unit_of_measure?filter=${encodeURIComponent(JSON.stringify({ field: 'code', op: 'eq', value: 'each' }))}`)).body.data[0].id;
  ids.part = (await buildRecord(admin, 'product', { code: 'TR-PART', name: 'Gasket', type: 'part', unit_of_measure: each, cost: 1 })).id;
  ids.service = (await buildRecord(admin, 'product', { code: 'TR-SVC', name: 'Fitting', type: 'service', unit_of_measure: each, cost: 1 })).id;
  ids.spec = (await buildRecord(admin, 'product_spec', { product: ids.service, name: 'Night shift' })).id;
  ids.book = (await buildRecord(admin, 'price_book', { name: 'Team rules USD', currency: 'USD', is_standard: true })).id;
  for (const product of [ids.part, ids.service]) await buildRecord(admin, 'price_book_entry', { price_book: ids.book, product, unit_price: '10.00' });
  await buildRecord(admin, 'price_book_entry', { price_book: ids.book, product: ids.service, product_spec: ids.spec, unit_price: '15.00' });
  ids.acme = (await buildAccount(admin, { name: 'Acme Teams', currency: 'USD' })).id;
  ids.other = (await buildAccount(admin, { name: 'Other Teams', currency: 'USD' })).id;
  const team = async (name: string, active = true) => (await buildRecord(admin, 'production_team', { name, active })).id;
  ids.general = await team('TR general');
  ids.parts = await team('TR parts');
  ids.night = await team('TR night');
  ids.acmeTeam = await team('TR acme');
  ids.retired = await team('TR retired', false);
  ids.own = await team('TR own');
  const rule = (values: Record<string, unknown>) => buildRecord(admin, 'production_team_rule', values);
  await rule({ team: ids.general });
  await rule({ team: ids.parts, product_type: 'part' });
  await rule({ team: ids.night, product_spec: ids.spec });
  await rule({ team: ids.acmeTeam, account: ids.acme, product_type: 'service' });
  await rule({ team: ids.retired, account: ids.other, product_type: 'part' });
});
afterAll(async () => {
  await server?.close();
});

const lines = () => [
  { product: ids.part, quantity: 1 },
  { product: ids.service, quantity: 2 },
  { product: ids.service, product_spec: ids.spec, quantity: 3 },
  { product: ids.part, quantity: 4, team: ids.own },
];

describe('team rules', () => {
  it('gives an order’s lines created together the teams the one-line path gives them', async () => {
    const expected = {
      [ids.acme!]: [ids.parts, ids.acmeTeam, ids.acmeTeam, ids.own],
      // The retired team's rule is the most specific for Other's parts, but an inactive team never fits.
      [ids.other!]: [ids.parts, ids.general, ids.night, ids.own],
    };
    for (const account of [ids.acme!, ids.other!]) {
      const together = await admin.request('POST', '/api/v1/orders', { body: { order: { account }, lines: lines() } });
      expect(together.status, together.text).toBe(201);
      const batched = (together.body.lines as Array<{ team: string | null }>).map((l) => l.team);

      const alone = await admin.request('POST', '/api/v1/orders', { body: { order: { account }, lines: [] } });
      expect(alone.status, alone.text).toBe(201);
      const one: unknown[] = [];
      for (const line of lines()) {
        const res = await admin.request('POST', '/api/v1/order_line', { body: { order: alone.body.order.id, ...line } });
        expect(res.status, res.text).toBe(201);
        one.push(res.body.team);
      }
      expect(batched).toEqual(one);
      expect(batched).toEqual(expected[account]);
    }
  });
});
