import { sql, type Kysely, type Transaction } from 'kysely';
import { uuidv7 } from '../../../platform/ids.ts';
import type { ModuleMigration } from '../../../platform/module.ts';
import type { JobTicketChannel } from './route.ts';

/**
 * `orders_job_ticket`: one row per job ticket sent or to send — the order, the channel, why
 * (confirmed or a reprint), pending/sent/failed, attempts, the last error and when it went out.
 * E-mail and printer tickets are written pending in the transaction that decided them and sent
 * after it committed (queue.ts); webhook tickets are the `order.job_ticket` event, written in
 * that same transaction, so they are sent when written.
 */
export const jobTicketMigration: ModuleMigration = {
  id: '0003_job_tickets',
  async up(trx) {
    await sql`CREATE TABLE IF NOT EXISTS orders_job_ticket (
      id uuid PRIMARY KEY,
      order_id uuid NOT NULL,
      channel text NOT NULL,
      target text,
      reason text NOT NULL,
      event_id uuid,
      status text NOT NULL,
      attempts integer NOT NULL DEFAULT 0,
      last_error text,
      next_attempt_at timestamptz,
      locked_until timestamptz,
      sent_at timestamptz,
      created_by uuid,
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now())`.execute(trx);
    await sql`CREATE INDEX IF NOT EXISTS ix_orders_job_ticket_order ON orders_job_ticket (order_id, created_at)`.execute(trx);
    await sql`CREATE INDEX IF NOT EXISTS ix_orders_job_ticket_due ON orders_job_ticket (next_attempt_at) WHERE status <> 'sent' AND next_attempt_at IS NOT NULL`.execute(trx);
    // A redelivered order.confirmed finds its ticket and adds none.
    await sql`CREATE UNIQUE INDEX IF NOT EXISTS uq_orders_job_ticket_event ON orders_job_ticket (event_id) WHERE event_id IS NOT NULL`.execute(trx);
  },
};

export type JobTicketStatus = 'pending' | 'sent' | 'failed';

export interface JobTicketRow {
  id: string;
  order_id: string;
  channel: JobTicketChannel;
  target: string | null;
  reason: 'confirmed' | 'reprint';
  status: JobTicketStatus;
  attempts: number;
  last_error: string | null;
  next_attempt_at: Date | null;
  sent_at: Date | null;
  created_by: string | null;
  created_at: Date;
}

/** How many sendings a ticket gets before it stays failed, and the wait before each retry (minutes). */
export const MAX_ATTEMPTS = 8;
const RETRY_MINUTES = [1, 5, 15, 30, 60, 120, 240];

/** Writes a ticket row in the caller's transaction; answers null when the event already has one. */
export async function insertJobTicket(trx: Transaction<any>, row: {
  orderId: string; channel: JobTicketChannel; target: string | null; reason: JobTicketRow['reason']; status: 'pending' | 'sent';
  eventId?: string; createdBy: string | null;
}): Promise<string | null> {
  const id = uuidv7();
  const sent = row.status === 'sent';
  const r = await sql<{ id: string }>`INSERT INTO orders_job_ticket (id, order_id, channel, target, reason, event_id, status, attempts, next_attempt_at, sent_at, created_by)
    VALUES (${id}, ${row.orderId}::uuid, ${row.channel}, ${row.target}, ${row.reason}, ${row.eventId ?? null}::uuid, ${row.status}, ${sent ? 1 : 0},
      ${sent ? null : sql`now()`}, ${sent ? sql`now()` : null}, ${row.createdBy}::uuid)
    ON CONFLICT (event_id) WHERE event_id IS NOT NULL DO NOTHING RETURNING id`.execute(trx);
  return r.rows[0]?.id ?? null;
}

/**
 * Takes up to `limit` tickets that are due (pending, or failed with a retry time passed) for
 * two minutes: another process (or a second run here) skips them meanwhile, and a process that
 * died mid-sending leaves them to be taken again once the lease is over.
 */
export async function claimDueTickets(db: Kysely<any>, limit = 20): Promise<Array<Pick<JobTicketRow, 'id' | 'order_id' | 'channel' | 'target' | 'attempts'>>> {
  const r = await sql<Pick<JobTicketRow, 'id' | 'order_id' | 'channel' | 'target' | 'attempts'>>`UPDATE orders_job_ticket SET locked_until = now() + interval '2 minutes'
    WHERE id IN (SELECT id FROM orders_job_ticket
      WHERE status <> 'sent' AND next_attempt_at <= now() AND (locked_until IS NULL OR locked_until < now())
      ORDER BY next_attempt_at, id LIMIT ${limit} FOR UPDATE SKIP LOCKED)
    RETURNING id, order_id, channel, target, attempts`.execute(db);
  return r.rows;
}

export async function markSent(db: Kysely<any>, id: string, target: string | null): Promise<void> {
  await sql`UPDATE orders_job_ticket SET status = 'sent', target = ${target}, attempts = attempts + 1, last_error = NULL, sent_at = now(),
    next_attempt_at = NULL, locked_until = NULL, updated_at = now() WHERE id = ${id}::uuid`.execute(db);
}

/** A failed sending: the reason kept, a retry later (with a growing wait) until MAX_ATTEMPTS. */
export async function markFailed(db: Kysely<any>, ticket: { id: string; attempts: number }, target: string | null, reason: string): Promise<void> {
  const attempts = ticket.attempts + 1;
  const wait = attempts >= MAX_ATTEMPTS ? null : RETRY_MINUTES[Math.min(attempts - 1, RETRY_MINUTES.length - 1)]!;
  await sql`UPDATE orders_job_ticket SET status = 'failed', target = ${target}, attempts = ${attempts}, last_error = ${reason.slice(0, 1000)},
    next_attempt_at = ${wait === null ? null : sql`now() + make_interval(mins => ${wait})`}, locked_until = NULL, updated_at = now()
    WHERE id = ${ticket.id}::uuid`.execute(db);
}

/** An order's tickets, newest first. */
export async function listJobTickets(db: Kysely<any> | Transaction<any>, orderId: string): Promise<JobTicketRow[]> {
  const r = await sql<JobTicketRow>`SELECT id, order_id, channel, target, reason, status, attempts, last_error, next_attempt_at, sent_at, created_by, created_at
    FROM orders_job_ticket WHERE order_id = ${orderId}::uuid ORDER BY created_at DESC, id DESC LIMIT 200`.execute(db);
  return r.rows;
}
