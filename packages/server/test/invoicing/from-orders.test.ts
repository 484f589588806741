import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getTestServer, type TestServer, type TestUser } from '../server.ts';
import { buildAccount } from '../factories.ts';
import { firstError, invoiceCatalogue, run } from './setup.ts';

/**
 * Invoicing orders (issue 12 item 5): one draft from completed orders of one account, at the
 * prices they were sold at (a document discount kept as the lines' discounts), each order marked
 * with its invoice and never invoiced twice — also when two runs race.
 */
let server: TestServer;
let admin: TestUser;
let ids: Record<string, string>;

async function completedOrder(account: string, lines: Array<Record<string, unknown>>, header: Record<string, unknown> = {}) {
  const res = await admin.request('POST', '/api/v1/orders', { body: { order: { account, ...header }, lines } });
  expect(res.status, res.text).toBe(201);
  const id = res.body.order.id as string;
  for (const command of ['confirm', 'complete']) {
    const step = await admin.request('POST', `/api/v1/orders/${id}/${command}`, { body: {} });
    expect(step.status, step.text).toBe(200);
  }
  return (await admin.request('GET', `/api/v1/orders/${id}`)).body as { order: any; lines: any[] };
}
const fromOrders = (orderIds: string[], invoice?: Record<string, unknown>) => admin.request('POST', '/api/v1/invoices/from-orders', { body: { orderIds, ...(invoice ? { invoice } : {}) } });

beforeAll(async () => {
  server = await getTestServer();
  admin = server.admin;
  ids = await invoiceCatalogue(server);
  ids.other = (await buildAccount(admin, { name: 'Other Power', currency: 'USD' })).id;
});
afterAll(async () => server?.close());

describe('invoicing orders', () => {
  it('copies the lines of completed orders at their prices, names the orders, and marks each order with the invoice', async () => {
    const a = await completedOrder(ids.quebec, [{ product: ids.service, quantity: 2, unit_price: 90 }, { product: ids.part, quantity: 4 }], { po_number: 'PO-1', discount_percent: 10 });
    const b = await completedOrder(ids.quebec, [{ product: ids.part, quantity: 1, discount_amount: 2.5 }], { po_number: 'PO-1' });
    // The book's price changes afterwards: the invoice keeps what was sold.
    const res = await fromOrders([a.order.id, b.order.id], { payment_terms: 'net_45' });
    expect(res.status, res.text).toBe(201);
    const { invoice, lines } = res.body;
    expect(invoice).toMatchObject({ status: 'draft', account: ids.quebec, po_number: 'PO-1', payment_terms: 'net_45', currency: 'USD' });
    expect(lines.map((l: any) => [l.order, l.unit_price, l.quantity])).toEqual([[a.order.id, 90, 2], [a.order.id, 12.5, 4], [b.order.id, 12.5, 1]]);
    expect(lines.map((l: any) => l.order_line)).toEqual([...a.lines.map((l) => l.id), b.lines[0].id]);
    // Each line's net is what the order charged for it (its document discount included), and so the total.
    expect(lines.slice(0, 2).map((l: any) => l.net)).toEqual(a.lines.map((l) => l.taxable));
    expect(invoice.total).toBeCloseTo(a.order.total + b.order.total, 6);
    for (const order of [a, b]) expect((await admin.request('GET', `/api/v1/order/${order.order.id}`)).body.invoice).toBe(invoice.id);
    expect((await run(admin, invoice.id, 'post')).status).toBe(200);
  });

  it('never invoices an order twice, even when two runs race', async () => {
    const order = await completedOrder(ids.plain, [{ product: ids.part, quantity: 1 }]);
    const [x, y] = await Promise.all([fromOrders([order.order.id]), fromOrders([order.order.id])]);
    expect([x.status, y.status].sort()).toEqual([201, 409]);
    expect(firstError(x.status === 409 ? x : y)).toEqual(['orderIds[0]', 'order_invoiced']);
  });

  it('refuses orders not completed (409), of another account (422 orderIds[i]) and forged ids (404)', async () => {
    const open = await admin.request('POST', '/api/v1/orders', { body: { order: { account: ids.plain }, lines: [{ product: ids.part, quantity: 1 }] } });
    expect(firstError(await fromOrders([open.body.order.id]))).toEqual(['orderIds[0]', 'order_not_completed']);
    const mine = await completedOrder(ids.plain, [{ product: ids.part, quantity: 1 }]);
    const theirs = await completedOrder(ids.other, [{ product: ids.part, quantity: 1 }]);
    const mixed = await fromOrders([mine.order.id, theirs.order.id]);
    expect(mixed.status).toBe(422);
    expect(firstError(mixed)).toEqual(['orderIds[1]', 'other_account']);
    expect((await fromOrders(['00000000-0000-7000-8000-000000000000'])).status).toBe(404);
    // Nothing was marked by the refused runs.
    expect((await admin.request('GET', `/api/v1/order/${mine.order.id}`)).body.invoice).toBeNull();
  });

  it('frees the orders again when their draft invoice is deleted', async () => {
    const order = await completedOrder(ids.plain, [{ product: ids.part, quantity: 2 }]);
    const made = await fromOrders([order.order.id]);
    const deleted = await admin.request('DELETE', `/api/v1/invoice/${made.body.invoice.id}`);
    expect(deleted.status, deleted.text).toBeLessThan(300);
    expect((await admin.request('GET', `/api/v1/order/${order.order.id}`)).body.invoice).toBeNull();
    expect((await fromOrders([order.order.id])).status).toBe(201);
  });

  it('frees the orders when their posted invoice is voided', async () => {
    const order = await completedOrder(ids.plain, [{ product: ids.part, quantity: 3 }]);
    const made = await fromOrders([order.order.id]);
    expect((await run(admin, made.body.invoice.id, 'post')).status).toBe(200);
    expect((await run(admin, made.body.invoice.id, 'void', { reason: 'Wrong prices' })).status).toBe(200);
    expect((await admin.request('GET', `/api/v1/order/${order.order.id}`)).body.invoice).toBeNull();
    expect((await fromOrders([order.order.id])).status).toBe(201);
  });
});
