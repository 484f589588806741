import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import { getTestServer, type TestServer, type TestUser } from './server.ts';
import { buildAccount } from './factories.ts';

let server: TestServer;
let admin: TestUser;
beforeAll(async () => {
  server = await getTestServer();
  admin = server.admin;
});
afterAll(async () => server?.close());

describe('bulk', () => {
  it('keeps valid records and reports invalid ones with their index and field', async () => {
    const records = [{ name: 'B1' }, { name: '' }, { name: 'B3', industry: 'nope' }, { name: 'B4', parent_account: '01a00000-0000-7000-8000-000000000000' }, 'x', { name: 'B6' }];
    const res = await admin.request('POST', '/api/v1/account/bulk', { body: { operation: 'create', records } });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ succeeded: 2, failed: 4 });
    expect(res.body.results.map((r: any) => r.ok)).toEqual([true, false, false, false, false, true]);
    expect(res.body.results[1].errors[0]).toMatchObject({ field: 'records[1].name', code: 'required' });
    expect(res.body.results[2].errors[0]).toMatchObject({ field: 'records[2].industry', code: 'invalid_choice' });
    expect(res.body.results[3].errors[0]).toMatchObject({ field: 'records[3].parent_account', code: 'invalid_reference' });
    const names = (await admin.request('GET', `/api/v1/account?filter=${encodeURIComponent(JSON.stringify({ field: 'name', op: 'in', value: ['B1', 'B3', 'B4', 'B6'] }))}`)).body.data.map((r: any) => r.name).sort();
    expect(names).toEqual(['B1', 'B6']);
  });

  it('updates by id, reporting unknown ids, and refuses oversized or malformed calls', async () => {
    const a = await buildAccount(admin);
    const res = await admin.request('POST', '/api/v1/account/bulk', { body: { operation: 'update', records: [{ id: a.id, phone: '+1 555 0199' }, { id: '01a00000-0000-7000-8000-000000000000', phone: '+1 555 0101' }, { phone: '+1 555 0102' }] } });
    expect(res.body.results.map((r: any) => r.ok)).toEqual([true, false, false]);
    expect(res.body.results[1].status).toBe(404);
    const tooMany = await admin.request('POST', '/api/v1/account/bulk', { body: { operation: 'create', records: Array.from({ length: 1001 }, (_, i) => ({ name: `n${i}` })) } });
    expect(tooMany.status).toBe(400);
    expect(tooMany.body.errors[0]).toMatchObject({ field: 'records', code: 'too_many' });
    expect((await admin.request('POST', '/api/v1/account/bulk', { body: { operation: 'delete', records: [{}] } })).status).toBe(400);
    expect((await admin.request('POST', '/api/v1/account/bulk', { body: { operation: 'upsert', externalIdField: 'phone', records: [{}] } })).status).toBe(400);
  });

  it('upserts by an external id', async () => {
    const first = await admin.request('POST', '/api/v1/account/bulk', { body: { operation: 'upsert', externalIdField: 'account_number', records: [{ account_number: 'ACC-1', name: 'One' }, { account_number: 'ACC-2', name: 'Two' }] } });
    expect(first.body.results.map((r: any) => r.created)).toEqual([true, true]);
    const second = await admin.request('POST', '/api/v1/account/bulk', { body: { operation: 'upsert', externalIdField: 'account_number', records: [{ account_number: 'ACC-1', name: 'One (renamed)' }, { account_number: 'ACC-3', name: 'Three' }, { name: 'no key' }] } });
    expect(second.body.results.map((r: any) => r.ok && r.created)).toEqual([false, true, false]);
    expect(second.body.results[0].id).toBe(first.body.results[0].id);
    expect((await admin.request('GET', `/api/v1/account/${first.body.results[0].id}`)).body.name).toBe('One (renamed)');
  });
});

describe('Idempotency-Key', () => {
  it('returns the first answer to a retried POST and creates nothing new', async () => {
    const count = async () => Number((await sql<{ n: string }>`SELECT count(*) AS n FROM obj_account WHERE name = 'Idem Co'`.execute(server.platform.db)).rows[0]!.n);
    const headers = { 'idempotency-key': 'create-idem-co-1' };
    const a = await admin.request('POST', '/api/v1/account', { body: { name: 'Idem Co' }, headers });
    const b = await admin.request('POST', '/api/v1/account', { body: { name: 'Idem Co' }, headers });
    expect(a.status).toBe(201);
    expect(b.status).toBe(201);
    expect(b.body.id).toBe(a.body.id);
    expect(b.headers['idempotent-replayed']).toBe('true');
    expect(await count()).toBe(1);
    const different = await admin.request('POST', '/api/v1/account', { body: { name: 'Other Co' }, headers });
    expect(different.status).toBe(422);
    expect(different.body.code).toBe('idempotency_mismatch');
    // Keys are per user: another user's identical key is a different request.
    const other = await server.createUser();
    expect((await other.request('POST', '/api/v1/account', { body: { name: 'Idem Co' }, headers })).body.id).not.toBe(a.body.id);
  });

  it('does not store a failed attempt, so a corrected retry goes through', async () => {
    const headers = { 'idempotency-key': 'retry-after-fix' };
    expect((await admin.request('POST', '/api/v1/account', { body: { name: '' }, headers })).status).toBe(400);
    expect((await admin.request('POST', '/api/v1/account', { body: { name: 'Fixed' }, headers })).status).toBe(201);
  });

  it('handles concurrent retries without a second record', async () => {
    const headers = { 'idempotency-key': 'concurrent-1' };
    const results = await Promise.all([1, 2, 3].map(() => admin.request('POST', '/api/v1/account', { body: { name: 'Concurrent Co' }, headers })));
    const created = results.filter((r) => r.status === 201);
    expect(new Set(created.map((r) => r.body.id)).size).toBe(1);
    for (const r of results) expect([201, 409]).toContain(r.status);
    const n = Number((await sql<{ n: string }>`SELECT count(*) AS n FROM obj_account WHERE name = 'Concurrent Co'`.execute(server.platform.db)).rows[0]!.n);
    expect(n).toBe(1);
  });

  it('validates the key', async () => {
    expect((await admin.request('POST', '/api/v1/account', { body: { name: 'K' }, headers: { 'idempotency-key': 'x'.repeat(300) } })).status).toBe(400);
  });
});
