import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import { getTestServer, type TestServer, type TestUser } from '../server.ts';
import { buildAccount, buildContact } from '../factories.ts';
import { createRepProfile, ok } from '../access/fixture.ts';
import { listChanges } from '../../src/platform/events/changes.ts';
import { inTransaction, systemActor } from '../../src/platform/records/context.ts';
import { createRecord } from '../../src/platform/records/write.ts';

/**
 * Issue 15 item 7: GET /api/v1/changes — creates, updates, deletes and restores since a cursor, in
 * order, resumable without loss or duplicates (also across a slow transaction that commits
 * late), under the caller's access, and 410 for a cursor older than the feed keeps.
 */
let server: TestServer;
let admin: TestUser;
let repA: TestUser;
let repB: TestUser;

type Change = { id: string; operation: string; object: string; recordId: string; changes: Record<string, { old: unknown; new: unknown }> };

async function cursorNow(user: TestUser): Promise<string> {
  const r = await user.request('GET', '/api/v1/changes/cursor');
  ok(r);
  return r.body.cursor;
}

/**
 * Waits until every transaction that has written an event so far has ended. The feed hands out
 * only changes below the oldest transaction still running, and that horizon is the whole
 * PostgreSQL server's: test files running beside this one on the same server hold it back for
 * a moment (a delay the feed promises, never a loss).
 */
async function settled(): Promise<void> {
  const db = server.platform.db;
  const last = BigInt((await sql<{ x: string }>`SELECT coalesce(max(xid), '0')::text AS x FROM outbox_event`.execute(db)).rows[0]!.x);
  await expect.poll(async () => BigInt((await sql<{ x: string }>`SELECT pg_snapshot_xmin(pg_current_snapshot())::text AS x`.execute(db)).rows[0]!.x) > last, { timeout: 60_000 }).toBe(true);
}

/** Every change after `since`, page by page; the final cursor. */
async function drain(user: TestUser, since: string, query = '', limit = 100): Promise<{ changes: Change[]; cursor: string; pages: number }> {
  const changes: Change[] = [];
  let cursor = since;
  let pages = 0;
  for (;;) {
    const r = await user.request('GET', `/api/v1/changes?since=${encodeURIComponent(cursor)}&limit=${limit}${query}`);
    ok(r);
    pages++;
    changes.push(...r.body.data);
    cursor = r.body.nextCursor;
    if (!r.body.hasMore) return { changes, cursor, pages };
  }
}

beforeAll(async () => {
  server = await getTestServer();
  admin = server.admin;
  repA = await server.createUser();
  repB = await server.createUser();
  await createRepProfile(admin, { account: { annual_revenue: 'hidden' } });
  for (const u of [repA, repB]) ok(await admin.request('PATCH', `/api/v1/user/${u.id}`, { body: { profile: 'rep' } }));
  ok(await admin.request('PUT', '/api/v1/sharing-settings/account', { body: { sharing: 'private' } }));
});
afterAll(async () => server?.close());

describe('the changes feed', () => {
  it('hands out creates, updates, deletes and restores in order, page by page, and resumes without repeating', async () => {
    const start = await cursorNow(admin);
    const account = await buildAccount(admin, { name: 'Feed Co' });
    ok(await admin.request('PATCH', `/api/v1/account/${account.id}`, { body: { name: 'Feed Co Renamed' } }));
    const contact = await buildContact(admin, { last_name: 'Feed Person', account: account.id });
    const other = await buildAccount(admin, { name: 'Feed Gone' });
    ok(await admin.request('DELETE', `/api/v1/account/${other.id}`));
    await settled();
    const { changes, cursor, pages } = await drain(admin, start, '&objects=account,contact', 2);
    expect(pages).toBeGreaterThanOrEqual(3);
    const ours = changes.filter((c) => [account.id, contact.id, other.id].includes(c.recordId));
    expect(ours.map((c) => `${c.object}.${c.operation}`)).toEqual(['account.created', 'account.updated', 'contact.created', 'account.created', 'account.deleted']);
    expect(ours[0]!.changes.name).toEqual({ old: null, new: 'Feed Co' });
    expect(ours[1]!.changes.name).toEqual({ old: 'Feed Co', new: 'Feed Co Renamed' });
    expect(new Set(changes.map((c) => c.id)).size).toBe(changes.length);
    // Resuming from the last cursor: nothing again, then only what is new.
    expect((await drain(admin, cursor)).changes).toEqual([]);
    ok(await admin.request('PATCH', `/api/v1/contact/${contact.id}`, { body: { title: 'CTO' } }));
    await settled();
    const next = await drain(admin, cursor, '&objects=contact');
    expect(next.changes.map((c) => [c.recordId, c.operation, c.changes.title?.new])).toEqual([[contact.id, 'updated', 'CTO']]);
    // objects= narrows the feed.
    const onlyAccounts = await drain(admin, start, '&objects=account');
    expect(onlyAccounts.changes.every((c) => c.object === 'account')).toBe(true);
  });

  it("leaves out records the caller may not read and fields their profile hides", async () => {
    const start = await cursorNow(repA);
    const mine = await buildAccount(admin, { name: 'Alpha Feed', annual_revenue: 4242.42, owner: repA.id });
    const theirs = await buildAccount(admin, { name: 'Bravo Feed', owner: repB.id });
    ok(await admin.request('PATCH', `/api/v1/account/${theirs.id}`, { body: { name: 'Bravo Feed 2' } }));
    await settled();
    const seen = await drain(repA, start);
    expect(seen.changes.map((c) => c.recordId)).toEqual([mine.id]);
    expect(seen.changes[0]!.changes.name).toEqual({ old: null, new: 'Alpha Feed' });
    expect(seen.changes[0]!.changes.annual_revenue).toBeUndefined();
    expect(JSON.stringify(seen)).not.toContain('4242.42');
    const all = await drain(admin, start);
    expect(all.changes.filter((c) => c.object === 'account').map((c) => c.recordId)).toEqual([mine.id, theirs.id, theirs.id]);
    expect(all.changes[0]!.changes.annual_revenue).toEqual({ old: null, new: 4242.42 });
    // An object the profile cannot read is refused; an unknown one is a 400 naming the parameter.
    expect((await repA.request('GET', '/api/v1/changes?objects=audit_case')).status).toBe(403);
    const unknown = await repA.request('GET', '/api/v1/changes?objects=nope');
    expect(unknown.status).toBe(400);
    expect(unknown.body.errors[0]).toMatchObject({ field: 'objects', code: 'unknown_object' });
  });

  it('answers 410 with a clear message for a cursor older than the feed keeps, and 400 for a forged one', async () => {
    const cursor = await cursorNow(admin);
    const ctx = { platform: server.platform, actor: systemActor('api') };
    const later = Date.now() + 31 * 86_400_000;
    await expect(listChanges({ ctx, since: cursor, now: later })).rejects.toMatchObject({ code: 'cursor_expired', status: 410 });
    await expect(listChanges({ ctx, since: cursor, now: later })).rejects.toThrow(/keeps 30 days.*full/);
    expect((await listChanges({ ctx, since: cursor, now: Date.now() + 29 * 86_400_000 })).data).toBeInstanceOf(Array);
    const forged = await admin.request('GET', `/api/v1/changes?since=${encodeURIComponent(`${cursor.split('.')[0]}.AAAA`)}`);
    expect(forged.status).toBe(400);
    expect(forged.body.errors[0]).toMatchObject({ field: 'cursor', code: 'invalid_cursor' });
    expect((await admin.request('GET', '/api/v1/changes?limit=1001')).status).toBe(400);
  });

  // PGlite is one session: a transaction holds it, so no other write can commit meanwhile.
  it.runIf(process.env.DATABASE_URL)('does not skip a slow transaction that commits after a later one was read', async () => {
    const start = await cursorNow(admin);
    const object = server.platform.registry.requireObject('account');
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    let written!: () => void;
    const wrote = new Promise<void>((resolve) => (written = resolve));
    const slow = inTransaction({ platform: server.platform, actor: systemActor('api') }, async (ctx) => {
      const record = await createRecord({ ctx, object, input: { name: 'Slow Tx Co' } });
      written();
      await gate;
      return record;
    });
    await wrote;
    const fast = await buildAccount(admin, { name: 'Fast Tx Co' });
    const before = await drain(admin, start, '&objects=account');
    expect(before.changes.map((c) => c.changes.name?.new)).not.toContain('Slow Tx Co');
    release();
    const slowRecord = await slow;
    await settled();
    const after = await drain(admin, before.cursor, '&objects=account');
    const all = [...before.changes, ...after.changes];
    expect(all.filter((c) => c.recordId === slowRecord.id).map((c) => c.operation)).toEqual(['created']);
    expect(all.filter((c) => c.recordId === fast.id).map((c) => c.operation)).toEqual(['created']);
    expect(new Set(all.map((c) => c.id)).size).toBe(all.length);
  });
});
