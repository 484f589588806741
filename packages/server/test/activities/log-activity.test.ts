import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import { getTestServer, type TestServer, type TestUser } from '../server.ts';
import { buildAccount, buildContact, buildRecord } from '../factories.ts';

let server: TestServer;
let admin: TestUser;
beforeAll(async () => {
  server = await getTestServer();
  admin = server.admin;
  const res = await admin.request('POST', '/api/v1/metadata/objects', { body: { apiName: 'vessel', label: 'Vessel', pluralLabel: 'Vessels' } });
  expect(res.status, res.text).toBe(201);
});
afterAll(async () => server?.close());

const log = (user: TestUser, object: string, id: string, body: unknown, headers?: Record<string, string>) =>
  user.request('POST', `/api/v1/${object}/${id}/activities`, { body, headers });

async function timelineIds(object: string, id: string): Promise<string[]> {
  const res = await admin.request('GET', `/api/v1/${object}/${id}/timeline?limit=200`);
  expect(res.status, res.text).toBe(200);
  return res.body.data.map((i: { id: string }) => i.id);
}

async function links(activityId: string) {
  const r = await sql<{ record_object: string; record_id: string }>`SELECT record_object, record_id FROM obj_activity_link
    WHERE activity_id = ${activityId} AND deleted_at IS NULL ORDER BY record_object, record_id`.execute(server.platform.db);
  return r.rows;
}

async function userWithProfile(name: string, objects: Record<string, { read: boolean; create: boolean; edit: boolean; delete: boolean }>) {
  const all = { read: true, create: true, edit: true, delete: true };
  const p = await admin.request('POST', '/api/v1/profiles', { body: { name, label: name, permissions: { default: all, objects } } });
  expect(p.status, p.text).toBe(201);
  const user = await server.createUser();
  expect((await admin.request('PATCH', `/api/v1/user/${user.id}`, { body: { profile: name } })).status).toBe(200);
  return user;
}

describe('POST /{object}/{id}/activities', () => {
  it('logs a call on an account: filed under the typed lookup, linked once, on the timeline', async () => {
    const account = await buildAccount(admin);
    const res = await log(admin, 'account', account.id, {
      type: 'call',
      values: { subject: 'Discovery call', outcome: 'reached', status: 'held', start_at: '2026-01-05T10:00:00Z', description: 'Talked budget' },
    });
    expect(res.status, res.text).toBe(201);
    expect(res.body).toMatchObject({ subject: 'Discovery call', outcome: 'reached', status: 'held', account: account.id, owner: admin.id });
    expect(await links(res.body.id)).toEqual([{ record_object: 'account', record_id: account.id }]);
    expect(await timelineIds('account', account.id)).toContain(res.body.id);
  });

  it('links a sanitised note to a contact and a task to a custom object record', async () => {
    const contact = await buildContact(admin);
    const note = await log(admin, 'contact', contact.id, { type: 'note', values: { title: 'Met at the fair', body: '<p><b>Keen</b></p><script>alert(1)</script>' } });
    expect(note.status, note.text).toBe(201);
    expect(note.body.body).toBe('<p><b>Keen</b></p>');
    expect(note.body.contact).toBe(contact.id);
    expect(await timelineIds('contact', contact.id)).toContain(note.body.id);

    const vessel = await buildRecord(admin, 'vessel', { name: 'Northern Star' });
    const task = await log(admin, 'vessel', vessel.id, { type: 'task', values: { subject: 'Book dry dock', due_date: '2031-03-01', priority: 'high' } });
    expect(task.status, task.text).toBe(201);
    expect(task.body).toMatchObject({ subject: 'Book dry dock', due_date: '2031-03-01', priority: 'high', status: 'not_started', account: null });
    expect(await links(task.body.id)).toEqual([{ record_object: 'vessel', record_id: vessel.id }]);
    const timeline = await admin.request('GET', `/api/v1/vessel/${vessel.id}/timeline`);
    expect(timeline.body.data.find((i: { id: string }) => i.id === task.body.id)).toMatchObject({ kind: 'task', upcoming: true, title: 'Book dry dock' });
  });

  it('keeps a typed lookup the caller chose: another account gets its link, the same one no second link', async () => {
    const a = await buildAccount(admin);
    const b = await buildAccount(admin);
    const same = await log(admin, 'account', a.id, { type: 'task', values: { subject: 'Same', account: a.id } });
    expect(same.status, same.text).toBe(201);
    expect(await links(same.body.id)).toHaveLength(1);

    const contact = await buildContact(admin);
    const other = await log(admin, 'contact', contact.id, { type: 'meeting', values: { subject: 'Joint', start_at: '2031-01-01T09:00:00Z', account: b.id } });
    expect(other.status, other.text).toBe(201);
    expect(other.body).toMatchObject({ account: b.id, contact: contact.id });
    expect((await links(other.body.id)).map((l) => l.record_object)).toEqual(['account', 'contact']);
    expect(await timelineIds('account', b.id)).toContain(other.body.id);
  });

  it('refuses a bad type or body, naming the field', async () => {
    const account = await buildAccount(admin);
    for (const body of [{ type: 'opportunity', values: { name: 'x' } }, { values: { subject: 'x' } }, { type: 'activity_link', values: {} }]) {
      const res = await log(admin, 'account', account.id, body);
      expect(res.status, res.text).toBe(400);
      expect(res.body.errors[0].field).toBe('type');
    }
    const extra = await log(admin, 'account', account.id, { type: 'task', values: { subject: 'x' }, sneaky: 1 });
    expect(extra.status).toBe(400);
    expect(extra.body.errors[0]).toMatchObject({ field: 'sneaky', code: 'unknown_property' });
    const notObject = await log(admin, 'account', account.id, { type: 'task', values: ['subject'] });
    expect(notObject.status).toBe(400);
    expect(notObject.body.errors[0].field).toBe('values');
    expect((await admin.request('POST', `/api/v1/account/${account.id}/activities`, { raw: '[]' })).status).toBe(400);
  });

  it('refuses bad values with the field under values., and writes nothing', async () => {
    const account = await buildAccount(admin);
    const cases: Array<[unknown, string, string]> = [
      [{ type: 'task', values: {} }, 'values.subject', 'required'],
      [{ type: 'call', values: { subject: 'x', start_at: '2026-01-01T00:00:00Z', outcome: 'hung_up' } }, 'values.outcome', ''],
      [{ type: 'task', values: { subject: 'x', nope: 1 } }, 'values.nope', 'unknown_field'],
      [{ type: 'task', values: { subject: 'x', completed_at: '2026-01-01T00:00:00Z' } }, 'values.completed_at', 'read_only'],
      [{ type: 'task', values: { subject: 'x', due_date: '2026-01-01', recurrence_rule: 'FREQ=SECONDLY' } }, 'values.recurrence_rule', ''],
      [{ type: 'task', values: { subject: 'x', contact: '01890000-0000-7000-8000-000000000000' } }, 'values.contact', 'invalid_reference'],
    ];
    for (const [body, field, code] of cases) {
      const res = await log(admin, 'account', account.id, body);
      expect(res.status, `${field}: ${res.text}`).toBe(400);
      expect(res.body.errors.map((e: { field: string }) => e.field), res.text).toContain(field);
      if (code) expect(res.body.errors.find((e: { field: string }) => e.field === field).code).toBe(code);
    }
    expect(await timelineIds('account', account.id)).toHaveLength(1); // only the account's creation
  });

  it('answers 404 for a record the user cannot read, and 403 naming type for an object they may not create', async () => {
    expect((await admin.request('PUT', '/api/v1/sharing-settings/vessel', { body: { sharing: 'private' } })).status).toBe(200);
    const rep = await server.createUser();
    const hidden = await buildRecord(admin, 'vessel', { name: 'Private vessel' });
    const body = { type: 'task', values: { subject: 'Peek' } };
    expect((await log(rep, 'vessel', hidden.id, body)).status).toBe(404);
    expect((await log(admin, 'vessel', '01890000-0000-7000-8000-000000000000', body)).status).toBe(404);
    expect((await log(admin, 'vessel', 'not-a-uuid', body)).status).toBe(404);
    expect((await log(admin, 'nowhere', '01890000-0000-7000-8000-000000000000', body)).status).toBe(404);
    const r = await sql<{ n: number }>`SELECT count(*)::int AS n FROM obj_task WHERE subject = 'Peek'`.execute(server.platform.db);
    expect(r.rows[0]!.n).toBe(0);

    const noCalls = await userWithProfile('no_calls', { call: { read: true, create: false, edit: false, delete: false } });
    const account = await buildAccount(noCalls);
    const res = await log(noCalls, 'account', account.id, { type: 'call', values: { subject: 'x', start_at: '2026-01-01T00:00:00Z' } });
    expect(res.status).toBe(403);
    expect(res.body.errors[0].field).toBe('type');
  });

  it('leaves nothing half-written: the activity is rolled back when its link is refused', async () => {
    const noLinks = await userWithProfile('no_links', { activity_link: { read: true, create: false, edit: false, delete: false } });
    const vessel = await buildRecord(noLinks, 'vessel', { name: 'Own vessel' });
    const res = await log(noLinks, 'vessel', vessel.id, { type: 'task', values: { subject: 'Orphan candidate' } });
    expect(res.status, res.text).toBe(403);
    const r = await sql<{ n: number }>`SELECT count(*)::int AS n FROM obj_task WHERE subject = 'Orphan candidate'`.execute(server.platform.db);
    expect(r.rows[0]!.n).toBe(0);
  });

  it('honours Idempotency-Key: a retry returns the first answer and writes nothing', async () => {
    const account = await buildAccount(admin);
    const body = { type: 'note', values: { title: 'Once only' } };
    const headers = { 'idempotency-key': `log-${account.id}` };
    const first = await log(admin, 'account', account.id, body, headers);
    const again = await log(admin, 'account', account.id, body, headers);
    expect(first.status, first.text).toBe(201);
    expect(again.status).toBe(201);
    expect(again.headers['idempotent-replayed']).toBe('true');
    expect(again.body.id).toBe(first.body.id);
    expect((await timelineIds('account', account.id)).filter((id) => id === first.body.id)).toHaveLength(1);
    const r = await sql<{ n: number }>`SELECT count(*)::int AS n FROM obj_note WHERE title = 'Once only' AND account_id = ${account.id}::uuid`.execute(server.platform.db);
    expect(r.rows[0]!.n).toBe(1);
  });
});
