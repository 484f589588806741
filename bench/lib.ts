/**
 * Shared parts of the benchmark scripts: the load loop, statistics, an HTTP load generator in a
 * worker thread, CPU accounting of the PostgreSQL backends, and the round-robin measurement plan
 * that prints the ratio table. Not a test; see bench/README.md.
 */
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import { performance } from 'node:perf_hooks';
import { Worker, isMainThread, parentPort, workerData } from 'node:worker_threads';
import pg from 'pg';

export interface LoadResult {
  ops: number;
  seconds: number;
  errors: number;
  firstError?: string;
  latencies: Float64Array;
  threadCpuUs: number;
}

/** `concurrency` loops call op() back to back for warmup + seconds; operations completing after the warm-up count. */
export async function runLoad(concurrency: number, warmup: number, seconds: number, op: (worker: number, n: number) => Promise<void>, onStart?: () => void): Promise<LoadResult> {
  onStart?.();
  const start = performance.now();
  const measureFrom = start + warmup * 1000;
  const end = measureFrom + seconds * 1000;
  const lat: number[] = [];
  const threadCpu = () => {
    const u = process.threadCpuUsage();
    return u.user + u.system;
  };
  let cpuAtStart = threadCpu();
  let lastT1 = end;
  const timer = setTimeout(() => (cpuAtStart = threadCpu()), warmup * 1000);
  let errors = 0;
  let firstError: string | undefined;
  const loop = async (w: number) => {
    let n = 0;
    for (;;) {
      const t0 = performance.now();
      if (t0 >= end) return;
      try {
        await op(w, n++);
      } catch (error) {
        errors++;
        firstError ??= error instanceof Error ? error.message : String(error);
        if (errors > 100) throw new Error(`Too many errors; first: ${firstError}`);
        continue;
      }
      const t1 = performance.now();
      // Slow operations would never fit the window: every one completing after the warm-up counts.
      if (t1 >= measureFrom) {
        lat.push(t1 - t0);
        lastT1 = Math.max(lastT1, t1);
      }
    }
  };
  await Promise.all(Array.from({ length: concurrency }, (_, w) => loop(w)));
  clearTimeout(timer);
  return { ops: lat.length, seconds: (lastT1 - measureFrom) / 1000, errors, firstError, latencies: Float64Array.from(lat), threadCpuUs: threadCpu() - cpuAtStart };
}

export interface Stats {
  cpuUsPerOp: number;
  opsPerSec: number;
  p50: number;
  p95: number;
  p99: number;
  n: number;
  errors: number;
}

export function stats(r: LoadResult, cpuUs = NaN): Stats {
  const s = Float64Array.from(r.latencies).sort();
  const pct = (p: number) => (s.length ? s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)]! : NaN);
  return { cpuUsPerOp: cpuUs / r.ops, opsPerSec: r.ops / r.seconds, p50: pct(50), p95: pct(95), p99: pct(99), n: r.ops, errors: r.errors };
}

export const fmt = (n: number, d = 2) => (Number.isFinite(n) ? n.toFixed(d) : '-');
/** A SQL string literal, for generated data scripts only (never for input). */
export const lit = (s: string) => `'${s.replace(/'/g, "''")}'`;

export function assertLocal(url: string): void {
  const host = new URL(url).hostname;
  if (!['127.0.0.1', 'localhost', '::1', '[::1]'].includes(host)) throw new Error(`The benchmark only runs against a local PostgreSQL (got host ${host})`);
}

// ---------------------------------------------------------------------------------------------
// HTTP load generator in a worker thread (GET of fixed paths), so the client's JavaScript stays
// off the server's event loop. The worker is this file, started with workerData.benchHttp.
// ---------------------------------------------------------------------------------------------

export interface HttpJob {
  port: number;
  token: string;
  /** Sent instead of the bearer token when given (a portal session cookie). */
  headers?: Record<string, string>;
  paths: string[];
  concurrency: number;
  warmup: number;
  seconds: number;
}

function httpGet(agent: http.Agent, port: number, path: string, token: string, headers?: Record<string, string>): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port, method: 'GET', path, agent, headers: headers ?? { authorization: `Bearer ${token}` } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end();
  });
}

export function runHttpInWorker(job: HttpJob, onStart?: () => void): Promise<LoadResult> {
  return new Promise((resolve, reject) => {
    const worker = new Worker(new URL(import.meta.url), { workerData: { benchHttp: job } });
    worker.on('message', (m: { type: 'start' } | { type: 'done'; result: LoadResult }) => {
      if (m.type === 'start') onStart?.();
      else resolve(m.result);
    });
    worker.once('error', reject);
    worker.once('exit', (code) => {
      if (code !== 0) reject(new Error(`HTTP worker exited with ${code}`));
    });
  });
}

if (!isMainThread && (workerData as { benchHttp?: HttpJob } | undefined)?.benchHttp) {
  const job = (workerData as { benchHttp: HttpJob }).benchHttp;
  const agent = new http.Agent({ keepAlive: true, maxSockets: job.concurrency });
  let k = 0;
  const result = await runLoad(job.concurrency, job.warmup, job.seconds, async () => {
    const res = await httpGet(agent, job.port, job.paths[k++ % job.paths.length]!, job.token, job.headers);
    if (res.status !== 200) throw new Error(`HTTP ${res.status}: ${res.text.slice(0, 300)}`);
  }, () => parentPort!.postMessage({ type: 'start' }));
  agent.destroy();
  parentPort!.postMessage({ type: 'done', result }, [result.latencies.buffer as ArrayBuffer]);
}

// ---------------------------------------------------------------------------------------------
// CPU accounting and the measurement plan
// ---------------------------------------------------------------------------------------------

/** CPU time (µs) of each PostgreSQL backend connected to the database, read from /proc. */
export async function backendCpu(admin: pg.Client, dbName: string): Promise<Map<number, number>> {
  const pids = (await admin.query<{ pid: number }>('SELECT pid FROM pg_stat_activity WHERE datname = $1', [dbName])).rows.map((x) => x.pid);
  const out = new Map<number, number>();
  for (const pid of pids) {
    const us = processCpu(pid);
    if (us !== null) out.set(pid, us);
  }
  return out;
}

/** CPU time (µs) of a process (user + system), or null once it is gone. */
export function processCpu(pid: number): number | null {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return ((Number(f[11]) + Number(f[12])) * 1e6) / 100;
  } catch {
    return null;
  }
}

/**
 * CPU seconds spent by this process and by the bench database's backends while `fn` runs: unlike
 * the wall time, hardly moved by other work on a shared machine (the figure to compare under load).
 * A backend that exits during the run (the CSV export's COPY runs on a connection of its own) is
 * caught by sampling: its pid is picked up from pg_stat_activity every 100 ms and its CPU read
 * from /proc every 20 ms, so at most its last 20 ms go uncounted.
 */
export async function measureCpu<T>(bench: Pick<BenchDatabase, 'admin' | 'dbName'>, fn: () => Promise<T>): Promise<{ result: T; nodeCpu: number; pgCpu: number }> {
  const pgBefore = await backendCpu(bench.admin, bench.dbName);
  const seen = new Map(pgBefore);
  const nodeBefore = process.cpuUsage();
  let ticks = 0;
  let discovering: Promise<void> | null = null;
  const timer = setInterval(() => {
    if (ticks++ % 5 === 0 && !discovering) {
      discovering = backendCpu(bench.admin, bench.dbName).then((now) => {
        for (const [pid, us] of now) seen.set(pid, Math.max(us, seen.get(pid) ?? 0));
      }).catch(() => {}).finally(() => (discovering = null));
    }
    for (const pid of seen.keys()) {
      const us = processCpu(pid);
      if (us !== null) seen.set(pid, Math.max(us, seen.get(pid)!));
    }
  }, 20);
  let result: T;
  try {
    result = await fn();
  } finally {
    clearInterval(timer);
    await discovering;
  }
  const node = process.cpuUsage(nodeBefore);
  const pgAfter = await backendCpu(bench.admin, bench.dbName);
  for (const [pid, us] of pgAfter) seen.set(pid, Math.max(us, seen.get(pid) ?? 0));
  let pgUs = 0;
  for (const [pid, us] of seen) pgUs += us - (pgBefore.get(pid) ?? 0);
  return { result, nodeCpu: (node.user + node.system) / 1e6, pgCpu: pgUs / 1e6 };
}

export type Runner = (onStart: () => void) => Promise<LoadResult>;
export interface Measured {
  op: string;
  side: string;
  stats: Stats;
  minOps: number;
  maxOps: number;
}

/**
 * Runs each operation's sides in `rounds` rounds, each round starting from a different side so
 * background load falls on every side alike. CPU per operation counts this process (less the
 * HTTP client thread) plus the database backends.
 */
export async function measurePlan(args: { plan: Array<[string, Array<[string, Runner]>]>; rounds: number; warmup: number; admin: pg.Client; dbName: string }): Promise<Measured[]> {
  const results: Measured[] = [];
  const procCpu = () => {
    const u = process.cpuUsage();
    return u.user + u.system;
  };
  const sample = async () => ({ pg: await backendCpu(args.admin, args.dbName), proc: procCpu() });
  for (const [op, sides] of args.plan) {
    const acc = new Map<string, { results: LoadResult[]; cpuUs: number }>(sides.map(([side]) => [side, { results: [], cpuUs: 0 }]));
    for (let round = 0; round < args.rounds; round++) {
      for (let k = 0; k < sides.length; k++) {
        const [side, run] = sides[(k + round) % sides.length]!;
        process.stdout.write(`round ${round + 1}/${args.rounds} ${op.padEnd(16)} ${side.padEnd(8)} … `);
        let first: Promise<Awaited<ReturnType<typeof sample>>> | undefined;
        const res = await run(() => {
          first = new Promise((resolve, reject) => setTimeout(() => sample().then(resolve, reject), args.warmup * 1000));
        });
        const after = await sample();
        const before = await first!;
        let pgUs = 0;
        for (const [pid, us] of after.pg) pgUs += us - (before.pg.get(pid) ?? 0);
        const clientUs = side === 'http' ? res.threadCpuUs : 0;
        const cpuUs = after.proc - before.proc - clientUs + pgUs;
        acc.get(side)!.results.push(res);
        acc.get(side)!.cpuUs += cpuUs;
        const s1 = stats(res, cpuUs);
        console.log(`${fmt(s1.opsPerSec, 1)} ops/s (${s1.n}), p50 ${fmt(s1.p50)} ms, p95 ${fmt(s1.p95)} ms, ${fmt(s1.cpuUsPerOp / 1000, 2)} ms CPU/op${s1.errors ? `, ${s1.errors} errors (${res.firstError})` : ''}  [load ${os.loadavg()[0]!.toFixed(1)}]`);
      }
    }
    for (const [side] of sides) {
      const rs = acc.get(side)!.results;
      const merged: LoadResult = { ops: rs.reduce((a, x) => a + x.ops, 0), seconds: rs.reduce((a, x) => a + x.seconds, 0), errors: rs.reduce((a, x) => a + x.errors, 0), latencies: Float64Array.from(rs.flatMap((x) => Array.from(x.latencies))), threadCpuUs: 0 };
      const perRound = rs.map((x) => x.ops / x.seconds);
      results.push({ op, side, stats: stats(merged, acc.get(side)!.cpuUs), minOps: Math.min(...perRound), maxOps: Math.max(...perRound) });
    }
  }
  return results;
}

/** The Markdown table of a plan's results, each side against the `raw` side of its operation. */
export function resultTable(results: Measured[]): string {
  const row = (cells: string[]) => `| ${cells.join(' | ')} |`;
  const lines = [row(['operation', 'side', 'ops/s', 'per round', 'p50 ms', 'p95 ms', 'raw ops/s ÷ this', 'CPU ms/op', 'this CPU ÷ raw CPU']), row(['---', '---', '---:', '---:', '---:', '---:', '---:', '---:', '---:'])];
  for (const x of results) {
    const base = results.find((y) => y.op === x.op && y.side === 'raw')?.stats;
    lines.push(row([x.op, x.side, fmt(x.stats.opsPerSec, 1), `${fmt(x.minOps, 1)}–${fmt(x.maxOps, 1)}`, fmt(x.stats.p50), fmt(x.stats.p95),
      base ? `${fmt(base.opsPerSec / x.stats.opsPerSec, 2)}×` : '-', fmt(x.stats.cpuUsPerOp / 1000, 2), base ? `${fmt(x.stats.cpuUsPerOp / base.cpuUsPerOp, 2)}×` : '-']));
  }
  return lines.join('\n');
}

/** Machine, Node and PostgreSQL facts printed at the top of every run. */
export async function describeMachine(admin: pg.Client): Promise<string[]> {
  const serverVersion = (await admin.query<{ server_version: string }>('SHOW server_version')).rows[0]!.server_version;
  const settings = (await admin.query<{ name: string; setting: string; unit: string | null }>(
    `SELECT name, setting, unit FROM pg_settings WHERE name IN ('shared_buffers','synchronous_commit','fsync','work_mem','max_parallel_workers_per_gather')`,
  )).rows;
  return [
    `machine: ${os.availableParallelism()} CPUs (${os.cpus()[0]?.model ?? '?'}), ${(os.totalmem() / 2 ** 30).toFixed(1)} GiB RAM, ${os.type()} ${os.release()}`,
    `node ${process.version}; PostgreSQL ${serverVersion} (${settings.map((s) => `${s.name}=${s.setting}${s.unit ?? ''}`).join(', ')})`,
    `load average at the start: ${os.loadavg().map((x) => x.toFixed(2)).join(' ')}`,
  ];
}

/** The statements the pg driver sends while fn runs (nothing else may run meanwhile). */
export async function captureQueries(fn: () => Promise<void>): Promise<Array<{ text: string; values: unknown[] }>> {
  const captured: Array<{ text: string; values: unknown[] }> = [];
  const proto = pg.Client.prototype as unknown as { query: (...a: unknown[]) => unknown };
  const originalQuery = proto.query;
  proto.query = function (this: unknown, ...a: unknown[]) {
    const q = a[0] as { text?: string; values?: unknown[] } | string;
    if (typeof q === 'string') captured.push({ text: q, values: (a[1] as unknown[]) ?? [] });
    else if (q && typeof q.text === 'string') captured.push({ text: q.text, values: q.values ?? (a[1] as unknown[]) ?? [] });
    return originalQuery.apply(this, a);
  };
  try {
    await fn();
  } finally {
    proto.query = originalQuery;
  }
  return captured;
}

export interface BenchDatabase {
  /** A connection to the server's maintenance database, for CPU sampling and the final drop. */
  admin: pg.Client;
  dbName: string;
  databaseUrl: string;
  /** Machine, Node and PostgreSQL facts to print first. */
  facts: string[];
  /** Drops the database (unless keep) and closes the admin connection. */
  finish(keep: boolean): Promise<void>;
}

/**
 * A throwaway database on the local PostgreSQL (BENCH_PG_URL, default 127.0.0.1:5432; other hosts
 * are refused), with the environment a benchmark wants: silent logs, rate limits out of the way.
 */
export async function createBenchDatabase(prefix: string, existing?: string): Promise<BenchDatabase> {
  const adminUrl = process.env.BENCH_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
  assertLocal(adminUrl);
  process.env.LOG_LEVEL = 'silent';
  process.env.MERIDIAN_RATE_LIMIT_TOKEN ??= '1000000000';
  process.env.MERIDIAN_RATE_LIMIT_IP ??= '1000000000';
  if (existing && !existing.startsWith(`meridian_bench_${prefix}_`)) throw new Error(`--database takes a database this script kept (meridian_bench_${prefix}_…)`);
  const dbName = existing ?? `meridian_bench_${prefix}_${Date.now().toString(36)}_${randomBytes(3).toString('hex')}`;
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  const facts = await describeMachine(admin);
  if (!existing) await admin.query(`CREATE DATABASE "${dbName}"`);
  // BENCH_LOG_STATEMENTS=1: every statement of the bench database in the server's log, with its
  // parse, bind and execute times (where a run's database time goes; pg_stat_statements needs a restart).
  if (process.env.BENCH_LOG_STATEMENTS) await admin.query(`ALTER DATABASE "${dbName}" SET log_min_duration_statement = 0`);
  const target = new URL(adminUrl);
  target.pathname = `/${dbName}`;
  return {
    admin,
    dbName,
    databaseUrl: target.toString(),
    facts,
    async finish(keep) {
      if (keep) console.log(`kept database ${dbName}`);
      else await admin.query(`DROP DATABASE IF EXISTS "${dbName}" WITH (FORCE)`).catch((e: Error) => console.error(`could not drop ${dbName}: ${e.message}`));
      await admin.end();
    },
  };
}

/** The checks a benchmark prints as it goes ("check: what: ok|FAILED (detail)"); `failed()` says whether any failed. */
export function benchChecks(): { check: (what: string, okay: boolean, detail: string) => void; failed: () => boolean } {
  let failed = false;
  return {
    check(what, okay, detail) {
      console.log(`  check: ${what}: ${okay ? 'ok' : 'FAILED'} (${detail})`);
      if (!okay) failed = true;
    },
    failed: () => failed,
  };
}

/**
 * The platform booted on a benchmark's database as the server boots it (every module, silent
 * logs), with a plain pg client for the benchmark's own SQL and the table of an object by name.
 * `close()` ends both.
 */
export async function bootBenchPlatform(databaseUrl: string) {
  const { loadConfig } = await import('../packages/server/src/platform/config.ts');
  const { bootPlatform, createLogger } = await import('../packages/server/src/platform/boot.ts');
  const { modules } = await import('../packages/server/src/modules/index.ts');
  const { openDatabase } = await import('../packages/server/src/platform/db/connection.ts');
  const database = await openDatabase({ databaseUrl, poolSize: 10 });
  try {
    const config = { ...loadConfig({}), databaseUrl, logLevel: 'silent', publicUrl: 'http://127.0.0.1' };
    const platform = await bootPlatform({ config, modules, database, logger: createLogger('silent') });
    const db = new pg.Client({ connectionString: databaseUrl });
    db.on('error', () => {});
    await db.connect();
    return {
      platform,
      db,
      table: (name: string) => platform.registry.requireObject(name).table,
      async close() {
        await db.end().catch(() => {});
        await database.close().catch(() => {});
      },
    };
  } catch (error) {
    await database.close().catch(() => {});
    throw error;
  }
}

/**
 * A benchmark's command line: `--name N` for each key of `defaults` that holds a number (a
 * positive integer, or 0 for the keys in `zeroAllowed`; camelCase keys are spelled with dashes) and
 * `--keep`, and `--database NAME` (a database an earlier run of the same script kept: its data is
 * reused, and kept again); anything else is an error naming `usage`.
 */
export function parseBenchArgs<O extends Record<string, number>>(argv: string[], defaults: O, usage: string, zeroAllowed: Array<keyof O> = []): O & { keep: boolean; database?: string } {
  const o: Record<string, number | boolean | string> = { ...defaults, keep: false };
  const byFlag = new Map(Object.keys(defaults).map((k) => [`--${k.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`, k]));
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--keep') {
      o.keep = true;
      continue;
    }
    if (a === '--database') {
      const name = argv[++i] ?? '';
      if (!/^meridian_bench_[a-z0-9_]+$/.test(name)) throw new Error('--database takes a database kept by a benchmark (meridian_bench_…)');
      o.database = name;
      o.keep = true;
      continue;
    }
    const key = byFlag.get(a);
    if (!key) throw new Error(`Unknown argument ${a}; usage: ${usage}`);
    const v = Number(argv[++i]);
    const least = zeroAllowed.includes(key) ? 0 : 1;
    if (!Number.isInteger(v) || v < least) throw new Error(`${a} needs ${least ? 'a positive' : 'a whole, non-negative'} integer`);
    o[key] = v;
  }
  return o as O & { keep: boolean; database?: string };
}
