import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getTestServer, type TestServer, type TestUser } from '../server.ts';
import { buildAccount, buildLead, buildOpportunity, buildRecord } from '../factories.ts';

/**
 * Issue 18 items 1 and 12: hidden fields never leave the server — not in write answers, module
 * command answers, bulk results or idempotent replays — and the metadata a restricted user reads
 * lists only what they can see.
 */
let server: TestServer;
let admin: TestUser;
let rep: TestUser;

const HIDDEN = { account: { annual_revenue: 'hidden' }, opportunity: { won_amount: 'hidden' }, meeting: { location: 'hidden' }, lead: { annual_revenue: 'hidden' } };

beforeAll(async () => {
  server = await getTestServer();
  admin = server.admin;
  rep = await server.createUser();
  const ok = (r: { status: number; text: string }) => expect(r.status, r.text).toBeLessThan(300);
  ok(await admin.request('POST', '/api/v1/metadata/objects', { body: { apiName: 'audit_case', label: 'Audit case', pluralLabel: 'Audit cases' } }));
  ok(await admin.request('POST', '/api/v1/profiles', {
    body: { name: 'rep', label: 'Rep', permissions: { default: { read: true, create: true, edit: true, delete: true }, objects: { audit_case: { read: false, create: false, edit: false, delete: false } }, fields: HIDDEN } },
  }));
  ok(await admin.request('PATCH', `/api/v1/user/${rep.id}`, { body: { profile: 'rep' } }));
});
afterAll(async () => server?.close());

const hasNo = (body: unknown, field: string) => expect(JSON.stringify(body)).not.toContain(`"${field}"`);

describe('write answers are presented for the caller', () => {
  it('create, update and an empty update answer without hidden fields', async () => {
    const created = await rep.request('POST', '/api/v1/account', { body: { name: 'Presented Ltd' } });
    expect(created.status).toBe(201);
    hasNo(created.body, 'annual_revenue');
    await admin.request('PATCH', `/api/v1/account/${created.body.id}`, { body: { annual_revenue: 5_000_000 } });
    const empty = await rep.request('PATCH', `/api/v1/account/${created.body.id}`, { body: {} });
    expect(empty.status).toBe(200);
    hasNo(empty.body, 'annual_revenue');
    expect((await admin.request('GET', `/api/v1/account/${created.body.id}`)).body.annual_revenue).toBe(5_000_000);
  });

  it('closing a deal does not answer the hidden won amount; a meeting update not its hidden location', async () => {
    const opp = await buildOpportunity(rep, { amount: 1200 });
    const closed = await rep.request('POST', `/api/v1/opportunity/${opp.id}/close`, { body: { outcome: 'won', createProject: true } });
    expect(closed.status, closed.text).toBe(200);
    hasNo(closed.body, 'won_amount');
    expect(closed.body.project).toMatchObject({ amount: 1200 });
    const meeting = await buildRecord(admin, 'meeting', { subject: 'Secret place', start_at: '2030-01-01T10:00:00Z', location: 'Room 7', owner: rep.id });
    const patched = await rep.request('PATCH', `/api/v1/meeting/${meeting.id}`, { body: { subject: 'Moved' } });
    hasNo(patched.body, 'location');
  });

  it('a lead conversion, a bulk write and an idempotent replay answer without hidden fields', async () => {
    const lead = await buildLead(admin, { annual_revenue: 900_000, owner: rep.id });
    const converted = await rep.request('POST', `/api/v1/lead/${lead.id}/convert`, { body: { allowDuplicate: true } });
    expect(converted.status, converted.text).toBe(200);
    hasNo(converted.body.lead, 'annual_revenue');
    const bulk = await rep.request('POST', '/api/v1/account/bulk', { body: { operation: 'create', records: [{ name: 'Bulk A' }], allowDuplicate: true } });
    expect(bulk.status, bulk.text).toBe(200);
    hasNo(bulk.body, 'annual_revenue');
    const acc = await buildAccount(admin, { annual_revenue: 1, owner: rep.id });
    const headers = { 'idempotency-key': `k-${acc.id}` };
    const first = await rep.request('PATCH', `/api/v1/account/${acc.id}`, { body: { name: 'Keyed' }, headers });
    const once = await rep.request('POST', `/api/v1/account`, { body: { name: 'Keyed create' }, headers: { 'idempotency-key': `c-${acc.id}` } });
    const replay = await rep.request('POST', `/api/v1/account`, { body: { name: 'Keyed create' }, headers: { 'idempotency-key': `c-${acc.id}` } });
    expect(replay.headers['idempotent-replayed']).toBe('true');
    for (const r of [first, once, replay]) hasNo(r.body, 'annual_revenue');
  });
});

describe('metadata and OpenAPI list what the caller can read', () => {
  it('an unreadable object and hidden fields are absent for the rep, present for admins', async () => {
    const objects = (await rep.request('GET', '/api/v1/metadata/objects')).body.data;
    expect(objects.map((o: { apiName: string }) => o.apiName)).not.toContain('audit_case');
    const account = objects.find((o: { apiName: string }) => o.apiName === 'account');
    expect(account.fields.map((f: { apiName: string }) => f.apiName)).not.toContain('annual_revenue');
    expect((await rep.request('GET', '/api/v1/metadata/objects/audit_case')).status).toBe(404);
    expect((await rep.request('GET', '/api/v1/metadata/objects/account/fields/annual_revenue')).status).toBe(404);
    const doc = (await rep.request('GET', '/api/v1/openapi.json')).body;
    expect(Object.keys(doc.paths).some((p) => p.includes('audit_case'))).toBe(false);
    expect(doc.components.schemas.Account.properties.annual_revenue).toBeUndefined();
    const adminObjects = (await admin.request('GET', '/api/v1/metadata/objects')).body.data;
    expect(adminObjects.map((o: { apiName: string }) => o.apiName)).toContain('audit_case');
  });
});
