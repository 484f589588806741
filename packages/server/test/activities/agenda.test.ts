import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getTestServer, type TestServer, type TestUser } from '../server.ts';
import { buildAccount, buildOpportunity, buildRecord } from '../factories.ts';

/** What the web app's day and calendar views read from /me/agenda besides times. */
let server: TestServer;
let admin: TestUser;
beforeAll(async () => {
  server = await getTestServer();
  admin = server.admin;
});
afterAll(async () => server?.close());

type Occ = { object: string; id: string; location?: string | null; regarding?: { object: string; id: string; name: string } | null };
const agenda = async (user: TestUser): Promise<Occ[]> => {
  const res = await user.request('GET', '/api/v1/me/agenda?from=2031-04-01&to=2031-04-08');
  expect(res.status, res.text).toBe(200);
  return res.body.data;
};

describe('agenda locations', () => {
  it('gives meetings their location, within field-level security', async () => {
    const meeting = await buildRecord(admin, 'meeting', { subject: 'On site', start_at: '2031-04-02T09:00:00Z', end_at: '2031-04-02T10:00:00Z', location: 'Room 4', recurrence_rule: 'FREQ=DAILY;COUNT=2' });
    const call = await buildRecord(admin, 'call', { subject: 'Ring', start_at: '2031-04-02T11:00:00Z' });
    const items = await agenda(admin);
    expect(items.filter((o) => o.id === meeting.id).map((o) => o.location)).toEqual(['Room 4', 'Room 4']);
    expect(items.find((o) => o.id === call.id)).not.toHaveProperty('location');

    const profile = await admin.request('POST', '/api/v1/profiles', {
      body: { name: 'no_locations', label: 'No locations', permissions: { default: { read: true, create: true, edit: true, delete: true }, fields: { meeting: { location: 'hidden' } } } },
    });
    expect(profile.status, profile.text).toBe(201);
    const rep = await server.createUser();
    expect((await admin.request('PATCH', `/api/v1/user/${rep.id}`, { body: { profile: 'no_locations' } })).status).toBe(200);
    const own = await buildRecord(rep, 'meeting', { subject: 'Secret place', start_at: '2031-04-03T09:00:00Z' });
    const mine = (await agenda(rep)).find((o) => o.id === own.id);
    expect(mine).toBeDefined();
    expect(mine).not.toHaveProperty('location');
  });
});

describe('agenda regarding', () => {
  it('names the record each item is about — the deal first — and only one the reader may see', async () => {
    const account = await buildAccount(admin, { name: 'Regarding Co' });
    const deal = await buildOpportunity(admin, { name: 'Regarding deal', account: account.id });
    const task = await buildRecord(admin, 'task', { subject: 'Send the quote', due_date: '2031-04-04', account: account.id, opportunity: deal.id });
    const meeting = await buildRecord(admin, 'meeting', { subject: 'Walkthrough', start_at: '2031-04-04T09:00:00Z', account: account.id });
    const loose = await buildRecord(admin, 'call', { subject: 'Loose call', start_at: '2031-04-04T10:00:00Z' });
    const items = await agenda(admin);
    expect(items.find((o) => o.id === task.id)?.regarding).toEqual({ object: 'opportunity', id: deal.id, name: 'Regarding deal' });
    expect(items.find((o) => o.id === meeting.id)?.regarding).toEqual({ object: 'account', id: account.id, name: 'Regarding Co' });
    expect(items.find((o) => o.id === loose.id)?.regarding).toBeNull();

    const rep = await server.createUser();
    const repTask = await buildRecord(rep, 'task', { subject: 'About a hidden deal', due_date: '2031-04-05', opportunity: deal.id, account: account.id });
    expect((await admin.request('PUT', '/api/v1/sharing-settings/opportunity', { body: { sharing: 'private' } })).status).toBe(200);
    try {
      const seen = (await agenda(rep)).find((o) => o.id === repTask.id);
      // The deal is not theirs to see: the account names it instead, and nothing leaks.
      expect(seen?.regarding).toEqual({ object: 'account', id: account.id, name: 'Regarding Co' });
    } finally {
      await admin.request('PUT', '/api/v1/sharing-settings/opportunity', { body: { sharing: 'public_read_write' } });
    }
  });
});

describe('agenda window', () => {
  it('finds one-off items that overlap the window: short, long, open-ended, and not those that end before it', async () => {
    const rep = await server.createUser();
    const at = (subject: string, start: string, end?: string) => buildRecord(rep, 'meeting', { subject, start_at: start, ...(end ? { end_at: end } : {}) });
    const overnight = await at('Overnight', '2031-03-31T20:00:00Z', '2031-04-01T04:00:00Z');
    const trade = await at('Trade fair', '2031-03-28T08:00:00Z', '2031-04-02T18:00:00Z');
    const inside = await at('Inside', '2031-04-03T09:00:00Z', '2031-04-03T10:00:00Z');
    const noEnd = await at('No end', '2031-04-07T23:00:00Z');
    const before = await at('Before', '2031-03-31T09:00:00Z', '2031-03-31T23:59:00Z');
    const longBefore = await at('Long before', '2031-03-01T09:00:00Z', '2031-03-20T09:00:00Z');
    const after = await at('After', '2031-04-08T00:00:00Z', '2031-04-08T01:00:00Z');
    // The user's zone is UTC: the window is [1 Apr, 8 Apr) UTC.
    const ids = (await agenda(rep)).map((o) => o.id);
    for (const m of [overnight, trade, inside, noEnd]) expect(ids).toContain(m.id);
    for (const m of [before, longBefore, after]) expect(ids).not.toContain(m.id);
  });
});
