import type { KeyObject } from 'node:crypto';
import http from 'node:http';
import https from 'node:https';
import { performance } from 'node:perf_hooks';
import { sql, type Kysely } from 'kysely';
import type { Platform } from '../../kernel.ts';
import type { WebhookSettings } from '../config.ts';
import { Pump } from '../pump.ts';
import { writeAudit } from '../audit.ts';
import { notifyUser, pingNotificationStreams } from '../../notifications/store.ts';
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

class AttemptTimeout extends Error {
  override name = 'TimeoutError';
}

export function describeFailure(error: unknown, timeoutMs: number): string {
  const e = error as { name?: string; code?: string; message?: string };
  if (e?.name === 'TimeoutError') return `timed out after ${timeoutMs} ms`;
  if (e?.code) return `connection failed: ${e.code}`;
  return `request failed: ${(e?.message ?? String(error)).slice(0, 300)}`;
}

// Keep-alive connections, reused across deliveries to the same receiver.
const agents = {
  'http:': new http.Agent({ keepAlive: true, maxSockets: 256, scheduling: 'lifo' }),
  'https:': new https.Agent({ keepAlive: true, maxSockets: 256, scheduling: 'lifo' }),
};

interface Answer {
  status: number;
  headers: http.IncomingHttpHeaders;
  /** The first `excerptLimit` characters of the body (for the log); at most 64 KiB are read at all. */
  excerpt: string;
}

/**
 * One POST with a deadline for the whole exchange (connect, send, answer, body): node:http with a
 * keep-alive agent, a fraction of fetch's CPU per request. Redirects are not followed.
 */
export function post(url: string, headers: Record<string, string>, body: string, timeoutMs: number, excerptLimit: number): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const target = new URL(url);
    let done = false;
    const finish = (error: unknown, answer?: Answer) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      if (answer) resolve(answer);
      else reject(error);
    };
    const request = (target.protocol === 'https:' ? https : http).request(
      target,
      { method: 'POST', agent: agents[target.protocol as 'http:' | 'https:'], headers: { ...headers, 'content-length': String(Buffer.byteLength(body)) } },
      (res) => {
        const chunks: Buffer[] = [];
        let total = 0;
        const answer = () => ({ status: res.statusCode ?? 0, headers: res.headers, excerpt: Buffer.concat(chunks).toString('utf8').slice(0, excerptLimit) });
        res.on('data', (chunk: Buffer) => {
          if (total < excerptLimit) chunks.push(chunk);
          total += chunk.length;
          if (total > 65_536) {
            // Enough: answer with what we have and drop the connection.
            finish(null, answer());
            request.destroy();
          }
        });
        res.on('end', () => finish(null, answer()));
        res.on('error', (error) => finish(error));
      },
    );
    const timer = setTimeout(() => {
      finish(new AttemptTimeout());
      request.destroy();
    }, timeoutMs);
    request.on('error', (error) => finish(error));
    request.end(body);
  });
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
  readonly #pollMs: number;
  readonly #pump: Pump;
  readonly #keys = new Map<string, { enc: string; key: KeyObject }>();
  readonly #inFlight = new Set<Promise<void>>();
  /** Attempts in flight per subscription: one slow receiver may not take every slot. */
  readonly #perSubscription = new Map<string, number>();
  readonly #leaseMs: number;
  #lastClaim = 0;
  /** Successful attempts waiting to be written in one statement. */
  #successes: Array<{ seq: string; code: number; ms: number }> = [];
  #flushing: Promise<void> | undefined;
  #flushTimer: NodeJS.Timeout | undefined;

  constructor(platform: Platform, settings: WebhookSettings, pollMs: number) {
    this.#platform = platform;
    this.#settings = settings;
    this.#pollMs = pollMs;
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
    await this.#flush();
  }

  get #perSubscriptionCap(): number {
    return Math.max(1, Math.ceil(this.#settings.concurrency / 2));
  }

  async #step(): Promise<boolean> {
    const free = this.#settings.concurrency - this.#inFlight.size;
    if (free <= 0) return false;
    // Claim in batches: after a few attempts finished, or when the poll interval has passed.
    if (this.#inFlight.size > 0 && free < Math.ceil(this.#settings.concurrency / 4) && Date.now() - this.#lastClaim < this.#pollMs) return false;
    this.#lastClaim = Date.now();
    const saturated = [...this.#perSubscription].filter(([, n]) => n >= this.#perSubscriptionCap).map(([id]) => id);
    const rows = await this.claim(free, saturated);
    for (const row of rows) {
      this.#perSubscription.set(row.subscription_id, (this.#perSubscription.get(row.subscription_id) ?? 0) + 1);
      const p: Promise<void> = this.#attempt(row)
        .catch((error) => this.#platform.logger.error({ err: error, delivery: row.id }, 'recording a webhook attempt failed'))
        .finally(() => {
          this.#inFlight.delete(p);
          const n = (this.#perSubscription.get(row.subscription_id) ?? 1) - 1;
          if (n > 0) this.#perSubscription.set(row.subscription_id, n);
          else this.#perSubscription.delete(row.subscription_id);
          this.#pump.wake();
        });
      this.#inFlight.add(p);
    }
    // Full or not, wait: finished attempts and written results wake the loop.
    return false;
  }

  /** Writes the queued successes in one statement (a few ms after the first, or at 100). */
  #queueSuccess(entry: { seq: string; code: number; ms: number }): void {
    this.#successes.push(entry);
    if (this.#successes.length >= 100) void this.#flush();
    else this.#flushTimer ??= setTimeout(() => void this.#flush(), 5);
  }

  async #flush(): Promise<void> {
    clearTimeout(this.#flushTimer);
    this.#flushTimer = undefined;
    while (this.#flushing) await this.#flushing;
    const batch = this.#successes.splice(0);
    if (!batch.length) return;
    this.#flushing = (async () => {
      try {
        await sql`WITH r AS (SELECT * FROM jsonb_to_recordset(${JSON.stringify(batch)}::jsonb) AS r(seq bigint, code int, ms int)),
          d AS (
            UPDATE webhook_delivery d SET status = 'succeeded', response_code = r.code, duration_ms = r.ms, error = NULL, completed_at = now()
            FROM r WHERE d.seq = ANY(${batch.map((b) => b.seq)}::bigint[]) AND d.seq = r.seq AND d.status <> 'succeeded' RETURNING d.subscription_id)
          UPDATE webhook_subscription s SET failing_since = NULL, consecutive_dead_letters = 0
          FROM (SELECT DISTINCT subscription_id FROM d) x WHERE s.id = x.subscription_id AND (s.failing_since IS NOT NULL OR s.consecutive_dead_letters > 0)`.execute(this.#platform.db);
      } catch (error) {
        // Left 'delivering': sent again once the lease ends (at-least-once, same webhook-id).
        this.#platform.logger.error({ err: error, deliveries: batch.length }, 'recording webhook successes failed');
      }
    })();
    try {
      await this.#flushing;
    } finally {
      this.#flushing = undefined;
      // Recorded successes may unblock the next delivery of the same record.
      this.#pump.wake();
    }
  }

  /** Claims up to `limit` due deliveries whose predecessors (same subscription and record) are finished. */
  async claim(limit: number, skipSubscriptions: string[] = []): Promise<ClaimedRow[]> {
    const r = await sql<ClaimedRow>`WITH due AS (
        SELECT d.seq FROM webhook_delivery d
        JOIN webhook_subscription s ON s.id = d.subscription_id AND s.active
        WHERE d.status IN ('pending', 'delivering', 'retrying') AND d.next_attempt_at <= now()
          ${skipSubscriptions.length ? sql`AND d.subscription_id <> ALL(${skipSubscriptions}::uuid[])` : sql``}
          AND NOT EXISTS (SELECT 1 FROM webhook_delivery p WHERE p.subscription_id = d.subscription_id AND p.record_id = d.record_id
            AND p.seq < d.seq AND p.status IN ('pending', 'delivering', 'retrying'))
        ORDER BY d.next_attempt_at, d.seq
        LIMIT ${limit}
        FOR UPDATE OF d SKIP LOCKED
      ), claimed AS (
        UPDATE webhook_delivery d SET status = 'delivering', attempts = d.attempts + 1, last_attempt_at = now(),
          next_attempt_at = now() + ${this.#leaseMs} * interval '1 millisecond'
        WHERE d.seq = ANY(ARRAY(SELECT seq FROM due))
        RETURNING d.seq, d.id, d.subscription_id, d.event_id, d.attempts
      )
      SELECT c.seq, c.id, c.subscription_id, c.event_id, c.attempts, s.url, s.secret_enc, e.type, e.object, e.record_id, e.changes, e.actor, e.occurred_at
      FROM claimed c JOIN webhook_subscription s ON s.id = c.subscription_id LEFT JOIN outbox_event e ON e.id = c.event_id
      ORDER BY c.seq`.execute(this.#platform.db);
    return r.rows;
  }

  #key(row: ClaimedRow): KeyObject {
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
      const res = await post(row.url, headers, body, this.#settings.timeoutMs, 300);
      outcome.status = res.status;
      if (res.status < 200 || res.status >= 300) {
        const where = res.status >= 300 && res.status < 400 ? ` (redirect to ${String(res.headers.location ?? '?')} not followed)` : '';
        const excerpt = res.excerpt.replace(/\s+/g, ' ').trim();
        outcome.error = `HTTP ${res.status}${where}${excerpt ? `: ${excerpt}` : ''}`.slice(0, 500);
        const retryAfter = res.headers['retry-after'];
        if (RETRY_AFTER_STATUSES.has(res.status)) outcome.retryAfterMs = parseRetryAfter(Array.isArray(retryAfter) ? retryAfter[0] : retryAfter, this.#settings.retryAfterMaxMs);
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
      this.#queueSuccess({ seq: row.seq, code: o.status, ms: o.durationMs });
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
      await pingNotificationStreams(trx); // delivered at commit, like the row

    }
    return true;
  });
}
