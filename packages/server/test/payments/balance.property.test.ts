import fc from 'fast-check';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getTestServer, type TestServer, type TestUser } from '../server.ts';
import { Decimal } from '../../src/modules/billing/index.ts';
import { centProduct, pay, payer, postedInvoice } from './setup.ts';

/**
 * Random sequences of invoices, payments (oldest first, by hand, or all credit), credit notes,
 * refunds and reversals on one account, through the API. After every sequence, from the numeric
 * columns: the account's balance is invoices − credit notes − payments + refunds, the same as
 * Σ open − Σ credit and as the balance route says; no invoice is ever allocated more than its
 * total less its credit notes; each invoice's paid total is exactly its live allocations; each
 * payment's amount is exactly allocated + unallocated + refunded. Refused steps change nothing.
 */
let server: TestServer;
let admin: TestUser;
let product: string;

beforeAll(async () => {
  server = await getTestServer();
  admin = server.admin;
  product = await centProduct(server);
}, 120_000);
afterAll(async () => server?.close());

const step = fc.oneof(
  fc.record({ kind: fc.constant('invoice' as const), cents: fc.integer({ min: 1, max: 50_000 }) }),
  fc.record({ kind: fc.constant('pay' as const), cents: fc.integer({ min: 1, max: 60_000 }), mode: fc.constantFrom('auto', 'none', 'hand') }),
  fc.record({ kind: fc.constant('credit' as const), pick: fc.nat() }),
  fc.record({ kind: fc.constant('refund' as const), pick: fc.nat(), share: fc.integer({ min: 1, max: 120 }) }),
  fc.record({ kind: fc.constant('reverse' as const), pick: fc.nat() }),
  fc.record({ kind: fc.constant('allocate' as const), pick: fc.nat() }),
);

const cents = (n: number) => new Decimal(n).dividedBy(100).toFixed(2);

async function figures(account: string) {
  const db = server.platform.db;
  const one = async (q: ReturnType<typeof sql<{ v: string }>>) => new Decimal((await q.execute(db)).rows[0]?.v ?? 0);
  const invoiced = await one(sql<{ v: string }>`SELECT coalesce(sum(total), 0)::text AS v FROM obj_invoice WHERE account_id = ${account}::uuid AND kind = 'invoice' AND status <> 'draft' AND deleted_at IS NULL`);
  const credited = await one(sql<{ v: string }>`SELECT coalesce(sum(total), 0)::text AS v FROM obj_invoice WHERE account_id = ${account}::uuid AND kind = 'credit_note' AND status <> 'draft' AND deleted_at IS NULL`);
  const paid = await one(sql<{ v: string }>`SELECT coalesce(sum(amount), 0)::text AS v FROM obj_payment WHERE account_id = ${account}::uuid AND status = 'received'`);
  const refunded = await one(sql<{ v: string }>`SELECT coalesce(sum(amount), 0)::text AS v FROM obj_payment_refund WHERE account_id = ${account}::uuid`);
  const open = await one(sql<{ v: string }>`SELECT coalesce(sum(open_amount), 0)::text AS v FROM obj_invoice WHERE account_id = ${account}::uuid AND kind = 'invoice' AND status IN ('posted', 'partially_paid')`);
  const credit = await one(sql<{ v: string }>`SELECT coalesce(sum(unallocated_amount), 0)::text AS v FROM obj_payment WHERE account_id = ${account}::uuid AND status = 'received'`);
  return { balance: invoiced.minus(credited).minus(paid).plus(refunded), open, credit };
}

async function checkInvariants(account: string) {
  const db = server.platform.db;
  const over = await sql<Record<string, string>>`SELECT i.number, i.total::text, i.credited_total::text, i.paid_total::text, i.open_amount::text,
      (SELECT coalesce(sum(a.amount), 0) FROM obj_payment_allocation a WHERE a.invoice_id = i.id AND a.reversed_at IS NULL)::text AS allocated
    FROM obj_invoice i WHERE i.account_id = ${account}::uuid AND i.kind = 'invoice' AND i.status <> 'draft'`.execute(db);
  for (const row of over.rows) {
    const [total, credited, paid, open, allocated] = [row.total, row.credited_total, row.paid_total, row.open_amount, row.allocated].map((v) => new Decimal(v ?? 0));
    expect(paid!.equals(allocated!), JSON.stringify(row)).toBe(true);
    expect(paid!.lte(total!.minus(credited!)), JSON.stringify(row)).toBe(true);
    expect(open!.equals(total!.minus(credited!).minus(paid!)), JSON.stringify(row)).toBe(true);
    expect(open!.gte(0), JSON.stringify(row)).toBe(true);
  }
  const payments = await sql<Record<string, string>>`SELECT p.name, p.status, p.amount::text, p.allocated_amount::text, p.unallocated_amount::text, p.refunded_amount::text,
      (SELECT coalesce(sum(a.amount), 0) FROM obj_payment_allocation a WHERE a.payment_id = p.id AND a.reversed_at IS NULL)::text AS live
    FROM obj_payment p WHERE p.account_id = ${account}::uuid`.execute(db);
  for (const row of payments.rows) {
    const [amount, allocated, unallocated, refunded, live] = [row.amount, row.allocated_amount, row.unallocated_amount, row.refunded_amount, row.live].map((v) => new Decimal(v ?? 0));
    expect(allocated!.equals(live!), JSON.stringify(row)).toBe(true);
    if (row.status === 'received') expect(amount!.equals(allocated!.plus(unallocated!).plus(refunded!)), JSON.stringify(row)).toBe(true);
    expect(unallocated!.gte(0), JSON.stringify(row)).toBe(true);
  }
  const f = await figures(account);
  expect(f.balance.equals(f.open.minus(f.credit)), JSON.stringify(f)).toBe(true);
  const route = await admin.request('GET', `/api/v1/accounts/${account}/balance`);
  expect(route.status, route.text).toBe(200);
  const usd = route.body.currencies.find((c: { currency: string }) => c.currency === 'USD');
  expect(new Decimal(usd?.balance ?? 0).equals(f.balance), `${JSON.stringify(usd)} vs ${f.balance}`).toBe(true);
}

describe('balances (property, through the API and the database)', () => {
  it('balance = invoices − credit notes − payments + refunds, and no invoice is ever over-allocated', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(step, { minLength: 2, maxLength: 9 }), async (steps) => {
        const account = await payer(admin, 'Property');
        const invoices: string[] = [];
        const payments: string[] = [];
        for (const s of steps) {
          const before = await figures(account);
          let res: { status: number; text: string; body: any } | null = null;
          if (s.kind === 'invoice') {
            invoices.push((await postedInvoice(server, admin, { product, account, cents: s.cents })).id);
            continue;
          }
          if (s.kind === 'pay') {
            const open = invoices.length ? invoices[s.cents % invoices.length]! : null;
            const body = s.mode === 'hand' && open ? { allocations: [{ invoice: open, amount: cents(Math.max(1, s.cents % 5_000)) }] } : s.mode === 'none' ? { allocate: 'none' } : {};
            res = await pay(admin, { account, amount: cents(s.cents), ...body });
            if (res.status === 201) payments.push(res.body.payment.id);
          } else if (s.kind === 'credit' && invoices.length) {
            res = await admin.request('POST', `/api/v1/invoices/${invoices[s.pick % invoices.length]}/credit`, { body: { full: true } });
          } else if (s.kind === 'refund' && payments.length) {
            const id = payments[s.pick % payments.length]!;
            const p = (await admin.request('GET', `/api/v1/payment/${id}`)).body;
            const amount = new Decimal(p.unallocated_amount ?? 0).times(s.share).dividedBy(100).toDecimalPlaces(2, Decimal.ROUND_DOWN);
            if (amount.lte(0)) continue;
            res = await admin.request('POST', `/api/v1/payments/${id}/refund`, { body: { amount: amount.toFixed(2) } });
          } else if (s.kind === 'reverse' && payments.length) {
            res = await admin.request('POST', `/api/v1/payments/${payments[s.pick % payments.length]}/reverse`, { body: {} });
          } else if (s.kind === 'allocate' && payments.length) {
            res = await admin.request('POST', `/api/v1/payments/${payments[s.pick % payments.length]}/allocate`, { body: {} });
          }
          if (res && res.status >= 400) {
            // A refusal is a clear 4xx and changes nothing.
            expect([409, 422], res.text).toContain(res.status);
            const after = await figures(account);
            expect(after.balance.equals(before.balance) && after.open.equals(before.open) && after.credit.equals(before.credit)).toBe(true);
          }
        }
        await checkInvariants(account);
      }),
      { numRuns: 12 },
    );
  }, 600_000);
});
