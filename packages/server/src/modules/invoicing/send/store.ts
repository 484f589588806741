import { sql, type Kysely, type Transaction } from 'kysely';
import type { ModuleMigration } from '../../../platform/module.ts';

/**
 * `invoicing_auto_send`: one row per posted invoice of an account that sends automatically — the
 * queue the automatic e-mail runs from, outside the posting (a monthly run only posts). Written
 * by the `invoice.posted` handler in the outbox dispatch (one row per invoice: a redelivered
 * event adds none), sent after that commit or by the minute job, with the attempts, the last
 * error and the next try kept here (the invoice's `send_error` shows the error to people).
 */
export const autoSendMigration: ModuleMigration = {
  id: '0003_auto_send_queue',
  async up(trx) {
    await sql`CREATE TABLE IF NOT EXISTS invoicing_auto_send (
      invoice_id uuid PRIMARY KEY,
      actor_id uuid,
      status text NOT NULL DEFAULT 'pending',
      attempts integer NOT NULL DEFAULT 0,
      last_error text,
      next_attempt_at timestamptz,
      locked_until timestamptz,
      sent_at timestamptz,
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now())`.execute(trx);
    await sql`CREATE INDEX IF NOT EXISTS ix_invoicing_auto_send_due ON invoicing_auto_send (next_attempt_at) WHERE status <> 'sent' AND next_attempt_at IS NOT NULL`.execute(trx);
  },
};

export interface AutoSendRow {
  invoice_id: string;
  actor_id: string | null;
  status: 'pending' | 'sent' | 'failed';
  attempts: number;
  last_error: string | null;
  next_attempt_at: Date | null;
  sent_at: Date | null;
}

/** Tries before an automatic e-mail stays failed (it can still be sent by hand), and the wait before each retry (minutes). */
export const MAX_ATTEMPTS = 6;
const RETRY_MINUTES = [1, 5, 15, 60, 240];

/** Queues an invoice's e-mail in the caller's transaction; false when it is queued already. */
export async function queueAutoSendRow(trx: Transaction<any>, invoiceId: string, actorId: string | null): Promise<boolean> {
  const r = await sql`INSERT INTO invoicing_auto_send (invoice_id, actor_id, next_attempt_at) VALUES (${invoiceId}::uuid, ${actorId}::uuid, now())
    ON CONFLICT (invoice_id) DO NOTHING RETURNING invoice_id`.execute(trx);
  return r.rows.length === 1;
}

/**
 * Takes up to `limit` due e-mails (pending, or failed with their retry time passed) for two
 * minutes: another process skips them meanwhile, and one that died mid-send leaves them to be
 * taken again when the lease is over.
 */
export async function claimDueSends(db: Kysely<any>, limit: number): Promise<Array<Pick<AutoSendRow, 'invoice_id' | 'actor_id' | 'attempts'>>> {
  const r = await sql<Pick<AutoSendRow, 'invoice_id' | 'actor_id' | 'attempts'>>`UPDATE invoicing_auto_send SET locked_until = now() + interval '2 minutes'
    WHERE invoice_id IN (SELECT invoice_id FROM invoicing_auto_send
      WHERE status <> 'sent' AND next_attempt_at <= now() AND (locked_until IS NULL OR locked_until < now())
      ORDER BY next_attempt_at, invoice_id LIMIT ${limit} FOR UPDATE SKIP LOCKED)
    RETURNING invoice_id, actor_id, attempts`.execute(db);
  return r.rows;
}

/** Sent (by this try, or found sent already): never tried again. */
export async function markSendDone(db: Kysely<any>, invoiceId: string, counted: boolean): Promise<void> {
  await sql`UPDATE invoicing_auto_send SET status = 'sent', attempts = attempts + ${counted ? 1 : 0}, last_error = NULL, sent_at = now(),
    next_attempt_at = NULL, locked_until = NULL, updated_at = now() WHERE invoice_id = ${invoiceId}::uuid`.execute(db);
}

/** A failed try: the reason kept and a retry later, with a growing wait, until MAX_ATTEMPTS. */
export async function markSendFailed(db: Kysely<any>, row: { invoice_id: string; attempts: number }, reason: string): Promise<void> {
  const attempts = row.attempts + 1;
  const wait = attempts >= MAX_ATTEMPTS ? null : RETRY_MINUTES[Math.min(attempts - 1, RETRY_MINUTES.length - 1)]!;
  await sql`UPDATE invoicing_auto_send SET status = 'failed', attempts = ${attempts}, last_error = ${reason.slice(0, 1000)},
    next_attempt_at = ${wait === null ? null : sql`now() + make_interval(mins => ${wait})`}, locked_until = NULL, updated_at = now()
    WHERE invoice_id = ${row.invoice_id}::uuid`.execute(db);
}

/** An invoice's automatic e-mail, if it has one. */
export async function autoSendOf(db: Kysely<any>, invoiceId: string): Promise<AutoSendRow | null> {
  const r = await sql<AutoSendRow>`SELECT invoice_id, actor_id, status, attempts, last_error, next_attempt_at, sent_at
    FROM invoicing_auto_send WHERE invoice_id = ${invoiceId}::uuid`.execute(db);
  return r.rows[0] ?? null;
}
