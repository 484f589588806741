import { sql } from 'kysely';
import type { Platform } from '../kernel.ts';

/**
 * The request gate: the one database round trip every API request makes before it may use the
 * process's authentication cache. It reads the shared authentication version (auth/migrations.ts)
 * and adds the request's rate-limit hits to the shared counters (events/security.ts), so a
 * revocation, deactivation or a limit reached in another process counts at once.
 *
 * Requests that arrive while a round trip is in flight wait for the next one and share it; each
 * request's answer therefore comes from a read that started after the request arrived (never an
 * earlier one), while under load one statement serves many requests.
 */
export interface GatePass {
  /** Rate-limit keys to count one hit each, in the window of `windowMs`. */
  hits?: string[];
  windowMs?: number;
}

export interface GateResult {
  /** The authentication version, read after the request arrived. */
  version: number;
  /** The shared metadata version, read in the same statement. */
  metadataVersion: number;
  /** Hits of each key in its current window, this request's included (same order as `hits`). */
  counts: number[];
  /** Milliseconds until the current window ends (when hits were counted). */
  resetMs: number;
}

interface Waiter {
  pass: GatePass;
  resolve: (r: GateResult) => void;
  reject: (e: unknown) => void;
}

export class RequestGate {
  readonly #platform: Platform;
  #waiting: Waiter[] = [];
  #inFlight = false;
  #lastCleanup = 0;
  #reloading: Promise<void> | undefined;
  /** The last authentication version read (the caches compare their entries' stamps with it). */
  version = -1;
  /** The last shared metadata version read (metadata/registry.ts). */
  metadataVersion = -1;

  constructor(platform: Platform) {
    this.#platform = platform;
  }

  pass(pass: GatePass = {}): Promise<GateResult> {
    return new Promise<GateResult>((resolve, reject) => {
      this.#waiting.push({ pass, resolve, reject });
      if (!this.#inFlight) void this.#flush();
    });
  }

  async #flush(): Promise<void> {
    this.#inFlight = true;
    while (this.#waiting.length) {
      const batch = this.#waiting;
      this.#waiting = [];
      try {
        const results = await this.#run(batch.map((w) => w.pass));
        batch.forEach((w, i) => w.resolve(results[i]!));
      } catch (error) {
        for (const w of batch) w.reject(error);
      }
    }
    this.#inFlight = false;
  }

  async #run(passes: GatePass[]): Promise<GateResult[]> {
    // One window length per batch in practice (the security settings); group by it anyway.
    const byWindow = new Map<number, string[]>();
    for (const p of passes) for (const key of p.hits ?? []) {
      const list = byWindow.get(p.windowMs ?? 60_000) ?? [];
      list.push(key);
      byWindow.set(p.windowMs ?? 60_000, list);
    }
    const db = this.#platform.db;
    if (!byWindow.size) {
      const r = await sql<{ version: string; metadata_version: string | null }>`SELECT version, ${METADATA_VERSION} AS metadata_version FROM auth_cache_version`.execute(db);
      this.#observe(r.rows[0]!);
      return passes.map(() => ({ version: this.version, metadataVersion: this.metadataVersion, counts: [], resetMs: 0 }));
    }
    const totals = new Map<string, { total: number; resetMs: number }>();
    for (const [windowMs, keys] of byWindow) {
      const unique = [...new Set(keys)].sort();
      const n = unique.map((k) => keys.filter((x) => x === k).length);
      // A key's window starts with its first hit (as a per-process limiter's would) and a hit
      // after the window's end starts the next. Keys sorted: two processes upserting the same
      // keys lock them in the same order. The key carries the window length.
      const r = await sql<{ key: string; hits: number; reset_ms: number; version: string; metadata_version: string | null }>`
        WITH now AS (SELECT (extract(epoch FROM clock_timestamp()) * 1000)::bigint AS ms),
        up AS (
          INSERT INTO rate_limit_counter (key, hits, window_end)
          SELECT ${`${windowMs}:`} || k.key, k.n, now.ms + ${windowMs} FROM unnest(${unique}::text[], ${n}::int[]) AS k(key, n), now ORDER BY k.key
          ON CONFLICT (key) DO UPDATE SET
            hits = CASE WHEN rate_limit_counter.window_end <= EXCLUDED.window_end - ${windowMs} THEN EXCLUDED.hits ELSE rate_limit_counter.hits + EXCLUDED.hits END,
            window_end = CASE WHEN rate_limit_counter.window_end <= EXCLUDED.window_end - ${windowMs} THEN EXCLUDED.window_end ELSE rate_limit_counter.window_end END
          RETURNING key, hits, window_end
        )
        SELECT substr(up.key, ${String(windowMs).length + 2}) AS key, up.hits, up.window_end - now.ms AS reset_ms, v.version, ${METADATA_VERSION} AS metadata_version
        FROM up, now, auth_cache_version v`.execute(db);
      for (const row of r.rows) {
        this.#observe(row);
        totals.set(`${windowMs} ${row.key}`, { total: row.hits, resetMs: Math.max(0, Number(row.reset_ms)) });
      }
      void this.#cleanup(windowMs);
    }
    // Hand out the batch's hits in arrival order: the last request of a key sees the total.
    const seen = new Map<string, number>();
    for (const p of passes) for (const key of p.hits ?? []) {
      const k = `${p.windowMs ?? 60_000} ${key}`;
      seen.set(k, (seen.get(k) ?? 0) + 1);
    }
    const given = new Map<string, number>();
    return passes.map((p) => {
      let resetMs = 0;
      const counts = (p.hits ?? []).map((key) => {
        const k = `${p.windowMs ?? 60_000} ${key}`;
        const t = totals.get(k)!;
        const i = (given.get(k) ?? 0) + 1;
        given.set(k, i);
        resetMs = t.resetMs;
        return t.total - seen.get(k)! + i;
      });
      return { version: this.version, metadataVersion: this.metadataVersion, counts, resetMs };
    });
  }

  #observe(row: { version: string; metadata_version: string | null }): void {
    this.version = Number(row.version);
    this.metadataVersion = Number(row.metadata_version ?? 0);
  }

  /**
   * Brings this process's metadata (and with it the access model) to the version the gate read,
   * so an admin's change made in another process holds for this request. One reload at a time.
   */
  async syncRegistry(metadataVersion: number): Promise<void> {
    const registry = this.#platform.registry;
    while (registry.version < metadataVersion) {
      this.#reloading ??= registry.reload().finally(() => (this.#reloading = undefined));
      await this.#reloading;
    }
  }

  /** Drops counters whose window has ended, at most once a minute per process. */
  async #cleanup(windowMs: number): Promise<void> {
    const now = Date.now();
    if (now - this.#lastCleanup < Math.min(windowMs, 60_000)) return;
    this.#lastCleanup = now;
    try {
      await sql`DELETE FROM rate_limit_counter WHERE window_end < (extract(epoch FROM clock_timestamp()) * 1000)::bigint`.execute(this.#platform.db);
    } catch (error) {
      this.#platform.logger.warn({ err: error }, 'could not remove old rate-limit counters');
    }
  }
}

const METADATA_VERSION = sql`(SELECT value FROM system_setting WHERE key = 'metadata_version')`;

const gates = new WeakMap<Platform, RequestGate>();

export function requestGate(platform: Platform): RequestGate {
  let gate = gates.get(platform);
  if (!gate) gates.set(platform, (gate = new RequestGate(platform)));
  return gate;
}
