import type { Transaction } from 'kysely';
import type { Platform } from '../kernel.ts';

/** One committed change, as written by records/history.ts in the transaction of the write. */
export interface OutboxEvent {
  /** bigint as a decimal string: commit order per record, insertion order overall. */
  seq: string;
  id: string;
  /** `<object>.<created|updated|deleted|restored>` */
  type: string;
  object: string;
  recordId: string;
  changes: Record<string, { old: unknown; new: unknown }>;
  actor: { userId: string | null; via: string; tokenId: string | null };
  occurredAt: Date;
}

export interface OutboxRow {
  seq: string;
  id: string;
  type: string;
  object: string;
  record_id: string;
  changes: Record<string, { old: unknown; new: unknown }>;
  actor: OutboxEvent['actor'];
  occurred_at: Date;
}

export function eventFromRow(r: OutboxRow): OutboxEvent {
  return { seq: String(r.seq), id: r.id, type: r.type, object: r.object, recordId: r.record_id, changes: r.changes, actor: r.actor, occurredAt: new Date(r.occurred_at) };
}

/**
 * A consumer of the outbox: webhooks today; timeline, search indexing and workflow rules later.
 * `handle` runs inside the dispatch transaction with a batch of events in `seq` order, and the
 * batch is marked dispatched in that same transaction: whatever the subscriber writes (its own
 * queue rows) commits exactly when the events count as dispatched. So a subscriber turns events
 * into durable work and does no I/O here (no HTTP, no e-mail); slow work runs from its own table.
 * A throw rolls the whole batch back and it is retried (at-least-once), so do not throw for bad
 * data — skip and log it.
 *
 * On PGlite use only `trx` inside handle: the single session is held by the transaction.
 */
export interface EventSubscriber {
  name: string;
  handle(args: { platform: Platform; trx: Transaction<any>; events: OutboxEvent[]; afterCommit(fn: () => void): void }): Promise<void>;
}
