import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import ICAL from 'ical.js';
import { anonymous, getTestServer, type TestServer, type TestUser } from '../server.ts';
import { buildRecord } from '../factories.ts';

let server: TestServer;
let admin: TestUser;
let rep: TestUser;
beforeAll(async () => {
  server = await getTestServer();
  admin = server.admin;
  rep = await server.createUser();
  expect((await admin.request('PATCH', `/api/v1/user/${rep.id}`, { body: { time_zone: 'Europe/Berlin' } })).status).toBe(200);
});
afterAll(async () => server?.close());

async function fetchFeed(url: string) {
  const path = new URL(url).pathname;
  const res = await server.app.inject({ method: 'GET', url: path });
  return { status: res.statusCode, type: res.headers['content-type'], text: res.body };
}

/** Parses a feed with ical.js and expands every component's occurrences within [from, to). */
function occurrences(text: string, from: Date, to: Date): Map<string, string[]> {
  const root = new ICAL.Component(ICAL.parse(text));
  for (const tz of root.getAllSubcomponents('vtimezone')) ICAL.TimezoneService.register(tz);
  const out = new Map<string, string[]>();
  for (const c of [...root.getAllSubcomponents('vevent'), ...root.getAllSubcomponents('vtodo')]) {
    const uid = String(c.getFirstPropertyValue('uid')).replace('@meridian', '');
    const isTodo = c.name === 'vtodo';
    const event = new ICAL.Event(c);
    const list: string[] = [];
    const it = event.iterator();
    for (let t = it.next(); t && list.length < 500; t = it.next()) {
      const js = t.toJSDate();
      if (!isTodo && js >= to) break;
      if (isTodo && t.toString() >= to.toISOString().slice(0, 10)) break;
      if (isTodo ? t.toString() >= from.toISOString().slice(0, 10) : js >= from) list.push(isTodo ? t.toString() : js.toISOString().replace('.000Z', 'Z'));
    }
    out.set(uid, list);
  }
  return out;
}

describe('iCalendar feed (ACT-4)', () => {
  it('gives a secret URL outside /api that rotates', async () => {
    const first = await rep.request('GET', '/api/v1/me/calendar-feed');
    expect(first.status).toBe(200);
    expect(first.body.url).toMatch(/^http:\/\/localhost:3000\/ical\/[A-Za-z0-9_-]{40,}\.ics$/);
    expect((await rep.request('GET', '/api/v1/me/calendar-feed')).body.url).toBe(first.body.url);
    const ok = await fetchFeed(first.body.url);
    expect(ok.status).toBe(200);
    expect(ok.type).toMatch(/^text\/calendar/);
    expect(ok.text.startsWith('BEGIN:VCALENDAR\r\n')).toBe(true);
    // Stored hashed: the token is not in the database.
    const token = new URL(first.body.url).pathname.slice(6, -4);
    const rows = await server.platform.db.selectFrom('activity_calendar_feed' as never).selectAll().execute();
    expect(JSON.stringify(rows)).not.toContain(token);

    const rotated = await rep.request('POST', '/api/v1/me/calendar-feed');
    expect(rotated.body.url).not.toBe(first.body.url);
    expect((await fetchFeed(first.body.url)).status).toBe(404);
    expect((await fetchFeed(rotated.body.url)).status).toBe(200);
    expect((await fetchFeed('http://localhost:3000/ical/not-a-real-token-at-all-000000.ics')).status).toBe(404);
    expect((await anonymous(server)('GET', '/api/v1/me/calendar-feed')).status).toBe(401);
  });

  it('lists meetings, calls and dated tasks; ical.js expands them like the agenda', async () => {
    const weekly = await buildRecord(rep, 'meeting', {
      subject: 'Weekly, with; commas', description: 'Line 1\nLine 2', start_at: '2026-03-16T08:00:00Z', end_at: '2026-03-16T09:00:00Z', time_zone: 'Europe/Berlin',
      recurrence_rule: 'FREQ=WEEKLY;BYDAY=MO;COUNT=5', recurrence_exceptions: '2026-03-23T08:00:00Z',
    });
    const once = await buildRecord(rep, 'call', { subject: 'One call', start_at: '2031-04-01T12:00:00Z', end_at: '2031-04-01T12:15:00Z' });
    // One-off items older than 90 days are left out of the feed.
    const old = await buildRecord(rep, 'call', { subject: 'Old call', start_at: '2020-04-01T12:00:00Z' });
    const daily = await buildRecord(rep, 'task', { subject: 'Daily task', due_date: '2026-03-27', recurrence_rule: 'FREQ=DAILY;COUNT=4' });
    const undated = await buildRecord(rep, 'task', { subject: 'No date' });
    const others = await buildRecord(admin, 'meeting', { subject: 'Not mine', start_at: '2026-03-20T08:00:00Z' });

    const { url } = (await rep.request('GET', '/api/v1/me/calendar-feed')).body;
    const feed = await fetchFeed(url);
    expect(feed.text).toContain('SUMMARY:Weekly\\, with\\; commas');
    expect(feed.text).toContain('RRULE:FREQ=WEEKLY;BYDAY=MO;COUNT=5');
    expect(feed.text).toContain('BEGIN:VTIMEZONE\r\nTZID:Europe/Berlin');
    expect(feed.text).not.toContain(undated.id);
    expect(feed.text).not.toContain(others.id);
    expect(feed.text.split('\r\n').every((l) => Buffer.byteLength(l) <= 75)).toBe(true);

    const from = new Date('2026-03-01T00:00:00Z');
    const to = new Date('2026-05-01T00:00:00Z');
    const parsed = occurrences(feed.text, from, to);
    const agenda = (await rep.request('GET', `/api/v1/me/agenda?from=${from.toISOString()}&to=${to.toISOString()}`)).body.data as Array<{ id: string; start?: string; dueDate?: string }>;
    const fromAgenda = (id: string) => agenda.filter((o) => o.id === id).map((o) => o.start ?? o.dueDate);
    // 08:00Z is 09:00 CET; after 29 March it is 07:00Z (09:00 CEST).
    expect(parsed.get(weekly.id)).toEqual(['2026-03-16T08:00:00Z', '2026-03-30T07:00:00Z', '2026-04-06T07:00:00Z', '2026-04-13T07:00:00Z']);
    expect(parsed.get(weekly.id)).toEqual(fromAgenda(weekly.id));
    expect(feed.text).not.toContain(old.id);
    const later = occurrences(feed.text, new Date('2031-03-01T00:00:00Z'), new Date('2031-05-01T00:00:00Z'));
    expect(later.get(once.id)).toEqual(['2031-04-01T12:00:00Z']);
    const laterAgenda = (await rep.request('GET', '/api/v1/me/agenda?from=2031-03-01&to=2031-05-01')).body.data as Array<{ id: string; start: string }>;
    expect(laterAgenda.filter((o) => o.id === once.id).map((o) => o.start)).toEqual(['2031-04-01T12:00:00Z']);
    expect(parsed.get(daily.id)).toEqual(['2026-03-27', '2026-03-28', '2026-03-29', '2026-03-30']);
    expect(parsed.get(daily.id)).toEqual(fromAgenda(daily.id));
  });
});
