import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getTestServer, type TestServer, type TestUser } from './server.ts';
import { buildAccount, buildOpportunity, buildTask, buildLead } from './factories.ts';

/**
 * The access model, endpoint by endpoint, for restricted users:
 *   sales_director ─┬─ sales_east (rep: east)
 *                   └─ sales_west (rep: west)
 * Profile sales_rep: all objects except deleting leads; opportunity.gross_profit hidden,
 * account.annual_revenue read-only. Opportunities are private, accounts public read-only.
 */
let server: TestServer;
let admin: TestUser;
let director: TestUser;
let east: TestUser;
let west: TestUser;
let oppEast: { id: string };
let oppWest: { id: string };
let adminAccount: { id: string };

const ok = (res: { status: number; text: string }, status = 200) => {
  expect(res.status, res.text).toBe(status);
  return res;
};

beforeAll(async () => {
  server = await getTestServer();
  admin = server.admin;
  ok(await admin.request('POST', '/api/v1/roles', { body: { name: 'sales_director', label: 'Sales director' } }), 201);
  ok(await admin.request('POST', '/api/v1/roles', { body: { name: 'sales_east', label: 'Sales East', parent: 'sales_director' } }), 201);
  ok(await admin.request('POST', '/api/v1/roles', { body: { name: 'sales_west', label: 'Sales West', parent: 'sales_director' } }), 201);
  ok(await admin.request('POST', '/api/v1/profiles', {
    body: {
      name: 'sales_rep', label: 'Sales rep',
      permissions: {
        default: { read: true, create: true, edit: true, delete: true },
        objects: { lead: { read: true, create: true, edit: true, delete: false } },
        fields: { opportunity: { gross_profit: 'hidden' }, account: { annual_revenue: 'read_only' } },
      },
    },
  }), 201);
  ok(await admin.request('PUT', '/api/v1/sharing-settings/opportunity', { body: { sharing: 'private' } }));
  ok(await admin.request('PUT', '/api/v1/sharing-settings/account', { body: { sharing: 'public_read' } }));
  const make = async (role: string) => {
    const u = await server.createUser();
    ok(await admin.request('PATCH', `/api/v1/user/${u.id}`, { body: { role, profile: 'sales_rep' } }));
    return u;
  };
  director = await make('sales_director');
  east = await make('sales_east');
  west = await make('sales_west');
  adminAccount = await buildAccount(admin, { name: 'Admin-owned Co', annual_revenue: 1000000 });
  oppEast = await buildOpportunity(east, { name: 'East deal', amount: 5000 });
  oppWest = await buildOpportunity(west, { name: 'West deal', amount: 250000 });
  // Reps cannot see or set gross profit; an admin fills it in.
  ok(await admin.request('PATCH', `/api/v1/opportunity/${oppEast.id}`, { body: { gross_profit: 1000 } }));
  ok(await admin.request('PATCH', `/api/v1/opportunity/${oppWest.id}`, { body: { gross_profit: 50000 } }));
});
afterAll(async () => server?.close());

describe('record visibility', () => {
  it('shows reps their own private records and managers the records of the roles below', async () => {
    expect((await east.request('GET', `/api/v1/opportunity/${oppEast.id}`)).status).toBe(200);
    expect((await east.request('GET', `/api/v1/opportunity/${oppWest.id}`)).status).toBe(404);
    const eastList = (await east.request('GET', '/api/v1/opportunity?limit=200')).body.data.map((o: any) => o.id);
    expect(eastList).toContain(oppEast.id);
    expect(eastList).not.toContain(oppWest.id);
    const directorList = (await director.request('GET', '/api/v1/opportunity?limit=200')).body.data.map((o: any) => o.id);
    expect(directorList).toEqual(expect.arrayContaining([oppEast.id, oppWest.id]));
    // …and nothing leaks upwards: a rep does not see the director's records.
    const dOpp = await buildOpportunity(director, { name: 'Director deal' });
    expect((await east.request('GET', `/api/v1/opportunity/${dOpp.id}`)).status).toBe(404);
  });

  it('lets a manager change the records of the roles below, and no one else', async () => {
    ok(await director.request('PATCH', `/api/v1/opportunity/${oppEast.id}`, { body: { next_step: 'Call CFO' } }));
    expect((await west.request('PATCH', `/api/v1/opportunity/${oppEast.id}`, { body: { next_step: 'x' } })).status).toBe(404);
    expect((await west.request('DELETE', `/api/v1/opportunity/${oppEast.id}`)).status).toBe(404);
    const bulk = await west.request('POST', '/api/v1/opportunity/bulk', { body: { operation: 'update', records: [{ id: oppEast.id, next_step: 'x' }] } });
    expect(bulk.body.results[0]).toMatchObject({ ok: false, status: 404 });
  });

  it('answers 403 (not 404) for a public read-only record the user cannot change', async () => {
    ok(await east.request('GET', `/api/v1/account/${adminAccount.id}`));
    const res = await east.request('PATCH', `/api/v1/account/${adminAccount.id}`, { body: { phone: '+1 555 0111' } });
    expect(res.status).toBe(403);
    expect((await east.request('DELETE', `/api/v1/account/${adminAccount.id}`)).status).toBe(403);
  });

  it('does not let users point lookups at records they cannot see', async () => {
    const res = await east.request('POST', '/api/v1/task', { body: { subject: 'Spy', opportunity: oppWest.id } });
    expect(res.status).toBe(400);
    expect(res.body.errors[0]).toMatchObject({ field: 'opportunity', code: 'invalid_reference' });
  });

  it('does not leak invisible parents through filter paths', async () => {
    // A task of east's that (set by an admin) points at west's deal.
    const t = await buildTask(admin, { subject: 'Linked task', opportunity: oppWest.id, owner: east.id });
    const q = (filter: unknown) => east.request('POST', '/api/v1/task/query', { body: { filter } });
    const all = (await q({ field: 'id', op: 'eq', value: t.id })).body.data;
    expect(all.length).toBe(1);
    expect((await q({ and: [{ field: 'id', op: 'eq', value: t.id }, { field: 'opportunity.name', op: 'eq', value: 'West deal' }] })).body.data).toEqual([]);
    expect((await q({ and: [{ field: 'id', op: 'eq', value: t.id }, { field: 'opportunity.amount', op: 'gt', value: 0 }] })).body.data).toEqual([]);
    // The director can see the deal, so for them the path resolves.
    const d = await director.request('POST', '/api/v1/task/query', { body: { filter: { and: [{ field: 'id', op: 'eq', value: t.id }, { field: 'opportunity.name', op: 'eq', value: 'West deal' }] } } });
    expect(d.body.data.length).toBe(1);
  });

  it('opens records through sharing rules and record teams', async () => {
    ok(await admin.request('POST', '/api/v1/sharing-rules', { body: { object: 'opportunity', name: 'big_deals_to_east', condition: { field: 'amount', op: 'gte', value: 100000 }, shareWithType: 'role', shareWith: 'sales_east', access: 'read' } }), 201);
    ok(await east.request('GET', `/api/v1/opportunity/${oppWest.id}`));
    expect((await east.request('PATCH', `/api/v1/opportunity/${oppWest.id}`, { body: { next_step: 'x' } })).status).toBe(403);
    ok(await west.request('POST', `/api/v1/opportunity/${oppWest.id}/team`, { body: { userId: east.id, teamRole: 'backup_pm', access: 'edit' } }));
    ok(await east.request('PATCH', `/api/v1/opportunity/${oppWest.id}`, { body: { next_step: 'Send revised quote' } }));
    expect((await east.request('GET', `/api/v1/opportunity/${oppWest.id}/team`)).body.data[0]).toMatchObject({ userId: east.id, teamRole: 'backup_pm' });
    // A rep cannot add themselves to a team of a record they cannot change.
    const other = await buildOpportunity(west, { name: 'Other west deal', amount: 10 });
    expect((await east.request('POST', `/api/v1/opportunity/${other.id}/team`, { body: { userId: east.id } })).status).toBe(404);
  });
});

describe('object and field permissions', () => {
  it('refuses operations the profile does not allow', async () => {
    const lead = await buildLead(east);
    const res = await east.request('DELETE', `/api/v1/lead/${lead.id}`);
    expect(res.status).toBe(403);
    expect(res.body.detail).toMatch(/not allow you to delete leads/);
  });

  it('hides hidden fields everywhere: read, list, fields, filter, sort, write, history, OpenAPI', async () => {
    const rec = (await east.request('GET', `/api/v1/opportunity/${oppEast.id}`)).body;
    expect(rec).not.toHaveProperty('gross_profit');
    expect(rec.amount).toBe(5000);
    const list = (await east.request('GET', '/api/v1/opportunity')).body.data;
    for (const r of list) expect(r).not.toHaveProperty('gross_profit');
    expect((await east.request('GET', `/api/v1/opportunity?fields=name,gross_profit`)).status).toBe(400);
    expect((await east.request('GET', `/api/v1/opportunity?sort=gross_profit`)).status).toBe(400);
    const f = await east.request('GET', `/api/v1/opportunity?filter=${encodeURIComponent(JSON.stringify({ field: 'gross_profit', op: 'gt', value: 0 }))}`);
    expect(f.status).toBe(400);
    const path = await east.request('POST', '/api/v1/task/query', { body: { filter: { field: 'opportunity.gross_profit', op: 'gt', value: 0 } } });
    expect(path.status).toBe(400);
    const write = await east.request('PATCH', `/api/v1/opportunity/${oppEast.id}`, { body: { gross_profit: 5 } });
    expect(write.status).toBe(400);
    expect(write.body.errors[0].code).toBe('unknown_field');
    const history = (await east.request('GET', `/api/v1/opportunity/${oppEast.id}/history`)).body.data;
    expect(history.some((h: any) => h.field === 'gross_profit')).toBe(false);
    expect((await admin.request('GET', `/api/v1/opportunity/${oppEast.id}/history`)).body.data.some((h: any) => h.field === 'gross_profit')).toBe(true);
    const openapi = (await east.request('GET', '/api/v1/openapi.json')).body;
    expect(openapi.components.schemas.Opportunity.properties).not.toHaveProperty('gross_profit');
    expect(openapi.components.schemas.Opportunity.properties).toHaveProperty('amount');
    // The value survives edits by users who cannot see it.
    ok(await east.request('PATCH', `/api/v1/opportunity/${oppEast.id}`, { body: { amount: 6000 } }));
    expect((await admin.request('GET', `/api/v1/opportunity/${oppEast.id}`)).body.gross_profit).toBe(1000);
  });

  it('shows read-only fields but refuses writes to them', async () => {
    const a = await buildAccount(east, { name: 'East account' });
    expect((await east.request('GET', `/api/v1/account/${a.id}`)).body).toHaveProperty('annual_revenue');
    const res = await east.request('PATCH', `/api/v1/account/${a.id}`, { body: { annual_revenue: 5 } });
    expect(res.status).toBe(400);
    expect(res.body.errors[0]).toMatchObject({ field: 'annual_revenue', code: 'read_only' });
  });

  it('keeps the admin API for admins', async () => {
    for (const [method, url] of [['GET', '/api/v1/profiles'], ['POST', '/api/v1/roles'], ['GET', '/api/v1/sharing-rules'], ['PUT', '/api/v1/sharing-settings/account'], ['POST', '/api/v1/users']]) {
      expect((await east.request(method!, url!, { body: method === 'GET' ? undefined : {} })).status, `${method} ${url}`).toBe(403);
    }
  });

  it('validates access definitions', async () => {
    expect((await admin.request('POST', '/api/v1/roles', { body: { name: 'loop', label: 'Loop', parent: 'nope' } })).status).toBe(400);
    expect((await admin.request('PATCH', '/api/v1/roles/sales_director', { body: { parent: 'sales_east' } })).body.errors[0].code).toBe('cycle');
    expect((await admin.request('POST', '/api/v1/profiles', { body: { name: 'bad_profile', label: 'Bad', permissions: { objects: { nowhere: { read: true } } } } })).status).toBe(400);
    expect((await admin.request('POST', '/api/v1/profiles', { body: { name: 'bad_fields', label: 'Bad', permissions: { fields: { account: { name: 'invisible' } } } } })).status).toBe(400);
    expect((await admin.request('PATCH', `/api/v1/user/${east.id}`, { body: { profile: 'no_such_profile' } })).status).toBe(400);
    expect((await admin.request('DELETE', '/api/v1/profiles/sales_rep')).status).toBe(409);
  });

  it('creates users with a profile, role and password through the admin API', async () => {
    const res = await admin.request('POST', '/api/v1/users', { body: { email: 'new.rep@example.com', password: 'long-password-1', profile: 'sales_rep', role: 'sales_west', last_name: 'Rep' } });
    expect(res.status, res.text).toBe(201);
    expect(res.body).toMatchObject({ profile: 'sales_rep', role: 'sales_west' });
    const login = await server.app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { email: 'new.rep@example.com', password: 'long-password-1' } });
    expect(login.statusCode).toBe(200);
  });
});
