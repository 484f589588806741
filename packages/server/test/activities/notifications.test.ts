import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestSmtp, type TestSmtp } from '../smtp.ts';
import { getTestServer, type TestServer, type TestUser } from '../server.ts';
import { buildRecord } from '../factories.ts';
import { sendDueReminders } from '../../src/modules/activities/commands/sendReminders.ts';
import { modules } from '../../src/modules/index.ts';
import { sendDailyDigests } from '../../src/modules/activities/notifications/digest.ts';

let server: TestServer;
let admin: TestUser;
let smtp: TestSmtp;
let smtpUrl: string;
let inbox: TestSmtp['inbox'];

beforeAll(async () => {
  server = await getTestServer();
  admin = server.admin;
  smtp = await startTestSmtp();
  ({ url: smtpUrl, inbox } = smtp);
});
afterAll(async () => {
  await smtp?.close();
  await server?.close();
});

const soon = () => new Date(Date.now() + 10 * 60_000).toISOString();
const list = async (user: TestUser, query = '') => (await user.request('GET', `/api/v1/me/notifications${query}`)).body as { data: Array<{ id: string; title: string; readAt: string | null }>; unreadCount: number; nextCursor: string | null };

describe('notification settings', () => {
  it('has defaults, saves changes and names the field of a refused value', async () => {
    const rep = await server.createUser();
    expect((await rep.request('GET', '/api/v1/me/notification-settings')).body).toEqual({ inApp: true, email: true, digest: { enabled: false, hour: 7 } });
    const put = await rep.request('PUT', '/api/v1/me/notification-settings', { body: { email: false, digest: { enabled: true, hour: 18 } } });
    expect(put.status).toBe(200);
    expect(put.body).toEqual({ inApp: true, email: false, digest: { enabled: true, hour: 18 } });
    expect((await rep.request('GET', '/api/v1/me/notification-settings')).body).toEqual(put.body);
    // Another user's settings are untouched.
    expect((await admin.request('GET', '/api/v1/me/notification-settings')).body.email).toBe(true);

    const bad = await rep.request('PUT', '/api/v1/me/notification-settings', { body: { inApp: 'yes', digest: { hour: 24 }, sms: true } });
    expect(bad.status).toBe(400);
    expect(bad.body.errors.map((e: { field: string }) => e.field).sort()).toEqual(['digest.hour', 'inApp', 'sms']);
    expect((await rep.request('PUT', '/api/v1/me/notification-settings', { body: { digest: { hour: 6.5 } } })).body.errors[0].field).toBe('digest.hour');
    expect((await rep.request('PUT', '/api/v1/me/notification-settings', { raw: '[]' })).status).toBe(400);
  });

  it('reminders honour the channels: no e-mail when off; with in-app off the notification is kept as read', async () => {
    const settings = { smtpUrl, escalationHours: 24 };
    const quiet = await server.createUser({ email: 'quiet.channels@example.com' });
    const mailOnly = await server.createUser({ email: 'mailonly.channels@example.com' });
    await quiet.request('PUT', '/api/v1/me/notification-settings', { body: { email: false } });
    await mailOnly.request('PUT', '/api/v1/me/notification-settings', { body: { inApp: false } });
    await buildRecord(quiet, 'meeting', { subject: 'Quiet meeting', start_at: soon(), reminder_minutes: 15 });
    await buildRecord(mailOnly, 'meeting', { subject: 'Mailed meeting', start_at: soon(), reminder_minutes: 15 });
    const before = inbox.length;
    await sendDueReminders(server.platform, { settings });
    expect(inbox.slice(before).map((m) => m.to)).toEqual([['mailonly.channels@example.com']]);
    expect(inbox.at(-1)!.raw).toMatch(/http:\/\/localhost:3000\/o\/meeting\/[0-9a-f-]{36}/);
    const q = await list(quiet);
    expect(q).toMatchObject({ unreadCount: 1, data: [{ title: 'Reminder: Quiet meeting', readAt: null }] });
    const m = await list(mailOnly);
    expect(m.unreadCount).toBe(0);
    expect(m.data).toEqual([expect.objectContaining({ title: 'Reminder: Mailed meeting', readAt: expect.any(String) })]);
  });
});

describe('notification list', () => {
  it('pages with a cursor, counts unread and marks all as read', async () => {
    const rep = await server.createUser();
    for (let i = 0; i < 5; i++) await buildRecord(rep, 'task', { subject: `Paged ${i}`, due_date: '2030-03-02', reminder_minutes: 60 });
    await sendDueReminders(server.platform, { now: new Date('2030-03-01T23:30:00Z'), settings: { escalationHours: 24 } });
    const first = await list(rep, '?limit=2');
    expect(first.data).toHaveLength(2);
    expect(first.unreadCount).toBe(5);
    const second = await list(rep, `?limit=2&cursor=${first.nextCursor}`);
    const third = await list(rep, `?limit=2&cursor=${second.nextCursor}`);
    expect(third.nextCursor).toBeNull();
    const ids = [...first.data, ...second.data, ...third.data].map((n) => n.id);
    expect(new Set(ids).size).toBe(5);
    expect((await rep.request('GET', '/api/v1/me/notifications?cursor=nonsense')).body.errors[0].field).toBe('cursor');
    expect((await rep.request('GET', '/api/v1/me/notifications?limit=1000')).body.errors[0].field).toBe('limit');

    const all = await rep.request('POST', '/api/v1/me/notifications/read-all');
    expect(all.status).toBe(200);
    expect(all.body).toEqual({ updated: 5 });
    expect((await list(rep, '?unread=true')).data).toEqual([]);
    expect((await list(rep)).unreadCount).toBe(0);
  });

  it('the digest is a job every quarter hour', () => {
    expect(modules.flatMap((m) => m.jobs ?? []).find((j) => j.name === 'activities.digest')).toMatchObject({ cron: '*/15 * * * *' });
  });
});

describe('daily digest', () => {
  const settings = () => ({ smtpUrl, from: 'Meridian <noreply@example.com>', escalationHours: 24 });
  const at = (iso: string) => sendDailyDigests(server.platform, { now: new Date(iso), settings: settings() });
  const inZone = async (email: string, timeZone: string) => {
    const user = await server.createUser({ email });
    expect((await admin.request('PATCH', `/api/v1/user/${user.id}`, { body: { time_zone: timeZone } })).status).toBe(200);
    await user.request('PUT', '/api/v1/me/notification-settings', { body: { digest: { enabled: true, hour: 7 } } });
    return user;
  };

  it('e-mails each user once per local day at their digest hour, with their day and overdue tasks', async () => {
    // 15 Jan 2030 (winter): 07:00 in Berlin is 06:00Z, in New York 12:00Z.
    const berlin = await inZone('berlin.digest@example.com', 'Europe/Berlin');
    const york = await inZone('york.digest@example.com', 'America/New_York');
    const idle = await inZone('idle.digest@example.com', 'UTC');
    await buildRecord(berlin, 'meeting', { subject: 'Berlin review', start_at: '2030-01-15T08:00:00Z', end_at: '2030-01-15T09:00:00Z' });
    await buildRecord(york, 'meeting', { subject: 'York stand-up', start_at: '2030-01-15T15:00:00Z', end_at: '2030-01-15T15:15:00Z' });
    await buildRecord(york, 'call', { subject: 'York cancelled call', start_at: '2030-01-15T16:00:00Z', status: 'cancelled' });
    await buildRecord(york, 'task', { subject: 'York task today', due_date: '2030-01-15' });
    await buildRecord(york, 'task', { subject: 'York done today', due_date: '2030-01-15', status: 'completed' });
    await buildRecord(york, 'task', { subject: 'York overdue', due_date: '2030-01-10' });
    await buildRecord(york, 'task', { subject: 'York tomorrow', due_date: '2030-01-16' });
    await buildRecord(admin, 'meeting', { subject: 'Not York', start_at: '2030-01-15T15:00:00Z' });
    const mine = (email: string) => inbox.filter((m) => m.to.includes(email));

    expect(await at('2030-01-15T05:55:00Z')).toEqual({ sent: 0, empty: 0 });
    expect(await at('2030-01-15T06:05:00Z')).toEqual({ sent: 1, empty: 0 });
    expect(mine('berlin.digest@example.com')).toHaveLength(1);
    expect(mine('berlin.digest@example.com')[0]!.raw).toContain('Berlin review');
    expect(mine('york.digest@example.com')).toHaveLength(0);
    expect(mine(idle.email)).toHaveLength(0);
    // Reruns and later runs the same day send nothing more; a user with nothing to say gets no e-mail.
    expect(await at('2030-01-15T06:20:00Z')).toEqual({ sent: 0, empty: 0 });
    expect(await at('2030-01-15T11:50:00Z')).toEqual({ sent: 0, empty: 1 });
    expect(mine(idle.email)).toHaveLength(0);

    expect(await at('2030-01-15T12:05:00Z')).toEqual({ sent: 1, empty: 0 });
    const [digest] = mine('york.digest@example.com');
    expect(digest).toBeDefined();
    const text = digest!.raw.replace(/=\r?\n/g, '');
    expect(text).toMatch(/Subject: Your day, Tue, Jan 15: 3 items/);
    expect(text).toContain('10:00 AM Meeting: York stand-up');
    expect(text).toContain('Task: York task today');
    expect(text).toContain('York overdue (due Jan 10, 2030)');
    expect(text).toContain('/o/task/');
    for (const absent of ['York cancelled call', 'York done today', 'York tomorrow', 'Not York']) expect(text).not.toContain(absent);
    expect((await at('2030-01-15T23:59:00Z')).sent).toBe(0);
    expect(mine('york.digest@example.com')).toHaveLength(1);
    // The next local day is a new digest; Berlin has nothing on the 16th and gets none.
    expect((await at('2030-01-16T12:05:00Z')).sent).toBe(1);
    expect(mine('berlin.digest@example.com')).toHaveLength(1);
    expect(mine('york.digest@example.com')).toHaveLength(2);
    expect(mine('york.digest@example.com')[1]!.raw).toContain('York tomorrow');
  });

  it('claims each day once under parallel runs', async () => {
    const user = await inZone('parallel.digest@example.com', 'UTC');
    await buildRecord(user, 'task', { subject: 'Parallel task', due_date: '2030-02-01' });
    const runs = await Promise.all([at('2030-02-01T07:01:00Z'), at('2030-02-01T07:01:00Z'), at('2030-02-01T07:02:00Z')]);
    expect(runs.reduce((n, r) => n + r.sent, 0)).toBeGreaterThanOrEqual(1);
    expect(inbox.filter((m) => m.to.includes('parallel.digest@example.com'))).toHaveLength(1);
  });
});

describe('one notification table', () => {
  it("moves a database's old activity notifications into the platform's table", async () => {
    const { sql } = await import('kysely');
    const { bootPlatform, createLogger } = await import('../../src/platform/boot.ts');
    const db = server.platform.db;
    // As a database from before module migrations left it.
    await sql`CREATE TABLE activity_notification (id uuid PRIMARY KEY, user_id uuid NOT NULL, kind text NOT NULL, object text NOT NULL, record_id uuid NOT NULL,
      occurrence text NOT NULL, title text NOT NULL, body text NOT NULL, created_at timestamptz(3) NOT NULL DEFAULT now(), read_at timestamptz(3), emailed_at timestamptz(3))`.execute(db);
    const id = '01890000-0000-7000-8000-00000000abcd';
    await sql`INSERT INTO activity_notification (id, user_id, kind, object, record_id, occurrence, title, body) VALUES (${id}, ${admin.id}::uuid, 'reminder', 'task', ${id}, '2030-01-01', 'Old reminder', 'From before')`.execute(db);
    await sql`DELETE FROM meridian_migration WHERE id = 'activities/0002_notifications_to_platform'`.execute(db);
    await bootPlatform({ config: server.platform.config, modules: server.platform.modules, database: server.platform.database, logger: createLogger('silent') });
    expect((await sql<{ t: string | null }>`SELECT to_regclass('activity_notification')::text AS t`.execute(db)).rows[0]!.t).toBeNull();
    expect((await list(admin)).data).toContainEqual(expect.objectContaining({ id, title: 'Old reminder', readAt: null }));
  });
});
