import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import { getTestServer, type TestServer, type TestUser } from '../server.ts';
import { buildAccount, buildContact } from '../factories.ts';
import { createRepProfile, ok } from '../access/fixture.ts';

/**
 * Issue 16 item 6: the data quality score per object and owner — completeness of recommended
 * fields, invalid e-mails and phones, records untouched for a year, duplicates — over the records
 * and fields the caller may see, with the records behind each number.
 */
let server: TestServer;
let admin: TestUser;
let rep: TestUser;
let peer: TestUser;
const ids: Record<string, string> = {};

beforeAll(async () => {
  server = await getTestServer();
  admin = server.admin;
  rep = await server.createUser();
  peer = await server.createUser();
  await createRepProfile(admin, { contact: { mobile: 'hidden' } });
  for (const u of [rep, peer]) ok(await admin.request('PATCH', `/api/v1/user/${u.id}`, { body: { profile: 'rep' } }));
  ok(await admin.request('PUT', '/api/v1/sharing-settings/contact', { body: { sharing: 'private' } }));
  const account = await buildAccount(admin, {});
  const full = { title: 'Buyer', account: account.id, phone: '+1 555 010 0100' };
  ids.good = (await buildContact(admin, { owner: rep.id, email: 'good@example.com', ...full })).id;
  ids.dupA = (await buildContact(admin, { owner: rep.id, email: 'same@example.com', ...full })).id;
  const dup = await admin.request('POST', '/api/v1/contact?allowDuplicate=true', { body: { last_name: 'Twin', owner: rep.id, email: 'SAME@example.com', ...full } });
  ids.dupB = dup.body.id;
  ids.sparse = (await buildContact(admin, { owner: rep.id })).id;
  ids.legacy = (await buildContact(admin, { owner: rep.id, email: 'legacy@example.com', ...full })).id;
  ids.peers = (await buildContact(admin, { owner: peer.id })).id;
  // Data from before validation existed (an old import): written around the pipeline on purpose.
  await sql`UPDATE obj_contact SET email = 'not-an-email', phone = '12', mobile = '34', updated_at = now() - interval '400 days' WHERE id = ${ids.legacy}`.execute(server.platform.db);
});
afterAll(async () => server?.close());

const measure = (user: TestUser) => user.request('GET', '/api/v1/data-quality/contact');
const total = (body: { rows: Array<{ total: boolean }> }) => body.rows.find((r) => r.total) as unknown as { records: number; failing: Record<string, number>; score: number };

describe('data quality', () => {
  it('counts each check over the rep’s own records and readable fields, with a score per owner', async () => {
    const res = await measure(rep);
    expect(res.status, res.text).toBe(200);
    expect(res.body.recommended.map((f: { apiName: string }) => f.apiName)).toEqual(['email', 'phone', 'title', 'account']);
    const all = total(res.body);
    // Five of the rep's contacts; the peer's is not theirs to see.
    expect(all.records).toBe(5);
    expect(all.failing).toEqual({ incomplete: 1, invalid_email: 1, invalid_phone: 1, stale: 1, duplicate: 2 });
    const mine = res.body.rows.find((r: { ownerId: string }) => r.ownerId === rep.id);
    expect(mine.records).toBe(5);
    expect(res.body.owners[rep.id]).toBeTruthy();
    expect(mine.score).toBeGreaterThan(0);
    expect(mine.score).toBeLessThan(100);
    // The admin sees everyone's — and the mobile field the rep may not read.
    const asAdmin = total((await measure(admin)).body);
    expect(asAdmin.records).toBeGreaterThanOrEqual(6);
    expect(asAdmin.failing.invalid_phone).toBeGreaterThanOrEqual(1);
  });

  it('a hidden field is neither checked nor revealed', async () => {
    await sql`UPDATE obj_contact SET phone = '+1 555 010 0199' WHERE id = ${ids.legacy}`.execute(server.platform.db);
    // Only the hidden mobile is invalid now: the rep's count drops to 0, the admin's stays.
    expect(total((await measure(rep)).body).failing.invalid_phone).toBe(0);
    expect(total((await measure(admin)).body).failing.invalid_phone).toBeGreaterThanOrEqual(1);
  });

  it('lists the records behind a number; bad input names the parameter', async () => {
    const dups = await rep.request('GET', `/api/v1/data-quality/contact/records?check=duplicate&owner=${rep.id}`);
    expect(dups.status, dups.text).toBe(200);
    expect(dups.body.data.map((r: { id: string }) => r.id).sort()).toEqual([ids.dupA, ids.dupB].sort());
    const stale = await rep.request('GET', '/api/v1/data-quality/contact/records?check=stale');
    expect(stale.body.data.map((r: { id: string }) => r.id)).toEqual([ids.legacy]);
    expect(stale.body.data[0]).not.toHaveProperty('mobile');
    const incomplete = await peer.request('GET', '/api/v1/data-quality/contact/records?check=incomplete');
    expect(incomplete.body.data.map((r: { id: string }) => r.id)).toEqual([ids.peers]);
    const bad = await rep.request('GET', '/api/v1/data-quality/contact/records?check=everything');
    expect(bad.status).toBe(400);
    expect(bad.body.errors[0].field).toBe('check');
    expect((await rep.request('GET', '/api/v1/data-quality/no_such_object')).status).toBe(404);
  });
});
