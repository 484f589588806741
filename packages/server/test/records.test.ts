import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import { getTestServer, type TestServer, type TestUser } from './server.ts';
import { buildAccount, buildContact, buildOpportunity } from './factories.ts';

let server: TestServer;
let admin: TestUser;
beforeAll(async () => {
  server = await getTestServer();
  admin = server.admin;
});
afterAll(async () => server?.close());

const count = async (table: string) => Number((await sql<{ n: string }>`SELECT count(*) AS n FROM ${sql.table(table)}`.execute(server.platform.db)).rows[0]!.n);

describe('record CRUD', () => {
  it('creates with defaults and owner, reads, updates with a version bump, deletes', async () => {
    const created = await admin.request('POST', '/api/v1/opportunity', { body: { name: 'Standby generator', close_date: '2027-03-31', amount: 12500.5 } });
    expect(created.status).toBe(201);
    expect(created.headers.location).toBe(`/api/v1/opportunity/${created.body.id}`);
    expect(created.body).toMatchObject({ name: 'Standby generator', stage: 'prospecting', currency: 'USD', amount: 12500.5, owner: admin.id, version: 1 });
    const id = created.body.id;
    const updated = await admin.request('PATCH', `/api/v1/opportunity/${id}`, { body: { stage: 'proposal' }, headers: { 'if-match': '"1"' } });
    expect(updated.status).toBe(200);
    expect(updated.body.version).toBe(2);
    expect(updated.headers.etag).toBe('"2"');
    const stale = await admin.request('PATCH', `/api/v1/opportunity/${id}`, { body: { stage: 'negotiation' }, headers: { 'if-match': '"1"' } });
    expect(stale.status).toBe(409);
    expect(stale.body.code).toBe('version_conflict');
    expect(stale.body.currentVersion).toBe(2);
    const staleBody = await admin.request('PATCH', `/api/v1/opportunity/${id}`, { body: { stage: 'negotiation', version: 1 } });
    expect(staleBody.status).toBe(409);
    const unchanged = await admin.request('PATCH', `/api/v1/opportunity/${id}`, { body: { stage: 'proposal' } });
    expect(unchanged.body.version).toBe(2); // no change, no new version
    expect((await admin.request('DELETE', `/api/v1/opportunity/${id}`)).status).toBe(204);
    expect((await admin.request('GET', `/api/v1/opportunity/${id}`)).status).toBe(404);
  });

  it('writes field history and an outbox event in the same transaction', async () => {
    const a = await buildAccount(admin, { industry: 'energy' });
    await admin.request('PATCH', `/api/v1/account/${a.id}`, { body: { industry: 'utilities' } });
    const h = await admin.request('GET', `/api/v1/account/${a.id}/history`);
    expect(h.status).toBe(200);
    const change = h.body.data.find((x: any) => x.field === 'industry' && x.operation === 'update');
    expect(change).toMatchObject({ oldValue: 'energy', newValue: 'utilities', actorId: admin.id, via: 'api' });
    const events = await sql<{ type: string }>`SELECT type FROM outbox_event WHERE record_id = ${a.id} ORDER BY seq`.execute(server.platform.db);
    expect(events.rows.map((e) => e.type)).toEqual(['account.created', 'account.updated']);
  });

  it('leaves no history or event behind when a write is refused', async () => {
    const before = [await count('record_history'), await count('outbox_event'), await count('obj_contact')];
    const res = await admin.request('POST', '/api/v1/contact', { body: { last_name: 'X', account: '01a00000-0000-7000-8000-000000000000' } });
    expect(res.status).toBe(400);
    expect(res.body.errors[0]).toMatchObject({ field: 'account', code: 'invalid_reference' });
    expect([await count('record_history'), await count('outbox_event'), await count('obj_contact')]).toEqual(before);
  });

  it('rejects unknown fields, wrong types, bad picklist values and read-only fields with field errors', async () => {
    const res = await admin.request('POST', '/api/v1/opportunity', {
      body: { name: 5, close_date: '2027-02-30', stage: 'dreaming', amount: '12.345', bogus: 1, version: 3, created_at: '2020-01-01T00:00:00Z' },
    });
    expect(res.status).toBe(400);
    expect(res.headers['content-type']).toContain('application/problem+json');
    const byField = Object.fromEntries(res.body.errors.map((e: any) => [e.field, e.code]));
    expect(byField).toMatchObject({ name: 'type', close_date: 'invalid_date', stage: 'invalid_choice', amount: 'precision', bogus: 'unknown_field', version: 'read_only', created_at: 'read_only' });
  });

  it('requires required fields, naming them', async () => {
    const res = await admin.request('POST', '/api/v1/opportunity', { body: { amount: 5 } });
    expect(res.status).toBe(400);
    expect(res.body.errors.map((e: any) => e.field).sort()).toEqual(['close_date', 'name']);
  });

  it('returns only requested fields, always with id and version', async () => {
    const a = await buildAccount(admin, { phone: '+1 555 0100' });
    const res = await admin.request('GET', `/api/v1/account/${a.id}?fields=name,phone`);
    expect(Object.keys(res.body).sort()).toEqual(['id', 'name', 'phone', 'version']);
    const bad = await admin.request('GET', `/api/v1/account/${a.id}?fields=name,password_hash`);
    expect(bad.status).toBe(400);
    expect(bad.body.errors[0].field).toBe('fields');
  });

  it('resolves display names of lookups without N+1', async () => {
    const a = await buildAccount(admin, { name: 'Display Co' });
    const c = await buildContact(admin, { account: a.id });
    const res = await admin.request('GET', `/api/v1/contact?filter=${encodeURIComponent(JSON.stringify({ field: 'id', op: 'eq', value: c.id }))}&display=true`);
    expect(res.body.display.account[a.id]).toBe('Display Co');
    expect(res.body.display.user[admin.id]).toBeTruthy();
  });
});

describe('lists: filter, sort, keyset pagination', () => {
  let tag: string;
  beforeAll(async () => {
    tag = `pg${Date.now()}`;
    const parent = await buildAccount(admin, { name: `${tag} parent`, industry: 'energy' });
    const amounts = [500, 100, null, 300, 100, 700, null, 300, 900, 100, 200, 100];
    for (const [i, amount] of amounts.entries()) {
      await buildOpportunity(admin, { name: `${tag} ${String(i).padStart(2, '0')}`, amount, account: i % 2 ? parent.id : null, close_date: `2027-01-${String(10 + i).padStart(2, '0')}` });
    }
  });

  const walk = async (sort: string, limit: number) => {
    const filter = encodeURIComponent(JSON.stringify({ field: 'name', op: 'startsWith', value: tag }));
    const seen: any[] = [];
    let cursor: string | null = null;
    for (let page = 0; page < 50; page++) {
      const res: any = await admin.request('GET', `/api/v1/opportunity?filter=${filter}&sort=${sort}&limit=${limit}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);
      expect(res.status).toBe(200);
      seen.push(...res.body.data);
      cursor = res.body.nextCursor;
      if (!cursor) break;
    }
    return seen;
  };

  it('pages through ties and NULLs without losing or repeating a row, in both directions', async () => {
    for (const sort of ['amount', '-amount', '-amount,name', 'account,-amount']) {
      for (const limit of [1, 3, 5]) {
        const rows = await walk(sort, limit);
        expect(rows.length).toBe(12);
        expect(new Set(rows.map((r) => r.id)).size).toBe(12);
        const key = sort.split(',')[0]!;
        const field = key.replace('-', '');
        const desc = key.startsWith('-');
        const vals = rows.map((r) => r[field]);
        // NULLs last ascending, first descending; otherwise monotonic.
        const nonNull = vals.filter((v) => v !== null);
        if (field === 'amount') {
          const sorted = [...nonNull].sort((a, b) => (desc ? b - a : a - b));
          expect(nonNull).toEqual(sorted);
          const firstNull = vals.indexOf(null);
          if (desc) expect(vals.slice(0, 2)).toEqual([null, null]);
          else expect(firstNull).toBe(10);
        }
      }
    }
  });

  it('filters through lookups and with relative dates', async () => {
    const filter = { and: [{ field: 'name', op: 'startsWith', value: tag }, { field: 'account.industry', op: 'eq', value: 'energy' }] };
    const res = await admin.request('POST', '/api/v1/opportunity/query', { body: { filter, limit: 200 } });
    expect(res.status).toBe(200);
    expect(res.body.data.length).toBe(6);
    const rel = await admin.request('POST', '/api/v1/opportunity/query', { body: { filter: { and: [{ field: 'name', op: 'startsWith', value: tag }, { field: 'created_at', op: 'eq', value: { relative: 'today' } }] } } });
    expect(rel.body.data.length).toBe(12);
  });

  it('refuses forged, edited and stale cursors', async () => {
    const first = await admin.request('GET', '/api/v1/opportunity?limit=2&sort=amount');
    const cursor: string = first.body.nextCursor;
    expect(cursor).toBeTruthy();
    const [body, sig] = cursor.split('.');
    const tampered = Buffer.from(JSON.stringify({ ...JSON.parse(Buffer.from(body!, 'base64url').toString()), v: ["0'; DROP TABLE obj_account; --", null] })).toString('base64url');
    for (const bad of [`${tampered}.${sig}`, 'garbage', `${body}.AAAA`, 'x'.repeat(5000)]) {
      const res = await admin.request('GET', `/api/v1/opportunity?limit=2&sort=amount&cursor=${encodeURIComponent(bad)}`);
      expect(res.status).toBe(400);
      expect(res.body.errors[0].field).toBe('cursor');
    }
    const stale = await admin.request('GET', `/api/v1/opportunity?limit=2&sort=-amount&cursor=${encodeURIComponent(cursor)}`);
    expect(stale.status).toBe(400);
    expect(stale.body.errors[0].code).toBe('stale_cursor');
  });

  it('refuses injection through sort and filter', async () => {
    const sorts = ['name;DROP TABLE obj_account', 'name desc', '"name"', '-', 'password', 'description'];
    for (const s of sorts) {
      const res = await admin.request('GET', `/api/v1/account?sort=${encodeURIComponent(s)}`);
      expect([400]).toContain(res.status);
    }
    const filters = ['{"field":"name; DROP TABLE obj_account","op":"eq","value":1}', '{"field":"name","op":"eq; --","value":1}', '{"field":"name","op":"eq","value":"x\' OR 1=1 --"}', '[1,2]', '{"__proto__":{"x":1}}', '{"field":"name","op":"in","value":[]}', 'not json'];
    for (const f of filters) {
      const res = await admin.request('GET', `/api/v1/account?filter=${encodeURIComponent(f)}`);
      if (f.includes("OR 1=1")) {
        expect(res.status).toBe(200);
        expect(res.body.data).toEqual([]);
      } else {
        expect(res.status).toBe(400);
        expect(res.body.errors[0].field).toBe('filter');
      }
    }
    expect((await admin.request('GET', '/api/v1/account?limit=1')).status).toBe(200); // the table is still there
  });

  it('validates limit', async () => {
    for (const l of ['0', '201', 'abc', '-1', '1.5']) {
      expect((await admin.request('GET', `/api/v1/account?limit=${l}`)).status).toBe(400);
    }
  });
});

describe('bad requests', () => {
  it('answers malformed JSON, non-object bodies and oversized bodies with problem documents', async () => {
    const malformed = await admin.request('POST', '/api/v1/account', { raw: '{"name": "x",' });
    expect(malformed.status).toBe(400);
    expect(malformed.body.code).toBe('bad_request');
    const arr = await admin.request('POST', '/api/v1/account', { body: [{ name: 'x' }] });
    expect(arr.status).toBe(400);
    const big = await admin.request('POST', '/api/v1/account', { body: { name: 'x', description: 'y'.repeat(2 * 1024 * 1024) } });
    expect(big.status).toBe(413);
    expect(big.body.code).toBe('payload_too_large');
    const notFound = await admin.request('GET', '/api/v1/no_such_object');
    expect(notFound.status).toBe(404);
    const badId = await admin.request('GET', "/api/v1/account/1' OR '1'='1");
    expect(badId.status).toBe(404);
  });

  it('needs authentication', async () => {
    const res = await server.app.inject({ method: 'GET', url: '/api/v1/account' });
    expect(res.statusCode).toBe(401);
    const bad = await server.app.inject({ method: 'GET', url: '/api/v1/account', headers: { authorization: 'Bearer mrd_nope' } });
    expect(bad.statusCode).toBe(401);
  });
});
