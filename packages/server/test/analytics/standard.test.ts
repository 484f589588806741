import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getTestServer, type TestServer, type TestUser } from '../server.ts';
import { buildAccount, buildOpportunity } from '../factories.ts';
import { createRepProfile, ok } from '../access/fixture.ts';
import { seedStandardReports, STANDARD_REPORTS } from '../../src/modules/analytics/reports/standard.ts';

/**
 * Issue 16 item 6 (ANL-4): the standard reports ship ready to use — every one runs; a restricted
 * rep opens them and sees only their own records; only admins change them; one an admin deleted
 * is not seeded again at the next start.
 */
let server: TestServer;
let admin: TestUser;
let rep: TestUser;

beforeAll(async () => {
  server = await getTestServer();
  admin = server.admin;
  rep = await server.createUser();
  const peer = await server.createUser();
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

  it('one an admin deleted stays deleted at the next start', async () => {
    const untouched = (await standardOf(admin)).find((r) => r.name === 'Accounts not updated for a year')!;
    expect((await admin.request('DELETE', `/api/v1/reports/${untouched.id}`)).status).toBe(204);
    const again = await seedStandardReports(server.platform);
    expect(again.added).toEqual([]);
    expect((await standardOf(admin)).map((r) => r.name)).not.toContain('Accounts not updated for a year');
  });
});
