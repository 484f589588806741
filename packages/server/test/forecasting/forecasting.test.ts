import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import { getTestServer, type TestServer, type TestUser } from '../server.ts';
import { buildAccount, buildAny, buildOpportunity } from '../factories.ts';
import { modules } from '../../src/modules/index.ts';
import { classifyRevenue, splitDeal } from '../../src/modules/forecasting/index.ts';
import { Decimal, forgetRates } from '../../src/modules/billing/index.ts';

/**
 * Forecasts (issue 16 item 7), rolled up the role hierarchy:
 *   sales_director ─┬─ sales_east (east)
 *                   └─ sales_west (west)
 * Opportunities and accounts are private: a rep sees their own, the director both reps'.
 */
let server: TestServer;
let admin: TestUser;
let director: TestUser;
let east: TestUser;
let west: TestUser;

const ok = <R extends { status: number; text: string }>(res: R, status = 200): R => {
  expect(res.status, res.text).toBe(status);
  return res;
};
const forecast = async (user: TestUser, from: string, count = 1) => ok(await user.request('GET', `/api/v1/forecasting/forecast?from=${from}&count=${count}`)).body;
const cell = (f: any, user: TestUser, period: string) => f.cells.find((c: any) => c.user === user.id && c.period === period);

beforeAll(async () => {
  server = await getTestServer();
  admin = server.admin;
  ok(await admin.request('POST', '/api/v1/roles', { body: { name: 'sales_director', label: 'Sales director' } }), 201);
  ok(await admin.request('POST', '/api/v1/roles', { body: { name: 'sales_east', label: 'Sales East', parent: 'sales_director' } }), 201);
  ok(await admin.request('POST', '/api/v1/roles', { body: { name: 'sales_west', label: 'Sales West', parent: 'sales_director' } }), 201);
  ok(await admin.request('POST', '/api/v1/profiles', { body: { name: 'sales_rep', label: 'Sales rep', permissions: { default: { read: true, create: true, edit: true, delete: true } } } }), 201);
  ok(await admin.request('PUT', '/api/v1/sharing-settings/opportunity', { body: { sharing: 'private' } }));
  ok(await admin.request('PUT', '/api/v1/sharing-settings/account', { body: { sharing: 'private' } }));
  const make = async (role: string) => {
    const u = await server.createUser();
    ok(await admin.request('PATCH', `/api/v1/user/${u.id}`, { body: { role, profile: 'sales_rep' } }));
    return u;
  };
  director = await make('sales_director');
  east = await make('sales_east');
  west = await make('sales_west');
  // East, January 2027: won 1000, commit 2000 (75 %), best case 500.50 (50 %); February: pipeline 300 (10 %).
  await buildOpportunity(east, { stage: 'closed_won', amount: '1000', close_date: '2027-01-10' });
  await buildOpportunity(east, { stage: 'negotiation', amount: '2000', close_date: '2027-01-20' });
  await buildOpportunity(east, { stage: 'proposal', amount: '500.50', close_date: '2027-01-31' });
  await buildOpportunity(east, { stage: 'prospecting', amount: '300', close_date: '2027-02-01' });
  // West, January: partially won 3000.10 of 4000.
  await buildOpportunity(west, { stage: 'partially_won', amount: '4000', won_amount: '3000.10', close_date: '2027-01-05' });
  // The admin's own deal is nobody's subordinate's.
  await buildOpportunity(admin, { stage: 'closed_won', amount: '999', close_date: '2027-01-05' });
});
afterAll(async () => server?.close());

describe('forecast by period and owner', () => {
  it('gives a rep their own numbers and nothing of their peers', async () => {
    const f = await forecast(east, '2027-01', 2);
    expect(f.periods).toEqual(['2027-01', '2027-02']);
    expect(f.users.map((u: any) => u.id)).toEqual([east.id]);
    expect(cell(f, east, '2027-01').own).toMatchObject({ closed: '1000.00', commit: '2000.00', bestCase: '500.50', pipeline: '0.00', weighted: '1750.25', forecast: '3000.00', quota: null, attainment: null });
    expect(cell(f, east, '2027-02').own).toMatchObject({ pipeline: '300.00', weighted: '30.00', forecast: '0.00' });
    // A sharing rule that opens west's deals to east's role does not put west in east's forecast.
    ok(await admin.request('POST', '/api/v1/sharing-rules', { body: { object: 'opportunity', name: 'all_to_east', condition: { field: 'amount', op: 'gte', value: 0 }, shareWithType: 'role', shareWith: 'sales_east', access: 'read' } }), 201);
    const again = await forecast(east, '2027-01');
    expect(again.users.map((u: any) => u.id)).toEqual([east.id]);
    expect(cell(again, east, '2027-01').team.closed).toBe('1000.00');
    expect((await east.request('GET', `/api/v1/forecasting/adjustments?user=${west.id}&period=2027-01`)).body.data).toEqual([]);
  });

  it('rolls subordinates up into their manager, exactly', async () => {
    const f = await forecast(director, '2027-01');
    expect(new Set(f.users.map((u: any) => u.id))).toEqual(new Set([director.id, east.id, west.id]));
    const top = cell(f, director, '2027-01');
    expect(top.own.closed).toBe('0.00');
    expect(top.team).toMatchObject({ closed: '4000.10', commit: '2000.00', bestCase: '500.50', weighted: '1750.25', forecast: '6000.10' });
    expect(f.users.find((u: any) => u.id === director.id).team.sort()).toEqual([east.id, west.id].sort());
    // The administrator sees everyone, their own deal included.
    const all = await forecast(admin, '2027-01');
    expect(cell(all, admin, '2027-01').own.closed).toBe('999.00');
  });

  it('keeps quotas per user and period; attainment is closed ÷ quota', async () => {
    ok(await director.request('PUT', '/api/v1/forecasting/quotas', { body: { user: east.id, period: '2027-01', amount: '2000' } }));
    ok(await director.request('PUT', '/api/v1/forecasting/quotas', { body: { user: east.id, period: '2027-02', amount: '1000.50' } }));
    ok(await director.request('PUT', '/api/v1/forecasting/quotas', { body: { user: west.id, period: '2027-01', amount: '6000.20' } }));
    expect(cell(await forecast(east, '2027-01'), east, '2027-01').own).toMatchObject({ quota: '2000.00', attainment: '50.0' });
    const q = cell(await forecast(east, '2027-Q1'), east, '2027-Q1').own;
    expect(q).toMatchObject({ quota: '3000.50', closed: '1000.00', pipeline: '300.00' });
    expect(cell(await forecast(director, '2027-01'), director, '2027-01').team).toMatchObject({ quota: '8000.20', attainment: '50.0' });
    // Nobody sets their own quota, nor a peer's.
    expect((await east.request('PUT', '/api/v1/forecasting/quotas', { body: { user: east.id, period: '2027-01', amount: '1' } })).status).toBe(403);
    expect((await west.request('PUT', '/api/v1/forecasting/quotas', { body: { user: east.id, period: '2027-01', amount: '1' } })).status).toBe(403);
    const bad = await director.request('PUT', '/api/v1/forecasting/quotas', { body: { user: east.id, period: '2027-13', amount: '1' } });
    expect(bad.status).toBe(400);
    expect(bad.body.errors[0].field).toBe('period');
    const negative = await director.request('PUT', '/api/v1/forecasting/quotas', { body: { user: east.id, period: '2027-01', amount: '-5' } });
    expect(negative.body.errors[0].field).toBe('amount');
    expect(cell(await forecast(east, '2027-01'), east, '2027-01').own.quota).toBe('2000.00');
  });

  it("lets a manager adjust a rep's number with a reason, kept as history", async () => {
    const first = ok(await director.request('POST', '/api/v1/forecasting/adjustments', { body: { user: east.id, period: '2027-01', amount: '3500', reason: 'Big order promised' } }), 201).body;
    expect(first).toMatchObject({ amount: '3500.00', computed: '3000.00', reason: 'Big order promised', adjustedBy: director.id });
    let f = await forecast(director, '2027-01');
    expect(cell(f, east, '2027-01').own).toMatchObject({ forecast: '3500.00', computedForecast: '3000.00' });
    expect(cell(f, director, '2027-01').team.forecast).toBe('6500.10');
    ok(await director.request('POST', '/api/v1/forecasting/adjustments', { body: { user: east.id, period: '2027-01', amount: '3200.40', reason: 'Half of it slips' } }), 201);
    // Refused input changes nothing: no reason, a rep adjusting themselves.
    const noReason = await director.request('POST', '/api/v1/forecasting/adjustments', { body: { user: east.id, period: '2027-01', amount: '1', reason: '  ' } });
    expect(noReason.status).toBe(400);
    expect(noReason.body.errors[0].field).toBe('reason');
    expect((await east.request('POST', '/api/v1/forecasting/adjustments', { body: { user: east.id, period: '2027-01', amount: '9', reason: 'me' } })).status).toBe(403);
    const history = ok(await east.request('GET', `/api/v1/forecasting/adjustments?user=${east.id}&period=2027-01`)).body.data;
    expect(history.map((h: any) => [h.amount, h.reason])).toEqual([['3200.40', 'Half of it slips'], ['3500.00', 'Big order promised']]);
    f = await forecast(east, '2027-01');
    expect(cell(f, east, '2027-01').own.adjustment).toMatchObject({ amount: '3200.40', adjustedBy: director.id });
  });
});

describe('the annual three-pillar forecast', () => {
  let old: { id: string };
  let fresh: { id: string };
  let westAccount: { id: string };
  let print: { id: string };

  beforeAll(async () => {
    old = await buildAccount(east, { name: 'Old Customer' });
    fresh = await buildAccount(east, { name: 'New Customer' });
    westAccount = await buildAccount(west, { name: 'West Customer' });
    print = await buildAny(modules, admin, 'product', { product_line: 'print' });
    const signage = await buildAny(modules, admin, 'product', { product_line: 'signage' });
    const book = await buildAny(modules, admin, 'price_book', { is_standard: true, currency: 'USD' });
    for (const p of [print, signage]) await buildAny(modules, admin, 'price_book_entry', { price_book: book.id, product: p.id, unit_price: '100' });
    // Old bought print in 2026; in 2027 it buys print (account management) and signage (upselling).
    const before = await buildOpportunity(east, { account: old.id, stage: 'prospecting', close_date: '2026-06-01' });
    ok(await east.request('POST', '/api/v1/opportunity_line', { body: { opportunity: before.id, product: print.id, quantity: 1, unit_price: '100' } }), 201);
    ok(await east.request('PATCH', `/api/v1/opportunity/${before.id}`, { body: { stage: 'closed_won', close_date: '2026-06-01' } }));
    // Closing moves a future close date to today unless the same write sets another one.
    const mixed = await buildOpportunity(east, { account: old.id, stage: 'prospecting', close_date: '2027-04-30' });
    ok(await east.request('POST', '/api/v1/opportunity_line', { body: { opportunity: mixed.id, product: print.id, quantity: 3, unit_price: '100' } }), 201);
    ok(await east.request('POST', '/api/v1/opportunity_line', { body: { opportunity: mixed.id, product: signage.id, quantity: 1, unit_price: '100' } }), 201);
    ok(await east.request('PATCH', `/api/v1/opportunity/${mixed.id}`, { body: { stage: 'closed_won', close_date: '2027-03-15' } }));
    await buildOpportunity(east, { account: fresh.id, stage: 'closed_won', amount: '750.25', close_date: '2027-02-10' });
  });

  it('classifies won deals by rule: new account, new product line, else account management', async () => {
    const grid = ok(await east.request('GET', '/api/v1/forecasting/pillars?year=2027')).body;
    const row = (id: string) => grid.rows.find((r: any) => r.account === id);
    expect(row(old.id).won.account_management[2]).toBe('300.00');
    expect(row(old.id).won.upselling[2]).toBe('100.00');
    expect(row(old.id).won.new_sales[2]).toBe('0.00');
    expect(row(fresh.id).won.new_sales[1]).toBe('750.25');
    expect(grid.totals.won.all[2]).toBe('400.00');
    // East sees nothing of west's account.
    expect(row(westAccount.id)).toBeUndefined();
  });

  it("classifies invoiced revenue (posted invoices' net lines, through invoicing's export) by the same rule", async () => {
    const buyer = await buildAccount(east, { name: 'Invoiced Customer' });
    const draft = ok(await admin.request('POST', '/api/v1/invoices', { body: { invoice: { account: buyer.id }, lines: [{ product: print.id, quantity: 2, unit_price: '100' }] } }), 201).body;
    const posted = ok(await admin.request('POST', `/api/v1/invoices/${draft.invoice.id}/post`, { body: {} })).body;
    const month = Number(String(posted.invoice_date).slice(5, 7)) - 1;
    const year = Number(String(posted.invoice_date).slice(0, 4));
    const grid = ok(await east.request('GET', `/api/v1/forecasting/pillars?year=${year}`)).body;
    const row = grid.rows.find((r: any) => r.account === buyer.id);
    expect(row.invoiced.new_sales[month]).toBe('200.00');
    expect(row.invoiced.account_management[month]).toBe('0.00');
    // West may not read east's account: nothing of it in west's grid.
    expect((await west.request('GET', `/api/v1/forecasting/pillars?year=${year}`)).body.rows.some((r: any) => r.account === buyer.id)).toBe(false);
  });

  it('the rule itself: new account, new product line, existing line, no product', () => {
    const prior = { accounts: new Set(['a']), lines: new Set(['a|print']) };
    expect(classifyRevenue(prior, 'b', 'print')).toBe('new_sales');
    expect(classifyRevenue(prior, 'a', 'signage')).toBe('upselling');
    expect(classifyRevenue(prior, 'a', 'print')).toBe('account_management');
    expect(classifyRevenue(prior, 'a', null)).toBe('account_management');
    // A partially won deal (1000 of 1500 in lines) splits by line share; the cents left over go to the no-product pillar.
    const split = splitDeal(prior, 'a', new Decimal('1000'), [{ productLine: 'print', total: new Decimal('1000') }, { productLine: 'signage', total: new Decimal('500') }]);
    expect(split.get('account_management')!.toFixed(2)).toBe('666.67');
    expect(split.get('upselling')!.toFixed(2)).toBe('333.33');
    expect([...split.values()].reduce((t, d) => t.plus(d), new Decimal(0)).toFixed(2)).toBe('1000.00');
  });

  it('saves plan cells in one transaction, with totals; a bad cell writes nothing', async () => {
    const cells = Array.from({ length: 12 }, (_, i) => ({ account: fresh.id, month: i + 1, pillar: 'new_sales', amount: '100.10' }));
    ok(await east.request('PUT', '/api/v1/forecasting/pillars', { body: { year: 2027, cells: [...cells, { account: old.id, month: 1, pillar: 'upselling', amount: 50 }] } }));
    const bad = await east.request('PUT', '/api/v1/forecasting/pillars', { body: { year: 2027, cells: [{ account: fresh.id, month: 1, pillar: 'new_sales', amount: '1' }, { account: fresh.id, month: 2, pillar: 'cross_selling', amount: '1' }] } });
    expect(bad.status).toBe(400);
    expect(bad.body.errors[0].field).toBe('cells[1].pillar');
    const foreign = await east.request('PUT', '/api/v1/forecasting/pillars', { body: { year: 2027, cells: [{ account: fresh.id, month: 1, pillar: 'new_sales', amount: '1' }, { account: westAccount.id, month: 1, pillar: 'new_sales', amount: '1' }] } });
    expect(foreign.status).toBe(400);
    expect(foreign.body.errors[0].field).toBe('cells[1].account');
    const grid = ok(await east.request('GET', '/api/v1/forecasting/pillars?year=2027&mine=true')).body;
    const row = grid.rows.find((r: any) => r.account === fresh.id);
    expect(row.plan.new_sales).toEqual(Array(12).fill('100.10'));
    expect(grid.totals.plan.new_sales[0]).toBe('100.10');
    expect(grid.totals.plan.all[0]).toBe('150.10');
    ok(await east.request('PUT', '/api/v1/forecasting/pillars', { body: { year: 2027, cells: [{ account: old.id, month: 1, pillar: 'upselling', amount: null }] } }));
    const cleared = ok(await east.request('GET', '/api/v1/forecasting/pillars?year=2027')).body;
    expect(cleared.rows.find((r: any) => r.account === old.id).plan.upselling[0]).toBeNull();
    // The director manages east's accounts; west cannot plan them.
    ok(await director.request('PUT', '/api/v1/forecasting/pillars', { body: { year: 2027, cells: [{ account: fresh.id, month: 12, pillar: 'new_sales', amount: '200' }] } }));
    expect((await west.request('PUT', '/api/v1/forecasting/pillars', { body: { year: 2027, cells: [{ account: fresh.id, month: 12, pillar: 'new_sales', amount: '1' }] } })).status).toBe(403);
  });
});

describe('currencies', () => {
  beforeAll(async () => {
    // 1 EUR = 1.1 USD (the corporate currency); ZAR has no rate.
    ok(await admin.request('POST', '/api/v1/exchange_rate', { body: { rate_date: '2020-01-01', from_currency: 'EUR', to_currency: 'USD', rate: 1.1 } }), 201);
    forgetRates(server.platform);
  });

  it('converts each deal into the corporate currency at today\'s rate, rounded per deal, and leaves out what has no rate', async () => {
    // East, May 2027: won EUR 100.05 → 110.06 (110.055 rounded half up); commit EUR 200 → 220 and USD 10;
    // best case two deals of EUR 0.05 → 0.06 each (0.12: rounded per deal, not 0.11 as a rounded sum);
    // a commit of ZAR 5 (no rate) and one with no currency (counted as USD).
    await buildOpportunity(east, { stage: 'closed_won', amount: '100.05', currency: 'EUR', close_date: '2027-05-02' });
    await buildOpportunity(east, { stage: 'negotiation', amount: '200', currency: 'EUR', close_date: '2027-05-03' });
    await buildOpportunity(east, { stage: 'negotiation', amount: '10', currency: 'USD', close_date: '2027-05-04' });
    await buildOpportunity(east, { stage: 'proposal', amount: '0.05', currency: 'EUR', close_date: '2027-05-05' });
    await buildOpportunity(east, { stage: 'proposal', amount: '0.05', currency: 'EUR', close_date: '2027-05-06' });
    await buildOpportunity(east, { stage: 'negotiation', amount: '5', currency: 'ZAR', close_date: '2027-05-07' });
    const none = await buildOpportunity(east, { stage: 'negotiation', amount: '1', close_date: '2027-05-08' });
    const table = server.platform.registry.requireObject('opportunity').table;
    await sql`UPDATE ${sql.table(table)} SET currency = NULL WHERE id = ${none.id}`.execute(server.platform.db);
    const f = await forecast(east, '2027-05');
    expect(f.currency).toBe('USD');
    // weighted: (220 + 10 + 1) × 75 % + 0.12 × 50 % = 173.25 + 0.06.
    expect(cell(f, east, '2027-05').own).toMatchObject({ closed: '110.06', commit: '231.00', bestCase: '0.12', pipeline: '0.00', weighted: '173.31', forecast: '341.06' });
    expect(f.warnings).toHaveLength(1);
    expect(f.warnings[0]).toContain('1 record(s)');
    expect(f.warnings[0]).toContain('USD');
    // The manager's team figure is the exact sum of the members' converted figures.
    expect(cell(await forecast(director, '2027-05'), director, '2027-05').team).toMatchObject({ closed: '110.06', commit: '231.00', bestCase: '0.12' });
    // A period without such deals has no warning.
    expect((await forecast(east, '2027-02')).warnings).toEqual([]);
  });

  it('converts the pillars\' actuals: won deals and invoiced revenue', async () => {
    const buyer = await buildAccount(east, { name: 'Euro Customer' });
    await buildOpportunity(east, { account: buyer.id, stage: 'closed_won', amount: '100.05', currency: 'EUR', close_date: '2027-07-10' });
    await buildOpportunity(east, { account: buyer.id, stage: 'closed_won', amount: '999', currency: 'ZAR', close_date: '2027-07-11' });
    const grid = ok(await east.request('GET', '/api/v1/forecasting/pillars?year=2027')).body;
    expect(grid.currency).toBe('USD');
    const row = grid.rows.find((r: any) => r.account === buyer.id);
    expect(row.won.new_sales[6]).toBe('110.06');
    expect(grid.warnings).toHaveLength(1);
    expect(grid.warnings[0]).toContain('1 record(s)');
    // An invoice in euros: 2 × 100.01 net = EUR 200.02 → USD 220.02 (220.022).
    const invoiced = await buildAccount(east, { name: 'Euro Invoiced Customer' });
    const book = ok(await admin.request('GET', `/api/v1/price_book?filter=${encodeURIComponent(JSON.stringify({ field: 'is_standard', op: 'eq', value: true }))}`)).body.data[0];
    const product = await buildAny(modules, admin, 'product', {});
    await buildAny(modules, admin, 'price_book_entry', { price_book: book.id, product: product.id, unit_price: '100' });
    const draft = ok(await admin.request('POST', '/api/v1/invoices', { body: { invoice: { account: invoiced.id, currency: 'EUR' }, lines: [{ product: product.id, quantity: 2, unit_price: '100.01' }] } }), 201).body;
    const posted = ok(await admin.request('POST', `/api/v1/invoices/${draft.invoice.id}/post`, { body: {} })).body;
    const month = Number(String(posted.invoice_date).slice(5, 7)) - 1;
    const year = Number(String(posted.invoice_date).slice(0, 4));
    const current = ok(await east.request('GET', `/api/v1/forecasting/pillars?year=${year}`)).body;
    expect(current.rows.find((r: any) => r.account === invoiced.id).invoiced.new_sales[month]).toBe('220.02');
  });
});

describe('account behaviour, weekly', () => {
  it('takes one snapshot per account and week, again and again', async () => {
    const account = await buildAccount(east, { name: 'Tracked Co' });
    const deal = await buildOpportunity(east, { account: account.id, amount: '1000', close_date: '2027-06-30' });
    ok(await admin.request('POST', '/api/v1/forecasting/snapshots', { body: { week: '2026-11-16' } }));
    ok(await admin.request('POST', '/api/v1/forecasting/snapshots', { body: { week: '2026-11-23' } }));
    ok(await east.request('PATCH', `/api/v1/opportunity/${deal.id}`, { body: { amount: '9000' } }));
    ok(await admin.request('POST', '/api/v1/forecasting/snapshots', { body: { week: '2026-11-30' } }));
    ok(await admin.request('POST', '/api/v1/forecasting/snapshots', { body: { week: '2026-11-30' } }));
    const rows = await sql<{ n: number }>`SELECT count(*)::int AS n FROM account_snapshot WHERE account_id = ${account.id}`.execute(server.platform.db);
    expect(Number(rows.rows[0]!.n)).toBe(3);
    const trend = ok(await east.request('GET', `/api/v1/forecasting/behaviour/${account.id}`)).body;
    expect(trend.weeks.map((w: any) => [w.week, w.openPipeline])).toEqual([['2026-11-16', '1000.00'], ['2026-11-23', '1000.00'], ['2026-11-30', '9000.00']]);
    expect((await west.request('GET', `/api/v1/forecasting/behaviour/${account.id}`)).status).toBe(404);
    const changes = ok(await east.request('GET', '/api/v1/forecasting/behaviour/changes')).body;
    expect(changes.week).toBe('2026-11-30');
    // Open pipeline 1000 → 9000 against a 1000 baseline: |9000 − 1000| ÷ 1000 = 8, the other three unchanged: 8 ÷ 4.
    expect(changes.rows.find((r: any) => r.account === account.id)).toMatchObject({ name: 'Tracked Co', score: '2.0000', baseline: { openPipeline: '1000.00' } });
    const scores = changes.rows.map((r: any) => Number(r.score));
    expect(scores).toEqual([...scores].sort((a, b) => b - a));
    expect((await west.request('GET', '/api/v1/forecasting/behaviour/changes')).body.rows.some((r: any) => r.account === account.id)).toBe(false);
    const bad = await admin.request('POST', '/api/v1/forecasting/snapshots', { body: { week: '2026-12-01' } });
    expect(bad.status).toBe(400);
    expect(bad.body.errors[0].field).toBe('week');
    expect((await east.request('POST', '/api/v1/forecasting/snapshots', { body: {} })).status).toBe(403);
  });
});
