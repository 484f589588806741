import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getTestServer, type TestServer, type TestUser } from '../server.ts';
import { buildAccount, buildOpportunity, buildRecord } from '../factories.ts';
import { createSiblingRoles, ok } from '../access/fixture.ts';
import { startEventBackbone, type EventBackbone } from '../../src/platform/events/index.ts';
import { fastSettings, waitFor } from '../events/helpers.ts';
import { ordersFromQuotes } from '../../src/modules/orders/subscribers.ts';

/**
 * Orders (issue 12 item 1): created with lines priced like quotes, the status commands and their
 * refusals, holds and release, an accepted quote becoming a confirmed order with the accepted
 * total to the cent (through the outbox, once), and forged or foreign ids.
 */
let server: TestServer;
let admin: TestUser;
let rep: TestUser;
let sibling: TestUser;
let backbone: EventBackbone;
const ids: Record<string, string> = {};

const newOrder = async (user: TestUser, order: Record<string, unknown>, lines: Array<Record<string, unknown>>) => {
  const res = await user.request('POST', '/api/v1/orders', { body: { order, lines } });
  expect(res.status, res.text).toBe(201);
  return res.body as { order: any; lines: any[] };
};
const run = (user: TestUser, id: string, command: string, body: unknown = {}) => user.request('POST', `/api/v1/orders/${id}/${command}`, { body });
const refusal = (res: { status: number; body: any }) => [res.status, res.body?.errors?.[0]?.field, res.body?.errors?.[0]?.code];

beforeAll(async () => {
  server = await getTestServer();
  admin = server.admin;
  rep = await server.createUser();
  sibling = await server.createUser();
  await createSiblingRoles(admin);
  ok(await admin.request('PATCH', `/api/v1/user/${rep.id}`, { body: { role: 'sales_east' } }));
  ok(await admin.request('PATCH', `/api/v1/user/${sibling.id}`, { body: { role: 'sales_west' } }));
  ok(await admin.request('PUT', '/api/v1/sharing-settings/order', { body: { sharing: 'private' } }));
  ok(await admin.request('PUT', '/api/v1/sharing-settings/account', { body: { sharing: 'private' } }));
  const each = (await admin.request('GET', `/api/v1/unit_of_measure?filter=${encodeURIComponent(JSON.stringify({ field: 'code', op: 'eq', value: 'each' }))}`)).body.data[0].id;
  ids.part = (await buildRecord(admin, 'product', { code: 'PRT-FILTER', name: 'Oil filter', type: 'part', unit_of_measure: each, cost: 5 })).id;
  ids.kit = (await buildRecord(admin, 'product', { code: 'PRT-KIT', name: 'Service kit', type: 'part', unit_of_measure: each, cost: 20 })).id;
  ids.book = (await buildRecord(admin, 'price_book', { name: 'Standard USD', currency: 'USD', is_standard: true })).id;
  await buildRecord(admin, 'price_book_entry', { price_book: ids.book, product: ids.part, unit_price: '33.33' });
  await buildRecord(admin, 'price_book_entry', { price_book: ids.book, product: ids.kit, unit_price: '50.00' });
  ids.plain = (await buildAccount(rep, { name: 'Plain Power', currency: 'USD', shipping_street: '1 Dock Rd', shipping_city: 'Harbor' })).id;
  backbone = await startEventBackbone(server.platform, { settings: fastSettings() });
});
afterAll(async () => {
  await backbone?.stop();
  await server?.close();
});

describe('orders', () => {
  it('creates an order with priced lines: number, received, totals from the kernel, ship-to from the account', async () => {
    const { order, lines } = await newOrder(rep, { account: ids.plain, po_number: 'PO-77', requested_date: '2027-01-15' }, [
      { product: ids.part, quantity: 3 },
      { product: ids.kit, quantity: 1, unit_price: '45.50', specs: 'Blue, 4 colour' },
    ]);
    expect(order).toMatchObject({ status: 'received', source: 'api', currency: 'USD', po_number: 'PO-77', ship_to: '1 Dock Rd, Harbor', on_hold: false, subtotal: 145.49, total: 145.49 });
    expect(order.number).toMatch(/^SO-\d{4}-\d{5}$/);
    expect(order.name).toBe(order.number);
    expect(lines.map((l) => [l.position, l.unit_price, l.list_price, l.total])).toEqual([[1, 33.33, 33.33, 99.99], [2, 45.5, 50, 45.5]]);
    ids.order = order.id;
  });

  it('refuses a change of what the lines were priced with while it has lines; other saves go through', async () => {
    const refused = await rep.request('PATCH', `/api/v1/order/${ids.order}`, { body: { currency: 'EUR', price_date: '2027-01-01' } });
    expect(refusal(refused)).toEqual([422, 'currency', 'has_lines']);
    const saved = await rep.request('PATCH', `/api/v1/order/${ids.order}`, { body: { po_number: 'PO-78' } });
    expect(saved.status, saved.text).toBe(200);
    expect(saved.body).toMatchObject({ po_number: 'PO-78', currency: 'USD', total: 145.49 });
    const empty = await rep.request('POST', '/api/v1/orders', { body: { order: { account: ids.plain }, lines: [] } });
    expect(empty.status, empty.text).toBe(201);
    const moved = await rep.request('PATCH', `/api/v1/order/${empty.body.order.id}`, { body: { price_date: '2027-01-01' } });
    expect(moved.status, moved.text).toBe(200);
    expect((await admin.request('DELETE', `/api/v1/order/${empty.body.order.id}`)).status).toBe(204);
  });

  it('numbers concurrent orders without duplicates; on PostgreSQL the counter never waits for an order’s transaction (a refused order leaves a gap)', async () => {
    const counter = (n: string) => Number(n.slice(-5));
    const created = await Promise.all(Array.from({ length: 12 }, () => newOrder(rep, { account: ids.plain }, [{ product: ids.part, quantity: 1 }])));
    const numbers = created.map((c) => counter(c.order.number as string)).sort((a, b) => a - b);
    expect(new Set(numbers).size).toBe(12);
    // A refused order (a bad line) between two good ones.
    const refused = await rep.request('POST', '/api/v1/orders', { body: { order: { account: ids.plain }, lines: [{ product: ids.part, quantity: -1 }] } });
    expect(refused.status).toBe(422);
    const last = await newOrder(rep, { account: ids.plain }, [{ product: ids.part, quantity: 1 }]);
    const next = counter(last.order.number as string);
    // PostgreSQL takes numbers like a sequence, outside the order's transaction; PGlite (one session) in it.
    expect(next).toBe(numbers.at(-1)! + (server.platform.database.kind === 'postgres' ? 2 : 1));
    for (const c of [...created, last]) expect((await admin.request('DELETE', `/api/v1/order/${c.order.id}`)).status).toBe(204);
  });

  it('refuses a bad line by its place and leaves nothing behind', async () => {
    const before = (await admin.request('GET', '/api/v1/order')).body.data.length;
    const res = await rep.request('POST', '/api/v1/orders', { body: { order: { account: ids.plain }, lines: [{ product: ids.part, quantity: 1 }, { product: ids.part, quantity: -2 }] } });
    expect(refusal(res)).toEqual([422, 'lines[1].quantity', expect.any(String)]);
    expect((await admin.request('GET', '/api/v1/order')).body.data.length).toBe(before);
  });

  it('moves through confirm → production → complete; each step once, and lines lock when production starts', async () => {
    expect((await run(rep, ids.order, 'confirm')).body).toMatchObject({ status: 'confirmed', confirmed_at: expect.any(String) });
    expect(refusal(await run(rep, ids.order, 'confirm'))).toEqual([409, 'status', 'invalid_transition']);
    expect((await run(rep, ids.order, 'move', { status: 'in_production' })).body.status).toBe('in_production');
    const line = (await rep.request('GET', `/api/v1/orders/${ids.order}`)).body.lines[0];
    expect(refusal(await rep.request('PATCH', `/api/v1/order_line/${line.id}`, { body: { quantity: 5 } }))).toEqual([409, 'status', 'order_locked']);
    expect(refusal(await rep.request('PATCH', `/api/v1/order/${ids.order}`, { body: { po_number: 'X' } }))).toEqual([409, 'status', 'order_locked']);
    expect(refusal(await run(rep, ids.order, 'move', { status: 'received' }))).toEqual([422, 'status', 'invalid_transition']);
    expect((await run(rep, ids.order, 'complete')).body).toMatchObject({ status: 'completed', completed_at: expect.any(String) });
    expect(refusal(await run(rep, ids.order, 'cancel'))).toEqual([409, 'status', 'order_completed']);
    expect(refusal(await rep.request('DELETE', `/api/v1/order/${ids.order}`))).toEqual([409, 'status', 'order_locked']);
  });

  it('a held order cannot be confirmed until released with a comment, which its events keep', async () => {
    const { order } = await newOrder(rep, { account: ids.plain }, [{ product: ids.part, quantity: 1 }]);
    expect((await run(rep, order.id, 'hold', { reason: 'Check the artwork' })).body).toMatchObject({ on_hold: true });
    expect(refusal(await run(rep, order.id, 'confirm'))).toEqual([409, 'on_hold', 'order_held']);
    expect((await run(rep, order.id, 'release', {})).status).toBe(400);
    const released = await run(rep, order.id, 'release', { comment: 'Artwork approved by phone' });
    expect(released.body).toMatchObject({ on_hold: false, hold_reasons: null });
    expect(refusal(await run(rep, order.id, 'release', { comment: 'again' }))).toEqual([409, 'on_hold', 'not_held']);
    expect((await run(rep, order.id, 'confirm')).body.status).toBe('confirmed');
    const events = await server.platform.db.selectFrom('outbox_event').select(['type', 'changes']).where('record_id', '=', order.id).orderBy('seq').execute();
    expect(events.map((e) => e.type)).toEqual(expect.arrayContaining(['order.held', 'order.released', 'order.status_changed', 'order.confirmed']));
    expect((events.find((e) => e.type === 'order.released')!.changes as any).comment.new).toBe('Artwork approved by phone');
  });

  it('an order without lines cannot be confirmed; a received one can be deleted', async () => {
    const { order } = await newOrder(rep, { account: ids.plain }, []);
    expect(refusal(await run(rep, order.id, 'confirm'))).toEqual([422, 'lines', 'no_lines']);
    expect((await rep.request('DELETE', `/api/v1/order/${order.id}`)).status).toBe(204);
  });

  it("counts an account's open orders for its page, only those the reader may list", async () => {
    const res = await rep.request('GET', `/api/v1/accounts/${ids.plain}/open-orders`);
    expect(res.status, res.text).toBe(200);
    expect(res.body).toMatchObject({ count: 1, held: 0, totals: [{ currency: 'USD', count: 1, total: 33.33 }] });
    expect((await sibling.request('GET', `/api/v1/accounts/${ids.plain}/open-orders`)).status).toBe(404);
  });

  it("answers 404 for another team's order and for forged ids, and changes nothing", async () => {
    const { order } = await newOrder(rep, { account: ids.plain }, [{ product: ids.part, quantity: 1 }]);
    for (const command of ['confirm', 'complete', 'cancel']) expect((await run(sibling, order.id, command)).status).toBe(404);
    expect((await sibling.request('GET', `/api/v1/orders/${order.id}`)).status).toBe(404);
    expect((await run(rep, '0190aaaa-0000-7000-8000-000000000000', 'confirm')).status).toBe(404);
    expect((await rep.request('GET', `/api/v1/orders/${order.id}`)).body.order.status).toBe('received');
  });
});

describe('an accepted quote', () => {
  it('becomes one confirmed order with the chosen lines at the accepted prices, linked to the opportunity and its project', async () => {
    const opportunity = await buildOpportunity(admin, { account: ids.plain, amount: 1000, currency: 'USD' });
    const project = await buildRecord(admin, 'project', { name: 'Fit-out', opportunity: opportunity.id, account: ids.plain });
    const created = await admin.request('POST', '/api/v1/quotes', {
      body: { quote: { opportunity: opportunity.id, discount_percent: 10 }, lines: [{ product: ids.part, quantity: 7 }, { product: ids.kit, quantity: 1, optional: true }, { product: ids.kit, quantity: 2, unit_price: '48.00' }] },
    });
    expect(created.status, created.text).toBe(201);
    const quote = created.body.quote;
    ok(await admin.request('POST', `/api/v1/quotes/${quote.id}/send`, { body: {} }));
    const accepted = await admin.request('POST', `/api/v1/quotes/${quote.id}/accept-internal`, { body: { signerName: 'Dana Buyer' } });
    expect(accepted.status, accepted.text).toBe(200);
    // A price change after acceptance must not reach the order.
    const entries = (await admin.request('GET', `/api/v1/price_book_entry?filter=${encodeURIComponent(JSON.stringify({ field: 'product', op: 'eq', value: ids.part }))}`)).body.data;
    ok(await admin.request('PATCH', `/api/v1/price_book_entry/${entries[0].id}`, { body: { unit_price: '99.00' } }));

    const filter = encodeURIComponent(JSON.stringify({ field: 'quote', op: 'eq', value: quote.id }));
    const [order] = await waitFor(async () => {
      const list = (await admin.request('GET', `/api/v1/order?filter=${filter}`)).body.data;
      return list.length ? list : null;
    }, 'the order from the quote');
    expect(order).toMatchObject({
      status: 'confirmed', source: 'quote', account: ids.plain, opportunity: opportunity.id, project: project.id, currency: 'USD',
      discount_percent: 10, total: accepted.body.quote.accepted_total, subtotal: accepted.body.quote.subtotal, tax_total: accepted.body.quote.tax_total,
    });
    const lines = (await admin.request('GET', `/api/v1/orders/${order.id}`)).body.lines;
    expect(lines.map((l: any) => [l.product, l.quantity, l.unit_price, l.net])).toEqual([[ids.part, 7, 33.33, 233.31], [ids.kit, 2, 48, 96]]);
    // Posted to the CRM: the order and the quote are on the opportunity's and the account's timelines.
    for (const [object, id] of [['opportunity', opportunity.id], ['account', ids.plain]] as const) {
      const timeline = (await admin.request('GET', `/api/v1/${object}/${id}/timeline`)).body.data;
      expect(timeline).toEqual(expect.arrayContaining([
        expect.objectContaining({ kind: 'order', id: order.id, title: order.number, status: 'confirmed' }),
        expect.objectContaining({ kind: 'quote', id: quote.id, status: 'accepted' }),
      ]));
    }
    // Redelivery does nothing: still one order for the quote.
    await server.platform.db.transaction().execute((trx) =>
      ordersFromQuotes.handle({ platform: server.platform, trx, events: [{ type: 'quote.accepted', recordId: quote.id } as never], afterCommit: () => undefined }));
    expect((await admin.request('GET', `/api/v1/order?filter=${filter}`)).body.data).toHaveLength(1);
  });
});
