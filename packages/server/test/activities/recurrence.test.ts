import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getTestServer, type TestServer, type TestUser } from '../server.ts';
import { buildAccount, buildRecord } from '../factories.ts';

let server: TestServer;
let admin: TestUser;
let rep: TestUser;
beforeAll(async () => {
  server = await getTestServer();
  admin = server.admin;
  rep = await server.createUser();
  expect((await admin.request('PATCH', `/api/v1/user/${rep.id}`, { body: { time_zone: 'America/New_York' } })).status).toBe(200);
});
afterAll(async () => server?.close());

type Occ = { object: string; id: string; subject: string; recurring: boolean; occurrence: string; start?: string; localStart?: string; dueDate?: string };
const agenda = async (user: TestUser, from: string, to: string): Promise<Occ[]> => {
  const res = await user.request('GET', `/api/v1/me/agenda?from=${encodeURIComponent(from)}&to=${encodeURIComponent(to)}`);
  expect(res.status, res.text).toBe(200);
  return res.body.data;
};

describe('recurrence (ACT-2)', () => {
  it('validates and normalises the RRULE', async () => {
    for (const rule of ['FREQ=FOO', 'FREQ=HOURLY', 'FREQ=WEEKLY;BYDAY=XX', 'BYDAY=MO', 'FREQ=DAILY;INTERVAL=0', 'nonsense', 'FREQ=DAILY;COUNT=2;UNTIL=20300101T000000Z', 'DTSTART:20300101T000000Z\nRRULE:FREQ=DAILY']) {
      const res = await rep.request('POST', '/api/v1/meeting', { body: { subject: 'x', start_at: '2030-01-01T09:00:00Z', recurrence_rule: rule } });
      expect(res.status, rule).toBe(400);
      expect(res.body.errors[0].field).toBe('recurrence_rule');
    }
    const ok = await buildRecord(rep, 'meeting', { subject: 'x', start_at: '2030-01-01T09:00:00Z', recurrence_rule: 'RRULE:freq=weekly;byday=mo,we' });
    expect(ok.recurrence_rule).toBe('FREQ=WEEKLY;BYDAY=MO,WE');
    const task = await rep.request('POST', '/api/v1/task', { body: { subject: 'x', recurrence_rule: 'FREQ=DAILY' } });
    expect(task.body.errors[0]).toMatchObject({ field: 'due_date', code: 'required' });
    expect((await rep.request('DELETE', `/api/v1/meeting/${ok.id}`)).status).toBe(204);
  });

  it('expands a weekly meeting in its time zone across the DST change, without storing copies', async () => {
    const m = await buildRecord(rep, 'meeting', {
      subject: 'Weekly sync', start_at: '2026-03-02T14:00:00Z', end_at: '2026-03-02T14:30:00Z', time_zone: 'America/New_York', recurrence_rule: 'FREQ=WEEKLY;BYDAY=MO;COUNT=4',
    });
    const occ = await agenda(rep, '2026-03-01', '2026-04-01');
    expect(occ.map((o) => o.start)).toEqual(['2026-03-02T14:00:00Z', '2026-03-09T13:00:00Z', '2026-03-16T13:00:00Z', '2026-03-23T13:00:00Z']);
    expect(occ.map((o) => o.localStart)).toEqual(['2026-03-02T09:00:00-05:00', '2026-03-09T09:00:00-04:00', '2026-03-16T09:00:00-04:00', '2026-03-23T09:00:00-04:00']);
    expect(occ.every((o) => o.id === m.id && o.recurring)).toBe(true);
    const list = await rep.request('GET', '/api/v1/meeting');
    expect(list.body.data.filter((r: { subject: string }) => r.subject === 'Weekly sync')).toHaveLength(1);
    // A window in the middle of the series, and one that a plain date bounds in the user's zone.
    expect((await agenda(rep, '2026-03-09', '2026-03-10')).map((o) => o.start)).toEqual(['2026-03-09T13:00:00Z']);
    expect((await agenda(rep, '2026-03-10T00:00:00Z', '2026-03-16T13:00:00Z'))).toEqual([]);
    expect((await rep.request('DELETE', `/api/v1/meeting/${m.id}`)).status).toBe(204);
  });

  it('edits this occurrence, this and following, and all', async () => {
    const account = await buildAccount(rep);
    const m = await buildRecord(rep, 'meeting', {
      subject: 'Stand-up', start_at: '2026-03-02T14:00:00Z', end_at: '2026-03-02T14:15:00Z', time_zone: 'America/New_York', recurrence_rule: 'FREQ=WEEKLY;COUNT=6', account: account.id,
    });
    const edit = (body: unknown) => rep.request('POST', `/api/v1/meeting/${m.id}/occurrences/edit`, { body });
    expect((await edit({ occurrence: '2026-03-17T13:00:00Z', scope: 'this', changes: {} })).status).toBe(400);

    const one = await edit({ occurrence: '2026-03-16T13:00:00Z', scope: 'this', changes: { subject: 'Stand-up (moved)', start_at: '2026-03-17T13:00:00Z', end_at: '2026-03-17T13:15:00Z' } });
    expect(one.status, one.text).toBe(200);
    expect(one.body.series.recurrence_exceptions).toBe('2026-03-16T13:00:00Z');
    expect(one.body.created).toMatchObject({ subject: 'Stand-up (moved)', recurrence_rule: null, account: account.id });

    const following = await edit({ occurrence: '2026-03-23T13:00:00Z', scope: 'following', changes: { subject: 'Stand-up v2' } });
    expect(following.status, following.text).toBe(200);
    expect(following.body.series.recurrence_rule).toBe('FREQ=WEEKLY;UNTIL=20260323T125959Z');
    expect(following.body.created).toMatchObject({ subject: 'Stand-up v2', recurrence_rule: 'FREQ=WEEKLY;COUNT=3', start_at: '2026-03-23T13:00:00.000Z' });

    const all = await edit({ occurrence: '2026-03-02T14:00:00Z', scope: 'all', changes: { location: 'Room 1' } });
    expect(all.body.series.location).toBe('Room 1');

    const occ = await agenda(rep, '2026-03-01', '2026-05-01');
    expect(occ.map((o) => [o.start, o.subject])).toEqual([
      ['2026-03-02T14:00:00Z', 'Stand-up'],
      ['2026-03-09T13:00:00Z', 'Stand-up'],
      ['2026-03-17T13:00:00Z', 'Stand-up (moved)'],
      ['2026-03-23T13:00:00Z', 'Stand-up v2'],
      ['2026-03-30T13:00:00Z', 'Stand-up v2'],
      ['2026-04-06T13:00:00Z', 'Stand-up v2'],
    ]);
    // The split-off records stay on the account's timeline.
    const timeline = await rep.request('GET', `/api/v1/account/${account.id}/timeline`);
    expect(timeline.body.data.filter((i: { kind: string }) => i.kind === 'meeting')).toHaveLength(3);
  });

  it('repeats tasks by due date, with skipped dates', async () => {
    const t = await buildRecord(rep, 'task', { subject: 'Daily check', due_date: '2026-06-01', recurrence_rule: 'FREQ=DAILY;COUNT=5', recurrence_exceptions: '2026-06-03' });
    const occ = (await agenda(rep, '2026-06-01', '2026-06-30')).filter((o) => o.id === t.id);
    expect(occ.map((o) => o.dueDate)).toEqual(['2026-06-01', '2026-06-02', '2026-06-04', '2026-06-05']);
    const bad = await rep.request('PATCH', `/api/v1/task/${t.id}`, { body: { recurrence_exceptions: '2026-06-03T10:00' } });
    expect(bad.status).toBe(400);
    expect((await rep.request('GET', '/api/v1/me/agenda?from=2026-01-01&to=2028-01-01')).status).toBe(400);
  });
});
