import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import { getTestServer, type TestServer, type TestUser } from '../server.ts';
import { registerEventSubscriber, startEventBackbone, type EventBackbone } from '../../src/platform/events/index.ts';
import { createRecord } from '../../src/platform/records/write.ts';
import { inTransaction } from '../../src/platform/records/context.ts';
import { writeStagedChanges } from '../../src/platform/records/history.ts';
import { updateRecord } from '../../src/platform/records/write.ts';
import { bootPlatform, createLogger } from '../../src/platform/boot.ts';
import { openDatabase } from '../../src/platform/db/connection.ts';
import type { Platform } from '../../src/platform/kernel.ts';
import { fastSettings, sleep, startReceiver, verifyStandardWebhook, waitFor, type Received } from './helpers.ts';

let server: TestServer;
let admin: TestUser;
let backbone: EventBackbone;
const receivers: Array<{ close(): Promise<void> }> = [];

beforeAll(async () => {
  server = await getTestServer();
  admin = server.admin;
  backbone = await startEventBackbone(server.platform, { settings: fastSettings() });
});
afterAll(async () => {
  await backbone?.stop();
  for (const r of receivers) await r.close();
  await server?.close();
});
afterEach(async () => {
  // Each test owns its subscriptions: remove them so later events do not reach old receivers.
  await sql`DELETE FROM webhook_subscription`.execute(server.platform.db);
});

async function receiver(respond?: Parameters<typeof startReceiver>[0]) {
  const r = await startReceiver(respond);
  receivers.push(r);
  return r;
}

async function subscribe(body: Record<string, unknown>) {
  const res = await admin.request('POST', '/api/v1/webhooks', { body });
  expect(res.status, res.text).toBe(201);
  return res.body as { id: string; secret: string };
}

async function contact(body: Record<string, unknown> = {}) {
  const res = await admin.request('POST', '/api/v1/contact?allowDuplicate=true', { body: { last_name: `Webhook ${randomUUID().slice(0, 8)}`, ...body } });
  expect(res.status, res.text).toBe(201);
  return res.body as { id: string; version: number };
}

const deliveries = async (webhookId: string, query = '') => (await admin.request('GET', `/api/v1/webhooks/${webhookId}/deliveries${query}`)).body;

describe('webhook deliveries', () => {
  it('POSTs each event signed per Standard Webhooks, and logs the delivery', async () => {
    const rx = await receiver();
    const sub = await subscribe({ url: rx.url, events: ['contact.*'] });
    expect(sub.secret).toMatch(/^whsec_[A-Za-z0-9+/]{43}=$/);
    const c = await contact({ last_name: 'Signed' });
    const [r] = await waitFor(() => (rx.received.length ? rx.received : null), 'the delivery');
    const event = (await sql<{ id: string; occurred_at: Date }>`SELECT id, occurred_at FROM outbox_event WHERE record_id = ${c.id}`.execute(server.platform.db)).rows[0]!;
    expect(r!.headers['content-type']).toBe('application/json');
    expect(r!.headers['user-agent']).toBe('Meridian-Webhooks/1');
    expect(r!.id).toBe(event.id);
    expect(Math.abs(Number(r!.timestamp) - Date.now() / 1000)).toBeLessThan(10);
    expect(verifyStandardWebhook(sub.secret, r!)).toBe(true);
    expect(verifyStandardWebhook(sub.secret, { ...r!, body: r!.body.replace('Signed', 'Forged') })).toBe(false);
    expect(verifyStandardWebhook(`whsec_${Buffer.alloc(32, 1).toString('base64')}`, r!)).toBe(false);
    expect(r!.json).toMatchObject({
      id: event.id,
      type: 'contact.created',
      timestamp: new Date(event.occurred_at).toISOString(),
      data: {
        object: 'contact',
        recordId: c.id,
        changes: { last_name: { old: null, new: 'Signed' } },
        actor: { userId: admin.id, via: 'api' },
        occurredAt: new Date(event.occurred_at).toISOString(),
      },
    });
    const log = await waitFor(async () => {
      const d = await deliveries(sub.id);
      return d.data[0]?.status === 'succeeded' ? d : null;
    }, 'the delivery log');
    expect(log.data[0]).toMatchObject({ eventId: event.id, eventType: 'contact.created', recordId: c.id, status: 'succeeded', attempts: 1, responseCode: 200, error: null, nextAttemptAt: null });
    expect(typeof log.data[0].durationMs).toBe('number');
  });

  it('retries a 500 with backoff until a 2xx, with the same webhook-id and body', async () => {
    const rx = await receiver((r) => ({ status: r.n <= 2 ? 500 : 204 }));
    const sub = await subscribe({ url: rx.url, events: ['contact.created'] });
    await contact();
    await waitFor(() => rx.received.length >= 3, 'three attempts');
    const [a, b, c] = rx.received as [Received, Received, Received];
    expect(new Set([a.id, b.id, c.id]).size).toBe(1);
    expect(new Set([a.body, b.body, c.body]).size).toBe(1);
    for (const r of [a, b, c]) expect(verifyStandardWebhook(sub.secret, r)).toBe(true);
    // Retry 2 waits between the first and second entries of the schedule (50–100 ms).
    expect(c.at - b.at).toBeGreaterThanOrEqual(45);
    const d = await waitFor(async () => ((await deliveries(sub.id)).data[0]?.status === 'succeeded' ? (await deliveries(sub.id)).data[0] : null), 'success');
    expect(d).toMatchObject({ attempts: 3, responseCode: 204, error: null });
    await sleep(300);
    expect(rx.received.length).toBe(3);
  });

  it('honours Retry-After on 429/503', async () => {
    const rx = await receiver((r) => (r.n === 1 ? { status: 503, headers: { 'retry-after': '1' } } : r.n === 2 ? { status: 429, headers: { 'retry-after': new Date(Date.now() + 2000).toUTCString() } } : { status: 200 }));
    const sub = await subscribe({ url: rx.url, events: ['contact.created'] });
    await contact();
    await waitFor(() => rx.received.length >= 3, 'three attempts', 10_000);
    expect(rx.received[1]!.at - rx.received[0]!.at).toBeGreaterThanOrEqual(950);
    // An HTTP date has whole seconds: 2 s ahead is 1–2 s of waiting, not the 50–100 ms of the schedule.
    expect(rx.received[2]!.at - rx.received[1]!.at).toBeGreaterThanOrEqual(900);
    const log = await waitFor(async () => ((await deliveries(sub.id)).data[0]?.status === 'succeeded' ? (await deliveries(sub.id)).data[0] : null), 'success');
    expect(log.attempts).toBe(3);
  });

  it('disables the subscription at once on 410 Gone and tells its owner', async () => {
    const rx = await receiver(() => ({ status: 410 }));
    const sub = await subscribe({ url: rx.url, events: ['contact.created'] });
    await contact();
    const s = await waitFor(async () => {
      const g = await admin.request('GET', `/api/v1/webhooks/${sub.id}`);
      return g.body.active === false ? g.body : null;
    }, 'the subscription to be disabled');
    expect(s).toMatchObject({ disabledReason: 'gone' });
    expect((await deliveries(sub.id)).data[0]).toMatchObject({ status: 'failed', attempts: 1, responseCode: 410 });
    const audit = await admin.request('GET', '/api/v1/audit-log?action=webhook.disabled');
    expect(audit.body.data.find((e: any) => e.target.id === sub.id)).toMatchObject({ details: { reason: 'gone' } });
    // The owner's bell shows it: one notification table for reminders and webhooks alike.
    const bell = await admin.request('GET', '/api/v1/me/notifications');
    expect(bell.body.data.find((x: any) => x.data?.webhookId === sub.id)).toMatchObject({ kind: 'webhook.disabled', object: null, recordId: null, readAt: null });
    expect(bell.body.unreadCount).toBeGreaterThan(0);
    await contact();
    await sleep(300);
    expect(rx.received.length).toBe(1);
  });

  it('dead-letters a delivery after the last retry; five dead letters in a row disable the subscription', async () => {
    const rx = await receiver(() => ({ status: 500 }));
    const sub = await subscribe({ url: rx.url, events: ['contact.created'] });
    for (let i = 0; i < 5; i++) await contact();
    const s = await waitFor(async () => {
      const g = await admin.request('GET', `/api/v1/webhooks/${sub.id}`);
      return g.body.active === false ? g.body : null;
    }, 'the subscription to be disabled', 20_000);
    expect(s).toMatchObject({ disabledReason: 'failing', consecutiveDeadLetters: 5 });
    const log = await deliveries(sub.id);
    expect(log.data).toHaveLength(5);
    for (const d of log.data) expect(d).toMatchObject({ status: 'failed', attempts: 4, responseCode: 500, nextAttemptAt: null });
    expect(log.data[0].error).toMatch(/^HTTP 500/);
    expect(rx.received.length).toBe(20);
    const n = await sql<{ body: string }>`SELECT body FROM user_notification WHERE data->>'webhookId' = ${sub.id}`.execute(server.platform.db);
    expect(n.rows[0]?.body).toMatch(/5 deliveries in a row failed/);
    // Re-activating clears the failure state.
    const back = await admin.request('PATCH', `/api/v1/webhooks/${sub.id}`, { body: { active: true } });
    expect(back.body).toMatchObject({ active: true, disabledReason: null, consecutiveDeadLetters: 0, failingSince: null });
  });

  it('replays one delivery, and a time range of events the subscription missed', async () => {
    const rx = await receiver();
    const sub = await subscribe({ url: rx.url, events: ['contact.*'] });
    await contact();
    await waitFor(() => rx.received.length === 1, 'first delivery');
    const first = await waitFor(async () => ((await deliveries(sub.id)).data[0]?.status === 'succeeded' ? (await deliveries(sub.id)).data[0] : null), 'logged');
    const replay = await admin.request('POST', `/api/v1/webhooks/deliveries/${first.id}/replay`);
    expect(replay.status).toBe(202);
    expect(replay.body).toMatchObject({ replayOf: first.id, eventId: first.eventId, status: 'pending' });
    await waitFor(() => rx.received.length === 2, 'the replay');
    expect(rx.received[1]!.id).toBe(rx.received[0]!.id);
    expect(rx.received[1]!.body).toBe(rx.received[0]!.body);
    expect(verifyStandardWebhook(sub.secret, rx.received[1]!)).toBe(true);

    // Switched off for a while: events are not fanned out to it ...
    expect((await admin.request('PATCH', `/api/v1/webhooks/${sub.id}`, { body: { active: false } })).body.active).toBe(false);
    const from = new Date(Date.now() - 5).toISOString();
    const missed = [await contact(), await contact(), await contact()];
    await sleep(200);
    expect(rx.received.length).toBe(2);
    // ... back on, and the range replayed.
    await admin.request('PATCH', `/api/v1/webhooks/${sub.id}`, { body: { active: true } });
    const range = await admin.request('POST', `/api/v1/webhooks/${sub.id}/replay`, { body: { from, to: new Date(Date.now() + 1000).toISOString() } });
    expect(range.status, range.text).toBe(202);
    expect(range.body.queued).toBe(3);
    await waitFor(() => rx.received.length === 5, 'the replayed range');
    expect(rx.received.slice(2).map((r) => r.json.data.recordId).sort()).toEqual(missed.map((m) => m.id).sort());
    const bad = await admin.request('POST', `/api/v1/webhooks/${sub.id}/replay`, { body: { from: 'yesterday', to: from } });
    expect(bad.status).toBe(400);
    expect(bad.body.errors[0].field).toBe('from');
    expect((await admin.request('POST', `/api/v1/webhooks/deliveries/${randomUUID()}/replay`)).status).toBe(404);
  });

  it("keeps one record's events in commit order, even when an attempt fails", async () => {
    let failedOnce = false;
    const rx = await receiver((r) => {
      if (r.json.type === 'contact.created' && !failedOnce) {
        failedOnce = true;
        return { status: 500 };
      }
      return { status: 200, delayMs: Math.floor(Math.random() * 20) };
    });
    const sub = await subscribe({ url: rx.url, events: ['contact.*'] });
    const c = await contact({ title: 't0' });
    for (let i = 1; i <= 6; i++) {
      const u = await admin.request('PATCH', `/api/v1/contact/${c.id}`, { body: { title: `t${i}` } });
      expect(u.status).toBe(200);
    }
    await waitFor(() => rx.received.length >= 8, 'all deliveries');
    await sleep(100);
    const events = (await sql<{ id: string }>`SELECT id FROM outbox_event WHERE record_id = ${c.id} ORDER BY seq`.execute(server.platform.db)).rows.map((e) => e.id);
    expect(rx.received.map((r) => r.id)).toEqual([events[0], ...events]);
    expect(rx.received.slice(2).map((r) => r.json.data.changes.title.new)).toEqual(['t1', 't2', 't3', 't4', 't5', 't6']);
    const log = await deliveries(sub.id);
    expect(log.data.every((d: any) => d.status === 'succeeded')).toBe(true);
  });

  it('produces no event, and so no delivery, for a write that rolls back', async () => {
    const rx = await receiver();
    await subscribe({ url: rx.url, events: ['*'] });
    const count = async () => Number((await sql<{ n: string }>`SELECT count(*) AS n FROM outbox_event`.execute(server.platform.db)).rows[0]!.n);
    const before = await count();
    const object = server.platform.registry.requireObject('contact');
    const actor = { userId: admin.id, isAdmin: true, via: 'api' as const, timeZone: 'UTC', locale: 'en-US' };
    let createdId: string | undefined;
    await expect(
      inTransaction({ platform: server.platform, actor }, async (ctx) => {
        const rec = await createRecord({ ctx, object, input: { last_name: 'Rolled back' }, options: { allowDuplicate: true } });
        createdId = rec.id;
        await updateRecord({ ctx, object, id: rec.id, input: { title: 'also rolled back' } });
        // Staged until commit; written here so the rollback has written events to take back.
        await writeStagedChanges(ctx);
        expect(Number((await sql<{ n: string }>`SELECT count(*) AS n FROM outbox_event`.execute(ctx.trx)).rows[0]!.n)).toBe(before + 2);
        throw new Error('abort the transaction');
      }),
    ).rejects.toThrow('abort the transaction');
    const refused = await admin.request('POST', '/api/v1/contact', { body: { first_name: 'no last name' } });
    expect(refused.status).toBe(400);
    expect(await count()).toBe(before);
    expect((await sql`SELECT 1 FROM obj_contact WHERE id = ${createdId!}`.execute(server.platform.db)).rows).toHaveLength(0);
    await sleep(300);
    expect(rx.received).toHaveLength(0);
    // A committed write still goes out.
    await contact();
    await waitFor(() => rx.received.length === 1, 'the committed write');
  });

  it('filters by condition, evaluated on the record as it was right after each event', async () => {
    const rx = await receiver();
    await subscribe({ url: rx.url, events: ['contact.created', 'contact.updated'], condition: { field: 'title', op: 'eq', value: 'CEO' } });
    const object = server.platform.registry.requireObject('contact');
    const actor = { userId: admin.id, isAdmin: true, via: 'api' as const, timeZone: 'UTC', locale: 'en-US' };
    // Created as CEO and demoted in the same transaction: the creation matches, the demotion does not.
    const demoted = await inTransaction({ platform: server.platform, actor }, async (ctx) => {
      const rec = await createRecord({ ctx, object, input: { last_name: 'Demoted', title: 'CEO' }, options: { allowDuplicate: true } });
      await updateRecord({ ctx, object, id: rec.id, input: { title: 'Intern' } });
      return rec;
    });
    const other = await contact({ title: 'CTO' });
    await admin.request('PATCH', `/api/v1/contact/${other.id}`, { body: { title: 'CEO' } });
    await waitFor(() => rx.received.length >= 2, 'matching events');
    await sleep(300);
    expect(rx.received.map((r) => [r.json.type, r.json.data.recordId])).toEqual([
      ['contact.created', demoted.id],
      ['contact.updated', other.id],
    ]);
  });

  it('pages the delivery log with a keyset cursor and filters it by status', async () => {
    const rx = await receiver();
    const sub = await subscribe({ url: rx.url, events: ['contact.created'] });
    for (let i = 0; i < 5; i++) await contact();
    await waitFor(async () => (await deliveries(sub.id, '?status=succeeded')).data.length === 5, 'five deliveries');
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const page: any = await deliveries(sub.id, `?status=succeeded&limit=2${cursor ? `&cursor=${cursor}` : ''}`);
      expect(page.data.length).toBeLessThanOrEqual(2);
      seen.push(...page.data.map((d: any) => d.id));
      cursor = page.nextCursor;
    } while (cursor);
    expect(new Set(seen).size).toBe(5);
    expect((await deliveries(sub.id, '?status=failed')).data).toHaveLength(0);
    const stale = await admin.request('GET', `/api/v1/webhooks/${sub.id}/deliveries?status=failed&cursor=${(await deliveries(sub.id, '?status=succeeded&limit=2')).nextCursor}`);
    expect(stale.status).toBe(400);
    expect((await admin.request('GET', `/api/v1/webhooks/${sub.id}/deliveries?status=lost`)).body.errors[0].field).toBe('status');
  });

  it('runs in several workers at once without double dispatch or double delivery, keeping per-record order', async () => {
    // PostgreSQL: a second platform with its own connection pool on the same database, as a
    // second `meridian worker` would have. PGlite has one process: a second loop in this one.
    let second: Platform = server.platform;
    if (server.platform.database.kind === 'postgres') {
      const database = await openDatabase({ databaseUrl: server.platform.database.connectionString, poolSize: 5 });
      second = await bootPlatform({ config: server.platform.config, modules: server.platform.modules, database, logger: createLogger('silent') });
    }
    const other = await startEventBackbone(second, { settings: fastSettings({ MERIDIAN_EVENTS_BATCH: '7', MERIDIAN_WEBHOOK_CONCURRENCY: '8' }) });
    try {
      const rxA = await receiver(() => ({ status: 200, delayMs: Math.floor(Math.random() * 10) }));
      const rxB = await receiver(() => ({ status: 200, delayMs: Math.floor(Math.random() * 10) }));
      await subscribe({ url: rxA.url, events: ['contact.*'] });
      await subscribe({ url: rxB.url, events: ['contact.*'] });
      const ids: string[] = [];
      for (let round = 0; round < 4; round++) {
        const batch = await Promise.all([...Array(8)].map(() => contact()));
        ids.push(...batch.map((c) => c.id));
        await Promise.all(batch.slice(0, 4).map((c) => admin.request('PATCH', `/api/v1/contact/${c.id}`, { body: { title: `round ${round}` } })));
      }
      const events = (await sql<{ id: string; record_id: string }>`SELECT id, record_id FROM outbox_event WHERE record_id = ANY(${ids}::uuid[]) ORDER BY seq`.execute(server.platform.db)).rows;
      expect(events).toHaveLength(48);
      // Fanned out exactly once: one delivery row per (subscription, event), all delivered.
      const rows = await waitFor(async () => {
        const r = await sql<{ event_id: string; status: string; attempts: number; url: string }>`SELECT d.event_id, d.status, d.attempts, s.url FROM webhook_delivery d
          JOIN webhook_subscription s ON s.id = d.subscription_id WHERE d.record_id = ANY(${ids}::uuid[])`.execute(server.platform.db);
        return r.rows.length === 2 * events.length && r.rows.every((d) => d.status === 'succeeded') ? r.rows : null;
      }, 'every delivery', 30_000);
      const dup = await sql`SELECT subscription_id, event_id FROM webhook_delivery GROUP BY 1, 2 HAVING count(*) > 1`.execute(server.platform.db);
      expect(dup.rows).toHaveLength(0);
      await sleep(200);
      for (const rx of [rxA, rxB]) {
        // Sent once each; a copy only where an attempt timed out and was repeated (same webhook-id).
        const attempts = new Map(rows.filter((d) => d.url === rx.url).map((d) => [d.event_id, d.attempts]));
        expect(new Set(rx.received.map((r) => r.id))).toEqual(new Set(events.map((e) => e.id)));
        for (const e of events) expect(rx.received.filter((r) => r.id === e.id).length).toBeLessThanOrEqual(attempts.get(e.id)!);
        for (const id of ids) {
          const order = events.filter((e) => e.record_id === id).map((e) => e.id);
          expect([...new Set(rx.received.filter((r) => r.json.data.recordId === id).map((r) => r.id))]).toEqual(order);
        }
      }
    } finally {
      await other.stop();
      if (second !== server.platform) await second.database.close();
    }
  });

  it('hands every batch to registered subscribers in commit order, inside the dispatch transaction', async () => {
    const rx = await receiver();
    await subscribe({ url: rx.url, events: ['contact.*'] });
    const seen: string[] = [];
    let failed = false;
    let listening = true;
    registerEventSubscriber(server.platform, {
      name: 'test.recorder',
      async handle({ events, trx }) {
        if (!listening) return;
        // Subscribers write with the dispatch transaction; a throw rolls the whole batch back.
        await sql`SELECT 1`.execute(trx);
        if (!failed && events.some((e) => (e.changes.last_name?.new as string | undefined)?.startsWith('Flaky'))) {
          failed = true;
          throw new Error('transient failure of a subscriber');
        }
        seen.push(...events.filter((e) => e.object === 'contact').map((e) => e.id));
      },
    });
    try {
      const a = await contact({ last_name: 'Flaky one' });
      const b = await contact({ last_name: 'Flaky two' });
      await admin.request('PATCH', `/api/v1/contact/${a.id}`, { body: { title: 'x' } });
      const events = (await sql<{ id: string }>`SELECT id FROM outbox_event WHERE record_id IN (${a.id}, ${b.id}) ORDER BY seq`.execute(server.platform.db)).rows.map((e) => e.id);
      await waitFor(() => events.every((id) => seen.includes(id)), 'the subscriber to see every event');
      await waitFor(() => rx.received.length >= 3, 'the deliveries');
      await sleep(200);
      expect(failed).toBe(true);
      expect(seen.filter((id) => events.includes(id))).toEqual(events);
      // The failed batch was rolled back whole: its webhook deliveries were not queued twice.
      expect(rx.received.map((r) => r.id).sort()).toEqual([...events].sort());
      expect(() => registerEventSubscriber(server.platform, { name: 'test.recorder', handle: async () => {} })).toThrow(/already registered/);
    } finally {
      listening = false;
    }
  });
});
