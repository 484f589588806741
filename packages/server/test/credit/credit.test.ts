import { readFileSync } from 'node:fs';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getTestServer, type TestServer, type TestUser } from '../server.ts';
import { buildAccount, buildOpportunity, buildRecord } from '../factories.ts';
import { ordersFromQuotes } from '../../src/modules/orders/subscribers.ts';
import { ok } from '../access/fixture.ts';
import { centProduct, pay, payer, postedInvoice } from '../payments/setup.ts';
import { signBody } from '../../src/modules/orders/intake/index.ts';
import { computeCredit, computeCreditLimit, creditSettings, runNightlyCredit } from '../../src/modules/credit/index.ts';
import { monthsBetween } from '../../src/modules/credit/queries/inputs.ts';
import { todayIn } from '../../src/platform/dates.ts';

/**
 * The credit limit (issue 13 item 4, FIN-5): the nightly computation over accounts with different
 * histories, the standing with its inputs and formula, the audited override, and orders from the
 * API and a shop's intake held when they would go over the limit — released only by finance.
 */
let server: TestServer;
let admin: TestUser;
let clerk: TestUser;
let finance: TestUser;
let product: string;
const today = todayIn('UTC');
const daysAgo = (n: number) => new Date(Date.parse(`${today}T00:00:00Z`) - n * 86_400_000).toISOString().slice(0, 10);

beforeAll(async () => {
  server = await getTestServer();
  admin = server.admin;
  const all = { read: true, create: true, edit: true, delete: true };
  ok(await admin.request('POST', '/api/v1/profiles', { body: { name: 'clerk', label: 'Order clerk', permissions: { default: all } } }));
  ok(await admin.request('POST', '/api/v1/profiles', { body: { name: 'finance', label: 'Finance', permissions: { default: all, capabilities: ['credit.release_holds', 'credit.override_limit'] } } }));
  clerk = await server.createUser();
  finance = await server.createUser();
  ok(await admin.request('PATCH', `/api/v1/user/${clerk.id}`, { body: { profile: 'clerk' } }));
  ok(await admin.request('PATCH', `/api/v1/user/${finance.id}`, { body: { profile: 'finance' } }));
  // The shop's products first, in the standard USD book the cent product joins.
  const each = (await admin.request('GET', `/api/v1/unit_of_measure?filter=${encodeURIComponent(JSON.stringify({ field: 'code', op: 'eq', value: 'each' }))}`)).body.data[0].id;
  const book = (await buildRecord(admin, 'price_book', { name: 'Credit USD', currency: 'USD', is_standard: true })).id;
  for (const [code, price] of [['LBL-4X6-THERM', '2.00'], ['TAPE-PKG-48', '25.00']] as const) {
    const p = (await buildRecord(admin, 'product', { code, name: code, type: 'part', unit_of_measure: each })).id;
    await buildRecord(admin, 'price_book_entry', { price_book: book, product: p, unit_price: price });
  }
  product = await centProduct(server);
}, 120_000);
afterAll(async () => server?.close());

/** A posted invoice of `amount` dollars dated `invoiced` days ago, due `due` days ago, paid `paidLate` days after its due date (undefined: left open). */
async function history(account: string, args: { amount: number; invoiced: number; due: number; paidLate?: number }) {
  const inv = await postedInvoice(server, admin, { product, account, cents: args.amount * 100 });
  await sql`UPDATE obj_invoice SET invoice_date = ${daysAgo(args.invoiced)}::date, due_date = ${daysAgo(args.due)}::date WHERE id = ${inv.id}::uuid`.execute(server.platform.db);
  if (args.paidLate !== undefined) {
    const res = await pay(admin, { account, amount: args.amount, allocations: [{ invoice: inv.id, amount: args.amount }] });
    expect(res.status, res.text).toBe(201);
    await sql`UPDATE obj_payment_allocation SET allocated_on = ${daysAgo(args.due - args.paidLate)}::date WHERE invoice_id = ${inv.id}::uuid`.execute(server.platform.db);
  }
  return inv.id;
}

const standing = async (account: string, user = admin) => {
  const res = await user.request('GET', `/api/v1/accounts/${account}/credit`);
  expect(res.status, res.text).toBe(200);
  return res.body;
};
const accountOf = async (id: string) => (await admin.request('GET', `/api/v1/account/${id}`)).body;
const assessments = async (id: string) => (await sql<{ n: number }>`SELECT count(*)::int AS n FROM obj_credit_assessment WHERE account_id = ${id}::uuid`.execute(server.platform.db)).rows[0]!.n;

describe('the nightly computation', () => {
  const ids: Record<string, string> = {};

  it('computes accounts with different histories set-based, sets payment behaviour, and explains each limit', async () => {
    ids.good = await payer(admin, 'Prompt');
    for (const n of [0, 1, 2]) await history(ids.good, { amount: 1000, invoiced: 100 - n * 30, due: 70 - n * 30, paidLate: 0 });
    ids.late = await payer(admin, 'Slow');
    for (const n of [0, 1, 2, 3]) await history(ids.late, { amount: 500, invoiced: 200 - n * 40, due: 170 - n * 40, paidLate: n % 2 ? 0 : 25 });
    ids.overdue = await payer(admin, 'Overdue');
    await history(ids.overdue, { amount: 2000, invoiced: 150, due: 120 });
    ids.fresh = await payer(admin, 'New');

    const policy = creditSettings.of(server.platform);
    const summary = await computeCredit({ platform: server.platform, ids: Object.values(ids) });
    expect(summary).toMatchObject({ accounts: 4, changed: 4, failed: 0 });

    const good = await standing(ids.good);
    expect(good.inputs).toMatchObject({ currency: 'USD', invoices: 3, onTime: 3, avgDaysLate: 0, maxDaysLate: 0, invoiced: 3000, months: monthsBetween(daysAgo(100), today), disputes: 0, reversals: 0 });
    const expected = computeCreditLimit(good.inputs, policy);
    expect(good).toMatchObject({ limit: expected.limit, computedLimit: expected.limit, override: null, currency: 'USD', behaviour: 'excellent', openBalance: 0, openOrders: 0, available: expected.limit });
    expect(good.formula).toBe(expected.explanation);
    expect(good.formula).toContain('100% of 3 invoices paid on time');
    expect(good.steps).toHaveLength(5);
    expect(await accountOf(ids.good)).toMatchObject({ credit_limit: expected.limit, credit_currency: 'USD', payment_behaviour: 'excellent' });

    const late = await standing(ids.late);
    expect(late.inputs).toMatchObject({ invoices: 4, onTime: 2, avgDaysLate: 12.5, maxDaysLate: 25 });
    expect(late.behaviour).toBe('poor');
    expect(late.limit).toBe(computeCreditLimit(late.inputs, policy).limit);

    const overdue = await standing(ids.overdue);
    expect(overdue.inputs).toMatchObject({ invoices: 1, onTime: 0, maxDaysLate: 120 });
    expect(overdue).toMatchObject({ behaviour: 'bad', limit: 0, openBalance: 2000, available: -2000 });

    const fresh = await standing(ids.fresh);
    expect(fresh).toMatchObject({ behaviour: null, limit: policy.startingLimit, available: policy.startingLimit });
    expect(fresh.formula).toContain('No payment history yet');
    expect((await accountOf(ids.fresh)).payment_behaviour).toBeNull();

    // One assessment per account whose outcome changed; a second run with nothing new writes none.
    for (const id of Object.values(ids)) expect(await assessments(id)).toBe(1);
    const again = await computeCredit({ platform: server.platform, ids: Object.values(ids) });
    expect(again).toMatchObject({ accounts: 4, changed: 0 });
    for (const id of Object.values(ids)) expect(await assessments(id)).toBe(1);
    const assessment = (await admin.request('GET', `/api/v1/credit_assessment?filter=${encodeURIComponent(JSON.stringify({ field: 'account', op: 'eq', value: ids.late }))}`)).body.data[0];
    expect(assessment).toMatchObject({ credit_limit: late.limit, payment_behaviour: 'poor', trigger: 'nightly', explanation: late.formula });
    expect(JSON.parse(assessment.inputs)).toEqual(late.inputs);
    // Clients cannot write the computed fields or the assessments.
    expect((await admin.request('PATCH', `/api/v1/account/${ids.good}`, { body: { credit_limit: 1_000_000 } })).status).toBe(400);
    expect((await admin.request('POST', '/api/v1/credit_assessment', { body: { account: ids.good } })).status).toBe(403);
  });

  it('a reversal cuts the limit; recomputing one account writes a new assessment', async () => {
    const account = ids.good!;
    const before = await standing(account);
    const payment = (await pay(admin, { account, amount: 10 })).body.payment.id;
    ok(await admin.request('POST', `/api/v1/payments/${payment}/reverse`, { body: { reason: 'bounced' } }));
    const res = await admin.request('POST', `/api/v1/accounts/${account}/credit/recompute`, { body: {} });
    expect(res.status, res.text).toBe(200);
    expect(res.body.inputs.reversals).toBe(1);
    expect(res.body.limit).toBeLessThan(before.limit);
    expect(res.body.formula).toContain('1 reversed payment');
    expect(await assessments(account)).toBe(2);
  });

  it('the nightly run covers every account once per day; recomputing all by hand needs the capability', async () => {
    const day = '2099-01-01';
    const first = await runNightlyCredit(server.platform, day);
    expect(first!.accounts).toBeGreaterThanOrEqual(4);
    expect(first!.failed).toBe(0);
    expect(await runNightlyCredit(server.platform, day)).toBeNull();
    expect((await clerk.request('POST', '/api/v1/credit/recompute', { body: {} })).status).toBe(403);
    const all = await admin.request('POST', '/api/v1/credit/recompute', { body: {} });
    expect(all.status, all.text).toBe(200);
    expect(all.body.accounts).toBeGreaterThanOrEqual(4);
  });
});

describe('the override', () => {
  it('needs the capability and a reason, and is kept in the account’s history', async () => {
    const account = await payer(admin, 'Override');
    expect((await clerk.request('POST', `/api/v1/accounts/${account}/credit/override`, { body: { amount: 50_000, reason: 'Parent guarantee' } })).status).toBe(403);
    expect((await finance.request('POST', `/api/v1/accounts/${account}/credit/override`, { body: { amount: 50_000, reason: '' } })).status).toBe(400);
    const set = await finance.request('POST', `/api/v1/accounts/${account}/credit/override`, { body: { amount: 50_000, reason: 'Parent company guarantee signed 2026-03' } });
    expect(set.status, set.text).toBe(200);
    expect(set.body).toMatchObject({ credit_limit_override: 50_000, credit_override_reason: 'Parent company guarantee signed 2026-03', credit_override_by: finance.id });
    const s = await standing(account);
    expect(s).toMatchObject({ limit: 50_000, override: { amount: 50_000, reason: 'Parent company guarantee signed 2026-03', by: finance.id }, available: 50_000 });
    expect((await admin.request('PATCH', `/api/v1/account/${account}`, { body: { credit_limit_override: 1 } })).status).toBe(400);
    const cleared = await finance.request('POST', `/api/v1/accounts/${account}/credit/override`, { body: { amount: null, reason: 'Guarantee expired' } });
    expect(cleared.status, cleared.text).toBe(200);
    const h = (await admin.request('GET', `/api/v1/account/${account}/history`)).body.data;
    const changes = h.filter((x: any) => x.field === 'credit_limit_override').map((x: any) => [x.oldValue, x.newValue, x.actorId]);
    expect(changes).toEqual(expect.arrayContaining([[null, 50_000, finance.id], [50_000, null, finance.id]]));
    expect(h.some((x: any) => x.field === 'credit_override_reason' && x.newValue === 'Cleared: Guarantee expired')).toBe(true);
  });
});

describe('orders over the limit', () => {
  const limitOf = (account: string, amount: number) => finance.request('POST', `/api/v1/accounts/${account}/credit/override`, { body: { amount, reason: 'test limit' } });
  const newOrder = async (user: TestUser, account: string, dollars: number) => {
    const res = await user.request('POST', '/api/v1/orders', { body: { order: { account, currency: 'USD' }, lines: [{ product, quantity: dollars * 100 }] } });
    expect(res.status, res.text).toBe(201);
    return res.body.order;
  };

  it('holds an order from the API with the figures, refuses a release without the capability, and records the release', async () => {
    const account = await payer(clerk, 'Limited');
    ok(await limitOf(account, 1000));
    await postedInvoice(server, admin, { product, account, cents: 30_000 }); // 300 open
    const first = await newOrder(clerk, account, 400);
    const confirmed = await clerk.request('POST', `/api/v1/orders/${first.id}/confirm`, { body: {} });
    expect(confirmed.status, confirmed.text).toBe(200);
    expect(confirmed.body).toMatchObject({ status: 'confirmed', on_hold: false });
    // 300 open + 400 on order + 400 = 1,100 > 1,000.
    const second = await newOrder(clerk, account, 400);
    const held = await clerk.request('POST', `/api/v1/orders/${second.id}/confirm`, { body: {} });
    expect(held.status, held.text).toBe(200);
    expect(held.body).toMatchObject({ status: 'received', on_hold: true });
    const reasons = JSON.parse(held.body.hold_reasons);
    expect(reasons).toEqual([expect.objectContaining({ code: 'credit_limit', by: 'credit', field: 'account' })]);
    expect(reasons[0].message).toContain('Open balance 300.00 + open orders 400.00 + this order 400.00 = 1,100.00 USD, over the overridden credit limit of 1,000.00 USD by 100.00');
    expect((await standing(account, clerk)).available).toBe(300);

    const refused = await clerk.request('POST', `/api/v1/orders/${second.id}/release`, { body: { comment: 'customer is good for it' } });
    expect(refused.status, refused.text).toBe(403);
    expect((await admin.request('GET', `/api/v1/order/${second.id}`)).body.on_hold).toBe(true);

    const released = await finance.request('POST', `/api/v1/orders/${second.id}/release`, { body: { comment: 'Approved: payment promised Friday' } });
    expect(released.status, released.text).toBe(200);
    expect(released.body).toMatchObject({ on_hold: false, credit_approved_amount: 400 });
    const event = (await sql<{ changes: any }>`SELECT changes FROM outbox_event WHERE record_id = ${second.id}::uuid AND type = 'order.released'`.execute(server.platform.db)).rows[0]!;
    const changes = typeof event.changes === 'string' ? JSON.parse(event.changes) : event.changes;
    expect(changes.comment.new).toBe('Approved: payment promised Friday');
    expect(changes.released_by.new).toBe(finance.id);
    expect(changes.reasons.new).toEqual([expect.objectContaining({ by: 'credit', code: 'credit_limit' })]);
    const history = (await admin.request('GET', `/api/v1/order/${second.id}/history`)).body.data;
    expect(history.some((x: any) => x.field === 'credit_approved_amount' && x.newValue === 400 && x.actorId === finance.id)).toBe(true);
    // Approved for its total: confirming now goes ahead.
    const after = await clerk.request('POST', `/api/v1/orders/${second.id}/confirm`, { body: {} });
    expect(after.status, after.text).toBe(200);
    expect(after.body).toMatchObject({ status: 'confirmed', on_hold: false });
  });

  it('holds the order of a quote accepted over the limit instead of confirming it', async () => {
    const account = await payer(clerk, 'Quoted');
    ok(await limitOf(account, 1000));
    await postedInvoice(server, admin, { product, account, cents: 70_000 }); // 700 open
    const opportunity = await buildOpportunity(admin, { account, amount: 500, currency: 'USD' });
    const created = await admin.request('POST', '/api/v1/quotes', { body: { quote: { opportunity: opportunity.id }, lines: [{ product, quantity: 50_000 }] } });
    expect(created.status, created.text).toBe(201);
    const quote = created.body.quote;
    ok(await admin.request('POST', `/api/v1/quotes/${quote.id}/send`, { body: {} }));
    ok(await admin.request('POST', `/api/v1/quotes/${quote.id}/accept-internal`, { body: { signerName: 'Dana Buyer' } }));
    // The quote.accepted handler, as the outbox dispatcher runs it.
    await server.platform.db.transaction().execute((trx) =>
      ordersFromQuotes.handle({ platform: server.platform, trx, events: [{ type: 'quote.accepted', recordId: quote.id } as never], afterCommit: () => undefined }));
    const filter = encodeURIComponent(JSON.stringify({ field: 'quote', op: 'eq', value: quote.id }));
    const [order] = (await admin.request('GET', `/api/v1/order?filter=${filter}`)).body.data;
    // 700 open + 500 = 1,200 > 1,000.
    expect(order).toMatchObject({ source: 'quote', status: 'received', on_hold: true });
    expect(JSON.parse(order.hold_reasons)).toEqual([expect.objectContaining({ by: 'credit', code: 'credit_limit' })]);
    const confirmed = (await sql<{ n: number }>`SELECT count(*)::int AS n FROM outbox_event WHERE record_id = ${order.id}::uuid AND type = 'order.confirmed'`.execute(server.platform.db)).rows[0]!.n;
    expect(confirmed).toBe(0);
    ok(await finance.request('POST', `/api/v1/orders/${order.id}/release`, { body: { comment: 'Deposit received' } }));
    expect((await clerk.request('POST', `/api/v1/orders/${order.id}/confirm`, { body: {} })).body).toMatchObject({ status: 'confirmed', on_hold: false });
  });

  it('leaves accounts without a limit, and orders in another currency, alone', async () => {
    const account = await payer(clerk, 'Unassessed');
    const order = await newOrder(clerk, account, 50_000);
    expect((await clerk.request('POST', `/api/v1/orders/${order.id}/confirm`, { body: {} })).body).toMatchObject({ status: 'confirmed', on_hold: false });
  });

  it('holds a shop order over the limit: the intake is held with the credit reason', async () => {
    const account = await buildAccount(admin, { name: 'Atlas Manufacturing', account_number: 'C-10482', currency: 'USD', invoicing_option: 'per_month' });
    ok(await limitOf(account.id, 500));
    const s = await buildRecord(admin, 'order_intake_source', { name: 'Atlas shop', key: 'atlas-credit', format: 'cxml', staff_email: 'service@example.com' });
    const secret = (await admin.request('POST', `/api/v1/order-intake-sources/${s.id}/secret`, { body: {} })).body.secret;
    const body = readFileSync(new URL('../../src/modules/orders/intake/fixtures/cxml-order-request.xml', import.meta.url));
    const res = await server.app.inject({ method: 'POST', url: '/api/v1/order-intake/atlas-credit', headers: { 'content-type': 'application/xml', 'x-meridian-signature': signBody({ secret, body }) }, payload: body });
    expect(res.statusCode, res.body).toBe(202);
    const answer = res.json();
    expect(answer).toMatchObject({ result: 'held', orderStatus: 'received' });
    expect(answer.reasons).toEqual([expect.objectContaining({ code: 'credit_limit', field: 'account' })]);
    const { order } = (await admin.request('GET', `/api/v1/orders/${answer.order}`)).body;
    expect(order).toMatchObject({ on_hold: true, status: 'received', source: 'shop' });
    expect(JSON.parse(order.hold_reasons)[0]).toMatchObject({ by: 'credit', code: 'credit_limit' });
    expect((await admin.request('GET', `/api/v1/order_intake/${answer.intake}`)).body.result).toBe('held');
  });
});
