import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { DateTime } from 'luxon';
import { getTestServer, type TestServer, type TestUser } from '../server.ts';
import { buildContact, buildRecord } from '../factories.ts';
import { startTestSmtp, type TestSmtp } from '../smtp.ts';
import { getFreeSlots } from '../../src/modules/activities/scheduling/queries.ts';

/** Scheduling links (ACT-4): public booking page, free slots from the host's calendar, booking. */
let server: TestServer;
let admin: TestUser;
let smtp: TestSmtp;

beforeAll(async () => {
  server = await getTestServer();
  admin = server.admin;
  smtp = await startTestSmtp();
});
afterAll(async () => {
  await smtp?.close();
  await server?.close();
});

let ipCounter = 0;
/** A visitor without an account; each test comes from its own address so the booking rate limit stays out of the way. */
const visitor = (ip = `198.51.100.${++ipCounter}`) => async (method: string, url: string, body?: unknown) => {
  const res = await server.app.inject({ method: method as 'GET', url, remoteAddress: ip, ...(body !== undefined ? { payload: JSON.stringify(body), headers: { 'content-type': 'application/json' } } : {}) });
  return { status: res.statusCode, headers: res.headers, body: res.body ? JSON.parse(res.body) : undefined, text: res.body };
};

const host = async (timeZone = 'UTC') => {
  const user = await server.createUser();
  expect((await admin.request('PATCH', `/api/v1/user/${user.id}`, { body: { first_name: 'Hanna', time_zone: timeZone } })).status).toBe(200);
  return user;
};

const ALL_DAY = JSON.stringify(Object.fromEntries(['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'].map((d) => [d, [['00:00', '24:00']]])));

const createLink = async (owner: TestUser, body: Record<string, unknown>) => {
  const res = await owner.request('POST', '/api/v1/booking_link', { body: { name: '30-minute intro', duration_minutes: 30, min_notice_hours: 0, ...body } });
  expect(res.status, res.text).toBe(201);
  return res.body as { id: string; slug: string; time_zone: string; availability: string };
};

const tomorrow = () => DateTime.utc().plus({ days: 1 }).toISODate()!;
const freeSlots = async (slug: string, from = tomorrow(), to = from) => {
  const res = await visitor()('GET', `/api/v1/public/booking/${slug}/slots?from=${from}&to=${to}`);
  expect(res.status, res.text).toBe(200);
  return res.body.data as Array<{ start: string; end: string }>;
};

describe('booking links (records)', () => {
  it('generates a slug and takes the owner\'s time zone and default weekly hours', async () => {
    const owner = await host('Europe/Berlin');
    const link = await createLink(owner, {});
    expect(link.slug).toMatch(/^30-minute-intro-[a-z0-9]{6}$/);
    expect(link.time_zone).toBe('Europe/Berlin');
    expect(JSON.parse(link.availability)).toMatchObject({ mon: [['09:00', '17:00']], fri: [['09:00', '17:00']] });
  });

  it('refuses bad values, naming each field', async () => {
    const res = await admin.request('POST', '/api/v1/booking_link', {
      body: { name: 'Bad', slug: 'Not a slug!', duration_minutes: 10, buffer_minutes: 1.5, time_zone: 'Mars/Olympus', availability: '{"mon":[["09:00","08:00"]]}' },
    });
    expect(res.status).toBe(400);
    expect(res.body.errors).toEqual(expect.arrayContaining([
      expect.objectContaining({ field: 'slug', code: 'invalid_slug' }),
      expect.objectContaining({ field: 'duration_minutes', code: 'out_of_range' }),
      expect.objectContaining({ field: 'buffer_minutes', code: 'out_of_range' }),
      expect.objectContaining({ field: 'time_zone', code: 'invalid_time_zone' }),
      expect.objectContaining({ field: 'availability', code: 'invalid_availability', message: expect.stringContaining('mon[0]') }),
    ]));
    for (const availability of ['not json', '{"funday":[]}', '{"tue":[["09:00","12:00"],["11:00","13:00"]]}', '{"wed":[["9","10"]]}']) {
      const r = await admin.request('POST', '/api/v1/booking_link', { body: { name: 'Bad', availability } });
      expect(r.status, availability).toBe(400);
      expect(r.body.errors[0]).toMatchObject({ field: 'availability', code: 'invalid_availability' });
    }
    const first = await createLink(admin, { slug: 'taken-slug' });
    expect(first.slug).toBe('taken-slug');
    const dup = await admin.request('POST', '/api/v1/booking_link', { body: { name: 'Again', slug: 'Taken-Slug' } });
    expect(dup.status).toBe(409);
    expect(dup.body.errors[0]).toMatchObject({ field: 'slug' });
  });
});

describe('public booking page', () => {
  it('shows only what the link publishes, and 404 for unknown or inactive links', async () => {
    const owner = await host('Europe/Berlin');
    const link = await createLink(owner, { description: 'Get to know us', location: 'Video call' });
    const page = await visitor()('GET', `/api/v1/public/booking/${link.slug}`);
    expect(page.status, page.text).toBe(200);
    expect(page.body).toEqual({ name: '30-minute intro', description: 'Get to know us', durationMinutes: 30, timeZone: 'Europe/Berlin', hostName: expect.stringContaining('Hanna'), location: 'Video call' });
    expect(page.text).not.toContain(owner.email);
    expect(page.text).not.toContain(owner.id);

    expect((await visitor()('GET', '/api/v1/public/booking/no-such-link')).status).toBe(404);
    expect((await visitor()('GET', '/api/v1/public/booking/..%2F..%2Fcontact')).status).toBe(404);
    expect((await owner.request('PATCH', `/api/v1/booking_link/${link.id}`, { body: { active: false } })).status).toBe(200);
    const v = visitor();
    expect((await v('GET', `/api/v1/public/booking/${link.slug}`)).status).toBe(404);
    expect((await v('GET', `/api/v1/public/booking/${link.slug}/slots?from=${tomorrow()}&to=${tomorrow()}`)).status).toBe(404);
    expect((await v('POST', `/api/v1/public/booking/${link.slug}`, { start: `${tomorrow()}T10:00:00Z`, name: 'X', email: 'x@example.com' })).status).toBe(404);
  });

  it('keeps the rest of the API closed to visitors', async () => {
    const v = visitor();
    // /api/v1/public/x matches /api/v1/:object/:id: no object may be called `public`, and record routes need an actor anyway.
    expect((await v('GET', '/api/v1/public/booking')).status).toBe(404);
    expect((await v('GET', '/api/v1/contact')).status).toBe(401);
    const custom = await admin.request('POST', '/api/v1/metadata/objects', { body: { apiName: 'public', label: 'Public', pluralLabel: 'Publics' } });
    expect(custom.body.errors[0]).toMatchObject({ field: 'apiName', code: 'reserved' });
  });

  it('is in the OpenAPI document', async () => {
    const doc = (await admin.request('GET', '/api/v1/openapi.json')).body;
    expect(doc.paths['/api/v1/public/booking/{slug}'].post.summary).toMatch(/book a slot/);
    expect(doc.paths['/api/v1/public/booking/{slug}/slots'].get.summary).toMatch(/free slots/);
  });

  it('checks the slot window', async () => {
    const link = await createLink(await host(), {});
    const v = visitor();
    const r1 = await v('GET', `/api/v1/public/booking/${link.slug}/slots?from=2030-01-01`);
    expect(r1.status).toBe(400);
    expect(r1.body.errors[0]).toMatchObject({ field: 'to', code: 'required' });
    const r2 = await v('GET', `/api/v1/public/booking/${link.slug}/slots?from=2030-01-01&to=2030-02-15`);
    expect(r2.body.errors[0]).toMatchObject({ field: 'to', code: 'out_of_range' });
    const r3 = await v('GET', `/api/v1/public/booking/${link.slug}/slots?from=01/01/2030&to=2030-01-02`);
    expect(r3.body.errors[0]).toMatchObject({ field: 'from', code: 'invalid_date' });
  });
});

describe('free slots', () => {
  it('follows the weekly hours on the wall clock across a DST change', async () => {
    const owner = await host('America/New_York');
    const link = await createLink(owner, { duration_minutes: 60, availability: '{"mon":[["09:00","10:00"]],"sun":[["01:00","04:00"]]}', max_days_ahead: 30 });
    // US DST starts on Sunday 10 March 2030: 09:00 New York is 14:00Z before, 13:00Z after.
    const r = await getFreeSlots({ platform: server.platform, slug: link.slug, window: { from: '2030-03-04', to: '2030-03-18' }, now: new Date('2030-03-01T00:00:00Z') });
    const mondays = r.data.filter((s) => DateTime.fromISO(s.start, { zone: 'America/New_York' }).weekday === 1);
    expect(mondays).toEqual([
      { start: '2030-03-04T14:00:00Z', end: '2030-03-04T15:00:00Z' },
      { start: '2030-03-11T13:00:00Z', end: '2030-03-11T14:00:00Z' },
      { start: '2030-03-18T13:00:00Z', end: '2030-03-18T14:00:00Z' },
    ]);
    // On the night of the change, 01:00–04:00 local is two hours long: 02:00–03:00 does not exist.
    const sundays = r.data.filter((s) => DateTime.fromISO(s.start, { zone: 'America/New_York' }).weekday === 7).map((s) => s.start);
    expect(sundays).toEqual(['2030-03-10T06:00:00Z', '2030-03-10T07:00:00Z', '2030-03-17T05:00:00Z', '2030-03-17T06:00:00Z', '2030-03-17T07:00:00Z']);
    expect(r.timeZone).toBe('America/New_York');
  });

  it('leaves out the host\'s meetings and calls with the buffer, but not cancelled ones or other people\'s', async () => {
    const owner = await host('America/New_York');
    const other = await server.createUser();
    const link = await createLink(owner, { availability: '{"tue":[["09:00","12:00"]]}', buffer_minutes: 15, min_notice_hours: 1, max_days_ahead: 30 });
    // Tuesday 5 March 2030, EST (UTC-5): 10:00–10:30 local is 15:00Z–15:30Z.
    await buildRecord(owner, 'meeting', { subject: 'Busy', start_at: '2030-03-05T15:00:00Z', end_at: '2030-03-05T15:30:00Z' });
    await buildRecord(owner, 'meeting', { subject: 'Called off', start_at: '2030-03-05T16:00:00Z', end_at: '2030-03-05T16:30:00Z', status: 'cancelled' });
    // A weekly call without an end (counts 30 minutes) from the week before: 09:00 local.
    await buildRecord(owner, 'call', { subject: 'Weekly', start_at: '2030-02-26T14:00:00Z', time_zone: 'America/New_York', recurrence_rule: 'FREQ=WEEKLY' });
    await buildRecord(other, 'meeting', { subject: 'Not the host', start_at: '2030-03-05T16:30:00Z', end_at: '2030-03-05T17:00:00Z' });
    const slots = async (now: string) => (await getFreeSlots({ platform: server.platform, slug: link.slug, window: { from: '2030-03-05', to: '2030-03-05' }, now: new Date(now) })).data.map((s) => s.start);
    expect(await slots('2030-03-01T00:00:00Z')).toEqual(['2030-03-05T16:00:00Z', '2030-03-05T16:30:00Z']);
    // Minimum notice: at 10:10 local only slots from 11:10 on.
    expect(await slots('2030-03-05T15:10:00Z')).toEqual(['2030-03-05T16:30:00Z']);
    // Max days ahead: 30 days after 1 Feb is 3 March.
    expect(await slots('2030-02-01T00:00:00Z')).toEqual([]);
  });
});

describe('booking', () => {
  it('creates the meeting on the host\'s calendar and a contact, or matches the contact by e-mail', async () => {
    const owner = await host();
    const link = await createLink(owner, { availability: ALL_DAY, location: 'Zoom' });
    const [first, second] = await freeSlots(link.slug);
    const v = visitor();
    const res = await v('POST', `/api/v1/public/booking/${link.slug}`, { start: first!.start, name: 'Grace Brewster Hopper', email: 'Grace@Example.org', note: 'Hi <script>alert(1)</script>there\u202e!' });
    expect(res.status, res.text).toBe(201);
    expect(res.body).toEqual({ start: first!.start, end: first!.end });

    const agenda = await owner.request('GET', `/api/v1/me/agenda?from=${tomorrow()}&to=${DateTime.fromISO(tomorrow()).plus({ days: 1 }).toISODate()}`);
    const item = agenda.body.data.find((o: { subject: string }) => o.subject === '30-minute intro with Grace Brewster Hopper');
    expect(item).toMatchObject({ object: 'meeting', start: first!.start, end: first!.end, location: 'Zoom' });
    const meeting = (await owner.request('GET', `/api/v1/meeting/${item.id}`)).body;
    expect(meeting).toMatchObject({ owner: owner.id, status: 'scheduled', time_zone: 'UTC', reminder_minutes: 15 });
    expect(meeting.description).toContain('Hi alert(1)there!');
    expect(meeting.description).not.toContain('<script>');
    const contact = (await owner.request('GET', `/api/v1/contact/${meeting.contact}`)).body;
    expect(contact).toMatchObject({ first_name: 'Grace Brewster', last_name: 'Hopper', email: 'grace@example.org', owner: owner.id });
    const timeline = await owner.request('GET', `/api/v1/contact/${contact.id}/timeline`);
    expect(timeline.body.data.map((t: { id: string }) => t.id)).toContain(meeting.id);
    expect(await freeSlots(link.slug)).not.toContainEqual(first);

    // An existing contact (any letter case, anyone's) is matched, not duplicated.
    const existing = await buildContact(admin, { first_name: 'Ada', last_name: 'Lovelace', email: 'ADA@example.com' });
    const again = await v('POST', `/api/v1/public/booking/${link.slug}`, { start: second!.start, name: 'Ada L.', email: 'ada@EXAMPLE.com' });
    expect(again.status, again.text).toBe(201);
    const meetings = await owner.request('GET', `/api/v1/meeting?filter=${encodeURIComponent(JSON.stringify({ field: 'contact', op: 'eq', value: existing.id }))}`);
    expect(meetings.body.data).toHaveLength(1);
  });

  it('lets exactly one of two visitors racing for a slot have it', async () => {
    const owner = await host();
    const link = await createLink(owner, { availability: ALL_DAY });
    const [slot] = await freeSlots(link.slug);
    const results = await Promise.all([
      visitor()('POST', `/api/v1/public/booking/${link.slug}`, { start: slot!.start, name: 'One', email: 'one@example.com' }),
      visitor()('POST', `/api/v1/public/booking/${link.slug}`, { start: slot!.start, name: 'Two', email: 'two@example.com' }),
    ]);
    expect(results.map((r) => r.status).sort()).toEqual([201, 409]);
    const lost = results.find((r) => r.status === 409)!;
    expect(lost.body).toMatchObject({ code: 'slot_taken', errors: [{ field: 'start', code: 'slot_taken' }] });
    const mine = await owner.request('GET', '/api/v1/meeting');
    expect(mine.body.data.filter((m: { owner: string }) => m.owner === owner.id)).toHaveLength(1);
  });

  it('refuses bad input naming the field, and times that are not offered slots', async () => {
    const link = await createLink(await host(), { availability: '{"mon":[["09:00","10:00"]]}' });
    const v = visitor();
    const url = `/api/v1/public/booking/${link.slug}`;
    // The declared schema first (unknown properties, types, lengths), then what each value means.
    const r0 = await v('POST', url, { start: 'tomorrow', name: 'A', email: 'a@example.com', note: 'x'.repeat(5000), admin: true });
    expect(r0.status).toBe(400);
    expect(r0.body.errors).toEqual(expect.arrayContaining([
      expect.objectContaining({ field: 'note', code: 'too_long' }),
      expect.objectContaining({ field: 'admin', code: 'unknown_property' }),
    ]));
    const r1 = await v('POST', url, { start: 'tomorrow', name: '', email: 'not-an-email' });
    expect(r1.status).toBe(400);
    expect(r1.body.errors).toEqual(expect.arrayContaining([
      expect.objectContaining({ field: 'start', code: 'invalid_datetime' }),
      expect.objectContaining({ field: 'name', code: 'required' }),
      expect.objectContaining({ field: 'email', code: 'invalid_email' }),
    ]));
    const r2 = await v('POST', url, { start: '2030-01-01T03:17:00Z', name: 'A', email: 'a@example.com' });
    expect(r2.status).toBe(400);
    expect(r2.body.errors[0]).toMatchObject({ field: 'start', code: 'not_a_slot' });
    const r3 = await v('POST', url, { start: 'x', name: 'y'.repeat(500), email: 'a@example.com' });
    expect(r3.body.errors).toEqual(expect.arrayContaining([expect.objectContaining({ field: 'name', code: 'too_long' })]));
    expect((await v('POST', url, [1, 2])).status).toBe(400);
  });

  it('limits booking attempts per address with a clear 429', async () => {
    const link = await createLink(await host(), {});
    const v = visitor('203.0.113.7');
    for (let i = 0; i < 10; i++) expect((await v('POST', `/api/v1/public/booking/${link.slug}`, {})).status).toBe(400);
    const limited = await v('POST', `/api/v1/public/booking/${link.slug}`, {});
    expect(limited.status).toBe(429);
    expect(limited.body).toMatchObject({ code: 'rate_limited', detail: expect.stringContaining('Too many booking attempts') });
    expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);
    // Others are not affected, nor is reading slots.
    expect((await v('GET', `/api/v1/public/booking/${link.slug}`)).status).toBe(200);
    expect((await visitor()('POST', `/api/v1/public/booking/${link.slug}`, {})).status).toBe(400);
  });

  it('e-mails a confirmation with an .ics to the visitor and a notice to the host', async () => {
    server.platform.config.smtpUrl = smtp.url;
    const owner = await host();
    const link = await createLink(owner, { availability: ALL_DAY, name: 'Demo call' });
    const [slot] = await freeSlots(link.slug);
    const res = await visitor()('POST', `/api/v1/public/booking/${link.slug}`, { start: slot!.start, name: 'Linus', email: 'linus@example.net', note: 'About pricing' });
    expect(res.status, res.text).toBe(201);
    await vi.waitFor(() => expect(smtp.inbox.length).toBeGreaterThanOrEqual(2), { timeout: 10_000 });
    const toVisitor = smtp.inbox.find((m) => m.to.includes('linus@example.net'))!;
    const toHost = smtp.inbox.find((m) => m.to.includes(owner.email))!;
    expect(toVisitor.raw).toContain('Subject: Booked: Demo call with Hanna');
    expect(toVisitor.raw).toContain('Content-Type: text/calendar');
    expect(toVisitor.raw).toContain('filename=booking.ics');
    expect(toVisitor.raw).not.toContain(owner.email);
    expect(toHost.raw).toContain('Subject: New booking: Linus (Demo call)');
    expect(toHost.raw).toContain('About pricing');
    expect(toHost.raw).toMatch(/\/o\/meeting\/[0-9a-f-]{36}/);
  });
});
