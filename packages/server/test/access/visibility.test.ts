import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getTestServer, type TestServer, type TestUser } from '../server.ts';
import { buildAccount, buildOpportunity, buildRecord } from '../factories.ts';
import { createRepProfile, ok } from './fixture.ts';

/**
 * Issue 18 items 2, 3 and 4: roll-ups count only what the caller can see, the calendar feed
 * leaves hidden fields out, and display names name only readable objects.
 */
let server: TestServer;
let admin: TestUser;
let repA: TestUser;
let repB: TestUser;

beforeAll(async () => {
  server = await getTestServer();
  admin = server.admin;
  repA = await server.createUser();
  repB = await server.createUser();
  await createRepProfile(admin, { opportunity: { won_amount: 'hidden' }, meeting: { location: 'hidden' } });
  ok(await admin.request('POST', '/api/v1/metadata/objects/contact/fields', { body: { apiName: 'audit', label: 'Audit', type: 'lookup', lookup: { object: 'audit_case' } } }));
  for (const u of [repA, repB]) ok(await admin.request('PATCH', `/api/v1/user/${u.id}`, { body: { profile: 'rep' } }));
  for (const o of ['account', 'contact', 'opportunity', 'meeting']) ok(await admin.request('PUT', `/api/v1/sharing-settings/${o}`, { body: { sharing: 'private' } }));
});
afterAll(async () => server?.close());

describe('what a restricted user cannot see stays out of aggregates, feeds and names', () => {
  it("a roll-up does not count or sum another rep's invisible deals, nor the hidden won amount", async () => {
    const account = await buildAccount(repA, { name: 'Shared Roll-up Co' });
    await admin.request('POST', `/api/v1/account/${account.id}/team`, { body: { userId: repB.id, access: 'read' } });
    await buildOpportunity(repA, { account: account.id, amount: 1000 });
    await buildOpportunity(admin, { account: account.id, amount: 777_777.77, owner: repB.id, name: 'Bravo Secret Deal' });
    const asB = (await repA.request('GET', `/api/v1/account/${account.id}/rollup`)).body;
    expect(asB.openOpportunities).toBe(1);
    expect(asB.openPipeline).toEqual([{ currency: 'USD', amount: 1000 }]);
    expect(asB.won).toBeNull();
    // The decimal point keeps the probe from matching a random id or timestamp.
    expect(JSON.stringify(asB)).not.toContain('777777.77');
    expect(JSON.stringify(asB)).not.toContain('Bravo Secret Deal');
    const asAdmin = (await admin.request('GET', `/api/v1/account/${account.id}/rollup`)).body;
    expect(asAdmin.openOpportunities).toBe(2);
    expect(asAdmin.won).toEqual([]);
  });

  it("the calendar feed leaves out a meeting's hidden location", async () => {
    await buildRecord(admin, 'meeting', { subject: 'Feed meeting', start_at: new Date(Date.now() + 86_400_000).toISOString(), location: 'Secret Room 42', owner: repA.id });
    const { url } = (await repA.request('GET', '/api/v1/me/calendar-feed')).body;
    const feed = await server.app.inject({ method: 'GET', url: new URL(url).pathname });
    expect(feed.statusCode).toBe(200);
    expect(feed.body).toContain('SUMMARY:Feed meeting');
    expect(feed.body).not.toContain('Secret Room 42');
  });

  it('display names come only from objects the caller may read', async () => {
    const audit = await buildRecord(admin, 'audit_case', { name: 'Confidential Audit 7' });
    const contact = await buildRecord(admin, 'contact', { last_name: 'Audited', audit: audit.id, owner: repA.id });
    const list = await repA.request('GET', `/api/v1/contact?display=true&filter=${encodeURIComponent(JSON.stringify({ field: 'id', op: 'eq', value: contact.id }))}`);
    expect(list.status, list.text).toBe(200);
    expect(JSON.stringify(list.body.display ?? {})).not.toContain('Confidential Audit 7');
  });
});

describe('rules and errors do not name what the caller cannot see', () => {
  it("a lookup to another rep's invisible account answers like a missing record before any rule reads it", async () => {
    const blacklisted = await buildAccount(admin, { name: 'Bravo Blacklisted Ltd', blacklisted: true, owner: repB.id });
    const noNegative = await buildAccount(admin, { name: 'Bravo Industries', owner: repB.id });
    for (const [account, extra] of [[blacklisted, {}], [noNegative, { gross_profit: -50 }]] as const) {
      const res = await repA.request('POST', '/api/v1/opportunity', { body: { name: 'Try', close_date: '2031-01-01', amount: 100, account: account.id, ...extra } });
      expect(res.status).toBe(400);
      expect(res.body.errors).toEqual([expect.objectContaining({ field: 'account', code: 'invalid_reference' })]);
      expect(res.text).not.toContain('Bravo');
    }
    // The owner gets the rule's answer.
    const own = await repB.request('POST', '/api/v1/opportunity', { body: { name: 'Mine', close_date: '2031-01-01', amount: 100, account: blacklisted.id } });
    expect(own.status).toBe(422);
  });

  it('a lookup to an object the profile cannot read is refused as if the target did not exist', async () => {
    const audit = await buildRecord(admin, 'audit_case', { name: 'Case 1' });
    const res = await repA.request('POST', '/api/v1/contact', { body: { last_name: 'Probe', audit: audit.id } });
    expect(res.status).toBe(400);
    expect(res.body.errors).toEqual([expect.objectContaining({ field: 'audit', code: 'invalid_reference' })]);
  });
});

describe("other people's calendars and teams", () => {
  it('a scheduling link can be created or handed over only for yourself (admins excepted)', async () => {
    const forB = await repA.request('POST', '/api/v1/booking_link', { body: { name: 'Intro with B', owner: repB.id } });
    expect(forB.status).toBe(422);
    expect(forB.body.errors[0]).toMatchObject({ field: 'owner', code: 'not_yours' });
    const own = await repA.request('POST', '/api/v1/booking_link', { body: { name: 'Intro with A' } });
    expect(own.status, own.text).toBe(201);
    expect((await repA.request('PATCH', `/api/v1/booking_link/${own.body.id}`, { body: { owner: repB.id } })).status).toBe(422);
    expect((await admin.request('POST', '/api/v1/booking_link', { body: { name: 'For B', owner: repB.id } })).status).toBe(201);
  });

  it('team routes on an unreadable object answer 404 and write nothing; a visible read-only record refuses changes', async () => {
    const audit = await buildRecord(admin, 'audit_case', { name: 'Case 2' });
    expect((await repA.request('GET', `/api/v1/audit_case/${audit.id}/team`)).status).toBe(404);
    expect((await repA.request('POST', `/api/v1/audit_case/${audit.id}/team`, { body: { userId: repA.id, access: 'edit' } })).status).toBe(404);
    expect((await admin.request('GET', `/api/v1/audit_case/${audit.id}/team`)).body.data).toEqual([]);
    const shared = await buildAccount(repB, { name: 'Read-only share' });
    await repB.request('POST', `/api/v1/account/${shared.id}/team`, { body: { userId: repA.id, access: 'read' } });
    expect((await repA.request('GET', `/api/v1/account/${shared.id}/team`)).status).toBe(200);
    expect((await repA.request('POST', `/api/v1/account/${shared.id}/team`, { body: { userId: repA.id, access: 'edit' } })).status).toBe(403);
  });
});

describe('duplicates, delete blockers, upserts and the recycle bin reveal only counts', () => {
  it('an invisible duplicate is answered as "a possible duplicate you cannot see", without id, name, rule or score', async () => {
    await buildAccount(admin, { name: 'Bravo Industries Holding', website: 'https://bravo-holding.example', owner: repB.id });
    const res = await repA.request('POST', '/api/v1/account', { body: { name: 'Bravo Industries Holding', website: 'https://bravo-holding.example' } });
    expect(res.status).toBe(409);
    expect(res.body, res.text).toMatchObject({ code: "duplicate", candidates: [] });
    expect(res.body.hiddenMatches).toBeGreaterThanOrEqual(1);
    expect(res.text).not.toMatch(/score|bravo-holding|"rule"/i);
    expect((await repA.request('POST', '/api/v1/account?allowDuplicate=true', { body: { name: 'Bravo Industries Holding' } })).status).toBe(201);
  });

  it('a refused delete names only the blockers the caller can see, and counts the others', async () => {
    const parent = await buildAccount(repA, { name: 'Parent With Hidden Child' });
    await buildOpportunity(admin, { account: parent.id, name: 'Bravo Secret Child Deal', owner: repB.id });
    const res = await repA.request('DELETE', `/api/v1/account/${parent.id}`);
    expect(res.status).toBe(409);
    expect(res.text).not.toContain('Bravo Secret Child Deal');
    expect(res.body.blockers[0]).toMatchObject({ count: 1, hiddenCount: 1, examples: [] });
  });

  it("an upsert whose external id matches an invisible record is refused without naming it, and writes nothing", async () => {
    await admin.request('POST', '/api/v1/metadata/objects/account/fields', { body: { apiName: 'erp_id', label: 'ERP id', type: 'text', externalId: true } });
    const hidden = await buildAccount(admin, { name: 'Bravo ERP Account', erp_id: 'ERP-1', owner: repB.id });
    const res = await repA.request('POST', '/api/v1/account/bulk', { body: { operation: 'upsert', externalIdField: 'erp_id', records: [{ erp_id: 'ERP-1', name: 'Overwritten' }] } });
    expect(res.status).toBe(200);
    expect(res.body.results[0]).toMatchObject({ ok: false, code: 'forbidden' });
    expect(res.text).not.toContain(hidden.id);
    expect((await admin.request('GET', `/api/v1/account/${hidden.id}`)).body.name).toBe('Bravo ERP Account');
  });

  it("another user's recycle-bin entry answers 404 like a random id", async () => {
    const gone = await buildAccount(repB, { name: 'Deleted by B' });
    await repB.request('DELETE', `/api/v1/account/${gone.id}`);
    const entry = (await repB.request('GET', '/api/v1/recycle-bin')).body.data.find((e: { recordId?: string; id: string }) => e.recordId === gone.id) ?? (await repB.request('GET', '/api/v1/recycle-bin')).body.data[0];
    expect((await repA.request('POST', `/api/v1/recycle-bin/${entry.id}/restore`)).status).toBe(404);
    expect((await repA.request('DELETE', `/api/v1/recycle-bin/${entry.id}`)).status).toBe(404);
    expect((await repA.request('POST', `/api/v1/account/${gone.id}/restore`)).status).toBe(404);
  });
});
