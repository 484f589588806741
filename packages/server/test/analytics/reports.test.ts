import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Decimal } from '../../src/modules/billing/index.ts';
import { getTestServer, type TestServer, type TestUser } from '../server.ts';
import { buildAccount, buildOpportunity } from '../factories.ts';
import { createRepProfile, ok } from '../access/fixture.ts';

/**
 * Issue 16 items 2, 3 and 10: saved reports in folders, shared with groups or roles, run as the
 * runner; every report shape run by a restricted rep matches — number by number and row by row —
 * what that rep's own list endpoint shows; a report whose field was deleted is broken with the
 * reason while the others keep working.
 */
let server: TestServer;
let admin: TestUser;
let rep: TestUser;
let peer: TestUser;
const tag = `rpt${Date.now()}`;
const mine = { field: 'name', op: 'startsWith', value: tag };

beforeAll(async () => {
  server = await getTestServer();
  admin = server.admin;
  rep = await server.createUser();
  peer = await server.createUser();
  await createRepProfile(admin, { opportunity: { won_amount: 'hidden' } });
  for (const u of [rep, peer]) ok(await admin.request('PATCH', `/api/v1/user/${u.id}`, { body: { profile: 'rep' } }));
  for (const o of ['account', 'opportunity']) ok(await admin.request('PUT', `/api/v1/sharing-settings/${o}`, { body: { sharing: 'private' } }));
  ok(await admin.request('POST', '/api/v1/metadata/objects/opportunity/fields', { body: { apiName: 'region_code', label: 'Region code', type: 'text' } }));
  const energy = await buildAccount(rep, { industry: 'energy' });
  const retail = await buildAccount(rep, { industry: 'retail' });
  const theirs = await buildAccount(peer, { industry: 'energy' });
  // The rep may see the peer's account through its team, but not the peer's deals on it.
  ok(await admin.request('POST', `/api/v1/account/${theirs.id}/team`, { body: { userId: rep.id, access: 'read' } }));
  const deals: Array<[TestUser, string, number, string, string]> = [
    [rep, energy.id, 100.25, 'prospecting', '2027-01-10'], [rep, energy.id, 200, 'qualification', '2027-01-20'], [rep, retail.id, 300.5, 'prospecting', '2027-02-05'],
    [rep, theirs.id, 40, 'prospecting', '2027-03-01'], [peer, theirs.id, 5000.01, 'prospecting', '2027-01-15'], [peer, energy.id, 7000, 'qualification', '2027-02-15'],
  ];
  for (const [owner, account, amount, stage, close] of deals) await buildOpportunity(admin, { name: `${tag} ${amount}`, owner: owner.id, account, amount, stage, close_date: close, region_code: 'north' });
});
afterAll(async () => server?.close());

const save = (user: TestUser, name: string, definition: unknown, extra: Record<string, unknown> = {}) => user.request('POST', '/api/v1/reports', { body: { name, object: 'opportunity', definition, ...extra } });
const run = (user: TestUser, id: string, body: unknown = {}) => user.request('POST', `/api/v1/reports/${id}/run`, { body });

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

const SHAPES = {
  'summary by stage': { filter: mine, groupings: { rows: ['stage'] }, measures: [{ fn: 'count' }, { fn: 'sum', field: 'amount' }], chart: { type: 'bar', measure: 'sum:amount' } },
  'summary by account industry and month': { filter: mine, groupings: { rows: ['account.industry', { field: 'close_date', bucket: 'month' }] }, measures: [{ fn: 'count' }, { fn: 'sum', field: 'amount' }] },
  'matrix stage × quarter': { filter: mine, groupings: { rows: ['stage'], column: { field: 'close_date', bucket: 'quarter' } }, measures: [{ fn: 'count' }, { fn: 'sum', field: 'amount' }], chart: { type: 'stacked_bar' } },
  'summary by account': { filter: mine, groupings: { rows: ['account'] }, measures: [{ fn: 'count' }, { fn: 'max', field: 'amount' }], chart: { type: 'kpi' } },
};

describe('reports run as the runner and never leak', () => {
  it('every grouped shape, run by a restricted rep, matches that rep’s list number by number', async () => {
    for (const [name, definition] of Object.entries(SHAPES)) {
      const saved = await save(admin, name, definition, { sharing: { roles: [], groups: [] } });
      expect(saved.status, saved.text).toBe(201);
      // The admin's report is private: the rep cannot open it until it is shared.
      expect((await run(rep, saved.body.id)).status).toBe(404);
      ok(await admin.request('PUT', `/api/v1/reports/${saved.body.id}`, { body: { name, definition, sharing: { groups: ['analysts'] } } }));
    }
    ok(await admin.request('POST', '/api/v1/groups', { body: { name: 'analysts', label: 'Analysts', members: [rep.id] } }));
    const reports = (await rep.request('GET', '/api/v1/reports')).body.data.filter((r: { standard: boolean }) => !r.standard);
    expect(reports).toHaveLength(Object.keys(SHAPES).length);
    let compared = 0;
    for (const report of reports) {
      const res = await run(rep, report.id);
      expect(res.status, res.text).toBe(200);
      const adminAnswer = await run(admin, report.id);
      expect(JSON.stringify(res.body)).not.toContain('5000.01');
      expect(res.body.rows).not.toEqual(adminAnswer.body.rows);
      for (const row of res.body.rows) {
        const records = await listAll(rep, row.drill);
        expect(row.count, `${report.name} ${JSON.stringify(row)}`).toBe(records.length);
        const sum = records.reduce((s: InstanceType<typeof Decimal>, r) => s.plus(r.amount ?? 0), new Decimal(0));
        if ('sum:amount' in row) expect(new Decimal(row['sum:amount']).equals(sum), `${report.name} ${JSON.stringify(row)}`).toBe(true);
        if ('max:amount' in row) expect(new Decimal(row['max:amount']).equals(Decimal.max(...records.map((r) => r.amount)))).toBe(true);
        compared++;
      }
      // The grand total is the rep's whole list for the report's filter.
      const total = res.body.rows.find((r: { rolledUp?: string[] }) => r.rolledUp && r.rolledUp.length === report.definition.groupings.rows.length + (report.definition.groupings.column ? 1 : 0));
      expect(total.count).toBe((await listAll(rep, mine)).length);
    }
    expect(compared).toBeGreaterThan(15);
  });

  it('a date-time grouping by day in the runner’s zone drills down to the same records across a DST change', async () => {
    const berlin = await server.createUser();
    ok(await admin.request('PATCH', `/api/v1/user/${berlin.id}`, { body: { time_zone: 'Europe/Berlin' } }));
    const dst = `dst${Date.now()}`;
    for (const at of ['2026-03-28T22:30:00Z', '2026-03-28T23:30:00Z', '2026-03-29T01:30:00Z', '2026-03-29T21:59:00Z', '2026-03-29T22:00:00Z']) {
      ok(await berlin.request('POST', '/api/v1/meeting', { body: { subject: dst, start_at: at } }));
    }
    const filter = { field: 'subject', op: 'eq', value: dst };
    const res = await berlin.request('POST', '/api/v1/reports/preview', { body: { object: 'meeting', definition: { filter, groupings: { rows: [{ field: 'start_at', bucket: 'day' }] } } } });
    expect(res.status, res.text).toBe(200);
    const days = res.body.rows.filter((r: { rolledUp?: string[] }) => !r.rolledUp).map((r: Record<string, unknown>) => [r['start_at:day'], r.count]);
    expect(days).toEqual([['2026-03-28', 1], ['2026-03-29', 3], ['2026-03-30', 1]]);
    for (const row of res.body.rows) {
      const list = await berlin.request('POST', '/api/v1/meeting/query', { body: { filter: row.drill, limit: 200 } });
      expect(list.body.data.length, JSON.stringify(row)).toBe(row.count);
    }
  });

  it('a tabular report pages with keyset cursors and shows parent fields only from records the rep may see', async () => {
    const saved = await save(rep, 'My deals', { columns: ['name', 'amount', 'account', 'account.industry'], filter: mine, sort: '-amount' });
    expect(saved.status, saved.text).toBe(201);
    expect(saved.body.shape).toBe('tabular');
    const seen: Array<Record<string, unknown>> = [];
    let cursor: string | null = null;
    do {
      const res = await run(rep, saved.body.id, { limit: 2, ...(cursor ? { cursor } : {}) });
      expect(res.status, res.text).toBe(200);
      seen.push(...res.body.rows);
      cursor = res.body.nextCursor;
    } while (cursor);
    const list = await listAll(rep, mine);
    expect(seen.map((r) => r.id).sort()).toEqual(list.map((r) => r.id).sort());
    expect(seen.map((r) => Number(r.amount))).toEqual([...list.map((r) => Number(r.amount))].sort((a, b) => b - a));
    for (const row of seen) {
      const account = await rep.request('GET', `/api/v1/account/${row.account}`);
      expect(row['account.industry']).toBe(account.status === 200 ? account.body.industry : null);
    }
  });

  it("a tabular report of accounts shows a child aggregate — open opportunities' total — counting only the rep's visible deals", async () => {
    const open = { field: 'stage', op: 'nin', value: ['closed_won', 'closed_lost'] };
    const saved = await rep.request('POST', '/api/v1/reports', { body: { name: 'Open pipeline per account', object: 'account', definition: {
      columns: ['name', 'industry'], filter: { field: 'industry', op: 'in', value: ['energy', 'retail'] },
      children: [{ object: 'opportunity', lookup: 'account', fn: 'sum', field: 'amount', filter: { and: [open, mine] } }, { object: 'opportunity', lookup: 'account', fn: 'count', filter: mine }],
    } } });
    expect(saved.status, saved.text).toBe(201);
    const res = await run(rep, saved.body.id, { limit: 200 });
    expect(res.status, res.text).toBe(200);
    expect(res.body.rows.length).toBeGreaterThan(0);
    for (const row of res.body.rows) {
      const deals = await listAll(rep, { and: [mine, open, { field: 'account', op: 'eq', value: row.id }] });
      const sum = deals.reduce((s: InstanceType<typeof Decimal>, r) => s.plus(r.amount ?? 0), new Decimal(0));
      const total = row['opportunity.account:sum:amount'];
      expect(total === null ? 0 : Number(total), row.name).toBe(sum.toNumber());
      expect(row['opportunity.account:count']).toBe((await listAll(rep, { and: [mine, { field: 'account', op: 'eq', value: row.id }] })).length);
    }
    expect(JSON.stringify(res.body)).not.toContain('5000.01');
    expect(JSON.stringify(res.body)).not.toContain('7000');
    const bad = await rep.request('POST', '/api/v1/reports', { body: { name: 'Bad child', object: 'account', definition: { children: [{ object: 'opportunity', lookup: 'account', fn: 'sum', field: 'won_amount' }] } } });
    expect(bad.status).toBe(400);
    expect(bad.body.errors[0].field).toBe('definition.children[0].measures[0].field');
  });

  it('refuses to save what the saver cannot read, and shows a report whose field was deleted as broken while others work', async () => {
    const hidden = await save(rep, 'Won', { groupings: { rows: ['stage'] }, measures: [{ fn: 'sum', field: 'won_amount' }] });
    expect(hidden.status).toBe(400);
    expect(hidden.body.errors[0]).toMatchObject({ field: 'definition.measures[0].field', code: 'unknown_field' });
    const badGroup = await save(rep, 'Bad', { groupings: { rows: ['stage'], column: { field: 'stage', bucket: 'month' } } });
    expect(badGroup.body.errors[0]).toMatchObject({ field: 'definition.groupings.column.bucket' });
    const byRegion = await save(admin, 'By region', { groupings: { rows: ['region_code'] } });
    const byStage = await save(admin, 'By stage', { groupings: { rows: ['stage'] } });
    ok(byRegion);
    ok(await admin.request('DELETE', '/api/v1/metadata/objects/opportunity/fields/region_code?confirm=true'));
    const listed = (await admin.request('GET', '/api/v1/reports')).body.data;
    expect(listed.find((r: { id: string }) => r.id === byRegion.body.id).broken).toContain('region_code');
    expect(listed.find((r: { id: string }) => r.id === byStage.body.id).broken).toBeNull();
    const broken = await run(admin, byRegion.body.id);
    expect(broken.status).toBe(422);
    expect(broken.body.errors[0]).toMatchObject({ field: 'definition', code: 'report_broken' });
    expect((await run(admin, byStage.body.id)).status).toBe(200);
  });

  it('folders hold reports; only the owner or an admin changes a report', async () => {
    const folder = await rep.request('POST', '/api/v1/report-folders', { body: { name: 'Pipeline', shared: true } });
    expect(folder.status, folder.text).toBe(201);
    const report = await save(rep, 'In folder', { groupings: { rows: ['stage'] } }, { folder: folder.body.id, sharing: { roles: [], groups: ['analysts'] } });
    expect(report.body.folder).toBe(folder.body.id);
    expect((await rep.request('GET', `/api/v1/reports?folder=${folder.body.id}`)).body.data.map((r: { id: string }) => r.id)).toEqual([report.body.id]);
    ok(await admin.request('PATCH', `/api/v1/groups/analysts`, { body: { members: [rep.id, peer.id] } }));
    expect((await run(peer, report.body.id)).status).toBe(200);
    expect((await peer.request('PUT', `/api/v1/reports/${report.body.id}`, { body: { name: 'Mine now', definition: {} } })).status).toBe(403);
    expect((await peer.request('DELETE', `/api/v1/reports/${report.body.id}`)).status).toBe(403);
    const preview = await rep.request('POST', '/api/v1/reports/preview', { body: { object: 'opportunity', definition: { filter: mine, groupings: { rows: ['stage'] } } } });
    expect(preview.status, preview.text).toBe(200);
    expect(preview.body.shape).toBe('summary');
  });
});
