import type { ServerResponse } from 'node:http';
import { sql } from 'kysely';
import type { Platform } from '../kernel.ts';
import { listen } from '../events/index.ts';
import { NOTIFICATION_COLUMNS, unreadCount, type Notification } from './inbox.ts';

import { NOTIFICATION_CHANNEL } from './store.ts';

export interface HubOptions {
  pollMs?: number;
  heartbeatMs?: number;
  /** Rows are re-read this far behind the newest one seen, so one committed a little late is not skipped. */
  lookbackMs?: number;
  /** Rows read per poll at most; the rest follow on the next polls. */
  pageSize?: number;
}

/**
 * Live notifications for the server-sent-event streams of one process. Notifications are written
 * by jobs (reminders, webhook deliveries), often in another process (`meridian worker`), so in-process events would
 * miss them: one poller per process reads the rows created after its high-water mark (index on
 * created_at) for the users connected here, every couple of seconds, and fans them out. It runs
 * only while at least one stream is open; stop() ends every stream and timer on app close.
 * LISTEN on NOTIFICATION_CHANNEL wakes it early (PostgreSQL: a dedicated connection, held only
 * while streams are open): that only cuts latency, the polls alone are what make delivery correct.
 */
export class NotificationHub {
  readonly #platform: Platform;
  readonly #pollMs: number;
  readonly #heartbeatMs: number;
  readonly #lookbackMs: number;
  readonly #pageSize: number;
  readonly #streams = new Map<string, Set<ServerResponse>>();
  /** Ids already delivered inside the lookback window, with their creation time. */
  readonly #seen = new Map<string, number>();
  #mark: number | undefined;
  #poll: NodeJS.Timeout | undefined;
  #heartbeat: NodeJS.Timeout | undefined;
  #unlisten: (() => Promise<void>) | undefined;
  /** A poll is scheduled and has not started yet (so a wake-up may bring it forward). */
  #waiting = false;
  #again = false;
  #stopped = false;

  constructor(platform: Platform, options: HubOptions = {}) {
    this.#platform = platform;
    this.#pollMs = options.pollMs ?? 2000;
    this.#heartbeatMs = options.heartbeatMs ?? 25_000;
    this.#lookbackMs = options.lookbackMs ?? 5000;
    this.#pageSize = options.pageSize ?? 500;
  }

  get connections(): number {
    let n = 0;
    for (const set of this.#streams.values()) n += set.size;
    return n;
  }

  /** Registers an open stream and sends the user's unread count. */
  async connect(userId: string, res: ServerResponse): Promise<void> {
    if (this.#stopped) {
      res.end();
      return;
    }
    const first = this.#streams.size === 0;
    let set = this.#streams.get(userId);
    if (!set) this.#streams.set(userId, (set = new Set()));
    set.add(res);
    if (first) await this.#start();
    send(res, 'unread', { count: await unreadCount(this.#platform, userId) });
  }

  disconnect(userId: string, res: ServerResponse): void {
    const set = this.#streams.get(userId);
    set?.delete(res);
    if (set && !set.size) this.#streams.delete(userId);
    if (!this.#streams.size) void this.#idle();
  }

  /** After the user read notifications through this process: their streams get the new count. */
  async publishUnread(userId: string | null): Promise<void> {
    const set = userId ? this.#streams.get(userId) : undefined;
    if (!set?.size) return;
    const count = await unreadCount(this.#platform, userId!);
    for (const res of set) send(res, 'unread', { count });
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    for (const set of this.#streams.values()) for (const res of set) res.end();
    this.#streams.clear();
    await this.#idle();
  }

  async #start(): Promise<void> {
    if (this.#mark === undefined) {
      const r = await sql<{ now: Date }>`SELECT now() AS now`.execute(this.#platform.db);
      this.#mark = new Date(r.rows[0]!.now).getTime();
    }
    if (this.#stopped || !this.#streams.size) return;
    this.#schedule();
    if (!this.#unlisten) {
      const unlisten = await listen(this.#platform, { [NOTIFICATION_CHANNEL]: () => this.#wake() }).catch((error: unknown) => {
        this.#platform.logger.warn({ err: error }, 'notification LISTEN failed; polling only');
        return undefined;
      });
      // The last stream may have gone while LISTEN was being set up.
      if (this.#stopped || !this.#streams.size) await unlisten?.();
      else this.#unlisten = unlisten;
    }
    this.#heartbeat ??= setInterval(() => {
      for (const set of this.#streams.values()) for (const res of set) res.write(': heartbeat\n\n');
    }, this.#heartbeatMs);
    this.#heartbeat.unref();
  }

  async #idle(): Promise<void> {
    clearTimeout(this.#poll);
    clearInterval(this.#heartbeat);
    this.#poll = undefined;
    this.#heartbeat = undefined;
    this.#waiting = false;
    // Delivery restarts from "now" when the next stream opens: the unread count covers the gap.
    this.#mark = undefined;
    this.#seen.clear();
    const unlisten = this.#unlisten;
    this.#unlisten = undefined;
    await unlisten?.().catch(() => {});
  }

  /** A NOTIFY arrived: poll now instead of at the next tick (unless a poll is running). */
  #wake(): void {
    if (!this.#waiting) {
      // A poll is running: it may have read before the new row committed, so go again right after.
      this.#again = true;
      return;
    }
    clearTimeout(this.#poll);
    this.#poll = undefined;
    this.#schedule(0);
  }

  #schedule(delay = this.#pollMs): void {
    if (this.#poll || this.#stopped || !this.#streams.size) return;
    this.#waiting = true;
    this.#poll = setTimeout(() => {
      this.#waiting = false;
      this.#tick()
        .catch((error) => this.#platform.logger.warn({ err: error }, 'notification poll failed'))
        .finally(() => {
          this.#poll = undefined;
          const again = this.#again;
          this.#again = false;
          this.#schedule(again ? 0 : this.#pollMs);
        });
    }, delay);
    this.#poll.unref();
  }

  async #tick(): Promise<void> {
    const users = [...this.#streams.keys()];
    if (!users.length || this.#mark === undefined) return;
    const since = new Date(this.#mark - this.#lookbackMs);
    const r = await sql<Notification & { userId: string }>`SELECT ${NOTIFICATION_COLUMNS}, user_id AS "userId" FROM user_notification
      WHERE created_at > ${since} AND user_id = ANY(${users}::uuid[]) AND read_at IS NULL AND NOT (id = ANY(${[...this.#seen.keys()]}::uuid[]))
      ORDER BY created_at, id LIMIT ${this.#pageSize}`.execute(this.#platform.db);
    const touched = new Set<string>();
    for (const row of r.rows) {
      const at = new Date(row.createdAt).getTime();
      this.#mark = Math.max(this.#mark ?? at, at);
      // Rows already sent are excluded by the query, so a burst larger than a page cannot stall the window.
      this.#seen.set(row.id, at);
      const { userId, ...notification } = row;
      for (const res of this.#streams.get(userId) ?? []) send(res, 'notification', notification);
      touched.add(userId);
    }
    for (const [id, at] of this.#seen) if (at < this.#mark! - this.#lookbackMs) this.#seen.delete(id);
    for (const userId of touched) await this.publishUnread(userId);
  }
}

function send(res: ServerResponse, event: string, data: unknown): void {
  if (!res.writableEnded) res.write(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
}
