import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getTestServer, type TestServer, type TestUser } from '../server.ts';
import { buildAccount, buildRecord } from '../factories.ts';
import { centProduct, pay, postedInvoice } from '../payments/setup.ts';

/**
 * The cash reports (issue 13 item 8, docs/cash-reports.md): aging, DSO, cash collected and revenue
 * by account tree, exact and under the reader's access. Reports sum every account the reader can
 * see, so each test works in a currency of its own (the reports never add currencies together).
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

const day = (offset = 0) => {
  const d = new Date();
  d.setUTCDate(d.getUTCDate() + offset);
  return d.toISOString().slice(0, 10);
};
const get = async (user: TestUser, url: string) => {
  const res = await user.request('GET', url);
  expect(res.status, res.text).toBe(200);
  return res.body;
};
const db = () => server.platform.db;

/** A standard price book in `currency` pricing the cent product at 0.01. */
async function bookIn(currency: string) {
  const book = await buildRecord(admin, 'price_book', { name: `Cash ${currency} ${Math.random().toString(36).slice(2, 6)}`, currency, is_standard: true });
  await buildRecord(admin, 'price_book_entry', { price_book: book.id, product, unit_price: '0.01' });
}
const accountIn = (currency: string, extra: Record<string, unknown> = {}) =>
  buildAccount(admin, { name: `Cash ${currency} ${Math.random().toString(36).slice(2, 7)}`, currency, ...extra }).then((a) => a.id as string);

/** A posted invoice of `cents` in the account's currency, dated and due as given (set in the database: posting dates it today). */
async function invoice(user: TestUser, args: { account: string; cents: number; currency: string; invoiceDate?: string; dueDate?: string }) {
  const made = await user.request('POST', '/api/v1/invoices', { body: { invoice: { account: args.account, currency: args.currency }, lines: [{ product, quantity: args.cents }] } });
  expect(made.status, made.text).toBe(201);
  const posted = await user.request('POST', `/api/v1/invoices/${made.body.invoice.id}/post`, { body: {} });
  expect(posted.status, posted.text).toBe(200);
  const id = made.body.invoice.id as string;
  if (args.invoiceDate) await sql`UPDATE obj_invoice SET invoice_date = ${args.invoiceDate}::date WHERE id = ${id}::uuid`.execute(db());
  if (args.dueDate) await sql`UPDATE obj_invoice SET due_date = ${args.dueDate}::date WHERE id = ${id}::uuid`.execute(db());
  return id;
}

describe('aging', () => {
  it('buckets open amounts exactly at the boundaries (0, 1, 30, 31, 60, 61, 90, 91 days late), now and as of a past day', async () => {
    await bookIn('CHF');
    const account = await accountIn('CHF');
    const late = [0, 1, 30, 31, 60, 61, 90, 91];
    // amounts 1, 2, 4 … 128 CHF: every bucket's sum names its invoices
    const ids: string[] = [];
    for (const [i, k] of late.entries()) ids.push(await invoice(admin, { account, currency: 'CHF', cents: 100 * 2 ** i, invoiceDate: day(-k - 10), dueDate: day(-k) }));
    const now = await get(admin, `/api/v1/reports/aging?asOf=${day()}&currency=CHF`);
    expect(now.historical).toBe(false);
    const buckets = { current: '1', days_1_30: '6', days_31_60: '24', days_61_90: '96', over_90: '128' };
    expect(now.currencies).toEqual([{ currency: 'CHF', accounts: 1, invoices: 8, total: '255', buckets }]);
    expect(now.rows).toEqual([{ account, name: expect.stringMatching(/^Cash CHF/), currency: 'CHF', invoices: 8, total: '255', buckets }]);

    // 4.50 paid today on the invoice 1 day late (2 CHF … oldest first would pick the 91-day one: allocate by hand)
    const paid = await pay(admin, { account, amount: '1.50', currency: 'CHF', allocations: [{ invoice: ids[1], amount: '1.50' }] });
    expect(paid.status, paid.text).toBe(201);
    const after = await get(admin, `/api/v1/reports/aging?asOf=${day()}&currency=CHF`);
    expect(after.currencies[0]).toMatchObject({ total: '253.5', buckets: { ...buckets, days_1_30: '4.5' } });
    // As of 5 days ago: rebuilt from history (the payment is not there yet; the invoice 0 and 1 days late were not due)
    const past = await get(admin, `/api/v1/reports/aging?asOf=${day(-5)}&currency=CHF`);
    expect(past.historical).toBe(true);
    // lateness is 5 days less: 0→current, 1→current, 30→25, 31→26, 60→55, 61→56, 90→85, 91→86
    expect(past.currencies[0]).toMatchObject({ total: '255', buckets: { current: '3', days_1_30: '12', days_31_60: '48', days_61_90: '192', over_90: '0' } });
    // An invoice dated after the day is not counted
    expect((await get(admin, `/api/v1/reports/aging?asOf=${day(-11)}&currency=CHF`)).currencies[0]).toMatchObject({ invoices: 7, total: '254' });
  });

  it('pages per account by keyset, largest first, totals over all', async () => {
    await bookIn('AUD');
    const accounts = [await accountIn('AUD'), await accountIn('AUD'), await accountIn('AUD')];
    for (const [i, account] of accounts.entries()) await invoice(admin, { account, currency: 'AUD', cents: 1000 * (i + 1) });
    const first = await get(admin, '/api/v1/reports/aging?currency=AUD&limit=2');
    expect(first.rows.map((r: any) => [r.account, r.total])).toEqual([[accounts[2], '30'], [accounts[1], '20']]);
    expect(first.currencies[0]).toMatchObject({ accounts: 3, total: '60' });
    const second = await get(admin, `/api/v1/reports/aging?currency=AUD&limit=2&cursor=${first.nextCursor}`);
    expect(second.rows.map((r: any) => r.account)).toEqual([accounts[0]]);
    expect(second.nextCursor).toBeNull();
    expect((await admin.request('GET', '/api/v1/reports/aging?cursor=nonsense')).status).toBe(422);
  });
});

describe('DSO', () => {
  it('a constructed month: receivables at month end ÷ credit sales × days, monthly and trailing three months', async () => {
    await bookIn('SEK');
    const account = await accountIn('SEK');
    // 2025-03 (31 days): invoiced 1000 + 500, a credit note of 100 → credit sales 1400.
    const a = await invoice(admin, { account, currency: 'SEK', cents: 100_000, invoiceDate: '2025-03-05' });
    await invoice(admin, { account, currency: 'SEK', cents: 50_000, invoiceDate: '2025-03-20' });
    const lines = (await admin.request('GET', `/api/v1/invoices/${a}`)).body.lines;
    const credit = await admin.request('POST', `/api/v1/invoices/${a}/credit`, { body: { lines: [{ invoiceLine: lines[0].id, quantity: 10_000 }], reason: 'Price' } });
    expect(credit.status, credit.text).toBeLessThan(300);
    const creditNote = credit.body.creditNote.id as string;
    await sql`UPDATE obj_invoice SET invoice_date = '2025-03-25' WHERE id = ${creditNote}::uuid`.execute(db());
    // Paid 600 on invoice a: 400 allocated in March, 200 in April; so receivables at March end: 1500 − 100 − 400 = 1000.
    const p1 = await pay(admin, { account, amount: '400', currency: 'SEK', payment_date: '2025-03-28', allocations: [{ invoice: a, amount: '400' }] });
    expect(p1.status, p1.text).toBe(201);
    const p2 = await pay(admin, { account, amount: '200', currency: 'SEK', payment_date: '2025-04-10', allocations: [{ invoice: a, amount: '200' }] });
    expect(p2.status, p2.text).toBe(201);
    // February: 310 invoiced (28 days), fully paid in February.
    const feb = await invoice(admin, { account, currency: 'SEK', cents: 31_000, invoiceDate: '2025-02-10' });
    const p3 = await pay(admin, { account, amount: '310', currency: 'SEK', payment_date: '2025-02-20', allocations: [{ invoice: feb, amount: '310' }] });
    expect(p3.status, p3.text).toBe(201);
    await sql`UPDATE obj_payment_allocation SET allocated_on = p.payment_date FROM obj_payment p WHERE p.id = obj_payment_allocation.payment_id AND p.id IN (${p1.body.payment.id}::uuid, ${p2.body.payment.id}::uuid, ${p3.body.payment.id}::uuid)`.execute(db());

    const trend = await get(admin, '/api/v1/reports/dso?from=2025-02&to=2025-04');
    expect(trend.formula).toMatch(/receivables .* ÷ credit sales .* × days/);
    const sek = trend.currencies.find((c: any) => c.currency === 'SEK');
    expect(sek.months.map((m: any) => m.month)).toEqual(['2025-02', '2025-03', '2025-04']);
    expect(sek.months[0]).toMatchObject({ days: 28, receivables: '0', creditSales: '310', dso: 0 });
    // 1000 / 1400 × 31 = 22.142… → 22.1; trailing: 1000 / (0 + 310 + 1400) × (31 + 28 + 31 = 90)… January has no sales: 1000/1710 × 90 = 52.6
    expect(sek.months[1]).toMatchObject({ days: 31, receivables: '1000', invoiced: '1500', credited: '100', creditSales: '1400', dso: 22.1, dso3: 52.6 });
    // April: no credit sales → no DSO; receivables 800
    expect(sek.months[2]).toMatchObject({ days: 30, receivables: '800', creditSales: '0', dso: null });

    // Per account, over the 90 days to 2025-03-31: (1000 ÷ (310 + 1400)) × 90 = 52.6
    const acc = await get(admin, `/api/v1/accounts/${account}/dso?asOf=2025-03-31`);
    expect(acc).toMatchObject({ from: '2025-01-01', to: '2025-03-31', days: 90 });
    expect(acc.currencies).toEqual([{ currency: 'SEK', receivables: '1000', invoiced: '1810', credited: '100', creditSales: '1710', days: 90, dso: 52.6 }]);
    const table = await get(admin, '/api/v1/reports/dso/accounts?asOf=2025-03-31&days=90');
    expect(table.rows.find((r: any) => r.account === account)).toMatchObject({ currency: 'SEK', receivables: '1000', dso: 52.6 });
    // A reversal dated after the month end leaves March alone and puts the 200 back in the month it happened.
    expect((await admin.request('POST', `/api/v1/payments/${p2.body.payment.id}/reverse`, { body: { reason: 'Bounced' } })).status).toBe(200);
    await sql`UPDATE obj_payment_allocation SET reversed_at = '2025-04-20T10:00:00Z' WHERE payment_id = ${p2.body.payment.id}::uuid`.execute(db());
    const again = (await get(admin, '/api/v1/reports/dso?from=2025-03&to=2025-04')).currencies.find((c: any) => c.currency === 'SEK');
    expect(again.months.map((m: any) => m.receivables)).toEqual(['1000', '1000']);
  });
});

describe('cash collected', () => {
  it('nets refunds and reversals in the periods they happened', async () => {
    const account = await accountIn('NOK');
    const p1 = await pay(admin, { account, amount: '100', currency: 'NOK', payment_date: '2025-01-10' });
    expect(p1.status, p1.text).toBe(201);
    const p2 = await pay(admin, { account, amount: '40.55', currency: 'NOK', payment_date: '2025-01-20' });
    expect((await admin.request('POST', `/api/v1/payments/${p1.body.payment.id}/refund`, { body: { amount: '15.10', refund_date: '2025-02-05' } })).status).toBe(200);
    expect((await admin.request('POST', `/api/v1/payments/${p2.body.payment.id}/reverse`, { body: {} })).status).toBe(200);
    await sql`UPDATE obj_payment SET reversed_at = '2025-03-03T12:00:00Z' WHERE id = ${p2.body.payment.id}::uuid`.execute(db());
    const months = await get(admin, '/api/v1/reports/cash-collected?from=2025-01-01&to=2025-03-31&period=month&currency=NOK');
    expect(months.currencies).toHaveLength(1);
    const nok = months.currencies[0];
    expect(nok).toMatchObject({ currency: 'NOK', received: '140.55', refunded: '15.1', reversed: '40.55', net: '84.9' });
    expect(nok.periods.map((p: any) => [p.period, p.received, p.refunded, p.reversed, p.net, p.payments])).toEqual([
      ['2025-01', '140.55', '0', '0', '140.55', 2], ['2025-02', '0', '15.1', '0', '-15.1', 0], ['2025-03', '0', '0', '40.55', '-40.55', 0],
    ]);
    const weeks = await get(admin, '/api/v1/reports/cash-collected?from=2025-01-06&to=2025-01-26&period=week&currency=NOK');
    expect(weeks.currencies[0].periods.map((p: any) => [p.period, p.received])).toEqual([['2025-01-06', '100'], ['2025-01-13', '0'], ['2025-01-20', '40.55']]);
  });
});

describe('revenue by account tree', () => {
  it('rolls children up to their top-level account and expands one level down', async () => {
    await bookIn('DKK');
    const root = await accountIn('DKK');
    const child = await accountIn('DKK', { parent_account: root });
    const grandchild = await accountIn('DKK', { parent_account: child });
    const other = await accountIn('DKK');
    await invoice(admin, { account: root, currency: 'DKK', cents: 10_000, invoiceDate: '2025-05-02' });
    await invoice(admin, { account: child, currency: 'DKK', cents: 20_000, invoiceDate: '2025-05-03' });
    const g = await invoice(admin, { account: grandchild, currency: 'DKK', cents: 40_000, invoiceDate: '2025-05-04' });
    await invoice(admin, { account: other, currency: 'DKK', cents: 5_000, invoiceDate: '2025-05-04' });
    await invoice(admin, { account: other, currency: 'DKK', cents: 99_900, invoiceDate: '2025-07-01' }); // outside the period
    const voided = await admin.request('POST', `/api/v1/invoices/${g}/void`, { body: { reason: 'Wrong customer' } });
    expect(voided.status, voided.text).toBe(200);
    await sql`UPDATE obj_invoice SET invoice_date = '2025-05-10' WHERE credited_invoice_id = ${g}::uuid`.execute(db());
    const top = await get(admin, '/api/v1/reports/revenue-by-account-tree?from=2025-05-01&to=2025-05-31&currency=DKK');
    expect(top.totals).toEqual([{ currency: 'DKK', invoiced: '750', credited: '400', revenue: '350' }]);
    expect(top.rows.map((r: any) => [r.account, r.invoiced, r.credited, r.revenue, r.accounts, r.hasChildren])).toEqual([
      [root, '700', '400', '300', 3, true], [other, '50', '0', '50', 1, false],
    ]);
    const down = await get(admin, `/api/v1/reports/revenue-by-account-tree?from=2025-05-01&to=2025-05-31&currency=DKK&parent=${root}`);
    expect(down.rows.map((r: any) => [r.account, r.revenue, r.own, r.hasChildren])).toEqual([[child, '200', false, true], [root, '100', true, false]]);
    expect(down.totals[0]).toMatchObject({ revenue: '300' });
  });
});

describe('currencies', () => {
  it('are never added together', async () => {
    await bookIn('EUR');
    const account = await accountIn('EUR');
    const usd = await buildAccount(admin, { name: `Cash USD ${Date.now()}`, currency: 'USD' }).then((a) => a.id as string);
    await invoice(admin, { account, currency: 'EUR', cents: 1_234, invoiceDate: '2024-06-03' });
    await invoice(admin, { account: usd, currency: 'USD', cents: 4_321, invoiceDate: '2024-06-04' });
    const rev = await get(admin, '/api/v1/reports/revenue-by-account-tree?from=2024-06-01&to=2024-06-30');
    expect(rev.totals).toEqual([{ currency: 'EUR', invoiced: '12.34', credited: '0', revenue: '12.34' }, { currency: 'USD', invoiced: '43.21', credited: '0', revenue: '43.21' }]);
    const aging = await get(admin, `/api/v1/reports/aging?asOf=${day(365)}`);
    for (const c of aging.currencies) for (const r of aging.rows.filter((x: any) => x.currency === c.currency)) expect(r.currency).toBe(c.currency);
    expect(new Set(aging.currencies.map((c: any) => c.currency)).size).toBe(aging.currencies.length);
    const dso = await get(admin, '/api/v1/reports/dso?from=2024-06&to=2024-06');
    expect(dso.currencies.find((c: any) => c.currency === 'EUR').months[0]).toMatchObject({ creditSales: '12.34' });
  });
});

describe('access (last: it makes invoices, payments and accounts private)', () => {
  it("a rep's reports count only the invoices and payments they may read", async () => {
    for (const object of ['account', 'invoice', 'payment']) {
      expect((await admin.request('PUT', `/api/v1/sharing-settings/${object}`, { body: { sharing: 'private' } })).status).toBe(200);
    }
    const rep = await server.createUser();
    const account = (await rep.request('POST', '/api/v1/account', { body: { name: `Rep account ${Date.now()}`, currency: 'USD' } })).body.id as string;
    await postedInvoice(server, admin, { product, account, cents: 1_000 });
    const mine = await postedInvoice(server, rep, { product, account, cents: 2_000, dueDate: day(-45) });
    const theirs = await buildAccount(admin, { name: `Admin account ${Date.now()}`, currency: 'USD' }).then((a) => a.id as string);
    await postedInvoice(server, admin, { product, account: theirs, cents: 7_000 });
    expect((await pay(rep, { account, amount: 5, allocations: [{ invoice: mine.id, amount: 5 }] })).status).toBe(201);
    expect((await pay(admin, { account: theirs, amount: 3 })).status).toBe(201);

    const aging = await get(rep, `/api/v1/reports/aging?asOf=${day()}`);
    expect(aging.currencies).toEqual([{ currency: 'USD', accounts: 1, invoices: 1, total: '15', buckets: { current: '0', days_1_30: '0', days_31_60: '15', days_61_90: '0', over_90: '0' } }]);
    expect(aging.rows.map((r: any) => r.account)).toEqual([account]);
    const adminAging = await get(admin, `/api/v1/reports/aging?asOf=${day()}&currency=USD`);
    expect(adminAging.rows.map((r: any) => r.account)).toEqual(expect.arrayContaining([account, theirs]));

    const cash = await get(rep, `/api/v1/reports/cash-collected?from=${day(-1)}&to=${day()}`);
    expect(cash.currencies.map((c: any) => [c.currency, c.received])).toEqual([['USD', '5']]);
    const rev = await get(rep, `/api/v1/reports/revenue-by-account-tree?from=${day(-60)}&to=${day()}`);
    expect(rev.totals).toEqual([{ currency: 'USD', invoiced: '20', credited: '0', revenue: '20' }]);
    const dso = await get(rep, `/api/v1/reports/dso?from=${day().slice(0, 7)}&to=${day().slice(0, 7)}`);
    expect(dso.currencies.map((c: any) => [c.currency, c.months.at(-1).receivables])).toEqual([['USD', '15']]);
    const accDso = await get(rep, `/api/v1/accounts/${account}/dso`);
    expect(accDso.currencies[0]).toMatchObject({ receivables: '15', creditSales: '20' });
    expect((await rep.request('GET', `/api/v1/accounts/${theirs}/dso`)).status).toBe(404);
    const table = await get(rep, '/api/v1/reports/dso/accounts');
    expect(table.rows.map((r: any) => r.account)).toEqual([account]);
  });
});
