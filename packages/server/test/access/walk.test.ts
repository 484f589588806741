import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import { getTestServer, type TestServer, type TestUser } from '../server.ts';
import { buildAny, buildRecord, factoryObjects } from '../factories.ts';
import { createRepProfile, createSiblingRoles, ok } from './fixture.ts';

/**
 * Issue 18 item 13: a restricted user walks EVERY operation of the OpenAPI document with the ids of
 * records they cannot see. Each answer must be a refusal or carry nothing of those records (no id,
 * no name), no answer may be a 5xx, and afterwards none of those records has changed. New routes
 * are covered by the same walk without new code.
 *
 * Fixture: org-wide sharing private on every object, a "rep" profile with a hidden and a read-only
 * field and an unreadable custom object, reps A and B in sibling roles under a manager, and one of
 * B's accounts shared with A through its team (what A may legitimately see).
 */
let server: TestServer;
let admin: TestUser;
let repA: TestUser;
let repB: TestUser;
const secretIds = new Set<string>();
const secretNames = new Set<string>();
const bRecords: Array<{ object: string; id: string }> = [];
let bAccount: string;

beforeAll(async () => {
  server = await getTestServer();
  admin = server.admin;
  repA = await server.createUser();
  repB = await server.createUser();
  const manager = await server.createUser();
  await createSiblingRoles(admin);
  // Managing workflow rules is a capability: with it B can build a rule like every other object,
  // and A's walk shows that a capability never opens another rep's records.
  await createRepProfile(admin, { account: { annual_revenue: 'hidden', phone: 'read_only' }, opportunity: { won_amount: 'hidden' } }, { capabilities: ['automation.manage_rules'] });
  ok(await admin.request('PATCH', `/api/v1/user/${repA.id}`, { body: { profile: 'rep', role: 'sales_east' } }));
  ok(await admin.request('PATCH', `/api/v1/user/${repB.id}`, { body: { profile: 'rep', role: 'sales_west' } }));
  ok(await admin.request('PATCH', `/api/v1/user/${manager.id}`, { body: { profile: 'rep', role: 'sales_head' } }));
  // Every object private; detail objects follow their (now private) parent and take no setting.
  for (const s of (await admin.request('GET', '/api/v1/sharing-settings')).body.data) {
    if (s.controlledBy) continue;
    ok(await admin.request('PUT', `/api/v1/sharing-settings/${s.object}`, { body: { sharing: 'private' } }));
  }
  // B's records of every object a module can build, with distinctive names.
  for (const object of factoryObjects(server.platform.modules)) {
    const r = await buildAny(server.platform.modules, repB, object);
    bRecords.push({ object, id: r.id });
  }
  const shared = await buildAny(server.platform.modules, repB, 'account', { name: 'Bravo Shared With A' });
  ok(await repB.request('POST', `/api/v1/account/${shared.id}/team`, { body: { userId: repA.id, access: 'read' } }));
  const audit = await buildRecord(admin, 'audit_case', { name: 'Bravo Audit Secret' });
  bRecords.push({ object: 'audit_case', id: audit.id });
  bAccount = bRecords.find((r) => r.object === 'account')!.id;
  // Users' names are public to colleagues: a record named after a user (an invitation) names no secret.
  const userNames = new Set(((await admin.request('GET', '/api/v1/users')).body.data as Array<{ full_name?: string; name?: string }>).map((u) => u.full_name ?? u.name));
  for (const r of bRecords) {
    secretIds.add(r.id);
    const full = await admin.request('GET', `/api/v1/${r.object}/${r.id}`);
    const o = server.platform.registry.requireObject(r.object);
    const name = full.body[o.nameField];
    if (typeof name === 'string' && name.length >= 8 && !userNames.has(name)) secretNames.add(name);
  }
}, 120_000);
afterAll(async () => server?.close());

const versions = async () => {
  const out: Record<string, unknown> = {};
  for (const r of bRecords) {
    const t = server.platform.registry.requireObject(r.object).table;
    const row = (await sql<{ version: number; deleted_at: Date | null }>`SELECT version, deleted_at FROM ${sql.table(t)} WHERE id = ${r.id}::uuid`.execute(server.platform.db)).rows[0];
    out[`${r.object}:${r.id}`] = row;
  }
  return out;
};

/** The ids to put in a path: B's record of the path's object (else B's account), or random ones. */
function fill(path: string, ids: { record: (object: string | undefined) => string; user: string }): string {
  const object = /^\/api\/v1\/([a-z_]+)\/\{id\}/.exec(path)?.[1];
  return path
    .replace('{object}', 'account')
    .replace('{id}', ids.record(object))
    .replace('{userId}', ids.user)
    .replace(/\{(name|field|value|slug)\}/g, 'bravo');
}

const RANDOM = '01a2aaaa-0000-7000-8000-000000000000';
const RANDOM_USER = '01a2bbbb-0000-7000-8000-000000000000';

describe('the access walk', () => {
  it('every operation with ids A cannot see refuses or carries nothing of them, and writes nothing', async () => {
    const before = await versions();
    const doc = (await admin.request('GET', '/api/v1/openapi.json')).body;
    const leaks: string[] = [];
    const errors: string[] = [];
    let walked = 0;
    for (const [path, item] of Object.entries<Record<string, unknown>>(doc.paths)) {
      // The event stream never ends; the public booking pages have no user (the walk is about a signed-in rep).
      if (path.endsWith('/stream') || path.includes('/public/')) continue;
      for (const method of Object.keys(item)) {
        const secretUrl = fill(path, { record: (o) => bRecords.find((r) => r.object === o)?.id ?? bAccount, user: repB.id });
        const randomUrl = fill(path, { record: () => RANDOM, user: RANDOM_USER });
        const body = ['post', 'patch', 'put'].includes(method) ? {} : undefined;
        const send = (url: string) => repA.request(method.toUpperCase(), url, body === undefined ? {} : { body });
        const real = await send(secretUrl);
        const fake = await send(randomUrl);
        walked++;
        const where = `${method.toUpperCase()} ${path}`;
        if (real.status >= 500) errors.push(`${where} → ${real.status} ${real.text.slice(0, 200)}`);
        // The answer for a record A cannot see must be the answer for a record that does not exist.
        const normal = (text: string, ...ids: string[]) => ids.reduce((t, id) => t.split(id).join('<id>'), text).replace(/"(createdAt|updatedAt|created_at|updated_at|id)":"[^"]*"/g, '"$1":"…"');
        if (real.status !== fake.status || (real.status >= 400 && normal(real.text, bAccount, repB.id, ...secretIds) !== normal(fake.text, RANDOM, RANDOM_USER))) {
          leaks.push(`${where} → ${real.status} (random id: ${fake.status}) ${normal(real.text, bAccount, repB.id, ...secretIds).slice(0, 160)}`);
        }
        for (const secret of secretNames) if (real.text.includes(secret)) leaks.push(`${where} → ${real.status} names ${secret}`);
        for (const id of secretIds) if (real.status < 400 && real.text.includes(id) && !secretUrl.includes(id)) leaks.push(`${where} → ${real.status} carries ${id}`);
      }
    }
    expect(walked).toBeGreaterThan(150);
    expect(errors).toEqual([]);
    expect(leaks).toEqual([]);
    expect(await versions()).toEqual(before);
  }, 120_000);

  it('what A may see through the team share is visible, and the manager sees neither rep B', async () => {
    const list = await repA.request('GET', '/api/v1/account?limit=200');
    const names = list.body.data.map((a: { name: string }) => a.name);
    expect(names).toContain('Bravo Shared With A');
    for (const n of secretNames) expect(names).not.toContain(n);
  });
});
