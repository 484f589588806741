import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getTestServer, type TestServer, type TestUser } from '../server.ts';
import { buildAccount } from '../factories.ts';
import { ok } from '../access/fixture.ts';
import { startEventBackbone, type EventBackbone } from '../../src/platform/events/index.ts';
import { fastSettings, waitFor } from '../events/helpers.ts';
import { invoiceCatalogue } from './setup.ts';
import { startTestSmtp, type TestSmtp } from '../smtp.ts';
import { autoSendOf } from '../../src/modules/invoicing/send/store.ts';

/**
 * The invoicing options (issue 12 item 6, seed 004): per PO — a completed order is invoiced and
 * posted at once; manual — a draft; per month — the run consolidates a month's orders per PO (or
 * all of them when POs may be shared), never invoicing an order twice when run again or by two
 * workers at once, leaving out orders completed after the month.
 */
let server: TestServer;
let admin: TestUser;
let ids: Record<string, string>;

const completedOrder = async (account: string, po: string | null, quantity = 1) => {
  const made = await admin.request('POST', '/api/v1/orders', { body: { order: { account, ...(po ? { po_number: po } : {}) }, lines: [{ product: ids.part, quantity }] } });
  expect(made.status, made.text).toBe(201);
  const id = made.body.order.id as string;
  for (const c of ['confirm', 'complete']) ok(await admin.request('POST', `/api/v1/orders/${id}/${c}`, { body: {} }));
  return id;
};
const order = async (id: string) => (await admin.request('GET', `/api/v1/order/${id}`)).body;
const invoicesOf = async (account: string) =>
  (await admin.request('GET', `/api/v1/invoice?filter=${encodeURIComponent(JSON.stringify({ field: 'account', op: 'eq', value: account }))}`)).body.data as any[];
const thisMonth = () => new Date().toISOString().slice(0, 7);

beforeAll(async () => {
  server = await getTestServer();
  admin = server.admin;
  ids = await invoiceCatalogue(server);
});
afterAll(async () => server?.close());

describe('when an order completes', () => {
  let backbone: EventBackbone;
  beforeAll(async () => {
    backbone = await startEventBackbone(server.platform, { settings: fastSettings() });
  });
  afterAll(async () => backbone?.stop());

  it('per PO: the order is invoiced and posted with its PO; manual: a draft; per month: nothing yet', async () => {
    const perPo = (await buildAccount(admin, { name: 'Per PO Ltd', currency: 'USD', invoicing_option: 'per_po' })).id;
    const manual = (await buildAccount(admin, { name: 'Manual Ltd', currency: 'USD', invoicing_option: 'manual' })).id;
    const monthly = (await buildAccount(admin, { name: 'Monthly Ltd', currency: 'USD', invoicing_option: 'per_month' })).id;
    const a = await completedOrder(perPo, 'PO-1', 2);
    const b = await completedOrder(manual, 'PO-2');
    const c = await completedOrder(monthly, 'PO-3');
    const [posted] = await waitFor(async () => ((await invoicesOf(perPo)).length ? invoicesOf(perPo) : null), 'the per-PO invoice');
    expect(posted).toMatchObject({ status: 'posted', po_number: 'PO-1', total: 25, open_amount: 25 });
    expect(posted.number).toMatch(/^INV-\d{4}-\d{5}$/);
    expect((await order(a)).invoice).toBe(posted.id);
    // Posted to the CRM: the invoice is on the account's timeline beside the order.
    const timeline = (await admin.request('GET', `/api/v1/account/${perPo}/timeline`)).body.data;
    expect(timeline).toEqual(expect.arrayContaining([expect.objectContaining({ kind: 'invoice', id: posted.id, title: posted.number, status: 'posted' }), expect.objectContaining({ kind: 'order', id: a })]));
    const [draft] = await waitFor(async () => ((await invoicesOf(manual)).length ? invoicesOf(manual) : null), 'the manual draft');
    expect(draft).toMatchObject({ status: 'draft', number: null });
    expect((await order(b)).invoice).toBe(draft.id);
    // The monthly account's event was handled (the others were), and it was left for the run.
    expect(await invoicesOf(monthly)).toEqual([]);
    expect((await order(c)).invoice).toBeNull();
    // The account page's figures: one open invoice of 25.00, not yet due; a forged account is 404.
    expect((await admin.request('GET', `/api/v1/accounts/${perPo}/open-invoices`)).body).toEqual({ count: 1, overdue: 0, totals: [{ currency: 'USD', count: 1, open: 25, overdueCount: 0, overdue: 0 }] });
    expect((await admin.request('GET', '/api/v1/accounts/0190aaaa-0000-7000-8000-000000000000/open-invoices')).status).toBe(404);
  });
});

describe('the monthly run', () => {
  it('invoices each account per PO (or all at once when POs may be shared), posts them, and takes nothing twice', async () => {
    const split = (await buildAccount(admin, { name: 'Split POs', currency: 'USD', invoicing_option: 'per_month', allow_shared_pos: false })).id;
    const shared = (await buildAccount(admin, { name: 'Shared POs', currency: 'USD', invoicing_option: 'per_month', allow_shared_pos: true })).id;
    const s1 = await completedOrder(split, 'P1');
    const s2 = await completedOrder(split, 'P1', 3);
    const s3 = await completedOrder(split, 'P2');
    const h1 = await completedOrder(shared, 'A');
    const h2 = await completedOrder(shared, 'B');
    // Completed after the month: left for next month's run.
    const late = await completedOrder(shared, 'C');
    const table = sql.table(server.platform.registry.requireObject('order').table);
    await sql`UPDATE ${table} SET completed_at = now() + interval '40 days' WHERE id = ${late}::uuid`.execute(server.platform.db);

    const run = await admin.request('POST', '/api/v1/invoice-runs', { body: { period: thisMonth() } });
    expect(run.status, run.text).toBe(200);
    // Three invoices here, and one for the per-month order the first test left for the run.
    expect(run.body).toMatchObject({ status: 'completed', period: thisMonth(), trigger: 'user', invoices: 4, orders: 6, failed_accounts: 0, accounts: 3 });
    const splitInvoices = await invoicesOf(split);
    expect(splitInvoices.map((i) => [i.po_number, i.status, i.total]).sort()).toEqual([['P1', 'posted', 50], ['P2', 'posted', 12.5]]);
    const [one] = await invoicesOf(shared);
    expect(one).toMatchObject({ status: 'posted', po_number: null, total: 25 });
    for (const id of [s1, s2, s3, h1, h2]) expect((await order(id)).invoice).not.toBeNull();
    expect((await order(late)).invoice).toBeNull();

    // Again, and twice at once: nothing more is invoiced.
    const again = await Promise.all([0, 1].map(() => admin.request('POST', '/api/v1/invoice-runs', { body: { period: thisMonth() } })));
    for (const r of again) expect(r.body).toMatchObject({ status: 'completed', invoices: 0, orders: 0 });
    expect((await invoicesOf(split)).length + (await invoicesOf(shared)).length).toBe(3);
    const runs = (await admin.request('GET', '/api/v1/invoice_run')).body.data;
    expect(runs).toHaveLength(3);
  });

  it('only posts for an account that sends automatically: the e-mail with the PDF follows from the queue', async () => {
    const smtp: TestSmtp = await startTestSmtp();
    server.platform.config.smtpUrl = smtp.url;
    try {
      const auto = (await buildAccount(admin, { name: 'Auto Monthly', email: 'ap@automonthly.example', currency: 'USD', invoicing_option: 'per_month', allow_shared_pos: true, invoice_auto_send: true })).id;
      await completedOrder(auto, 'M1');
      await completedOrder(auto, 'M2', 2);
      const run = await admin.request('POST', '/api/v1/invoice-runs', { body: { period: thisMonth() } });
      expect(run.body).toMatchObject({ status: 'completed', invoices: 1, orders: 2 });
      const [invoice] = await invoicesOf(auto);
      expect(invoice).toMatchObject({ status: 'posted', total: 37.5, sent_at: null });
      // The run has sent nothing: the e-mail waits for the outbox, outside the run.
      expect(smtp.inbox).toHaveLength(0);
      expect(await autoSendOf(server.platform.db, invoice.id)).toBeNull();
      const backbone = await startEventBackbone(server.platform, { settings: fastSettings() });
      try {
        const mail = await waitFor(() => smtp.inbox[0], 'the queued e-mail');
        expect(mail.to).toEqual(['ap@automonthly.example']);
        expect(mail.raw).toContain(`filename=${invoice.number}.pdf`);
        await waitFor(async () => (await autoSendOf(server.platform.db, invoice.id))?.status === 'sent', 'the queue row marked sent');
        expect((await admin.request('GET', `/api/v1/invoice/${invoice.id}`)).body.sent_at).toBeTruthy();
      } finally {
        await backbone.stop();
      }
    } finally {
      await smtp.close();
    }
  });

  it('keeps the other accounts of a batch when a rule refuses one account, leaves nothing of the refused one, and numbers without gaps beside concurrent posters', async () => {
    // Many accounts go in one transaction: a validation rule refusing one account's invoice (its PO) rolls that batch
    // back; every account is then invoiced on its own, so only the refused one fails, with nothing half-written.
    const rule = await admin.request('POST', '/api/v1/metadata/objects/invoice/validation-rules', {
      body: { name: 'no_blocked_po', condition: { or: [{ field: 'po_number', op: 'isNull' }, { field: 'po_number', op: 'ne', value: 'BLOCKED' }] }, message: 'PO BLOCKED may not be invoiced', field: 'po_number' },
    });
    expect(rule.status, rule.text).toBe(201);
    try {
      const made = await Promise.all(['Batch A', 'Batch B', 'Batch C', 'Batch D'].map((name) => buildAccount(admin, { name, currency: 'USD', invoicing_option: 'per_month' })));
      const [a, b, c, d] = made.map((m) => m.id) as [string, string, string, string];
      const orders = { a: await completedOrder(a, 'PA'), b: await completedOrder(b, 'BLOCKED'), b2: await completedOrder(b, 'PB'), c: await completedOrder(c, 'PC', 2), d: await completedOrder(d, null) };
      // Drafts posted by people while the run posts: one series, so no gap and no duplicate between them.
      const drafts = await Promise.all([1, 2, 3].map(async () => (await admin.request('POST', '/api/v1/invoices', { body: { invoice: { account: a }, lines: [{ product: ids.part, quantity: 1 }] } })).body.invoice.id as string));
      const [run, ...posts] = await Promise.all([
        admin.request('POST', '/api/v1/invoice-runs', { body: { period: thisMonth() } }),
        ...drafts.map((id) => admin.request('POST', `/api/v1/invoices/${id}/post`, { body: {} })),
      ]);
      for (const p of posts) expect(p.status, p.text).toBe(200);
      expect(run!.body).toMatchObject({ status: 'completed_with_errors', invoices: 3, orders: 3, accounts: 3, failed_accounts: 1 });
      expect(JSON.parse(run!.body.failures)).toEqual([expect.objectContaining({ account: b, code: 'rule:no_blocked_po' })]);
      for (const [account, po] of [[a, 'PA'], [c, 'PC'], [d, null]] as const) {
        expect((await invoicesOf(account)).filter((i) => !drafts.includes(i.id)).map((i) => [i.po_number, i.status])).toEqual([[po, 'posted']]);
      }
      // The refused account: no invoice, not even a draft, and both its orders (the allowed PO too) still to invoice.
      expect(await invoicesOf(b)).toEqual([]);
      for (const id of [orders.b, orders.b2]) expect((await order(id)).invoice).toBeNull();
      // Every number of this year's series, by the runs and the people alike: consecutive from the first, none twice.
      const table = sql.table(server.platform.registry.requireObject('invoice').table);
      const numbers = (await sql<{ number: string }>`SELECT number FROM ${table} WHERE kind = 'invoice' AND number IS NOT NULL`.execute(server.platform.db)).rows.map((r) => Number(r.number.split('-').pop()));
      numbers.sort((x, y) => x - y);
      expect(numbers).toEqual(numbers.map((_, i) => numbers[0]! + i));
    } finally {
      await admin.request('DELETE', `/api/v1/metadata/objects/invoice/validation-rules/${rule.body.id}`);
    }
    // Without the rule, the next run invoices the account's two POs.
    const next = await admin.request('POST', '/api/v1/invoice-runs', { body: { period: thisMonth() } });
    expect(next.body).toMatchObject({ status: 'completed', invoices: 2, orders: 2, failed_accounts: 0 });
  });

  it('needs the permission, checks the month, and keeps its records read-only', async () => {
    const rep = await server.createUser();
    expect((await rep.request('POST', '/api/v1/invoice-runs', { body: {} })).status).toBe(403);
    expect((await admin.request('POST', '/api/v1/invoice-runs', { body: { period: '2026-13' } })).status).toBe(400);
    expect((await admin.request('POST', '/api/v1/invoice_run', { body: {} })).status).toBe(403);
  });
});
