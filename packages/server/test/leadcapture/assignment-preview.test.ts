import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import { randomUUID } from 'node:crypto';
import { getTestServer, type TestServer, type TestUser } from '../server.ts';

/**
 * The assignment preview (the Lead assignment page's "Test a lead", issue 14 items 9 and 11):
 * POST /api/v1/lead-assignment/preview names the rule and the user the rules would pick for typed
 * values or an existing lead — the same matching as assignment, in dry mode: no lead written, no
 * group's turn advanced. GET /api/v1/lead-assignment/next-turns tells whose turn is next per group.
 * On PGlite and PostgreSQL (DATABASE_URL).
 */
let server: TestServer;
let admin: TestUser;
const reps: TestUser[] = [];

beforeAll(async () => {
  server = await getTestServer();
  admin = server.admin;
  for (let i = 0; i < 4; i++) reps.push(await server.createUser());
});
afterAll(async () => {
  await server?.close();
});

async function ok(res: Promise<{ status: number; body: any; text: string }>, status = 201) {
  const r = await res;
  expect(r.status, r.text).toBe(status);
  return r.body;
}
const post = (object: string, body: unknown) => ok(admin.request('POST', `/api/v1/${object}`, { body }));
const preview = (body: unknown) => admin.request('POST', '/api/v1/lead-assignment/preview', { body });
const turns = async () => (await sql<{ group_id: string; n: string }>`SELECT group_id, n::text FROM leadcapture_turn ORDER BY group_id`.execute(server.platform.db)).rows;
const leadCount = async () => Number((await sql<{ n: string }>`SELECT count(*)::text AS n FROM obj_lead`.execute(server.platform.db)).rows[0]!.n);

describe('assignment preview', () => {
  it('names the rule and user for typed values or an existing lead, writing nothing and advancing no turn', async () => {
    const [west, east1, east2] = [reps[0]!, reps[1]!, reps[2]!];
    const g = await post('assignment_group', { name: `East ${randomUUID()}` });
    for (const u of [east1, east2]) await post('assignment_group_member', { assignment_group: g.id, user: u.id });
    await post('territory', { name: `West ${randomUUID()}`, sort_order: 1, countries: 'US', states: 'CA', user: west.id });
    const territoryRule = await post('assignment_rule', { name: 'By territory', sort_order: 1, target: 'territory' });
    await post('assignment_rule', { name: 'Partners', sort_order: 2, target: 'queue', queue: 'Partners', condition: JSON.stringify({ field: 'source', op: 'eq', value: 'partner' }) });
    const robin = await post('assignment_rule', { name: 'Everyone else', sort_order: 3, target: 'round_robin', assignment_group: g.id });

    expect(await ok(preview({ values: { address_country: 'us', address_state: 'CA' } }), 200))
      .toEqual({ rule: { id: territoryRule.id, name: 'By territory' }, owner: { id: west.id, name: expect.stringContaining('Tester') }, queue: null });
    expect(await ok(preview({ values: { source: 'partner' } }), 200)).toMatchObject({ rule: { name: 'Partners' }, owner: null, queue: 'Partners' });

    // Round robin: whoever's turn it is, the same answer however often it is asked; nothing is written.
    const before = { turns: await turns(), leads: await leadCount() };
    const first = await ok(preview({ values: { address_country: 'DE' } }), 200);
    expect(first.rule).toEqual({ id: robin.id, name: 'Everyone else' });
    expect([east1.id, east2.id]).toContain(first.owner.id);
    expect((await ok(preview({ values: { address_country: 'DE' } }), 200)).owner.id).toBe(first.owner.id);
    const next = await ok(admin.request('GET', '/api/v1/lead-assignment/next-turns'), 200);
    expect(next.data).toContainEqual({ group: g.id, user: first.owner });
    expect({ turns: await turns(), leads: await leadCount() }).toEqual(before);
    // The real assignment gives the lead to the previewed rep, and then the turn moves on.
    const lead = await post('lead', { last_name: `Real ${randomUUID()}`, address_country: 'DE', assign_by_rules: true });
    expect(lead.owner).toBe(first.owner.id);
    expect((await ok(preview({ values: { address_country: 'DE' } }), 200)).owner.id).not.toBe(first.owner.id);

    // An existing lead, as saved (its owner is not changed), and typed values over it.
    const mine = await post('lead', { last_name: `Mine ${randomUUID()}`, address_country: 'US', address_state: 'CA' });
    expect(mine.owner).toBe(admin.id);
    expect(await ok(preview({ leadId: mine.id }), 200)).toMatchObject({ rule: { name: 'By territory' }, owner: { id: west.id } });
    expect(await ok(preview({ leadId: mine.id, values: { source: 'partner', address_state: 'NY' } }), 200)).toMatchObject({ rule: { name: 'Partners' }, queue: 'Partners' });
    expect((await ok(admin.request('GET', `/api/v1/lead/${mine.id}`), 200)).owner).toBe(admin.id);

    // West away today: the territory yields nobody, the next matching rule decides.
    const today = new Date().toISOString().slice(0, 10);
    await post('out_of_office', { name: 'Holiday', user: west.id, starts_on: today, ends_on: today });
    expect(await ok(preview({ values: { address_country: 'US', address_state: 'CA' } }), 200)).toMatchObject({ rule: { name: 'Everyone else' } });
  });

  it('answers nulls when no rule decides; refuses unknown fields, unknown leads and non-administrators', async () => {
    await sql`UPDATE obj_assignment_rule SET active = false`.execute(server.platform.db);
    expect(await ok(preview({ values: { address_country: 'US' } }), 200)).toEqual({ rule: null, owner: null, queue: null });
    const unknown = await preview({ values: { no_such_field: 'x' } });
    expect(unknown.status).toBe(400);
    expect(unknown.body.errors[0]).toMatchObject({ field: 'values.no_such_field', code: 'unknown_field' });
    expect((await preview({ leadId: randomUUID() })).status).toBe(404);
    expect((await preview({ values: { address_country: 'US' }, extra: 1 })).status).toBe(400);
    const rep = reps[3]!;
    expect((await rep.request('POST', '/api/v1/lead-assignment/preview', { body: { values: {} } })).status).toBe(403);
    expect((await rep.request('GET', '/api/v1/lead-assignment/next-turns')).status).toBe(403);
  });
  it('reorders rules all or nothing: a record named twice or gone leaves the old order', async () => {
    const ruleIds: string[] = [];
    for (const [i, name] of ['First', 'Second', 'Third'].entries()) ruleIds.push((await post('assignment_rule', { name: `Order ${name}`, sort_order: 500 + i, target: 'queue', queue: name })).id as string);
    const orderOf = async () => (await sql<{ id: string; sort_order: string }>`SELECT id, sort_order::text FROM obj_assignment_rule WHERE id = ANY(${ruleIds}::uuid[]) ORDER BY sort_order`.execute(server.platform.db)).rows.map((r) => r.id);
    const reorder = (body: unknown, user: TestUser = admin) => user.request('POST', '/api/v1/lead-assignment/reorder', { body });
    const moved = [ruleIds[2]!, ruleIds[0]!, ruleIds[1]!];
    const res = await reorder({ object: 'assignment_rule', ids: moved });
    expect(res.status, res.text).toBe(200);
    expect(res.body.data).toEqual([{ id: moved[0], sort_order: 10 }, { id: moved[1], sort_order: 20 }, { id: moved[2], sort_order: 30 }]);
    expect(await orderOf()).toEqual(moved);
    // A record that does not exist, after others already re-numbered in the same request: nothing changes.
    const gone = await reorder({ object: 'assignment_rule', ids: [ruleIds[0]!, ruleIds[1]!, randomUUID()] });
    expect(gone.status).toBe(404);
    expect(await orderOf()).toEqual(moved);
    const twice = await reorder({ object: 'assignment_rule', ids: [ruleIds[0]!, ruleIds[0]!] });
    expect(twice.status).toBe(400);
    expect(twice.body.errors[0]).toMatchObject({ field: 'ids[1]', code: 'duplicate' });
    expect((await reorder({ object: 'lead', ids: [ruleIds[0]!] })).status).toBe(400);
    expect((await reorder({ object: 'assignment_rule', ids: moved }, reps[3]!)).status).toBe(403);
  });
});
