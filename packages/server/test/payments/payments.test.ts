import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getTestServer, type TestServer, type TestUser } from '../server.ts';
import { fastSettings, waitFor } from '../events/helpers.ts';
import { startEventBackbone } from '../../src/platform/events/index.ts';
import { recordPayment } from '../../src/modules/payments/index.ts';
import { systemActor } from '../../src/platform/records/context.ts';
import { centProduct, dispatched, firstError, invoiceOf, pay, payer, postedInvoice } from './setup.ts';

let server: TestServer;
let admin: TestUser;
let product: string;
let backbone: { stop(): Promise<void> } | undefined;

beforeAll(async () => {
  server = await getTestServer();
  admin = server.admin;
  product = await centProduct(server);
  backbone = await startEventBackbone(server.platform, { settings: fastSettings() });
}, 120_000);
afterAll(async () => {
  await backbone?.stop();
  await server?.close();
});

const count = async (table: string, account: string) => (await sql<{ n: number }>`SELECT count(*)::int AS n FROM ${sql.table(table)} WHERE account_id = ${account}::uuid`.execute(server.platform.db)).rows[0]!.n;

describe('recording payments', () => {
  it('allocates oldest due first; a partial payment leaves the next invoice partially paid', async () => {
    const account = await payer(admin);
    const older = await postedInvoice(server, admin, { product, account, cents: 10_000, dueDate: '2026-10-01' });
    const newer = await postedInvoice(server, admin, { product, account, cents: 5_000, dueDate: '2026-11-01' });
    const res = await pay(admin, { account, amount: '120.00', reference: 'CHK 1001', method: 'check' });
    expect(res.status, res.text).toBe(201);
    expect(res.body.payment.name).toMatch(/^PAY-\d{4}-\d{5}$/);
    expect(res.body.allocations.map((a: any) => [a.invoice, a.amount])).toEqual([[older.id, 100], [newer.id, 20]]);
    expect(res.body.payment).toMatchObject({ allocated_amount: 120, unallocated_amount: 0, status: 'received' });
    expect(await invoiceOf(admin, older.id)).toMatchObject({ status: 'paid', paid_total: 100, open_amount: 0 });
    expect(await invoiceOf(admin, newer.id)).toMatchObject({ status: 'partially_paid', paid_total: 20, open_amount: 30 });
  });

  it('an over-payment becomes credit, applied to the next invoice when it is posted', async () => {
    const account = await payer(admin);
    const first = await postedInvoice(server, admin, { product, account, cents: 3_000 });
    const res = await pay(admin, { account, amount: 50 });
    expect(res.body.payment).toMatchObject({ allocated_amount: 30, unallocated_amount: 20 });
    expect((await invoiceOf(admin, first.id)).status).toBe('paid');
    const later = await postedInvoice(server, admin, { product, account, cents: 4_500 });
    await dispatched(server, later.id, 'invoice.posted');
    expect(await invoiceOf(admin, later.id)).toMatchObject({ status: 'partially_paid', paid_total: 20, open_amount: 25 });
    expect((await admin.request('GET', `/api/v1/payment/${res.body.payment.id}`)).body).toMatchObject({ allocated_amount: 50, unallocated_amount: 0 });
  });

  it('allocates by hand, and refuses more than is open on an invoice, writing nothing', async () => {
    const account = await payer(admin);
    const a = await postedInvoice(server, admin, { product, account, cents: 1_000 });
    const b = await postedInvoice(server, admin, { product, account, cents: 2_000 });
    // Their credit handler (invoice.posted) has run, with no credit to apply yet: it cannot take
    // the payment below in the middle of the test.
    await dispatched(server, a.id, 'invoice.posted');
    await dispatched(server, b.id, 'invoice.posted');
    const before = await count('obj_payment', account);
    const over = await pay(admin, { account, amount: 30, allocations: [{ invoice: b.id, amount: 5 }, { invoice: a.id, amount: 10.01 }] });
    expect(over.status, over.text).toBe(422);
    expect(firstError(over)).toEqual(['allocations[1].amount', 'exceeds_open_amount']);
    expect(await count('obj_payment', account)).toBe(before);
    expect((await invoiceOf(admin, b.id)).open_amount).toBe(20);
    const ok = await pay(admin, { account, amount: 30, allocations: [{ invoice: b.id, amount: 5 }] });
    expect(ok.status, ok.text).toBe(201);
    expect(ok.body.payment).toMatchObject({ allocated_amount: 5, unallocated_amount: 25 });
    expect((await invoiceOf(admin, a.id)).status).toBe('posted');
    // The credit is applied later, oldest due first.
    const applied = await admin.request('POST', `/api/v1/payments/${ok.body.payment.id}/allocate`, { body: {} });
    expect(applied.status, applied.text).toBe(200);
    expect(applied.body.payment).toMatchObject({ allocated_amount: 30, unallocated_amount: 0 });
    expect(applied.body.allocations.map((x: any) => [x.invoice, x.amount])).toEqual([[a.id, 10], [b.id, 15]]);
    expect((await invoiceOf(admin, a.id)).status).toBe('paid');
    expect(await invoiceOf(admin, b.id)).toMatchObject({ status: 'paid', paid_total: 20, open_amount: 0 });
    expect(firstError(await admin.request('POST', `/api/v1/payments/${ok.body.payment.id}/allocate`, { body: {} }))).toEqual(['allocations', 'nothing_to_allocate']);
  });

  it("refuses another account's invoice, a credit note, a draft and more allocated than paid", async () => {
    const account = await payer(admin);
    const other = await payer(admin, 'Other');
    const theirs = await postedInvoice(server, admin, { product, account: other, cents: 1_000 });
    const forged = await pay(admin, { account, amount: 10, allocations: [{ invoice: theirs.id, amount: 10 }] });
    expect(forged.status).toBe(422);
    expect(firstError(forged)).toEqual(['allocations[0].invoice', 'not_found']);
    expect(firstError(await pay(admin, { account, amount: 10, allocations: [{ invoice: '01890000-0000-7000-8000-000000000000', amount: 10 }] }))).toEqual(['allocations[0].invoice', 'not_found']);
    const mine = await postedInvoice(server, admin, { product, account, cents: 1_000 });
    const tooMuch = await pay(admin, { account, amount: 5, allocations: [{ invoice: mine.id, amount: 6 }] });
    expect(firstError(tooMuch)).toEqual(['allocations', 'exceeds_payment']);
    expect(firstError(await pay(admin, { account, amount: '10.001' }))).toEqual(['amount', 'too_precise']);
    expect(firstError(await pay(admin, { account, amount: -5 }))).toEqual(['amount', 'not_positive']);
    expect(firstError(await pay(admin, { account, amount: 10, currency: 'EUR', allocations: [{ invoice: mine.id, amount: 10 }] }))).toEqual(['allocations[0].currency', 'currency_mismatch']);
    const credit = await admin.request('POST', `/api/v1/invoices/${mine.id}/credit`, { body: { full: true } });
    expect(credit.status, credit.text).toBe(200);
    expect(firstError(await pay(admin, { account, amount: 10, allocations: [{ invoice: credit.body.creditNote.id, amount: 10 }] }))[1]).toBe('not_payable');
    expect(await count('obj_payment', account)).toBe(0);
  });

  it('payments are written only through the commands, and never deleted by hand', async () => {
    const account = await payer(admin);
    const res = await admin.request('POST', '/api/v1/payment', { body: { account, amount: 10, currency: 'USD', method: 'cash', payment_date: '2026-12-01' } });
    expect(res.status).toBe(403);
    const inv = await postedInvoice(server, admin, { product, account, cents: 1_000 });
    const paid = (await pay(admin, { account, amount: 10 })).body;
    for (const [object, id] of [['payment', paid.payment.id], ['payment_allocation', paid.allocations[0].id]]) {
      const del = await admin.request('DELETE', `/api/v1/${object}/${id}`);
      expect(del.status, del.text).toBe(403);
    }
    expect((await invoiceOf(admin, inv.id)).status).toBe('paid');
    expect((await admin.request('GET', `/api/v1/payment/${paid.payment.id}`)).status).toBe(200);
  });
});

describe('refunds and reversals', () => {
  it('refunds at most the credit; a reversal reopens what the payment paid', async () => {
    const account = await payer(admin);
    const inv = await postedInvoice(server, admin, { product, account, cents: 8_000 });
    const p = (await pay(admin, { account, amount: 100, method: 'check', reference: 'CHK 77' })).body.payment;
    expect(firstError(await admin.request('POST', `/api/v1/payments/${p.id}/refund`, { body: { amount: 20.01 } }))).toEqual(['amount', 'exceeds_credit']);
    const refund = await admin.request('POST', `/api/v1/payments/${p.id}/refund`, { body: { amount: 15, reason: 'Overpaid' } });
    expect(refund.status, refund.text).toBe(200);
    expect(refund.body.payment).toMatchObject({ unallocated_amount: 5, refunded_amount: 15 });
    expect((await admin.request('POST', `/api/v1/payments/${p.id}/refund`, { body: { amount: 5 } })).status).toBe(200);
    const refused = await admin.request('POST', `/api/v1/payments/${p.id}/reverse`, { body: { reason: 'bounced' } });
    expect(refused.status).toBe(409);
    expect(refused.body.errors[0].code).toBe('payment_refunded');

    const inv2 = await postedInvoice(server, admin, { product, account, cents: 6_000 });
    const check = (await pay(admin, { account, amount: 60, method: 'check', allocations: [{ invoice: inv2.id, amount: 60 }] })).body.payment;
    expect((await invoiceOf(admin, inv2.id)).status).toBe('paid');
    const reversed = await admin.request('POST', `/api/v1/payments/${check.id}/reverse`, { body: { reason: 'Check bounced' } });
    expect(reversed.status, reversed.text).toBe(200);
    expect(reversed.body.payment).toMatchObject({ status: 'reversed', allocated_amount: 0, unallocated_amount: 0, reversal_reason: 'Check bounced' });
    expect(reversed.body.allocations).toHaveLength(1);
    expect(reversed.body.allocations[0].reversed_at).toBeTruthy();
    expect(await invoiceOf(admin, inv2.id)).toMatchObject({ status: 'posted', paid_total: 0, open_amount: 60 });
    expect((await admin.request('POST', `/api/v1/payments/${check.id}/reverse`, { body: {} })).status).toBe(409);
    expect((await invoiceOf(admin, inv.id)).status).toBe('paid');
    const read = await admin.request('GET', `/api/v1/payments/${p.id}`);
    expect(read.body.refunds.map((r: any) => r.amount)).toEqual([15, 5]);
  });
});

describe('balances and aging', () => {
  it('buckets open amounts by days past due, rolls up the account tree, and balance = invoices − credit notes − payments + refunds', async () => {
    const parent = await payer(admin, 'Parent');
    const child = (await admin.request('POST', '/api/v1/account', { body: { name: `Child ${Date.now()}`, currency: 'USD', parent_account: parent } })).body.id;
    await postedInvoice(server, admin, { product, account: parent, cents: 1_000, dueDate: '2026-12-06' });
    await postedInvoice(server, admin, { product, account: parent, cents: 2_000, dueDate: '2026-11-20' });
    await postedInvoice(server, admin, { product, account: parent, cents: 4_000, dueDate: '2026-10-01' });
    await postedInvoice(server, admin, { product, account: child, cents: 8_000, dueDate: '2026-07-01' });
    const p = (await pay(admin, { account: parent, amount: 5, allocate: 'none' })).body.payment;
    await admin.request('POST', `/api/v1/payments/${p.id}/refund`, { body: { amount: 2 } });
    const own = await admin.request('GET', `/api/v1/accounts/${parent}/balance?asOf=2026-12-06`);
    expect(own.status, own.text).toBe(200);
    expect(own.body.currencies).toEqual([expect.objectContaining({
      currency: 'USD', invoiced: '70', paid: '5', refunded: '2', credit: '3', open: '70', balance: '67', overdue: '60',
      aging: { current: '10', days_1_30: '20', days_31_60: '0', days_61_90: '40', over_90: '0' },
    })]);
    expect(own.body.lastPayment).toMatchObject({ id: p.id, amount: '5' });
    const tree = await admin.request('GET', `/api/v1/accounts/${parent}/balance?asOf=2026-12-06&includeChildren=true`);
    expect(tree.body.accounts).toBe(2);
    expect(tree.body.currencies[0]).toMatchObject({ balance: '147', overdue: '140', aging: { over_90: '80' } });
  });

});

describe('provider payments and concurrency', () => {
  it('the same provider payment is recorded once', async () => {
    const account = await payer(admin);
    const inv = await postedInvoice(server, admin, { product, account, cents: 2_500 });
    const ctx = { platform: server.platform, actor: systemActor('api') };
    const args = { ctx, input: { account, amount: '25.00', currency: 'USD', method: 'card' as const }, provider: { name: 'test', paymentId: `pi_${Date.now()}` } };
    const [a, b] = await Promise.all([recordPayment(args).catch((e) => e), recordPayment(args).catch((e) => e)]);
    const results = [a, b].filter((r) => r && 'payment' in r);
    if (results.length < 2) console.error([a, b].map((e) => e?.cause ?? e));
    expect(results.length).toBe(2);
    expect(results.filter((r) => r.duplicate)).toHaveLength(1);
    expect(await count('obj_payment', account)).toBe(1);
    expect((await invoiceOf(admin, inv.id)).status).toBe('paid');
  });

  it('two payments of one account at once never over-allocate an invoice', async () => {
    const account = await payer(admin);
    const inv = await postedInvoice(server, admin, { product, account, cents: 10_000 });
    const results = await Promise.all([pay(admin, { account, amount: 70 }), pay(admin, { account, amount: 70 })]);
    expect(results.map((r) => r.status), results.map((r) => r.text).join('\n')).toEqual([201, 201]);
    expect(await invoiceOf(admin, inv.id)).toMatchObject({ status: 'paid', paid_total: 100, open_amount: 0 });
    const credits = results.map((r) => r.body.payment.unallocated_amount).sort();
    expect(credits).toEqual([0, 40]);
  });

  it.runIf(Boolean(process.env.DATABASE_URL))('PostgreSQL: an allocation waiting for its account holds no lock on the payment (the credit handler takes the account first)', async () => {
    const account = await payer(admin);
    const inv = await postedInvoice(server, admin, { product, account, cents: 1_000 });
    await dispatched(server, inv.id, 'invoice.posted');
    const credit = await pay(admin, { account, amount: 30, allocations: [{ invoice: inv.id, amount: 1 }] });
    expect(credit.status, credit.text).toBe(201);
    const payment = credit.body.payment.id as string;
    const db = server.platform.db;
    let allocating: ReturnType<typeof admin.request> | undefined;
    await db.transaction().execute(async (trx) => {
      // Holds the account as the credit handler does, then wants the payment, as it does next.
      await sql`SELECT id FROM obj_account WHERE id = ${account}::uuid FOR UPDATE`.execute(trx);
      allocating = admin.request('POST', `/api/v1/payments/${payment}/allocate`, { body: {} });
      await waitFor(async () => (await sql<{ n: number }>`SELECT count(*)::int AS n FROM pg_stat_activity
        WHERE datname = current_database() AND wait_event_type = 'Lock' AND query LIKE '%obj_account%'`.execute(db)).rows[0]!.n > 0 || null, 'the allocation to wait for the account');
      // Locking the payment first, the allocation would hold it here: a deadlock.
      const locked = await sql<{ id: string }>`SELECT id FROM obj_payment WHERE id = ${payment}::uuid FOR UPDATE NOWAIT`.execute(trx);
      expect(locked.rows).toHaveLength(1);
    });
    const done = await allocating!;
    expect(done.status, done.text).toBe(200);
    expect(done.body.payment).toMatchObject({ allocated_amount: 10, unallocated_amount: 20 });
  });
});

describe('access (last: it makes invoices, payments and accounts private)', () => {
  it("a rep's balance counts only the invoices and payments they may read; a hidden account is a 404", async () => {
    for (const object of ['account', 'invoice', 'payment']) {
      expect((await admin.request('PUT', `/api/v1/sharing-settings/${object}`, { body: { sharing: 'private' } })).status).toBe(200);
    }
    const rep = await server.createUser();
    const account = (await rep.request('POST', '/api/v1/account', { body: { name: `Rep account ${Date.now()}`, currency: 'USD' } })).body.id as string;
    await postedInvoice(server, admin, { product, account, cents: 1_000 });
    await postedInvoice(server, rep, { product, account, cents: 2_000 });
    const mine = await rep.request('GET', `/api/v1/accounts/${account}/balance`);
    expect(mine.status, mine.text).toBe(200);
    expect(mine.body.currencies[0]).toMatchObject({ invoiced: '20', open: '20', balance: '20' });
    expect((await admin.request('GET', `/api/v1/accounts/${account}/balance`)).body.currencies[0]).toMatchObject({ invoiced: '30', balance: '30' });
    const theirs = await payer(admin);
    expect((await rep.request('GET', `/api/v1/accounts/${theirs}/balance`)).status).toBe(404);
    expect((await pay(rep, { account: theirs, amount: 10 })).status).toBe(404);
  });
});
