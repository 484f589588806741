import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import { getTestServer, type TestServer } from '../server.ts';
import { buildAccount, buildContact, buildOpportunity, buildRecord } from '../factories.ts';
import { explainSubtree } from '../../src/modules/sales/queries/accountTree.ts';
import { systemActor } from '../../src/platform/records/context.ts';

let server: TestServer;
beforeAll(async () => {
  server = await getTestServer();
});
afterAll(async () => server?.close());

describe('account tree (SAL-1)', () => {
  it('refuses a parent that would make a loop', async () => {
    const { admin } = server;
    const root = await buildAccount(admin, { name: 'Root Holding' });
    const mid = await buildAccount(admin, { name: 'Mid Division', parent_account: root.id });
    const leaf = await buildAccount(admin, { name: 'Leaf Branch', parent_account: mid.id });
    const self = await admin.request('PATCH', `/api/v1/account/${root.id}`, { body: { parent_account: root.id } });
    expect(self.status).toBe(422);
    expect(self.body.errors[0]).toMatchObject({ field: 'parent_account', code: 'cycle' });
    const loop = await admin.request('PATCH', `/api/v1/account/${root.id}`, { body: { parent_account: leaf.id } });
    expect(loop.status).toBe(422);
    expect(loop.body.code).toBe('rule_violation');
    // Re-parenting within the rules is fine.
    const other = await buildAccount(admin, { name: 'Other Root' });
    const ok = await admin.request('PATCH', `/api/v1/account/${mid.id}`, { body: { parent_account: other.id } });
    expect(ok.status).toBe(200);
  });

  it('returns the subtree with depth and path, roll-ups and the subtree filter', async () => {
    const { admin } = server;
    const root = await buildAccount(admin, { name: 'Northwind Holding' });
    const a = await buildAccount(admin, { name: 'Eastern Mills', parent_account: root.id });
    const b = await buildAccount(admin, { name: 'Western Forge', parent_account: root.id });
    const a1 = await buildAccount(admin, { name: 'Riverside Plant', parent_account: a.id });
    await buildAccount(admin, { name: 'Unrelated Trading' });
    const c1 = await buildContact(admin, { account: a1.id });
    await buildContact(admin, { account: b.id });
    const outsider = await buildContact(admin, {});
    await buildRecord(admin, 'account_contact_role', { account: root.id, contact: outsider.id, role: 'billing' });
    await buildRecord(admin, 'account_contact_role', { account: a.id, contact: c1.id, role: 'technical' }); // counted once
    await buildOpportunity(admin, { account: a1.id, amount: 1000 }); // prospecting: 10 %
    await buildOpportunity(admin, { account: b.id, amount: 500, stage: 'negotiation' }); // 75 %
    await buildOpportunity(admin, { account: b.id, amount: 300, currency: 'EUR' });
    await buildOpportunity(admin, { account: root.id, amount: 2000, stage: 'closed_won' });
    await buildOpportunity(admin, { account: a.id, amount: 900, stage: 'partially_won', won_amount: 400 });
    await buildOpportunity(admin, { account: a.id, amount: 700, stage: 'closed_lost', lost_reason: 'price' });

    const tree = await admin.request('GET', `/api/v1/account/${root.id}/tree`);
    expect(tree.status).toBe(200);
    expect(tree.body.nodes.map((n: { name: string; depth: number }) => [n.name, n.depth])).toEqual([
      ['Northwind Holding', 0], ['Eastern Mills', 1], ['Riverside Plant', 2], ['Western Forge', 1],
    ]);
    expect(tree.body.nodes[2].path).toEqual([root.id, a.id, a1.id]);
    expect(tree.body.nodes[1]).toMatchObject({ parent_account: root.id, has_children: true });
    const shallow = await admin.request('GET', `/api/v1/account/${root.id}/tree?depth=1`);
    expect(shallow.body.nodes).toHaveLength(3);

    const rollup = await admin.request('GET', `/api/v1/account/${root.id}/rollup`);
    expect(rollup.status).toBe(200);
    expect(rollup.body).toMatchObject({
      accounts: 4,
      contacts: 3,
      openOpportunities: 3,
      openPipeline: [{ currency: 'EUR', amount: 300 }, { currency: 'USD', amount: 1500 }],
      weightedPipeline: [{ currency: 'EUR', amount: 30 }, { currency: 'USD', amount: 475 }],
      wonOpportunities: 2,
      won: [{ currency: 'USD', amount: 2400 }],
    });
    const east = await admin.request('GET', `/api/v1/account/${a.id}/rollup`);
    expect(east.body).toMatchObject({ accounts: 2, contacts: 1, openOpportunities: 1, won: [{ currency: 'USD', amount: 400 }] });

    const list = await admin.request('GET', `/api/v1/account?subtreeOf=${a.id}&sort=name&fields=name`);
    expect(list.status).toBe(200);
    expect(list.body.data.map((r: { name: string }) => r.name)).toEqual(['Eastern Mills', 'Riverside Plant']);
    const filtered = await admin.request('GET', `/api/v1/account?subtreeOf=${root.id}&filter=${encodeURIComponent(JSON.stringify({ field: 'name', op: 'contains', value: 'West' }))}`);
    expect(filtered.body.data.map((r: { name: string }) => r.name)).toEqual(['Western Forge']);
    // Without subtreeOf the generic list still answers.
    const all = await admin.request('GET', '/api/v1/account?limit=200');
    expect(all.body.data.length).toBeGreaterThanOrEqual(5);
    expect((await admin.request('GET', '/api/v1/account?subtreeOf=nope')).status).toBe(400);
    expect((await admin.request('GET', `/api/v1/account/${root.id}/tree?depth=1000`)).status).toBe(400);
  });

  it('walks a 10,000-account tree of depth 12 through the parent index', async () => {
    const { platform, admin } = server;
    // Heap-shaped ids: i's parent is (i-1)/2 up to 8,190 (depth 12); the rest hang under 0..1,808.
    await sql`INSERT INTO obj_account (id, name, parent_account_id, currency)
      SELECT md5('big' || i)::uuid, 'Big ' || i,
        CASE WHEN i = 0 THEN NULL WHEN i < 8191 THEN md5('big' || ((i - 1) / 2))::uuid ELSE md5('big' || (i - 8191))::uuid END, 'USD'
      FROM generate_series(0, 9999) AS i`.execute(platform.db);
    await sql`ANALYZE obj_account`.execute(platform.db);
    const idOf = async (i: number) => (await sql<{ id: string }>`SELECT md5(${`big${i}`})::uuid AS id`.execute(platform.db)).rows[0]!.id;
    const parent = (i: number) => (i === 0 ? -1 : i < 8191 ? Math.floor((i - 1) / 2) : i - 8191);
    const depthOf = (i: number): number => (i === 0 ? 0 : depthOf(parent(i)) + 1);
    const subtreeSize = (root: number) => {
      let n = 0;
      for (let i = 0; i < 10_000; i++) for (let j = i; j !== -1; j = parent(j)) if (j === root) { n++; break; }
      return n;
    };
    expect(Math.max(...Array.from({ length: 10_000 }, (_, i) => depthOf(i)))).toBe(12);

    const root = await idOf(0);
    const rollup = await admin.request('GET', `/api/v1/account/${root}/rollup`);
    expect(rollup.body.accounts).toBe(10_000);
    const tree = await admin.request('GET', `/api/v1/account/${root}/tree?depth=100`);
    expect(tree.body.nodes).toHaveLength(10_000);
    expect(tree.body.truncated).toBe(false);
    expect(Math.max(...tree.body.nodes.map((n: { depth: number }) => n.depth))).toBe(12);
    // Parents come before their children, and every path ends at its node.
    const seen = new Set<string>();
    for (const n of tree.body.nodes as Array<{ id: string; parent_account: string | null; path: string[]; depth: number }>) {
      if (n.depth > 0) expect(seen.has(n.parent_account!)).toBe(true);
      expect(n.path).toHaveLength(n.depth + 1);
      expect(n.path[n.depth]).toBe(n.id);
      seen.add(n.id);
    }
    for (const i of [1, 5, 100, 1808, 4000]) {
      const r = await admin.request('GET', `/api/v1/account/${await idOf(i)}/rollup`);
      expect(r.body.accounts).toBe(subtreeSize(i));
    }
    const limited = await admin.request('GET', `/api/v1/account/${root}/tree?limit=50`);
    expect(limited.body).toMatchObject({ truncated: true });
    expect(limited.body.nodes).toHaveLength(50);

    const plan = await explainSubtree({ platform, actor: systemActor() }, root);
    expect(plan).toMatch(/ix__obj_account__parent_account_id/);
    expect(plan).not.toMatch(/Seq Scan on obj_account c/);
  });
});
