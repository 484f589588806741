import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import { getTestServer, type TestServer, type TestUser } from '../server.ts';
import { buildAccount, buildOpportunity, buildRecord, buildTask } from '../factories.ts';
import { startActivities } from '../../src/modules/activities/startup.ts';
import { ok } from '../access/fixture.ts';

let server: TestServer;
let admin: TestUser;
beforeAll(async () => {
  server = await getTestServer();
  admin = server.admin;
});
afterAll(async () => server?.close());

type Item = { kind: string; id: string; at: string; upcoming: boolean; overdue: boolean; title: string | null; status: string | null; text?: string | null; change?: Record<string, unknown> };

async function page(user: TestUser, object: string, id: string, query: string) {
  const res = await user.request('GET', `/api/v1/${object}/${id}/timeline${query}`);
  expect(res.status, res.text).toBe(200);
  return res.body as { data: Item[]; nextCursor: string | null };
}

async function all(user: TestUser, object: string, id: string, limit: number): Promise<{ items: Item[]; pages: number }> {
  const items: Item[] = [];
  let cursor: string | null = null;
  let pages = 0;
  do {
    const p = await page(user, object, id, `?limit=${limit}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);
    if (p.nextCursor) expect(p.data).toHaveLength(limit);
    items.push(...p.data);
    cursor = p.nextCursor;
    pages++;
  } while (cursor && pages < 1000);
  return { items, pages };
}

/** Upcoming soonest first, then the rest newest first; ties by id. */
function expectOrdered(items: Item[]) {
  const firstPast = items.findIndex((i) => !i.upcoming);
  if (firstPast >= 0) expect(items.slice(firstPast).every((i) => !i.upcoming)).toBe(true);
  for (let i = 1; i < items.length; i++) {
    const [a, b] = [items[i - 1]!, items[i]!];
    if (a.upcoming !== b.upcoming) continue;
    const d = Date.parse(b.at) - Date.parse(a.at);
    if (a.upcoming) expect(d >= 0).toBe(true);
    else expect(d <= 0).toBe(true);
  }
}

describe('record timeline', () => {
  it('merges activities, notes and field changes of note, upcoming first', async () => {
    const opp = await buildOpportunity(admin, { amount: 500 });
    const colleague = await server.createUser();
    const past = await buildTask(admin, { opportunity: opp.id, due_date: '2020-01-01' });
    const soon = await buildTask(admin, { opportunity: opp.id, due_date: '2030-01-01' });
    const later = await buildRecord(admin, 'meeting', { subject: 'Later', opportunity: opp.id, start_at: '2031-01-01T10:00:00Z' });
    const cancelled = await buildRecord(admin, 'meeting', { subject: 'Cancelled', opportunity: opp.id, start_at: '2031-02-01T10:00:00Z', status: 'cancelled' });
    const doneTask = await buildTask(admin, { opportunity: opp.id, due_date: '2032-01-01', status: 'completed' });
    const note = await buildRecord(admin, 'note', { title: 'Met the buyer', body: '<p>Good</p>', opportunity: opp.id });
    expect((await admin.request('PATCH', `/api/v1/opportunity/${opp.id}`, { body: { stage: 'qualification' } })).status).toBe(200);
    expect((await admin.request('PATCH', `/api/v1/opportunity/${opp.id}`, { body: { owner: colleague.id } })).status).toBe(200);
    expect((await admin.request('PATCH', `/api/v1/opportunity/${opp.id}`, { body: { description: 'not of note' } })).status).toBe(200);

    const { items } = await all(admin, 'opportunity', opp.id, 50);
    // "Upcoming & overdue": the overdue open task first (the oldest), then the future ones.
    const upcoming = items.filter((i) => i.upcoming).map((i) => i.id);
    expect(upcoming).toEqual([past.id, soon.id, later.id]);
    expect(items.filter((i) => i.overdue).map((i) => i.id)).toEqual([past.id]);
    const kinds = items.filter((i) => !i.upcoming).map((i) => i.kind);
    expect(kinds.filter((k) => k === 'change')).toHaveLength(3);
    const changes = items.filter((i) => i.kind === 'change').map((i) => [i.change!.operation, i.change!.field]);
    expect(changes).toEqual(expect.arrayContaining([['create', null], ['update', 'stage'], ['update', 'owner']]));
    expect(items.find((i) => i.kind === 'change' && i.change!.field === 'stage')!.change).toMatchObject({ old: 'prospecting', new: 'qualification', actor: admin.id });
    for (const id of [cancelled.id, doneTask.id, note.id]) expect(items.find((i) => i.id === id)?.upcoming).toBe(false);
    expect(items.find((i) => i.id === note.id)).toMatchObject({ kind: 'note', title: 'Met the buyer' });
    expectOrdered(items);
  });

  it('moves an activity when its status or date changes, on every record it is linked to', async () => {
    const acc = await buildAccount(admin);
    const task = await buildTask(admin, { account: acc.id, due_date: '2031-03-01' });
    const upcoming = async () => (await all(admin, 'account', acc.id, 50)).items.filter((i) => i.upcoming).map((i) => i.id);
    expect(await upcoming()).toEqual([task.id]);
    expect((await admin.request('PATCH', `/api/v1/task/${task.id}`, { body: { description: 'not a key field' } })).status).toBe(200);
    expect(await upcoming()).toEqual([task.id]);
    expect((await admin.request('PATCH', `/api/v1/task/${task.id}`, { body: { status: 'completed' } })).status).toBe(200);
    expect(await upcoming()).toEqual([]);
    const meeting = await buildRecord(admin, 'meeting', { subject: 'Moves', account: acc.id, start_at: '2020-01-01T10:00:00Z' });
    expect(await upcoming()).toEqual([]);
    expect((await admin.request('PATCH', `/api/v1/meeting/${meeting.id}`, { body: { start_at: '2031-01-01T10:00:00Z' } })).status).toBe(200);
    const items = (await all(admin, 'account', acc.id, 50)).items;
    expect(items.find((i) => i.id === meeting.id)).toMatchObject({ upcoming: true, at: '2031-01-01T10:00:00.000Z' });
  });

  it('refuses a tampered or foreign cursor and an unreadable record', async () => {
    const a = await buildAccount(admin);
    const b = await buildAccount(admin);
    for (let i = 0; i < 3; i++) await buildTask(admin, { account: a.id });
    const p = await page(admin, 'account', a.id, '?limit=1');
    expect(p.nextCursor).toEqual(expect.any(String));
    const tampered = p.nextCursor!.replace(/^./, (c) => (c === 'A' ? 'B' : 'A'));
    expect((await admin.request('GET', `/api/v1/account/${a.id}/timeline?cursor=${encodeURIComponent(tampered)}`)).status).toBe(400);
    const foreign = await admin.request('GET', `/api/v1/account/${b.id}/timeline?cursor=${encodeURIComponent(p.nextCursor!)}`);
    expect(foreign.status).toBe(400);
    expect(foreign.body.errors[0].code).toBe('stale_cursor');
    expect((await admin.request('GET', `/api/v1/account/${a.id}/timeline?limit=500`)).status).toBe(400);
    expect((await admin.request('GET', `/api/v1/account/01890000-0000-7000-8000-000000000000/timeline`)).status).toBe(404);
  });

  it('pages through 10,000 items on one record completely and without overlap', async () => {
    const account = await buildAccount(admin);
    const db = server.platform.db;
    const acc = account.id;
    // Many equal dates on purpose: ties must be broken by id across page boundaries.
    await sql`INSERT INTO obj_task (id, owner_id, subject, status, priority, due_date, created_at)
      SELECT gen_random_uuid(), ${admin.id}::uuid, 'Bulk task ' || g, CASE WHEN g % 3 = 0 THEN 'completed' ELSE 'not_started' END, 'normal',
        current_date + (g % 100 - 50), now() - g * interval '1 second'
      FROM generate_series(1, 4000) g`.execute(db);
    await sql`INSERT INTO obj_meeting (id, owner_id, subject, status, priority, start_at)
      SELECT gen_random_uuid(), ${admin.id}::uuid, 'Bulk meeting ' || g, CASE WHEN g % 4 = 0 THEN 'held' ELSE 'scheduled' END, 'normal',
        date_trunc('hour', now()) + (g % 300 - 150) * interval '1 hour'
      FROM generate_series(1, 3000) g`.execute(db);
    await sql`INSERT INTO obj_call (id, owner_id, subject, status, priority, start_at)
      SELECT gen_random_uuid(), ${admin.id}::uuid, 'Bulk call ' || g, 'held', 'normal', date_trunc('day', now()) - (g % 10) * interval '1 day'
      FROM generate_series(1, 1000) g`.execute(db);
    await sql`INSERT INTO obj_note (id, owner_id, title, created_at)
      SELECT gen_random_uuid(), ${admin.id}::uuid, 'Bulk note ' || g, date_trunc('minute', now()) - (g % 50) * interval '1 minute'
      FROM generate_series(1, 1999) g`.execute(db);
    for (const [object, col, prefix] of [['task', 'subject', 'Bulk task'], ['meeting', 'subject', 'Bulk meeting'], ['call', 'subject', 'Bulk call'], ['note', 'title', 'Bulk note']] as const) {
      await sql`INSERT INTO obj_activity_link (id, owner_id, activity_object, activity_id, record_object, record_id)
        SELECT gen_random_uuid(), owner_id, ${object}, id::text, 'account', ${acc} FROM ${sql.table(`obj_${object}`)} WHERE ${sql.ref(col)} LIKE ${`${prefix} %`}`.execute(db);
    }
    // Links written by raw SQL get their sort keys at start-up, as after a restart.
    await startActivities(server.platform);
    // 9,999 activities + the account's creation = 10,000 items.
    const { items, pages } = await all(admin, 'account', acc, 200);
    expect(pages).toBe(50);
    expect(items).toHaveLength(10_000);
    expect(new Set(items.map((i) => i.id)).size).toBe(10_000);
    expect(items.filter((i) => i.kind === 'change')).toHaveLength(1);
    // Every open task is in the first part, the overdue ones flagged.
    const openTasks = items.filter((i) => i.kind === 'task' && i.upcoming);
    const expected = await sql<{ n: number; overdue: number }>`SELECT count(*)::int AS n, count(*) FILTER (WHERE due_date < current_date)::int AS overdue
      FROM obj_task WHERE subject LIKE 'Bulk task %' AND status = 'not_started'`.execute(db);
    expect(openTasks).toHaveLength(expected.rows[0]!.n);
    expect(openTasks.filter((i) => i.overdue)).toHaveLength(expected.rows[0]!.overdue);
    expectOrdered(items);
    // A different page size walks the same sequence.
    const { items: again } = await all(admin, 'account', acc, 199);
    expect(again.map((i) => i.id)).toEqual(items.map((i) => i.id));
  }, 300_000);

  it('shows only the activities the user may read', async () => {
    expect((await admin.request('PUT', '/api/v1/sharing-settings/task', { body: { sharing: 'private' } })).status).toBe(200);
    const rep = await server.createUser();
    const account = await buildAccount(admin);
    const adminTask = await buildTask(admin, { account: account.id, subject: 'Admin only' });
    const repTask = await buildTask(rep, { account: account.id, subject: 'Rep task' });
    const meeting = await buildRecord(admin, 'meeting', { subject: 'Shared meeting', account: account.id, start_at: '2031-01-01T10:00:00Z' });
    const adminView = (await all(admin, 'account', account.id, 50)).items.map((i) => i.id);
    expect(adminView).toEqual(expect.arrayContaining([adminTask.id, repTask.id, meeting.id]));
    const repView = (await all(rep, 'account', account.id, 50)).items.map((i) => i.id);
    expect(repView).toEqual(expect.arrayContaining([repTask.id, meeting.id]));
    expect(repView).not.toContain(adminTask.id);
  });

  it('carries the text of notes, calls and e-mails as plain text, and not a field the reader may not see', async () => {
    const account = await buildAccount(admin);
    const note = await buildRecord(admin, 'note', { title: 'Site visit', body: '<p>Decision <strong>made</strong>: go &amp; order</p><ul><li>two units</li><li>before May</li></ul>', account: account.id });
    const call = await buildRecord(admin, 'call', { subject: 'Budget call', start_at: '2020-02-01T10:00:00Z', status: 'held', description: 'Budget approved for Q3.', account: account.id });
    const mail = await buildRecord(admin, 'email_log', { subject: 'Re: quote', body: 'Thanks, we will sign this week.', account: account.id });
    const bare = await buildRecord(admin, 'note', { title: 'Empty', account: account.id });
    const text = async (user: TestUser) => Object.fromEntries((await all(user, 'account', account.id, 50)).items.map((i) => [i.id, i.text]));
    const seen = await text(admin);
    expect(seen[note.id]).toBe('Decision made: go & order\ntwo units\nbefore May');
    expect(seen[call.id]).toBe('Budget approved for Q3.');
    expect(seen[mail.id]).toBe('Thanks, we will sign this week.');
    expect(seen[bare.id]).toBeNull();

    ok(await admin.request('POST', '/api/v1/profiles', { body: { name: 'quiet', label: 'Quiet', permissions: { default: { read: true, create: true, edit: true, delete: true }, fields: { call: { description: 'hidden' } } } } }));
    const quiet = await server.createUser();
    ok(await admin.request('PATCH', `/api/v1/user/${quiet.id}`, { body: { profile: 'quiet' } }));
    const theirs = await text(quiet);
    expect(theirs[call.id]).toBeNull();
    expect(theirs[note.id]).toContain('Decision made');
  });
});
