import { performance } from 'node:perf_hooks';
import { sql, type Kysely } from 'kysely';
import type { Platform } from '../../kernel.ts';
import type { WebhookSettings } from '../config.ts';
import { Pump } from '../pump.ts';
import { notifyUser, writeAudit } from '../audit.ts';
import { decryptSecret, signingKeyOf, signPayload } from './secrets.ts';
import { parseRetryAfter, retryDelay, RETRY_AFTER_STATUSES } from './retry.ts';

export const USER_AGENT = 'Meridian-Webhooks/1';

interface ClaimedRow {
  seq: string;
  id: string;
  subscription_id: string;
  event_id: string;
  attempts: number;
  url: string;
  secret_enc: string;
  type: string | null;
  object: string | null;
  record_id: string | null;
  changes: unknown;
  actor: unknown;
  occurred_at: Date | null;
}

/** The JSON body of a delivery: the same bytes for every attempt and replay of an event. */
export function deliveryBody(e: { id: string; type: string; object: string; recordId: string; changes: unknown; actor: unknown; occurredAt: Date }): string {
  const occurredAt = e.occurredAt.toISOString();
  return JSON.stringify({ id: e.id, type: e.type, timestamp: occurredAt, data: { object: e.object, recordId: e.recordId, changes: e.changes, actor: e.actor, occurredAt } });
}

interface Outcome {
  status?: number;
  durationMs: number;
  error?: string;
  retryAfterMs?: number;
}

function describeFailure(error: unknown, timeoutMs: number): string {
  const e = error as { name?: string; message?: string; cause?: { code?: string; message?: string } };
  if (e?.name === 'TimeoutError' || e?.name === 'AbortError') return `timed out after ${timeoutMs} ms`;
  if (e?.cause?.code) return `connection failed: ${e.cause.code}`;
  return `request failed: ${(e?.cause?.message ?? e?.message ?? String(error)).slice(0, 300)}`;
}

/** Reads at most `limit` bytes of the body (for the log) and discards the rest of up to 64 KiB, so the connection can be reused. */
async function readExcerpt(res: Response, limit: number): Promise<string> {
  if (!res.body) return '';
  const reader = res.body.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      if (total < limit) chunks.push(value);
      total += value.byteLength;
      if (total > 65_536) {
        await reader.cancel();
        break;
      }
    }
  } catch {
    /* body errors do not change the outcome */
  }
  return Buffer.concat(chunks).toString('utf8').slice(0, limit);
}

/**
 * Sends due webhook deliveries: claims rows (FOR UPDATE SKIP LOCKED, so any number of processes
 * can run this), POSTs them signed per Standard Webhooks, and records each outcome. A claimed row
 * is 'delivering' with next_attempt_at as a lease; if the process dies mid-attempt the row is
 * claimed again once the lease ends (at once on PGlite, which has only one process). A row is
 * claimable only when no earlier row of the same subscription and record is still open: that is
 * what keeps one record's events in commit order at the receiver.
 */
export class WebhookDeliverer {
  readonly #platform: Platform;
  readonly #settings: WebhookSettings;
  readonly #pump: Pump;
  readonly #keys = new Map<string, { enc: string; key: Buffer }>();
  readonly #inFlight = new Set<Promise<void>>();
  readonly #leaseMs: number;

  constructor(platform: Platform, settings: WebhookSettings, pollMs: number) {
    this.#platform = platform;
    this.#settings = settings;
    this.#leaseMs = settings.timeoutMs + 5000;
    this.#pump = new Pump(() => this.#step(), pollMs, (error) => platform.logger.error({ err: error }, 'webhook delivery loop failed; retrying'));
  }

  async start(): Promise<void> {
    if (this.#platform.database.kind === 'pglite') {
      // One process per PGlite data directory: anything still 'delivering' was cut off by a crash.
      await sql`UPDATE webhook_delivery SET next_attempt_at = now() WHERE status = 'delivering'`.execute(this.#platform.db);
    }
    this.#pump.start();
  }

  wake(): void {
    this.#pump.wake();
  }

  /** Stops claiming; waits up to `graceMs` for attempts in flight (an abandoned one is retried after its lease). */
  async stop(graceMs = 5000): Promise<void> {
    await this.#pump.stop();
    if (this.#inFlight.size) {
      await Promise.race([Promise.allSettled([...this.#inFlight]), new Promise((r) => setTimeout(r, graceMs).unref())]);
    }
  }

  async #step(): Promise<boolean> {
    const free = this.#settings.concurrency - this.#inFlight.size;
    if (free <= 0) return false;
    const rows = await this.claim(free);
    for (const row of rows) {
      const p: Promise<void> = this.#attempt(row)
        .catch((error) => this.#platform.logger.error({ err: error, delivery: row.id }, 'recording a webhook attempt failed'))
        .finally(() => {
          this.#inFlight.delete(p);
          this.#pump.wake();
        });
      this.#inFlight.add(p);
    }
    // Full or not, wait: each finished attempt wakes the loop to refill its slot.
    return false;
  }

  /** Claims up to `limit` due deliveries whose predecessors (same subscription and record) are finished. */
  async claim(limit: number): Promise<ClaimedRow[]> {
    const r = await sql<ClaimedRow>`WITH due AS (
        SELECT d.seq FROM webhook_delivery d
        JOIN webhook_subscription s ON s.id = d.subscription_id AND s.active
        WHERE d.status IN ('pending', 'delivering', 'retrying') AND d.next_attempt_at <= now()
          AND NOT EXISTS (SELECT 1 FROM webhook_delivery p WHERE p.subscription_id = d.subscription_id AND p.record_id = d.record_id
            AND p.seq < d.seq AND p.status IN ('pending', 'delivering', 'retrying'))
        ORDER BY d.next_attempt_at, d.seq
        LIMIT ${limit}
        FOR UPDATE OF d SKIP LOCKED
      ), claimed AS (
        UPDATE webhook_delivery d SET status = 'delivering', attempts = d.attempts + 1, last_attempt_at = now(),
          next_attempt_at = now() + ${this.#leaseMs} * interval '1 millisecond'
        FROM due WHERE d.seq = due.seq
        RETURNING d.seq, d.id, d.subscription_id, d.event_id, d.attempts
      )
      SELECT c.seq, c.id, c.subscription_id, c.event_id, c.attempts, s.url, s.secret_enc, e.type, e.object, e.record_id, e.changes, e.actor, e.occurred_at
      FROM claimed c JOIN webhook_subscription s ON s.id = c.subscription_id LEFT JOIN outbox_event e ON e.id = c.event_id
      ORDER BY c.seq`.execute(this.#platform.db);
    return r.rows;
  }

  #key(row: ClaimedRow): Buffer {
    const cached = this.#keys.get(row.subscription_id);
    if (cached && cached.enc === row.secret_enc) return cached.key;
    const key = signingKeyOf(decryptSecret(this.#platform.signingKey, row.subscription_id, row.secret_enc));
    this.#keys.set(row.subscription_id, { enc: row.secret_enc, key });
    return key;
  }

  async #attempt(row: ClaimedRow): Promise<void> {
    if (!row.type || !row.occurred_at) {
      await this.#record(row, { durationMs: 0, error: 'the event is no longer in the outbox (pruned)' }, true);
      return;
    }
    const body = deliveryBody({ id: row.event_id, type: row.type, object: row.object!, recordId: row.record_id!, changes: row.changes, actor: row.actor, occurredAt: new Date(row.occurred_at) });
    const timestamp = Math.floor(Date.now() / 1000);
    const headers = {
      'content-type': 'application/json',
      'user-agent': USER_AGENT,
      'webhook-id': row.event_id,
      'webhook-timestamp': String(timestamp),
      'webhook-signature': signPayload(this.#key(row), row.event_id, timestamp, body),
    };
    const started = performance.now();
    const outcome: Outcome = { durationMs: 0 };
    try {
      const res = await fetch(row.url, { method: 'POST', headers, body, redirect: 'manual', signal: AbortSignal.timeout(this.#settings.timeoutMs) });
      outcome.status = res.status;
      const ok = res.status >= 200 && res.status < 300;
      const excerpt = await readExcerpt(res, ok ? 0 : 300);
      if (!ok) {
        const where = res.status >= 300 && res.status < 400 ? ` (redirect to ${res.headers.get('location') ?? '?'} not followed)` : '';
        outcome.error = `HTTP ${res.status}${where}${excerpt ? `: ${excerpt.replace(/\s+/g, ' ').trim()}` : ''}`.slice(0, 500);
        if (RETRY_AFTER_STATUSES.has(res.status)) outcome.retryAfterMs = parseRetryAfter(res.headers.get('retry-after'), this.#settings.retryAfterMaxMs);
      }
    } catch (error) {
      outcome.error = describeFailure(error, this.#settings.timeoutMs);
    }
    outcome.durationMs = Math.round(performance.now() - started);
    await this.#record(row, outcome, false);
  }

  async #record(row: ClaimedRow, o: Outcome, permanent: boolean): Promise<void> {
    const db = this.#platform.db;
    if (o.status !== undefined && o.status >= 200 && o.status < 300) {
      await sql`WITH d AS (
          UPDATE webhook_delivery SET status = 'succeeded', response_code = ${o.status}, duration_ms = ${o.durationMs}, error = NULL, completed_at = now()
          WHERE seq = ${row.seq} AND status <> 'succeeded' RETURNING subscription_id)
        UPDATE webhook_subscription s SET failing_since = NULL, consecutive_dead_letters = 0
        FROM d WHERE s.id = d.subscription_id AND (s.failing_since IS NOT NULL OR s.consecutive_dead_letters > 0)`.execute(db);
      return;
    }
    const gone = o.status === 410;
    let delay = gone || permanent ? null : retryDelay(this.#settings.retrySchedule, row.attempts);
    if (delay !== null && o.retryAfterMs !== undefined) delay = Math.max(delay, o.retryAfterMs);
    const dead = delay === null;
    const r = await sql<{ id: string; failing_since: Date; consecutive_dead_letters: number; active: boolean }>`WITH d AS (
        UPDATE webhook_delivery SET status = ${dead ? 'failed' : 'retrying'}, response_code = ${o.status ?? null}, duration_ms = ${o.durationMs},
          error = ${o.error ?? null}, next_attempt_at = now() + ${delay ?? 0} * interval '1 millisecond', completed_at = ${dead ? sql`now()` : sql`NULL`}
        WHERE seq = ${row.seq} AND status = 'delivering' AND attempts = ${row.attempts} RETURNING subscription_id)
      UPDATE webhook_subscription s SET failing_since = COALESCE(s.failing_since, now()),
        consecutive_dead_letters = s.consecutive_dead_letters + ${dead ? 1 : 0}
      FROM d WHERE s.id = d.subscription_id
      RETURNING s.id, s.failing_since, s.consecutive_dead_letters, s.active`.execute(db);
    const sub = r.rows[0];
    if (!sub || !sub.active) return;
    if (gone) {
      await disableSubscription(db, sub.id, 'gone', `The receiver answered 410 Gone for event ${row.event_id}.`);
    } else if (sub.consecutive_dead_letters >= this.#settings.disableAfterDeadLetters) {
      await disableSubscription(db, sub.id, 'failing', `${sub.consecutive_dead_letters} deliveries in a row failed every attempt.`);
    } else if (Date.now() - new Date(sub.failing_since).getTime() >= this.#settings.disableAfterFailingMs) {
      await disableSubscription(db, sub.id, 'failing', `Deliveries have failed continuously since ${new Date(sub.failing_since).toISOString()}.`);
    }
  }
}

/**
 * Turns a subscription off after it failed for good, and tells its owner: an in-app notification
 * and an audit entry (e-mail is not available yet). Its deliveries that were still waiting stay
 * pending and go out if an admin re-activates it.
 */
export async function disableSubscription(db: Kysely<any>, id: string, reason: 'gone' | 'failing', message: string): Promise<boolean> {
  return db.transaction().execute(async (trx) => {
    const r = await sql<{ url: string; created_by: string | null }>`UPDATE webhook_subscription SET active = false, disabled_at = now(), disabled_reason = ${reason}, updated_at = now()
      WHERE id = ${id} AND active RETURNING url, created_by`.execute(trx);
    const sub = r.rows[0];
    if (!sub) return false;
    await writeAudit(trx, { action: 'webhook.disabled', actor: null, actorLabel: 'system', target: { type: 'webhook', id }, details: { reason, message, url: sub.url } });
    if (sub.created_by) {
      await notifyUser(trx, {
        userId: sub.created_by,
        kind: 'webhook.disabled',
        title: 'A webhook was disabled',
        body: `The webhook to ${sub.url} was disabled: ${message} Fix the receiver, then re-activate it (PATCH active: true) and replay what it missed.`,
        data: { webhookId: id, reason },
      });
    }
    return true;
  });
}
