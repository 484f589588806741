import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import { getTestServer, type TestServer, type TestUser } from '../server.ts';
import { buildAccount, buildOpportunity } from '../factories.ts';
import { createRepProfile, ok } from '../access/fixture.ts';
import { seedStandardReports, STANDARD_REPORTS } from '../../src/modules/analytics/reports/standard.ts';
import { salesMigrations } from '../../src/modules/sales/startup.ts';

/**
 * Issue 16 item 6 (ANL-4): the standard reports ship ready to use — every one runs; a restricted
 * rep opens them and sees only their own records; only admins change them; one an admin deleted
 * is not seeded again at the next start.
 */
let server: TestServer;
let admin: TestUser;
let rep: TestUser;
let peer: TestUser;

beforeAll(async () => {
  server = await getTestServer();
  admin = server.admin;
  rep = await server.createUser();
  peer = await server.createUser();
  await createRepProfile(admin, {});
  for (const u of [rep, peer]) ok(await admin.request('PATCH', `/api/v1/user/${u.id}`, { body: { profile: 'rep' } }));
  ok(await admin.request('PUT', '/api/v1/sharing-settings/opportunity', { body: { sharing: 'private' } }));
  const account = await buildAccount(admin, {});
  await buildOpportunity(admin, { name: 'Rep deal', owner: rep.id, account: account.id, amount: 1000, stage: 'proposal', close_date: '2027-06-01' });
  await buildOpportunity(admin, { name: 'Peer deal', owner: peer.id, account: account.id, amount: 9000, stage: 'proposal', close_date: '2027-06-01' });
});
afterAll(async () => server?.close());

type Listed = { id: string; name: string; standard: boolean; folder: string | null; broken: string | null };
const standardOf = async (user: TestUser): Promise<Listed[]> => ((await user.request('GET', '/api/v1/reports')).body.data as Listed[]).filter((r) => r.standard);

describe('standard reports', () => {
  it('ship in a shared folder and every one runs', async () => {
    const listed = await standardOf(admin);
    expect(listed.map((r) => r.name).sort()).toEqual(STANDARD_REPORTS.map((r) => r.name).sort());
    const folders = (await admin.request('GET', '/api/v1/report-folders')).body.data as Array<{ id: string; name: string; shared: boolean }>;
    const folder = folders.find((f) => f.name === 'Standard reports');
    expect(folder?.shared).toBe(true);
    for (const report of listed) {
      expect(report.folder).toBe(folder!.id);
      expect(report.broken, report.name).toBeNull();
      const res = await admin.request('POST', `/api/v1/reports/${report.id}/run`, { body: {} });
      expect(res.status, `${report.name}: ${res.text}`).toBe(200);
    }
  });

  it('a rep opens them with their own access and cannot change them', async () => {
    const pipeline = (await standardOf(rep)).find((r) => r.name === 'Pipeline by stage')!;
    expect(pipeline).toBeDefined();
    const asRep = await rep.request('POST', `/api/v1/reports/${pipeline.id}/run`, { body: {} });
    expect(asRep.status, asRep.text).toBe(200);
    const rows = asRep.body.rows as Array<Record<string, unknown> & { rolledUp?: string[] }>;
    const proposal = rows.find((r) => r.stage === 'proposal' && !r.rolledUp?.length)!;
    const [count, sum] = (asRep.body.columns as Array<{ key: string; kind: string }>).filter((c) => c.kind === 'measure').map((c) => c.key);
    // The rep's own deal only: the peer's 9,000 is not theirs to see.
    expect(Number(proposal[count!])).toBe(1);
    expect(Number(proposal[sum!])).toBe(1000);
    expect((await rep.request('DELETE', `/api/v1/reports/${pipeline.id}`)).status).toBe(403);
    const full = (await rep.request('GET', `/api/v1/reports/${pipeline.id}`)).body;
    expect((await rep.request('PUT', `/api/v1/reports/${pipeline.id}`, { body: { name: 'Mine now', definition: full.definition } })).status).toBe(403);
  });

  it('stage duration: days in each stage from the stage history, only of deals the runner may see', async () => {
    const opportunities = server.platform.registry.requireObject('opportunity').table;
    const history = server.platform.registry.requireObject('opportunity_stage_history').table;
    // A deal entered its stage `days` ago (stage_changed_at is Meridian's, so it is set back here), then moves on now.
    const moved = async (owner: TestUser, days: number[]) => {
      const deal = await buildOpportunity(admin, { name: `Moves ${days.join('-')}`, owner: owner.id, amount: 100, stage: 'prospecting', close_date: '2027-06-01' });
      const stages = ['qualification', 'needs_analysis'];
      for (const [i, d] of days.entries()) {
        await sql`UPDATE ${sql.table(opportunities)} SET stage_changed_at = now() - make_interval(secs => ${d * 86400}) WHERE id = ${deal.id}`.execute(server.platform.db);
        ok(await admin.request('PATCH', `/api/v1/opportunity/${deal.id}`, { body: { stage: stages[i] } }));
      }
      return deal;
    };
    const repDeal = await moved(rep, [2, 1.5]);
    await moved(rep, [4]);
    await moved(peer, [10]);
    const rows = await sql<{ from_stage: string; days: string | null }>`SELECT from_stage, days_in_previous_stage::text AS days FROM ${sql.table(history)}
      WHERE opportunity_id = ${repDeal.id} ORDER BY changed_at, created_at`.execute(server.platform.db);
    expect(rows.rows.map((r) => [r.from_stage, r.days === null ? null : Number(r.days)])).toEqual([[null, null], ['prospecting', 2], ['qualification', 1.5]]);

    const report = (await standardOf(rep)).find((r) => r.name === 'Stage duration')!;
    const run = async (user: TestUser) => {
      const res = await user.request('POST', `/api/v1/reports/${report.id}/run`, { body: {} });
      expect(res.status, res.text).toBe(200);
      return res.body.rows as Array<Record<string, unknown> & { rolledUp?: string[] }>;
    };
    const stage = (rows: Awaited<ReturnType<typeof run>>, from: string) => rows.find((r) => r.from_stage === from && !r.rolledUp?.length);
    // The rep: their two deals left prospecting after 2 and 4 days; the peer's 10 days are not theirs to see.
    const asRep = await run(rep);
    expect(stage(asRep, 'prospecting')).toMatchObject({ 'avg:days_in_previous_stage': '3.000000', 'count:days_in_previous_stage': 2 });
    expect(Number(stage(asRep, 'prospecting')!['max:days_in_previous_stage'])).toBe(4);
    expect(stage(asRep, 'qualification')).toMatchObject({ 'avg:days_in_previous_stage': '1.500000', 'count:days_in_previous_stage': 1 });
    // Creations (no previous stage) are not rows; sorted by stage name.
    expect(asRep.filter((r) => !r.rolledUp?.length).map((r) => r.from_stage)).toEqual(['prospecting', 'qualification']);
    const asAdmin = await run(admin);
    expect(stage(asAdmin, 'prospecting')).toMatchObject({ 'avg:days_in_previous_stage': '5.333333', 'count:days_in_previous_stage': 3 });
    expect(Number(stage(asAdmin, 'prospecting')!['max:days_in_previous_stage'])).toBe(10);

    // Rows recorded before the field existed are filled by the sales migration, rounded the same way.
    await sql`UPDATE ${sql.table(history)} SET days_in_previous_stage = NULL, time_in_previous_stage_seconds = 3 * 86400 + 432 WHERE opportunity_id = ${repDeal.id} AND from_stage = 'prospecting'`.execute(server.platform.db);
    const backfill = salesMigrations.find((m) => m.id === '0003_stage_history_days')!;
    await server.platform.db.transaction().execute((trx) => backfill.up(trx, { registry: server.platform.registry }));
    const filled = await sql<{ days: string }>`SELECT days_in_previous_stage::text AS days FROM ${sql.table(history)} WHERE opportunity_id = ${repDeal.id} AND from_stage = 'prospecting'`.execute(server.platform.db);
    expect(filled.rows.map((r) => r.days)).toEqual(['3.01']);
  });

  it('a standard report added later is seeded on an existing installation', async () => {
    await sql`DELETE FROM analytics_report WHERE standard = 'stage_duration'`.execute(server.platform.db);
    await sql`DELETE FROM analytics_standard_seeded WHERE key = 'stage_duration'`.execute(server.platform.db);
    const again = await seedStandardReports(server.platform);
    expect(again.added).toEqual(['stage_duration']);
    expect((await standardOf(admin)).filter((r) => r.name === 'Stage duration')).toHaveLength(1);
  });

  it('one an admin deleted stays deleted at the next start', async () => {
    const untouched = (await standardOf(admin)).find((r) => r.name === 'Accounts not updated for a year')!;
    expect((await admin.request('DELETE', `/api/v1/reports/${untouched.id}`)).status).toBe(204);
    const again = await seedStandardReports(server.platform);
    expect(again.added).toEqual([]);
    expect((await standardOf(admin)).map((r) => r.name)).not.toContain('Accounts not updated for a year');
  });
});
