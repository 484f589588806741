import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import { getTestServer, type TestServer, type TestUser } from './server.ts';
import { buildAccount, buildRecord } from './factories.ts';

/**
 * Record counts (issue 17 items 8 and 11): a list's count under the caller's access, exact while
 * cheap and the planner's estimate at scale; the related lists of a record with their sizes.
 */
let server: TestServer;
let admin: TestUser;
beforeAll(async () => {
  server = await getTestServer();
  admin = server.admin;
});
afterAll(async () => server?.close());

describe('counting records', () => {
  it('counts what the filter matches and what the caller may see', async () => {
    const rep = await server.createUser();
    expect((await admin.request('PUT', '/api/v1/sharing-settings/lead', { body: { sharing: 'private' } })).status).toBe(200);
    for (let i = 0; i < 3; i++) await buildRecord(admin, 'lead', { last_name: `Countable ${i}`, company: 'Count Co' });
    await buildRecord(rep, 'lead', { last_name: 'Countable rep', company: 'Count Co' });
    const filter = { field: 'company', op: 'eq', value: 'Count Co' };
    expect((await admin.request('POST', '/api/v1/lead/count', { body: { filter } })).body).toEqual({ count: 4, exact: true });
    expect((await rep.request('POST', '/api/v1/lead/count', { body: { filter } })).body).toEqual({ count: 1, exact: true });
    const bad = await admin.request('POST', '/api/v1/lead/count', { body: { filter: { field: 'nope', op: 'eq', value: 1 } } });
    expect([bad.status, bad.body.errors[0].field]).toEqual([400, 'filter']);
    expect((await admin.request('POST', '/api/v1/lead/count', { body: { limit: 3 } })).status).toBe(400);
  });

  it('gives the planner’s estimate, marked as such, above 10,000', async () => {
    expect((await admin.request('POST', '/api/v1/metadata/objects', { body: { apiName: 'reading', label: 'Reading', pluralLabel: 'Readings' } })).status).toBe(201);
    const table = server.platform.registry.requireObject('reading').table;
    await sql`INSERT INTO ${sql.table(table)} (id, name, owner_id) SELECT gen_random_uuid(), 'r' || g, ${admin.id}::uuid FROM generate_series(1, 10050) g`.execute(server.platform.db);
    await sql`ANALYZE ${sql.table(table)}`.execute(server.platform.db);
    const res = await admin.request('POST', '/api/v1/reading/count', { body: {} });
    expect(res.body.exact).toBe(false);
    expect(res.body.count).toBeGreaterThan(10_000);
    expect(res.body.count).toBeLessThan(20_000);
  });

  it('answers the size of each related list of a record', async () => {
    const account = await buildAccount(admin);
    for (let i = 0; i < 2; i++) await buildRecord(admin, 'contact', { last_name: `Rel ${i}`, account: account.id });
    await buildRecord(admin, 'opportunity', { name: 'Rel deal', account: account.id, close_date: '2027-01-01', stage: 'prospecting' });
    const res = await admin.request('GET', `/api/v1/account/${account.id}/related-counts`);
    expect(res.status, res.text).toBe(200);
    const count = (object: string, field: string) => res.body.data.find((d: any) => d.object === object && d.field === field)?.count;
    expect([count('contact', 'account'), count('opportunity', 'account'), count('account', 'parent_account')]).toEqual([2, 1, 0]);
    expect((await admin.request('GET', '/api/v1/account/01900000-0000-7000-8000-000000000000/related-counts')).status).toBe(404);
  });
});
