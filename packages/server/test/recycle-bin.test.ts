import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getTestServer, type TestServer, type TestUser } from './server.ts';
import { buildAccount, buildContact, buildOpportunity, buildTask } from './factories.ts';
import { actorFor } from '../src/platform/auth/sessions.ts';
import { inTransaction } from '../src/platform/records/context.ts';
import { deleteRecord } from '../src/platform/records/delete.ts';

let server: TestServer;
let admin: TestUser;
beforeAll(async () => {
  server = await getTestServer();
  admin = server.admin;
});
afterAll(async () => server?.close());

describe('recycle bin and protected deletes', () => {
  it('refuses to delete a record others point to through a restrict lookup, naming them', async () => {
    const parent = await buildAccount(admin, { name: 'Parent Co' });
    const child = await buildAccount(admin, { name: 'Child Co', parent_account: parent.id });
    const res = await admin.request('DELETE', `/api/v1/account/${parent.id}`);
    expect(res.status).toBe(409);
    expect(res.body.code).toBe('referenced');
    expect(res.body.blockers[0]).toMatchObject({ object: 'account', field: 'parent_account', count: 1, examples: [{ id: child.id, name: 'Child Co' }] });
    expect((await admin.request('GET', `/api/v1/account/${parent.id}`)).status).toBe(200);
  });

  it('cascades, clears and restores everything together, re-linking cleared lookups', async () => {
    const account = await buildAccount(admin, { name: 'Cascade Co' });
    const c1 = await buildContact(admin, { account: account.id });
    const c2 = await buildContact(admin, { account: account.id });
    const task = await buildTask(admin, { account: account.id, contact: c1.id });
    const del = await admin.request('DELETE', `/api/v1/account/${account.id}`);
    expect(del.status).toBe(204);
    for (const c of [c1, c2]) expect((await admin.request('GET', `/api/v1/contact/${c.id}`)).status).toBe(404);
    const t = (await admin.request('GET', `/api/v1/task/${task.id}`)).body;
    expect(t).toMatchObject({ account: null, contact: null });
    const bin = await admin.request('GET', '/api/v1/recycle-bin');
    const entry = bin.body.data.find((e: any) => e.recordId === account.id);
    expect(entry).toMatchObject({ object: 'account', name: 'Cascade Co', dependents: 2 });
    expect(bin.body.data.find((e: any) => e.recordId === c1.id)).toBeUndefined(); // listed under their root
    const restored = await admin.request('POST', `/api/v1/recycle-bin/${entry.id}/restore`);
    expect(restored.status).toBe(200);
    expect(restored.body.restored).toBe(3);
    expect((await admin.request('GET', `/api/v1/contact/${c2.id}`)).status).toBe(200);
    expect((await admin.request('GET', `/api/v1/task/${task.id}`)).body).toMatchObject({ account: account.id, contact: c1.id });
    const history = await admin.request('GET', `/api/v1/account/${account.id}/history`);
    expect(history.body.data.map((h: any) => h.operation)).toEqual(expect.arrayContaining(['delete', 'restore', 'create']));
  });

  it('restores through the record route and purges for good', async () => {
    const a = await buildAccount(admin);
    await admin.request('DELETE', `/api/v1/account/${a.id}`);
    expect((await admin.request('POST', `/api/v1/account/${a.id}/restore`)).body.id).toBe(a.id);
    const o = await buildOpportunity(admin, { account: a.id });
    await admin.request('DELETE', `/api/v1/opportunity/${o.id}`);
    const entry = (await admin.request('GET', '/api/v1/recycle-bin?object=opportunity')).body.data.find((e: any) => e.recordId === o.id);
    expect((await admin.request('DELETE', `/api/v1/recycle-bin/${entry.id}`)).body.purged).toBe(1 + entry.dependents);
    expect((await admin.request('POST', `/api/v1/opportunity/${o.id}/restore`)).status).toBe(404);
    // Now nothing points to the account: it can be deleted.
    expect((await admin.request('DELETE', `/api/v1/account/${a.id}`)).status).toBe(204);
  });

  it('shows a user only what they deleted; admins see everything', async () => {
    const user = await server.createUser();
    const mine = await buildAccount(user, { name: 'Mine' });
    await user.request('DELETE', `/api/v1/account/${mine.id}`);
    const theirs = await buildAccount(admin, { name: 'Theirs' });
    await admin.request('DELETE', `/api/v1/account/${theirs.id}`);
    const seen = (await user.request('GET', '/api/v1/recycle-bin')).body.data.map((e: any) => e.recordId);
    expect(seen).toContain(mine.id);
    expect(seen).not.toContain(theirs.id);
    const adminEntry = (await admin.request('GET', '/api/v1/recycle-bin')).body.data.find((e: any) => e.recordId === theirs.id);
    expect((await user.request('POST', `/api/v1/recycle-bin/${adminEntry.id}/restore`)).status).toBe(404) // another user's entry answers like a missing one (issue 18);
  });

  it('pages the recycle bin with a cursor', async () => {
    for (let i = 0; i < 5; i++) {
      const a = await buildAccount(admin);
      await admin.request('DELETE', `/api/v1/account/${a.id}`);
    }
    const first = await admin.request('GET', '/api/v1/recycle-bin?limit=2');
    expect(first.body.data.length).toBe(2);
    const second = await admin.request('GET', `/api/v1/recycle-bin?limit=2&cursor=${first.body.nextCursor}`);
    expect(second.body.data[0].id).not.toBe(first.body.data[1].id);
    expect((await admin.request('GET', '/api/v1/recycle-bin?cursor=%27%3B')).status).toBe(400);
  });

  it('lists a grouped delete made over several transactions as one entry, restored and purged as a whole', async () => {
    const user = await server.createUser();
    const actor = actorFor({ id: user.id, email: user.email, profile: 'standard', active: true, time_zone: 'UTC', locale: 'en-US', full_name: '' }, 'api');
    const accountObject = server.platform.registry.getObject('account')!;
    const groupId = crypto.randomUUID();
    const binGroup = { id: groupId, label: 'Import grouped.csv' };
    const accounts: Array<{ id: string }> = [];
    for (let i = 0; i < 3; i++) accounts.push(await buildAccount(user, { name: `Grouped ${i}` }));
    const contacts = [await buildContact(user, { account: accounts[0]!.id }), await buildContact(user, { account: accounts[1]!.id })];
    const single = await buildAccount(user, { name: 'Not grouped' });
    // Two transactions (an import's undo batches), one group; the third delete has none.
    await inTransaction({ platform: server.platform, actor }, async (ctx) => {
      for (const a of accounts.slice(0, 2)) await deleteRecord({ ctx, object: accountObject, id: a.id, options: { binGroup } });
    });
    await inTransaction({ platform: server.platform, actor }, async (ctx) => deleteRecord({ ctx, object: accountObject, id: accounts[2]!.id, options: { binGroup } }));
    await user.request('DELETE', `/api/v1/account/${single.id}`);

    const bin = (await user.request('GET', '/api/v1/recycle-bin')).body.data;
    const grouped = bin.filter((e: any) => e.group?.id === groupId);
    expect(grouped).toHaveLength(1);
    expect(grouped[0]).toMatchObject({ name: 'Import grouped.csv', object: 'account', deletedBy: user.id, dependents: 2, group: { id: groupId, label: 'Import grouped.csv', count: 3 } });
    for (const a of accounts) expect(bin.find((e: any) => e.recordId === a.id && !e.group)).toBeUndefined();
    expect(bin.find((e: any) => e.recordId === single.id)).toMatchObject({ name: 'Not grouped', dependents: 0 });
    expect(bin.find((e: any) => e.recordId === single.id).group).toBeUndefined();
    // Ungrouped entries and groups page together on one keyset.
    const page1 = (await user.request('GET', '/api/v1/recycle-bin?limit=1')).body;
    const page2 = (await user.request('GET', `/api/v1/recycle-bin?limit=1&cursor=${page1.nextCursor}`)).body;
    expect([...page1.data, ...page2.data].map((e: any) => e.group?.id ?? e.recordId)).toEqual([single.id, groupId]);

    // Another user neither sees nor restores it; an administrator sees it.
    const other = await server.createUser();
    expect((await other.request('GET', '/api/v1/recycle-bin')).body.data.some((e: any) => e.group?.id === groupId)).toBe(false);
    expect((await other.request('POST', `/api/v1/recycle-bin/${grouped[0].id}/restore`)).status).toBe(404);
    expect((await admin.request('GET', '/api/v1/recycle-bin')).body.data.filter((e: any) => e.group?.id === groupId)).toHaveLength(1);

    const restored = await user.request('POST', `/api/v1/recycle-bin/${grouped[0].id}/restore`);
    expect(restored.status).toBe(200);
    expect(restored.body).toMatchObject({ object: 'account', id: groupId, restored: 5, refused: [] });
    for (const r of [...accounts, ...contacts]) expect((await user.request('GET', `/api/v1/${accounts.includes(r) ? 'account' : 'contact'}/${r.id}`)).status).toBe(200);
    expect((await user.request('GET', `/api/v1/contact/${contacts[0]!.id}`)).body.account).toBe(accounts[0]!.id);
    expect((await user.request('GET', '/api/v1/recycle-bin')).body.data.some((e: any) => e.group?.id === groupId)).toBe(false);
    expect((await user.request('GET', '/api/v1/recycle-bin')).body.data.some((e: any) => e.recordId === single.id)).toBe(true);

    // Deleted again under the same group; one root cannot come back (its account number was
    // taken meanwhile): it is reported and stays in the bin, the others are restored.
    const number = `GRP-${groupId.slice(0, 8)}`;
    expect((await user.request('PATCH', `/api/v1/account/${accounts[2]!.id}`, { body: { account_number: number } })).status).toBe(200);
    await inTransaction({ platform: server.platform, actor }, async (ctx) => {
      for (const a of accounts) await deleteRecord({ ctx, object: accountObject, id: a.id, options: { binGroup } });
    });
    await buildAccount(user, { name: 'Number taker', account_number: number });
    const again = (await user.request('GET', '/api/v1/recycle-bin')).body.data.find((e: any) => e.group?.id === groupId);
    const partial = await user.request('POST', `/api/v1/recycle-bin/${again.id}/restore`);
    expect(partial.status).toBe(200);
    expect(partial.body.restored).toBe(4);
    expect(partial.body.refused).toEqual([expect.objectContaining({ object: 'account', id: accounts[2]!.id, name: 'Grouped 2' })]);
    expect((await user.request('GET', `/api/v1/account/${accounts[0]!.id}`)).status).toBe(200);
    const left = (await user.request('GET', '/api/v1/recycle-bin')).body.data.find((e: any) => e.group?.id === groupId);
    expect(left).toMatchObject({ recordId: accounts[2]!.id, group: { count: 1 } });

    // Purged for good in one go: every record of the group.
    await inTransaction({ platform: server.platform, actor }, async (ctx) => {
      for (const a of accounts.slice(0, 2)) await deleteRecord({ ctx, object: accountObject, id: a.id, options: { binGroup } });
    });
    const all = (await user.request('GET', '/api/v1/recycle-bin')).body.data.find((e: any) => e.group?.id === groupId);
    expect(all.group.count).toBe(3);
    expect((await user.request('DELETE', `/api/v1/recycle-bin/${all.id}`)).body.purged).toBe(5);
    for (const a of accounts) expect((await admin.request('POST', `/api/v1/account/${a.id}/restore`)).status).toBe(404);
  });
});
