import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getTestServer, type TestServer, type TestUser } from '../server.ts';
import { buildAccount, buildRecord } from '../factories.ts';
import { createSiblingRoles, ok } from '../access/fixture.ts';
import { centProduct, payer, postedInvoice } from '../payments/setup.ts';
import { creditHoldsToApproval } from '../../src/modules/credit/index.ts';
import { seedApprovalProcess } from '../../src/modules/approvals/index.ts';
import { startBilling } from '../../src/modules/billing/startup.ts';

/**
 * Issue 14 item 6: the quote discount approval and credit-limit holds run on the approvals engine.
 * Sending a discounted quote submits it to the seeded `quote_discount` process (the owner's
 * manager approves, on the approvals API or the quote's own routes; others get 403); an order held
 * for credit is submitted to `order_credit_hold` (the holders of credit.release_holds) and released
 * by its approval or by the release route. With the process deactivated, both fall back to the
 * direct behaviour.
 */
let server: TestServer;
let admin: TestUser;
let rep: TestUser;
let sibling: TestUser;
let manager: TestUser;
let clerk: TestUser;
let finance: TestUser;
let account: string;
let part: string;
let product: string;

const newQuote = async (user: TestUser, quote: Record<string, unknown>) => {
  const res = await user.request('POST', '/api/v1/quotes', { body: { quote: { account, ...quote }, lines: [{ product: part, quantity: 1 }] } });
  expect(res.status, res.text).toBe(201);
  return res.body.quote as { id: string };
};
const run = (user: TestUser, id: string, command: string, body: unknown = {}) => user.request('POST', `/api/v1/quotes/${id}/${command}`, { body });
const history = async (object: string, id: string) => (await admin.request('GET', `/api/v1/approvals/history/${object}/${id}`)).body.data as any[];
const pendingOf = async (object: string, id: string) => (await history(object, id)).find((r) => r.status === 'pending');
const decide = (user: TestUser, request: string, what: 'approve' | 'reject' | 'recall', comment?: string) =>
  user.request('POST', `/api/v1/approvals/${request}/${what}`, { body: comment ? { comment } : {} });
const processNamed = async (name: string) => ((await admin.request('GET', '/api/v1/approval-processes')).body.data as any[]).find((p) => p.name === name);
const setActive = async (name: string, active: boolean) => {
  const { id, sortOrder, ...p } = await processNamed(name);
  const res = await admin.request('PUT', `/api/v1/approval-processes/${id}`, { body: { ...pick(p), sortOrder, active } });
  expect(res.status, res.text).toBe(200);
};
const pick = (p: any) => Object.fromEntries(['name', 'label', 'object', 'entryCriteria', 'submitters', 'steps', 'fieldUpdates'].filter((k) => p[k] !== undefined).map((k) => [k, p[k]]));

/** The order.held events of an order, handed to credit's subscriber as the outbox dispatcher does. */
async function dispatchHeld(orderId: string) {
  const rows = (await sql<{ id: string; seq: string; type: string; object: string; record_id: string; changes: any; actor: any; occurred_at: Date }>`
    SELECT * FROM outbox_event WHERE record_id = ${orderId}::uuid AND type = 'order.held' ORDER BY seq`.execute(server.platform.db)).rows;
  const events = rows.map((r) => ({
    seq: String(r.seq), id: r.id, type: r.type, object: r.object, recordId: r.record_id, occurredAt: r.occurred_at,
    changes: typeof r.changes === 'string' ? JSON.parse(r.changes) : r.changes, actor: typeof r.actor === 'string' ? JSON.parse(r.actor) : r.actor,
  }));
  await server.platform.db.transaction().execute((trx) => creditHoldsToApproval.handle({ platform: server.platform, trx, events: events as never, afterCommit: () => undefined }));
}

beforeAll(async () => {
  server = await getTestServer();
  admin = server.admin;
  [rep, sibling, manager, clerk, finance] = await Promise.all([1, 2, 3, 4, 5].map(() => server.createUser()));
  await createSiblingRoles(admin);
  ok(await admin.request('PATCH', `/api/v1/user/${rep.id}`, { body: { role: 'sales_east' } }));
  ok(await admin.request('PATCH', `/api/v1/user/${sibling.id}`, { body: { role: 'sales_west' } }));
  ok(await admin.request('PATCH', `/api/v1/user/${manager.id}`, { body: { role: 'sales_head' } }));
  const all = { read: true, create: true, edit: true, delete: true };
  ok(await admin.request('POST', '/api/v1/profiles', { body: { name: 'clerk', label: 'Order clerk', permissions: { default: all } } }));
  ok(await admin.request('POST', '/api/v1/profiles', { body: { name: 'finance', label: 'Finance', permissions: { default: all, capabilities: ['credit.release_holds', 'credit.override_limit'] } } }));
  ok(await admin.request('PATCH', `/api/v1/user/${clerk.id}`, { body: { profile: 'clerk' } }));
  ok(await admin.request('PATCH', `/api/v1/user/${finance.id}`, { body: { profile: 'finance' } }));
  const each = (await admin.request('GET', `/api/v1/unit_of_measure?filter=${encodeURIComponent(JSON.stringify({ field: 'code', op: 'eq', value: 'each' }))}`)).body.data[0].id;
  part = (await buildRecord(admin, 'product', { code: 'PRT-APPROVE', name: 'Filter', type: 'part', unit_of_measure: each })).id;
  const book = (await buildRecord(admin, 'price_book', { name: 'Standard USD', currency: 'USD', is_standard: true })).id;
  await buildRecord(admin, 'price_book_entry', { price_book: book, product: part, unit_price: '100.00' });
  account = (await buildAccount(admin, { name: 'Approval Power', currency: 'USD' })).id;
  product = await centProduct(server);
}, 120_000);
afterAll(async () => server?.close());

describe('the seeded processes', () => {
  it('billing and credit seed their processes once; admins edit them through the process API, capabilities checked', async () => {
    const quote = await processNamed('quote_discount');
    expect(quote).toMatchObject({ object: 'quote', active: true, entryCriteria: { and: [{ field: 'effective_discount', op: 'gt', value: 15 }, { field: 'status', op: 'eq', value: 'pending_approval' }] }, steps: [{ approvers: [{ kind: 'owner_manager' }], mode: 'first' }] });
    const order = await processNamed('order_credit_hold');
    expect(order).toMatchObject({ object: 'order', active: true, entryCriteria: { and: [{ field: 'on_hold', op: 'eq', value: true }, { field: 'hold_reasons', op: 'contains', value: '"credit_limit"' }] }, steps: [{ approvers: [{ kind: 'capability', value: 'credit.release_holds' }], mode: 'first' }] });
    const bad = await admin.request('PUT', `/api/v1/approval-processes/${order.id}`, {
      body: { ...pick(order), active: true, steps: [{ name: 'Finance', approvers: [{ kind: 'capability', value: 'credit.fly' }], mode: 'first' }] },
    });
    expect([bad.status, bad.body.errors?.[0]?.field, bad.body.errors?.[0]?.code]).toEqual([400, 'steps[0].approvers[0].value', 'unknown_capability']);
    const seeds = await sql<{ n: number }>`SELECT count(*)::int AS n FROM approval_process WHERE name IN ('quote_discount', 'order_credit_hold')`.execute(server.platform.db);
    expect(seeds.rows[0]!.n).toBe(2);
  });

  it('a seeded process is created once: a restart leaves an admin’s change alone, and a deleted one stays deleted', async () => {
    await setActive('quote_discount', false);
    await startBilling(server.platform); // what the next start does
    expect((await processNamed('quote_discount')).active).toBe(false);
    await setActive('quote_discount', true);
    const input = { name: 'seeded_once', label: 'Seeded once', object: 'account', active: true, submitters: [{ kind: 'owner' as const }], steps: [{ name: 'Boss', approvers: [{ kind: 'manager' as const }], mode: 'first' as const }] };
    await seedApprovalProcess(server.platform, input);
    const seeded = await processNamed('seeded_once');
    expect(seeded).toMatchObject({ object: 'account', active: true });
    ok(await admin.request('DELETE', `/api/v1/approval-processes/${seeded.id}`));
    await seedApprovalProcess(server.platform, input);
    expect(await processNamed('seeded_once')).toBeUndefined();
  });
});

describe('quote discount approval on the engine', () => {
  it('send → pending → a request for the owner’s manager, who approves it through the approvals API; others get 403', async () => {
    const quote = await newQuote(rep, { discount_percent: 20 });
    expect((await run(rep, quote.id, 'send')).body.status).toBe('pending_approval');
    const request = await pendingOf('quote', quote.id);
    expect(request).toMatchObject({ process: 'quote_discount', submittedBy: rep.id, results: [{ approver: manager.id, decision: 'pending' }] });
    expect((await decide(sibling, request.id, 'approve')).status).toBe(403);
    expect((await decide(rep, request.id, 'approve')).status).toBe(403);
    // The engine's lock: the rep cannot change the header while it waits, nor its lines (they make the total asked about).
    expect((await rep.request('PATCH', `/api/v1/quote/${quote.id}`, { body: { discount_percent: 10 } })).status).toBe(409);
    const lines = (await rep.request('GET', `/api/v1/quote_line?filter=${encodeURIComponent(JSON.stringify({ field: 'quote', op: 'eq', value: quote.id }))}`)).body.data as Array<{ id: string }>;
    expect(lines).toHaveLength(1);
    const linePatch = await rep.request('PATCH', `/api/v1/quote_line/${lines[0]!.id}`, { body: { quantity: 50 } });
    expect(linePatch.status, linePatch.text).toBe(409);
    expect(linePatch.body).toMatchObject({ code: 'record_locked', approvalRequest: request.id });
    expect((await rep.request('POST', '/api/v1/quote_line', { body: { quote: quote.id, product: part, quantity: 1 } })).status).toBe(409);
    expect((await rep.request('DELETE', `/api/v1/quote_line/${lines[0]!.id}`)).status).toBe(409);
    const approved = await decide(manager, request.id, 'approve', 'Key account');
    expect(approved.status, approved.text).toBe(200);
    const read = (await admin.request('GET', `/api/v1/quote/${quote.id}`)).body;
    expect(read).toMatchObject({ status: 'approved', approved_by: manager.id, approval_comment: 'Key account' });
    expect(read.approved_at).toBeTruthy();
    expect((await run(rep, quote.id, 'send')).body.status).toBe('sent');
  });

  it("the quote's approve and reject routes answer the request; a rejection needs a comment and goes back to draft", async () => {
    const quote = await newQuote(rep, { discount_percent: 25 });
    ok(await run(rep, quote.id, 'send'));
    expect((await run(sibling, quote.id, 'approve')).status).toBe(403);
    expect((await run(rep, quote.id, 'approve')).status).toBe(403);
    expect((await run(manager, quote.id, 'reject')).status).toBe(400);
    const rejected = await run(manager, quote.id, 'reject', { comment: 'Too much' });
    expect(rejected.status, rejected.text).toBe(200);
    expect(rejected.body).toMatchObject({ status: 'draft', approval_comment: 'Too much', approved_by: null });
    expect((await history('quote', quote.id))[0]).toMatchObject({ status: 'rejected', results: [{ approver: manager.id, decision: 'rejected', comment: 'Too much' }] });
    // Sent again: a new request, approved on the quote's route.
    ok(await run(rep, quote.id, 'send'));
    const approved = await run(manager, quote.id, 'approve', { comment: 'Fine this once' });
    expect(approved.status, approved.text).toBe(200);
    expect(approved.body).toMatchObject({ status: 'approved', approved_by: manager.id, approval_comment: 'Fine this once' });
    const requests = await history('quote', quote.id);
    expect(requests.map((r) => r.status).sort()).toEqual(['approved', 'rejected']);
    // The request's story is on the quote's timeline.
    const timeline = await admin.request('GET', `/api/v1/quote/${quote.id}/timeline`);
    expect(JSON.stringify(timeline.body)).toContain('Approved — Quote discount');
  });

  it('an administrator answers in the approver’s place, on the quote or through the approvals API; the step names them', async () => {
    const quote = await newQuote(rep, { discount_percent: 22 });
    ok(await run(rep, quote.id, 'send'));
    const approved = await run(admin, quote.id, 'approve', { comment: 'Approved for the manager on leave' });
    expect(approved.status, approved.text).toBe(200);
    expect(approved.body).toMatchObject({ status: 'approved', approved_by: admin.id });
    expect((await history('quote', quote.id))[0]).toMatchObject({ status: 'approved', results: [{ approver: admin.id, decision: 'approved' }] });
    const other = await newQuote(rep, { discount_percent: 23 });
    ok(await run(rep, other.id, 'send'));
    const request = await pendingOf('quote', other.id);
    ok(await decide(admin, request.id, 'reject', 'Not this quarter'));
    expect((await admin.request('GET', `/api/v1/quote/${other.id}`)).body).toMatchObject({ status: 'draft', approval_comment: 'Not this quarter' });
  });

  it('a recall takes the quote back to draft; a draft cannot be submitted by hand', async () => {
    const quote = await newQuote(rep, { discount_percent: 30 });
    expect((await rep.request('POST', '/api/v1/approvals', { body: { object: 'quote', recordId: quote.id } })).status).toBe(422);
    expect((await rep.request('GET', `/api/v1/approvals/history/quote/${quote.id}`)).body.canSubmit).toBe(false);
    ok(await run(rep, quote.id, 'send'));
    const request = await pendingOf('quote', quote.id);
    ok(await decide(rep, request.id, 'recall', 'Changing the lines'));
    expect((await admin.request('GET', `/api/v1/quote/${quote.id}`)).body).toMatchObject({ status: 'draft', approved_by: null });
  });

  it('with the process deactivated, the quote waits on its own and the manager approves it directly', async () => {
    await setActive('quote_discount', false);
    try {
      const quote = await newQuote(rep, { discount_percent: 20 });
      expect((await run(rep, quote.id, 'send')).body.status).toBe('pending_approval');
      expect(await history('quote', quote.id)).toEqual([]);
      expect((await run(sibling, quote.id, 'approve')).status).toBe(403);
      expect((await run(manager, quote.id, 'approve', { comment: 'Direct' })).body).toMatchObject({ status: 'approved', approved_by: manager.id, approval_comment: 'Direct' });
    } finally {
      await setActive('quote_discount', true);
    }
  });
});

describe('credit holds on the engine', () => {
  const limit = (id: string, amount: number) => finance.request('POST', `/api/v1/accounts/${id}/credit/override`, { body: { amount, reason: 'test limit' } });
  const heldOrder = async (name: string) => {
    const id = await payer(clerk, name);
    ok(await limit(id, 1000));
    await postedInvoice(server, admin, { product, account: id, cents: 90_000 }); // 900 open
    const created = await clerk.request('POST', '/api/v1/orders', { body: { order: { account: id, currency: 'USD' }, lines: [{ product, quantity: 40_000 }] } });
    expect(created.status, created.text).toBe(201);
    const held = await clerk.request('POST', `/api/v1/orders/${created.body.order.id}/confirm`, { body: {} });
    expect(held.body).toMatchObject({ on_hold: true });
    return held.body as { id: string };
  };

  it('an order held for credit is submitted to finance; approving the request releases it with the approved amount', async () => {
    const order = await heldOrder('Engine Release');
    await dispatchHeld(order.id);
    await dispatchHeld(order.id); // idempotent: one request
    const requests = await history('order', order.id);
    expect(requests).toHaveLength(1);
    expect(requests[0]).toMatchObject({ process: 'order_credit_hold', status: 'pending', submittedBy: clerk.id });
    const approvers = requests[0].results.map((r: any) => r.approver);
    expect(approvers).toEqual(expect.arrayContaining([finance.id, admin.id]));
    expect(approvers).not.toContain(clerk.id);
    expect((await decide(clerk, requests[0].id, 'approve')).status).toBe(403);
    ok(await decide(finance, requests[0].id, 'approve', 'Payment promised Friday'));
    const read = (await admin.request('GET', `/api/v1/order/${order.id}`)).body;
    expect(read).toMatchObject({ on_hold: false, credit_approved_amount: 400 });
    const released = (await sql<{ changes: any }>`SELECT changes FROM outbox_event WHERE record_id = ${order.id}::uuid AND type = 'order.released'`.execute(server.platform.db)).rows;
    expect(released).toHaveLength(1);
    const changes = typeof released[0]!.changes === 'string' ? JSON.parse(released[0]!.changes) : released[0]!.changes;
    expect(changes.comment.new).toBe('Payment promised Friday');
    expect(changes.released_by.new).toBe(finance.id);
    expect((await clerk.request('POST', `/api/v1/orders/${order.id}/confirm`, { body: {} })).body).toMatchObject({ status: 'confirmed', on_hold: false });
  });

  it("the release route answers the request; a rejection leaves the order held with the reason shown", async () => {
    const order = await heldOrder('Engine Route');
    await dispatchHeld(order.id);
    expect((await clerk.request('POST', `/api/v1/orders/${order.id}/release`, { body: { comment: 'please' } })).status).toBe(403);
    const released = await finance.request('POST', `/api/v1/orders/${order.id}/release`, { body: { comment: 'Deposit received' } });
    expect(released.status, released.text).toBe(200);
    expect(released.body).toMatchObject({ on_hold: false, credit_approved_amount: 400 });
    expect((await history('order', order.id))[0]).toMatchObject({ status: 'approved', results: [expect.anything(), expect.anything()] });
    const events = (await sql<{ n: number }>`SELECT count(*)::int AS n FROM outbox_event WHERE record_id = ${order.id}::uuid AND type = 'order.released'`.execute(server.platform.db)).rows[0]!.n;
    expect(events).toBe(1);

    const other = await heldOrder('Engine Reject');
    await dispatchHeld(other.id);
    const request = await pendingOf('order', other.id);
    ok(await decide(finance, request.id, 'reject', 'Two invoices overdue'));
    const read = (await admin.request('GET', `/api/v1/order/${other.id}`)).body;
    expect(read.on_hold).toBe(true);
    expect(JSON.parse(read.hold_reasons)).toEqual([
      expect.objectContaining({ code: 'credit_limit' }),
      expect.objectContaining({ code: 'credit_rejected', message: 'Credit release rejected: Two invoices overdue' }),
    ]);
    await dispatchHeld(other.id); // the rejection's hold is not submitted again
    expect((await history('order', other.id)).map((r) => r.status)).toEqual(['rejected']);
  });

  it('with the process deactivated, the hold is released directly as before', async () => {
    await setActive('order_credit_hold', false);
    try {
      const order = await heldOrder('Engine Off');
      await dispatchHeld(order.id);
      expect(await history('order', order.id)).toEqual([]);
      const released = await finance.request('POST', `/api/v1/orders/${order.id}/release`, { body: { comment: 'Direct' } });
      expect(released.body).toMatchObject({ on_hold: false, credit_approved_amount: 400 });
    } finally {
      await setActive('order_credit_hold', true);
    }
  });
});
