import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Decimal } from '../../src/modules/billing/index.ts';
import { getTestServer, type TestServer, type TestUser } from '../server.ts';
import { buildAccount, buildOpportunity } from '../factories.ts';
import { createRepProfile, ok } from '../access/fixture.ts';
import { overrideSettings } from '../../src/platform/settings.ts';
import { analyticsSettings } from '../../src/modules/analytics/settings.ts';

/**
 * Issue 16 item 4 (ANL-2): dashboards of saved reports, run as the viewer. A restricted rep's
 * numbers on a shared dashboard match — number by number and record by record — what the rep's
 * own list endpoint shows; dashboard-wide filters narrow every widget; a KPI is compared with the
 * previous period of the same length; a broken widget answers its own error while the others
 * answer; each profile has its own home dashboard.
 */
let server: TestServer;
let admin: TestUser;
let rep: TestUser;
let peer: TestUser;
const tag = `dash${Date.now()}`;
const mine = { field: 'name', op: 'startsWith', value: tag };
const reports: Record<string, string> = {};
let dashboardId: string;

beforeAll(async () => {
  server = await getTestServer();
  admin = server.admin;
  rep = await server.createUser();
  peer = await server.createUser();
  await createRepProfile(admin, {});
  for (const u of [rep, peer]) ok(await admin.request('PATCH', `/api/v1/user/${u.id}`, { body: { profile: 'rep' } }));
  ok(await admin.request('PUT', '/api/v1/sharing-settings/opportunity', { body: { sharing: 'private' } }));
  ok(await admin.request('POST', '/api/v1/metadata/objects/opportunity/fields', { body: { apiName: 'region_code', label: 'Region code', type: 'text' } }));
  ok(await admin.request('POST', '/api/v1/groups', { body: { name: 'viewers', label: 'Viewers', members: [rep.id, peer.id] } }));
  ok(await admin.request('POST', '/api/v1/groups', { body: { name: 'east', label: 'East', members: [peer.id] } }));
  const account = await buildAccount(admin);
  const deals: Array<[TestUser, number, string, string]> = [
    [rep, 50, 'prospecting', '2027-01-02'], [rep, 100, 'prospecting', '2027-01-10'], [rep, 200, 'qualification', '2027-01-20'],
    [rep, 450, 'prospecting', '2027-02-05'], [peer, 7000, 'qualification', '2027-02-15'], [peer, 5000.01, 'prospecting', '2027-01-15'],
  ];
  for (const [owner, amount, stage, close] of deals) await buildOpportunity(admin, { name: `${tag} ${amount}`, owner: owner.id, account: account.id, amount, stage, close_date: close, region_code: 'north' });
  const save = async (name: string, definition: unknown, sharing: unknown = { groups: ['viewers'] }) => {
    const res = await admin.request('POST', '/api/v1/reports', { body: { name, object: 'opportunity', definition, sharing } });
    ok(res);
    reports[name] = res.body.id;
  };
  await save('By stage', { filter: mine, groupings: { rows: ['stage'] }, measures: [{ fn: 'count' }, { fn: 'sum', field: 'amount' }], chart: { type: 'bar', measure: 'sum:amount' } });
  await save('Deals', { filter: mine, columns: ['name', 'amount', 'close_date'], sort: '-amount' });
  await save('By region', { filter: mine, groupings: { rows: ['region_code'] } });
  await save('Admin only', { filter: mine, groupings: { rows: ['stage'] } }, { groups: [] });
});
afterAll(async () => server?.close());

const widget = (id: string, report: string, kind: string, extra: Record<string, unknown> = {}) => ({ id, reportId: reports[report], kind, x: 0, y: 0, w: 6, h: 3, ...extra });
const run = (user: TestUser, filters: unknown = {}) => user.request('POST', `/api/v1/dashboards/${dashboardId}/run`, { body: { filters } });

/** Every record the user's list endpoint shows for a condition (paged). */
async function listAll(user: TestUser, filter: unknown): Promise<Array<Record<string, any>>> {
  const out: Array<Record<string, any>> = [];
  let cursor: string | undefined;
  do {
    const res = await user.request('POST', '/api/v1/opportunity/query', { body: { filter, limit: 200, ...(cursor ? { cursor } : {}) } });
    expect(res.status, res.text).toBe(200);
    out.push(...res.body.data);
    cursor = res.body.nextCursor ?? undefined;
  } while (cursor);
  return out;
}

const sumOf = (records: Array<Record<string, any>>) => records.reduce((s: InstanceType<typeof Decimal>, r) => s.plus(r.amount ?? 0), new Decimal(0));
const byId = (body: { widgets: Array<{ id: string }> }) => Object.fromEntries(body.widgets.map((w) => [w.id, w as any]));

/** Each widget's numbers equal what the viewer's list endpoint shows for the condition behind them. */
async function expectListsAgree(user: TestUser, widgets: Record<string, any>): Promise<number> {
  let compared = 0;
  for (const row of widgets.chart.answer.rows) {
    const records = await listAll(user, row.drill);
    expect(row.count, JSON.stringify(row)).toBe(records.length);
    expect(new Decimal(row['sum:amount'] ?? 0).equals(sumOf(records)), JSON.stringify(row)).toBe(true);
    compared++;
  }
  const kpiRecords = await listAll(user, widgets.kpi.kpi.drill);
  expect(new Decimal(widgets.kpi.kpi.value ?? 0).equals(sumOf(kpiRecords))).toBe(true);
  return compared;
}

describe('dashboards', () => {
  it('saves a dashboard and checks every widget on save, naming the field', async () => {
    const bad = async (widgets: unknown, field: string, user = admin) => {
      const res = await user.request('POST', '/api/v1/dashboards', { body: { name: 'Bad', widgets } });
      expect(res.status, res.text).toBe(400);
      expect(res.headers['content-type']).toContain('application/problem+json');
      expect(res.body.errors.map((e: { field: string }) => e.field), res.text).toContain(field);
    };
    await bad([widget('a', 'By stage', 'chart', { x: 8, w: 6 })], 'widgets[0].w');
    await bad([widget('a', 'By stage', 'chart', { x: 12 })], 'widgets[0].x');
    await bad([widget('a', 'By stage', 'pie')], 'widgets[0].kind');
    await bad([{ ...widget('a', 'By stage', 'chart'), reportId: '01900000-0000-7000-8000-000000000000' }], 'widgets[0].reportId');
    await bad([widget('a', 'By stage', 'kpi', { kpi: { measure: 'avg:amount', compare: 'previous_period' } })], 'widgets[0].kpi.measure');
    await bad([widget('a', 'By stage', 'chart'), widget('a', 'Deals', 'table')], 'widgets[1].id');
    await bad([widget('a', 'Deals', 'chart')], 'widgets[0].kind');
    await bad(Array.from({ length: 21 }, (_, i) => widget(`w${i}`, 'By stage', 'table')), 'widgets');
    // The rep may not build on a report they cannot open.
    await bad([widget('a', 'Admin only', 'table')], 'widgets[0].reportId', rep);
    const noName = await admin.request('POST', '/api/v1/dashboards', { body: { name: ' ', widgets: [] } });
    expect(noName.body.errors[0].field).toBe('name');

    const created = await admin.request('POST', '/api/v1/dashboards', {
      body: {
        name: 'Sales', sharing: { groups: ['viewers'] }, filters: { offered: ['dateRange', 'owner', 'team', 'pipeline'] },
        widgets: [
          widget('chart', 'By stage', 'chart'), widget('kpi', 'By stage', 'kpi', { x: 6, kpi: { measure: 'sum:amount', compare: 'previous_period' } }),
          widget('table', 'Deals', 'table', { y: 3 }), widget('list', 'By stage', 'list', { x: 6, y: 3 }),
          widget('broken', 'By region', 'chart', { y: 6 }), widget('private', 'Admin only', 'table', { x: 6, y: 6 }),
        ],
      },
    });
    expect(created.status, created.text).toBe(201);
    dashboardId = created.body.id;
    expect(created.body.widgets).toHaveLength(6);
    expect((await admin.request('GET', `/api/v1/dashboards/${dashboardId}`)).body.name).toBe('Sales');
    expect((await rep.request('GET', '/api/v1/dashboards')).body.data.map((d: { id: string }) => d.id)).toEqual([dashboardId]);
    // Folders are the report folders; a dashboard shared with a role reaches that role only.
    const folder = await admin.request('POST', '/api/v1/report-folders', { body: { name: 'Boards', shared: true } });
    ok(folder);
    ok(await admin.request('POST', '/api/v1/roles', { body: { name: 'dash_east', label: 'East' } }));
    ok(await admin.request('PATCH', `/api/v1/user/${peer.id}`, { body: { role: 'dash_east' } }));
    const inFolder = await admin.request('POST', '/api/v1/dashboards', { body: { name: 'East board', folder: folder.body.id, sharing: { roles: ['dash_east'] }, widgets: [widget('a', 'Deals', 'list')] } });
    expect(inFolder.status, inFolder.text).toBe(201);
    expect((await admin.request('GET', `/api/v1/dashboards?folder=${folder.body.id}`)).body.data.map((d: { id: string }) => d.id)).toEqual([inFolder.body.id]);
    expect((await peer.request('GET', `/api/v1/dashboards/${inFolder.body.id}`)).status).toBe(200);
    expect((await rep.request('GET', `/api/v1/dashboards/${inFolder.body.id}`)).status).toBe(404);
    ok(await admin.request('DELETE', `/api/v1/dashboards/${inFolder.body.id}`));
    expect((await peer.request('GET', `/api/v1/dashboards/${inFolder.body.id}`)).status).toBe(404);
    // Only the owner or an admin changes it.
    expect((await rep.request('PUT', `/api/v1/dashboards/${dashboardId}`, { body: { name: 'Mine', widgets: [] } })).status).toBe(403);
    expect((await rep.request('DELETE', `/api/v1/dashboards/${dashboardId}`)).status).toBe(403);
  });

  it('a restricted rep sees only their own numbers on a shared dashboard, each matching their list; a widget they cannot read answers its own error', async () => {
    const res = await run(rep);
    expect(res.status, res.text).toBe(200);
    const widgets = byId(res.body);
    // The peer's amounts appear nowhere: not as a number, not in a sum (ids may hold "7000").
    const text = JSON.stringify(res.body);
    expect(text).not.toContain('5000.01');
    expect(text).not.toMatch(/[":]7000(\.\d+)?[",}]/);
    expect(await expectListsAgree(rep, widgets)).toBeGreaterThan(1);
    expect(widgets.table.answer.rows.map((r: { id: string }) => r.id).sort()).toEqual((await listAll(rep, mine)).map((r) => r.id).sort());
    expect(widgets.list.answer.rows).toHaveLength(4);
    expect(widgets.private.error.code).toBe('report_not_found');
    expect(widgets.kpi.kpi.value).toBe(widgets.chart.answer.rows.filter((r: { rolledUp?: string[] }) => !r.rolledUp).reduce((s: number, r: Record<string, string>) => s + Number(r['sum:amount']), 0).toFixed(2));
    const adminRun = byId((await run(admin)).body);
    expect(adminRun.private.error).toBeUndefined();
    expect(new Decimal(adminRun.kpi.kpi.value).minus(widgets.kpi.kpi.value).toNumber()).toBe(12000.01);
  });

  it('dashboard-wide filters narrow every widget; the KPI compares with the previous period of the same length', async () => {
    const feb = { dateRange: { from: '2027-02-01', to: '2027-02-28' } };
    const res = await run(rep, feb);
    expect(res.status, res.text).toBe(200);
    expect(res.body.period).toEqual({ from: '2027-02-01', to: '2027-02-28' });
    const widgets = byId(res.body);
    expect(widgets.chart.dateField).toBe('close_date');
    await expectListsAgree(rep, widgets);
    expect(widgets.table.answer.rows.map((r: Record<string, unknown>) => Number(r.amount))).toEqual([450]);
    // 28 days back: 4 to 31 January, so the deal of 2 January is outside.
    expect(widgets.kpi.kpi).toMatchObject({ value: '450.00', previous: '300.00', change: 0.5, previousPeriod: { from: '2027-01-04', to: '2027-01-31' } });

    const adminFeb = byId((await run(admin, { ...feb, ownerId: rep.id })).body);
    expect(adminFeb.kpi.kpi.value).toBe('450.00');
    const team = byId((await run(admin, { teamId: 'east' })).body);
    expect(team.kpi.kpi.value).toBe('12000.01');
    expect(team.table.answer.rows.map((r: Record<string, unknown>) => Number(r.amount))).toEqual([7000, 5000.01]);
    const me = byId((await run(rep, { ownerId: 'me' })).body);
    expect(me.kpi.kpi.value).toBe('800.00');

    const pipelines = (await admin.request('POST', '/api/v1/pipeline/query', { body: { filter: { field: 'is_default', op: 'eq', value: true } } })).body.data;
    const other = await admin.request('POST', '/api/v1/pipeline', { body: { name: `${tag} other`, is_default: false } });
    ok(other);
    // Deals without a pipeline are in the default one.
    expect(byId((await run(rep, { pipeline: pipelines[0].id })).body).kpi.kpi.value).toBe('800.00');
    expect(byId((await run(rep, { pipeline: other.body.id })).body).kpi.kpi.value).toBeNull();

    const bad = await run(rep, { dateRange: { from: '2027-03-01', to: '2027-02-01' } });
    expect(bad.status).toBe(400);
    expect(bad.body.errors[0].field).toBe('filters.dateRange.to');
    const relative = await run(rep, { dateRange: { relative: 'nonsense' } });
    expect(relative.status).toBe(400);
    expect(relative.body.errors[0].field).toBe('filters.dateRange.relative');
    ok(await run(rep, { dateRange: { relative: 'this_quarter' } }));
  });

  it('a widget whose report broke answers its own error while the others answer', async () => {
    ok(await admin.request('DELETE', '/api/v1/metadata/objects/opportunity/fields/region_code?confirm=true'));
    const res = await run(rep);
    expect(res.status, res.text).toBe(200);
    const widgets = byId(res.body);
    expect(widgets.broken.error.message).toContain('region_code');
    expect(widgets.broken.answer).toBeUndefined();
    expect(widgets.chart.answer.rows.length).toBeGreaterThan(0);
    expect(widgets.kpi.kpi.value).toBe('800.00');
  });

  it('each profile has its own home dashboard, chosen by an admin', async () => {
    const other = await server.createUser();
    const own = await rep.request('POST', '/api/v1/dashboards', { body: { name: 'Rep only', widgets: [widget('a', 'Deals', 'table')] } });
    expect(own.status, own.text).toBe(201);
    expect((await rep.request('PUT', '/api/v1/dashboards/home', { body: { profile: 'rep', dashboardId } })).status).toBe(403);
    const unknownProfile = await admin.request('PUT', '/api/v1/dashboards/home', { body: { profile: 'nobody', dashboardId } });
    expect(unknownProfile.body.errors[0].field).toBe('profile');
    const privateDashboard = await admin.request('POST', '/api/v1/dashboards', { body: { name: 'Home for standard', widgets: [widget('a', 'Deals', 'table')] } });
    ok(await admin.request('PUT', '/api/v1/dashboards/home', { body: { profile: 'rep', dashboardId } }));
    ok(await admin.request('PUT', '/api/v1/dashboards/home', { body: { profile: 'standard', dashboardId: privateDashboard.body.id } }));
    expect((await rep.request('GET', '/api/v1/dashboards/home')).body).toMatchObject({ profile: 'rep', dashboard: { id: dashboardId } });
    // Being a profile's home shares the layout with that profile: the user may open and run it, with their own access.
    const home = await other.request('GET', '/api/v1/dashboards/home');
    expect(home.body).toMatchObject({ profile: 'standard', dashboard: { id: privateDashboard.body.id } });
    expect((await other.request('POST', `/api/v1/dashboards/${privateDashboard.body.id}/run`, { body: {} })).status).toBe(200);
    expect((await rep.request('GET', `/api/v1/dashboards/${privateDashboard.body.id}`)).status).toBe(404);
    expect((await admin.request('GET', '/api/v1/dashboards/home/profiles')).body.data).toHaveLength(2);
    ok(await admin.request('PUT', '/api/v1/dashboards/home', { body: { profile: 'rep', dashboardId: null } }));
    expect((await rep.request('GET', '/api/v1/dashboards/home')).body.dashboard).toBeNull();
    ok(await rep.request('DELETE', `/api/v1/dashboards/${own.body.id}`));
  });

  it('a slow answer is kept per viewer and shown as of its time; Refresh, an edited dashboard or a change to access runs anew', async () => {
    // Every answer counts as slow here (the default keeps only runs of a second or more).
    overrideSettings(server.platform, analyticsSettings, { dashboardCacheMinMs: 0 });
    try {
      const kpiOf = (body: any) => byId(body).kpi.kpi.value;
      const first = await run(rep);
      expect(first.body).toMatchObject({ cached: false });
      expect(kpiOf(first.body)).toBe('800.00');
      const account = await buildAccount(admin);
      const deal = await buildOpportunity(admin, { name: `${tag} 25`, owner: rep.id, account: account.id, amount: 25, stage: 'prospecting', close_date: '2027-01-05' });
      // Kept: the same numbers, as of the first run.
      const kept = await run(rep);
      expect(kept.body).toMatchObject({ cached: true, asOf: first.body.asOf });
      expect(kpiOf(kept.body)).toBe('800.00');
      // Another viewer, or other filters, never get that answer.
      expect((await run(peer)).body.cached).toBe(false);
      expect((await run(rep, { ownerId: 'me' })).body.cached).toBe(false);
      // Refresh runs anew and keeps the new answer.
      const fresh = await rep.request('POST', `/api/v1/dashboards/${dashboardId}/run`, { body: { filters: {}, refresh: true } });
      expect(fresh.body.cached).toBe(false);
      expect(kpiOf(fresh.body)).toBe('825.00');
      expect((await run(rep)).body).toMatchObject({ cached: true, asOf: fresh.body.asOf });
      // An edited dashboard, or anything that reshapes access (here: metadata), is run anew.
      const current = (await admin.request('GET', `/api/v1/dashboards/${dashboardId}`)).body;
      // (Without the widget whose report broke in the test above: a dashboard is saved only with working reports.)
      current.widgets = current.widgets.filter((w: { id: string }) => w.id !== 'broken');
      ok(await admin.request('PUT', `/api/v1/dashboards/${dashboardId}`, { body: { name: 'Sales', sharing: current.sharing, filters: current.filters, widgets: current.widgets } }));
      expect((await run(rep)).body.cached).toBe(false);
      expect((await run(rep)).body.cached).toBe(true);
      ok(await admin.request('POST', '/api/v1/metadata/objects/opportunity/fields', { body: { apiName: 'cache_probe', label: 'Cache probe', type: 'text' } }));
      expect((await run(rep)).body.cached).toBe(false);
      // A viewer who may no longer open the dashboard gets nothing kept for them.
      ok(await admin.request('PUT', `/api/v1/dashboards/${dashboardId}`, { body: { name: 'Sales', sharing: { groups: [] }, filters: current.filters, widgets: current.widgets } }));
      expect((await run(rep)).status).toBe(404);
      ok(await admin.request('DELETE', `/api/v1/opportunity/${deal.id}`));
    } finally {
      overrideSettings(server.platform, analyticsSettings, { dashboardCacheMinMs: 1_000 });
    }
  });
});
