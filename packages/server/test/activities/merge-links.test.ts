import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import { getTestServer, type TestServer, type TestUser } from '../server.ts';
import { buildContact, buildRecord } from '../factories.ts';

let server: TestServer;
let admin: TestUser;

beforeAll(async () => {
  server = await getTestServer();
  admin = server.admin;
});
afterAll(async () => server?.close());

const timelineIds = async (object: string, id: string) =>
  ((await admin.request('GET', `/api/v1/${object}/${id}/timeline?limit=200`)).body.data as Array<{ kind: string; id: string }>).filter((i) => i.kind !== 'change').map((i) => i.id);
const link = (activity: string, record: string) =>
  admin.request('POST', '/api/v1/activity_link', { body: { activity_object: 'meeting', activity_id: activity, record_object: 'contact', record_id: record } });

describe('merge re-points activity links', () => {
  it('puts a meeting linked only to the duplicate on the master timeline, once', async () => {
    const master = await buildContact(admin);
    const dup = await buildContact(admin);
    const onlyDup = await buildRecord(admin, 'meeting', { subject: 'Linked to the duplicate', start_at: '2031-05-01T09:00:00Z' });
    const both = await buildRecord(admin, 'meeting', { subject: 'Linked to both', start_at: '2031-05-02T09:00:00Z' });
    expect((await link(onlyDup.id, dup.id)).status).toBe(201);
    expect((await link(both.id, dup.id)).status).toBe(201);
    expect((await link(both.id, master.id)).status).toBe(201);
    expect(await timelineIds('contact', master.id)).toEqual([both.id]);

    const r = await admin.request('POST', '/api/v1/contact/merge', { body: { masterId: master.id, duplicateIds: [dup.id], fieldChoices: {} } });
    expect(r.status).toBe(200);

    const items = await timelineIds('contact', master.id);
    expect(items.sort()).toEqual([onlyDup.id, both.id].sort());
    const live = await sql<{ activity_id: string; record_id: string }>`SELECT activity_id, record_id FROM obj_activity_link
      WHERE activity_id IN (${onlyDup.id}, ${both.id}) AND deleted_at IS NULL ORDER BY activity_id`.execute(server.platform.db);
    expect(live.rows.map((l) => l.record_id)).toEqual([master.id, master.id]);
    // The re-pointing is in the link's history, like re-pointed lookups.
    const trail = await sql<{ n: number }>`SELECT count(*)::int AS n FROM record_history h JOIN obj_activity_link l ON l.id = h.record_id
      WHERE h.object = 'activity_link' AND h.operation = 'update' AND h.field = 'record_id' AND l.activity_id = ${onlyDup.id}`.execute(server.platform.db);
    expect(trail.rows[0]!.n).toBe(1);
  });

  it('re-points links made through the typed lookup too, without doubling them', async () => {
    const master = await buildContact(admin);
    const dup = await buildContact(admin);
    const call = await buildRecord(admin, 'call', { subject: 'Via lookup', start_at: '2031-06-01T09:00:00Z', contact: dup.id });
    const r = await admin.request('POST', '/api/v1/contact/merge', { body: { masterId: master.id, duplicateIds: [dup.id], fieldChoices: {} } });
    expect(r.status).toBe(200);
    expect(await timelineIds('contact', master.id)).toEqual([call.id]);
  });
});

describe('merging activities', () => {
  it('moves the links of a duplicate meeting to the master meeting, without doubles', async () => {
    const a = await buildContact(admin);
    const b = await buildContact(admin);
    const master = await buildRecord(admin, 'meeting', { subject: 'Kick-off', start_at: '2031-07-01T09:00:00Z', contact: a.id });
    const dup = await buildRecord(admin, 'meeting', { subject: 'Kick-off (copy)', start_at: '2031-07-02T09:00:00Z', contact: a.id });
    expect((await admin.request('POST', '/api/v1/activity_link', { body: { activity_object: 'meeting', activity_id: dup.id, record_object: 'contact', record_id: b.id } })).status).toBe(201);
    const r = await admin.request('POST', '/api/v1/meeting/merge', { body: { masterId: master.id, duplicateIds: [dup.id], fieldChoices: {} } });
    expect(r.status).toBe(200);
    expect(await timelineIds('contact', a.id)).toEqual([master.id]);
    expect(await timelineIds('contact', b.id)).toEqual([master.id]);
    // The moved link orders by the master's date, not the duplicate's.
    const keys = await sql<{ sort_at: Date }>`SELECT sort_at FROM obj_activity_link WHERE activity_id = ${master.id} AND record_id = ${b.id} AND deleted_at IS NULL`.execute(server.platform.db);
    expect(new Date(keys.rows[0]!.sort_at).toISOString()).toBe('2031-07-01T09:00:00.000Z');
  });
});
