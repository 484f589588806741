import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getTestServer, type TestServer, type TestUser } from './server.ts';
import { buildAccount, buildContact, buildOpportunity, buildTask } from './factories.ts';

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
});
