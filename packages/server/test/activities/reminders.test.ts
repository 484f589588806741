import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestSmtp, type TestSmtp } from '../smtp.ts';
import { getTestServer, type TestServer, type TestUser } from '../server.ts';
import { buildRecord } from '../factories.ts';
import { sendDueReminders } from '../../src/modules/activities/commands/sendReminders.ts';
import { modules } from '../../src/modules/index.ts';

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

const notifications = async (user: TestUser) => (await user.request('GET', '/api/v1/me/notifications')).body.data as Array<{ id: string; kind: string; recordId: string; occurrence: string; title: string; readAt: string | null }>;

describe('reminders (ACT-3)', () => {
  it('is a job that runs every minute', () => {
    expect(modules.flatMap((m) => m.jobs ?? []).find((j) => j.name === 'activities.reminders')).toMatchObject({ cron: '* * * * *' });
  });

  it('creates an in-app notification and e-mails it through SMTP, once', async () => {
    const rep = await server.createUser({ email: 'rep.reminders@example.com' });
    const start = new Date(Date.now() + 10 * 60_000);
    const meeting = await buildRecord(rep, 'meeting', { subject: 'Demo with ACME', start_at: start.toISOString(), reminder_minutes: 15 });
    await buildRecord(rep, 'meeting', { subject: 'Far away', start_at: new Date(Date.now() + 5 * 3_600_000).toISOString(), reminder_minutes: 15 });
    await buildRecord(rep, 'call', { subject: 'No reminder', start_at: start.toISOString() });
    const settings = { smtpUrl, from: 'Meridian <noreply@example.com>', escalationHours: 24 };
    const first = await sendDueReminders(server.platform, { settings });
    expect(first).toMatchObject({ created: 1, emailed: 1 });
    expect(inbox).toHaveLength(1);
    expect(inbox[0]!.to).toEqual(['rep.reminders@example.com']);
    expect(inbox[0]!.raw).toContain('Subject: Reminder: Demo with ACME');
    expect(inbox[0]!.raw).toContain(`/meeting/${meeting.id}`);
    expect(await sendDueReminders(server.platform, { settings })).toMatchObject({ created: 0, emailed: 0 });
    expect(inbox).toHaveLength(1);

    const mine = await notifications(rep);
    expect(mine).toEqual([expect.objectContaining({ kind: 'reminder', recordId: meeting.id, title: 'Reminder: Demo with ACME', readAt: null })]);
    expect((await admin.request('POST', `/api/v1/me/notifications/${mine[0]!.id}/read`)).status).toBe(404);
    expect((await rep.request('POST', `/api/v1/me/notifications/${mine[0]!.id}/read`)).status).toBe(204);
    expect((await notifications(rep))[0]!.readAt).toEqual(expect.any(String));
  });

  it('reminds each occurrence of a recurring meeting, and skips e-mail without SMTP', async () => {
    const rep = await server.createUser();
    const now = new Date('2030-06-03T08:50:00Z'); // a Monday
    await buildRecord(rep, 'meeting', { subject: 'Weekly', start_at: '2030-05-06T09:00:00Z', time_zone: 'UTC', recurrence_rule: 'FREQ=WEEKLY', reminder_minutes: 15 });
    const before = inbox.length;
    const r = await sendDueReminders(server.platform, { now, settings: { escalationHours: 24 } });
    expect(r).toMatchObject({ created: 1, emailed: 0 });
    expect(inbox.length).toBe(before);
    expect((await notifications(rep)).map((n) => n.occurrence)).toEqual(['2030-06-03T09:00:00.000Z']);
    await sendDueReminders(server.platform, { now: new Date('2030-06-10T08:50:00Z'), settings: { escalationHours: 24 } });
    expect((await notifications(rep)).map((n) => n.occurrence)).toEqual(['2030-06-10T09:00:00.000Z', '2030-06-03T09:00:00.000Z']);
  });

  it('reminds before the due day of each occurrence of a repeating task, in the owner\'s time zone', async () => {
    const rep = await server.createUser();
    expect((await admin.request('PATCH', `/api/v1/user/${rep.id}`, { body: { time_zone: 'Asia/Tokyo' } })).status).toBe(200);
    const task = await buildRecord(rep, 'task', { subject: 'Daily report', due_date: '2030-09-01', recurrence_rule: 'FREQ=DAILY', reminder_minutes: 60 });
    // 3 Sep 00:00 in Tokyo is 2 Sep 15:00Z; an hour before is 14:00Z.
    await sendDueReminders(server.platform, { now: new Date('2030-09-02T13:59:00Z'), settings: { escalationHours: 24 } });
    expect(await notifications(rep)).toEqual([]);
    await sendDueReminders(server.platform, { now: new Date('2030-09-02T14:00:30Z'), settings: { escalationHours: 24 } });
    expect((await notifications(rep)).map((n) => [n.recordId, n.occurrence])).toEqual([[task.id, '2030-09-03']]);
  });

  it('escalates an overdue task to the owner\'s manager after the delay', async () => {
    const manager = await server.createUser({ email: 'manager.esc@example.com' });
    const rep = await server.createUser();
    expect((await admin.request('PATCH', `/api/v1/user/${rep.id}`, { body: { manager: manager.id } })).status).toBe(200);
    const task = await buildRecord(rep, 'task', { subject: 'Send contract', due_date: '2030-01-10' });
    const done = await buildRecord(rep, 'task', { subject: 'Done already', due_date: '2030-01-10', status: 'completed' });
    const settings = { smtpUrl, escalationHours: 24 };
    // Due 10 Jan (UTC): overdue from 11 Jan 00:00, escalated from 12 Jan 00:00.
    await sendDueReminders(server.platform, { now: new Date('2030-01-11T12:00:00Z'), settings });
    expect(await notifications(manager)).toEqual([]);
    const before = inbox.length;
    await sendDueReminders(server.platform, { now: new Date('2030-01-12T00:01:00Z'), settings });
    const esc = await notifications(manager);
    expect(esc).toEqual([expect.objectContaining({ kind: 'escalation', recordId: task.id, title: 'Overdue: Send contract' })]);
    expect(esc.some((n) => n.recordId === done.id)).toBe(false);
    expect(inbox.slice(before).map((m) => m.to)).toEqual([['manager.esc@example.com']]);
    expect(await notifications(rep)).toEqual([]);
  });

  it('escalates each open occurrence of a repeating task, not the completed ones, back one week at most', async () => {
    const manager = await server.createUser({ email: 'manager.series@example.com' });
    const rep = await server.createUser();
    expect((await admin.request('PATCH', `/api/v1/user/${rep.id}`, { body: { manager: manager.id } })).status).toBe(200);
    const task = await buildRecord(rep, 'task', { subject: 'Check the generator log', due_date: '2031-03-01', recurrence_rule: 'FREQ=DAILY' });
    // 10 March is done: completing "this one" takes it out of the series.
    const done = await rep.request('POST', `/api/v1/task/${task.id}/occurrences/edit`, { body: { occurrence: '2031-03-10', scope: 'this', changes: { status: 'completed' } } });
    expect(done.status, done.text).toBe(200);
    const settings = { escalationHours: 24 };
    // On 13 March 00:30 UTC, with 24 h delay: days up to 11 March are escalated; the lookback starts 6 March.
    await sendDueReminders(server.platform, { now: new Date('2031-03-13T00:30:00Z'), settings });
    const days = (await notifications(manager)).filter((n) => n.recordId === task.id && n.kind === 'escalation').map((n) => n.occurrence).sort();
    expect(days).toEqual(['2031-03-06', '2031-03-07', '2031-03-08', '2031-03-09', '2031-03-11']);
    // A rerun sends nothing twice; the next day adds the 12th.
    await sendDueReminders(server.platform, { now: new Date('2031-03-13T00:31:00Z'), settings });
    expect((await notifications(manager)).filter((n) => n.recordId === task.id)).toHaveLength(5);
    await sendDueReminders(server.platform, { now: new Date('2031-03-14T00:30:00Z'), settings });
    expect((await notifications(manager)).filter((n) => n.recordId === task.id).map((n) => n.occurrence)).toContain('2031-03-12');
  });
});
