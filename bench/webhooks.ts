/**
 * Webhook benchmark: record writes → outbox → dispatcher → signed deliveries to a local receiver.
 *
 *   cd /work/main && npm exec -- node bench/webhooks.ts [--writes 10000] [--writers 16] [--subscriptions 1] [--concurrency 64] [--json out.json] [--keep]
 *
 * Creates a throwaway database on the local PostgreSQL server (BENCH_PG_URL, default
 * postgres://postgres@127.0.0.1:5432/postgres; other hosts are refused), boots the platform on it
 * and starts the event backbone in-process, as `meridian start` does. A receiver (node:http in a
 * worker thread, so it does not share the event loop with the sender) verifies nothing and answers
 * 204 at once; it notes for every request the time it arrived. `--subscriptions N` subscribes N
 * times (paths /hook/0…), so each write is N deliveries.
 *
 * Two phases, each with N record writes through the record service (createRecord, `--writers`
 * at a time; two thirds creates, one third updates of records made earlier in the phase):
 *   live     writes and deliveries at the same time: deliveries/s over the phase, and the delay
 *            from commit (outbox occurred_at) to receipt, p50/p90/p99/max;
 *   backlog  the backbone is stopped, N writes queue up, then it is started: the drain rate of a
 *            backlog (the fan-out and delivery throughput on their own).
 * Not a test: run it by hand. Figures go to docs/performance.md.
 */
import os from 'node:os';
import http from 'node:http';
import { randomBytes } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { Worker, isMainThread, parentPort } from 'node:worker_threads';
import type { AddressInfo } from 'node:net';

// ---------------------------------------------------------------------------------------------
// Receiver (worker thread)
// ---------------------------------------------------------------------------------------------

if (!isMainThread) {
  const seen = new Map<string, number>();
  let requests = 0;
  const delays: number[] = [];
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const at = Date.now();
      requests++;
      const id = `${req.url} ${String(req.headers['webhook-id'])}`;
      if (!seen.has(id)) {
        seen.set(id, at);
        const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { data: { occurredAt: string } };
        delays.push(at - Date.parse(body.data.occurredAt));
      }
      res.writeHead(204).end();
    });
  });
  server.keepAliveTimeout = 30_000;
  server.listen(0, '127.0.0.1', () => parentPort!.postMessage({ port: (server.address() as AddressInfo).port }));
  parentPort!.on('message', (m: { cmd: 'count' | 'take' }) => {
    if (m.cmd === 'count') parentPort!.postMessage({ unique: seen.size, requests });
    else {
      const times = [...seen.values()];
      parentPort!.postMessage({ unique: seen.size, requests, delays: delays.splice(0), first: Math.min(...times), last: Math.max(...times) });
      seen.clear();
      requests = 0;
    }
  });
} else {
  await main();
}

// ---------------------------------------------------------------------------------------------
// Main
// ---------------------------------------------------------------------------------------------

interface Options {
  writes: number;
  writers: number;
  subscriptions: number;
  concurrency: number;
  keep: boolean;
  json?: string;
}

function parseArgs(argv: string[]): Options {
  const o: Options = { writes: 10_000, writers: 16, subscriptions: 1, concurrency: 64, keep: false };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    const num = () => {
      const v = Number(argv[++i]);
      if (!Number.isInteger(v) || v < 1) throw new Error(`${a} needs a positive integer`);
      return v;
    };
    if (a === '--writes') o.writes = num();
    else if (a === '--writers') o.writers = num();
    else if (a === '--subscriptions') o.subscriptions = num();
    else if (a === '--concurrency') o.concurrency = num();
    else if (a === '--keep') o.keep = true;
    else if (a === '--json') o.json = argv[++i];
    else throw new Error(`unknown option ${a}`);
  }
  return o;
}

function percentile(sorted: number[], p: number): number {
  if (!sorted.length) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

async function main() {
  const options = parseArgs(process.argv.slice(2));
  const pg = (await import('pg')).default;
  const { loadConfig } = await import('../packages/server/src/platform/config.ts');
  const { bootPlatform, createLogger } = await import('../packages/server/src/platform/boot.ts');
  const { modules } = await import('../packages/server/src/modules/index.ts');
  const { openDatabase } = await import('../packages/server/src/platform/db/connection.ts');
  const { createUser } = await import('../packages/server/src/platform/auth/users.ts');
  const { createRecord, updateRecord } = await import('../packages/server/src/platform/records/write.ts');
  const { systemActor } = await import('../packages/server/src/platform/records/context.ts');
  const { startEventBackbone } = await import('../packages/server/src/platform/events/index.ts');
  const { loadEventSettings } = await import('../packages/server/src/platform/events/config.ts');
  const { createSubscription } = await import('../packages/server/src/platform/events/webhooks/commands/index.ts');

  const baseUrl = process.env.BENCH_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
  const host = new URL(baseUrl).hostname;
  if (!['127.0.0.1', 'localhost', '::1', ''].includes(host)) throw new Error(`BENCH_PG_URL must point at the local machine, not ${host}`);
  const name = `meridian_bench_wh_${Date.now().toString(36)}_${randomBytes(3).toString('hex')}`;
  const admin = new pg.Client({ connectionString: baseUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE "${name}"`);
  await admin.end();
  const url = new URL(baseUrl);
  url.pathname = `/${name}`;

  const receiver = new Worker(new URL(import.meta.url));
  const ask = <T>(cmd: 'count' | 'take') =>
    new Promise<T>((resolve) => {
      receiver.once('message', resolve);
      receiver.postMessage({ cmd });
    });
  const { port } = await new Promise<{ port: number }>((resolve) => receiver.once('message', resolve));

  const database = await openDatabase({ databaseUrl: url.toString(), poolSize: 20 });
  const query = async <R>(text: string) => (await database.pool!.query(text)).rows as R[];
  const results: Record<string, unknown> = {};
  try {
    const platform = await bootPlatform({ config: { ...loadConfig({}), databaseUrl: url.toString() }, modules, database, logger: createLogger('warn') });
    const user = await createUser({ platform, actor: systemActor('cli'), input: { email: 'bench@example.com', password: 'bench-password-1', profile: 'admin', lastName: 'Bench' } });
    const actor = { userId: user.id as string, isAdmin: true, via: 'api' as const, timeZone: 'UTC', locale: 'en-US' };
    for (let k = 0; k < options.subscriptions; k++) {
      await createSubscription({ platform, actor, input: { url: `http://127.0.0.1:${port}/hook/${k}`, events: ['contact.*'] } });
    }
    const expected = (writes: number) => writes * options.subscriptions;
    const settings = loadEventSettings();
    settings.webhooks.concurrency = options.concurrency;
    const contact = platform.registry.requireObject('contact');

    const writeAll = async (n: number) => {
      const ids: string[] = [];
      let next = 0;
      const started = performance.now();
      await Promise.all(
        [...Array(options.writers)].map(async () => {
          for (;;) {
            const i = next++;
            if (i >= n) return;
            if (i % 3 === 2 && ids.length) {
              const id = ids[Math.floor(Math.random() * ids.length)]!;
              await updateRecord({ ctx: { platform, actor }, object: contact, id, input: { title: `Title ${i}` } });
            } else {
              const r = await createRecord({ ctx: { platform, actor }, object: contact, input: { first_name: 'Bench', last_name: `Contact ${i}`, email: `c${i}@example.com` }, options: { allowDuplicate: true } });
              ids.push(r.id);
            }
          }
        }),
      );
      return (performance.now() - started) / 1000;
    };
    const waitForReceipts = async (n: number, timeoutMs = 600_000) => {
      const until = Date.now() + timeoutMs;
      for (;;) {
        const c = await ask<{ unique: number }>('count');
        if (c.unique >= n) return;
        if (Date.now() > until) throw new Error(`only ${c.unique} of ${n} deliveries arrived`);
        await new Promise((r) => setTimeout(r, 50));
      }
    };
    const summarise = (phase: string, r: { unique: number; requests: number; delays: number[]; first: number; last: number }, extra: Record<string, unknown>) => {
      const d = r.delays.sort((a, b) => a - b);
      const out = {
        deliveries: r.unique,
        requests: r.requests,
        deliveriesPerSecond: Math.round(r.unique / ((r.last - r.first) / 1000 || 1)),
        delayMs: { p50: percentile(d, 50), p90: percentile(d, 90), p99: percentile(d, 99), max: d[d.length - 1] },
        ...extra,
      };
      results[phase] = out;
      return out;
    };

    // Warm-up: connections, JIT, the receiver's sockets.
    let backbone = await startEventBackbone(platform, { settings });
    await writeAll(300);
    await waitForReceipts(expected(300));
    await ask('take');

    // Live.
    const wallStart = Date.now();
    const writeSeconds = await writeAll(options.writes);
    await waitForReceipts(expected(options.writes));
    const live = await ask<{ unique: number; requests: number; delays: number[]; first: number; last: number }>('take');
    const liveOut = summarise('live', { ...live, first: wallStart }, { writesPerSecond: Math.round(options.writes / writeSeconds) });

    // Backlog.
    await backbone.stop();
    await writeAll(options.writes);
    const queued = Number((await query<{ n: string }>('SELECT count(*) AS n FROM outbox_event WHERE dispatched_at IS NULL'))[0]!.n);
    const drainStart = Date.now();
    const cpuBefore = process.cpuUsage();
    backbone = await startEventBackbone(platform, { settings });
    await waitForReceipts(expected(options.writes));
    const cpu = process.cpuUsage(cpuBefore);
    const backlog = await ask<{ unique: number; requests: number; delays: number[]; first: number; last: number }>('take');
    // CPU of this process (sender and receiver thread; not PostgreSQL's) per delivery: a figure
    // that does not depend on how busy the rest of the machine is.
    const cpuMsPerDelivery = Number(((cpu.user + cpu.system) / 1000 / backlog.unique).toFixed(3));
    const backlogOut = summarise('backlog', { ...backlog, first: drainStart }, { queuedEvents: queued, cpuMsPerDelivery });
    await backbone.stop();

    const failed = await query<{ n: string }>("SELECT count(*) AS n FROM webhook_delivery WHERE status <> 'succeeded'");
    results.environment = {
      node: process.version,
      postgres: (await query<{ server_version: string }>('SHOW server_version'))[0]!.server_version,
      cpus: os.cpus().length,
      cpu: os.cpus()[0]?.model,
      loadavg: os.loadavg().map((l) => l.toFixed(1)).join(' '),
      writers: options.writers,
      subscriptions: options.subscriptions,
      concurrency: options.concurrency,
      notSucceeded: Number(failed[0]!.n),
    };
    console.log(`\nWebhooks: ${options.writes} writes per phase, ${options.writers} writers, ${options.subscriptions} subscription(s), delivery concurrency ${options.concurrency}`);
    console.log(`machine: ${results.environment ? JSON.stringify(results.environment) : ''}\n`);
    console.log('phase     deliveries/s   delay p50   p90      p99      max      (requests, writes/s)');
    for (const [phase, o] of [['live', liveOut], ['backlog', backlogOut]] as const) {
      console.log(
        `${phase.padEnd(9)} ${String(o.deliveriesPerSecond).padStart(12)}   ${`${o.delayMs.p50} ms`.padStart(9)} ${`${o.delayMs.p90} ms`.padStart(8)} ${`${o.delayMs.p99} ms`.padStart(8)} ${`${o.delayMs.max} ms`.padStart(8)}   (${o.requests}${'writesPerSecond' in o ? `, ${o.writesPerSecond}` : ''})`,
      );
    }
    console.log(`\nThe backlog drain used ${cpuMsPerDelivery} ms of CPU per delivery in this process (sender + receiver thread).`);
    console.log('In the backlog phase the delay is time spent queued while the backbone was stopped.');
    if (options.json) (await import('node:fs')).writeFileSync(options.json, JSON.stringify(results, null, 2));
  } finally {
    await database.close();
    await receiver.terminate();
    if (!options.keep) {
      const c = new pg.Client({ connectionString: baseUrl });
      await c.connect();
      await c.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
      await c.end();
    } else console.log(`kept database ${name}`);
  }
}
