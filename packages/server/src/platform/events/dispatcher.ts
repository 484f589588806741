import { sql } from 'kysely';
import type { Platform } from '../kernel.ts';
import { eventFromRow, type EventSubscriber, type OutboxRow } from './outbox.ts';
import { Pump } from './pump.ts';

/** Advisory lock key held by the one process that fans out at a time (PostgreSQL). */
const DISPATCH_LOCK = 7340190;

/**
 * Reads `outbox_event` rows that are not dispatched yet, in `seq` order, hands each batch to the
 * subscribers and marks it dispatched — all in one transaction, so a crash at any point leaves
 * the batch undispatched and it is handed out again (at-least-once). Several processes may run a
 * dispatcher: a transaction-scoped advisory lock lets one fan out at a time, which keeps the fan-out
 * in commit order per record (two writes to one record are serialised by its row lock, so their
 * events commit, and are read, in seq order).
 */
export async function dispatchBatch(platform: Platform, subscribers: EventSubscriber[] | (() => EventSubscriber[]), batchSize: number): Promise<number> {
  const pending = await sql`SELECT 1 FROM outbox_event WHERE dispatched_at IS NULL LIMIT 1`.execute(platform.db);
  if (!pending.rows.length) return 0;
  // Metadata may have changed in another process (conditions name fields); not inside the
  // transaction, whose connection is the only PGlite session.
  await platform.registry.ensureFresh();
  const after: Array<() => void> = [];
  const n = await platform.db.transaction().execute(async (trx) => {
    const lock = await sql<{ ok: boolean }>`SELECT pg_try_advisory_xact_lock(${DISPATCH_LOCK}) AS ok`.execute(trx);
    if (!lock.rows[0]!.ok) return -1;
    const r = await sql<OutboxRow>`SELECT seq, id, type, object, record_id, changes, actor, occurred_at FROM outbox_event
      WHERE dispatched_at IS NULL ORDER BY seq LIMIT ${batchSize}`.execute(trx);
    if (!r.rows.length) return 0;
    const events = r.rows.map(eventFromRow);
    for (const s of typeof subscribers === 'function' ? subscribers() : subscribers) await s.handle({ platform, trx, events, afterCommit: (fn) => after.push(fn) });
    await sql`UPDATE outbox_event SET dispatched_at = now() WHERE seq = ANY(${events.map((e) => e.seq)}::bigint[])`.execute(trx);
    return events.length;
  });
  for (const fn of after) fn();
  return n;
}

export class EventDispatcher {
  readonly #pump: Pump;
  constructor(platform: Platform, subscribers: EventSubscriber[] | (() => EventSubscriber[]), options: { pollMs: number; batchSize: number }) {
    this.#pump = new Pump(
      async () => (await dispatchBatch(platform, subscribers, options.batchSize)) >= options.batchSize,
      options.pollMs,
      (error) => platform.logger.error({ err: error }, 'event dispatch failed; retrying'),
    );
  }
  start() {
    this.#pump.start();
  }
  wake() {
    this.#pump.wake();
  }
  stop() {
    return this.#pump.stop();
  }
}
