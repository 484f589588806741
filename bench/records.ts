/**
 * Record-API benchmark: Meridian against hand-written SQL on the same PostgreSQL, in one run.
 *
 *   cd /work/main && npm exec -- node bench/records.ts [--contacts 1000000] [--seconds 10]
 *
 * Creates a throwaway database on the local PostgreSQL server (dropped at the end), boots the
 * platform on it, loads N contacts with COPY, then measures get-by-id, a filtered and sorted
 * list page and single creates three ways each, with the same concurrency:
 *   raw      hand-written SQL sent straight through `pg` (pool of the same size as Meridian's);
 *   http     the real Fastify app on 127.0.0.1 (client in a worker thread, keep-alive sockets);
 *   service  the record service called in-process (getRecord / listRecords / createRecord),
 *            which separates the HTTP layer (incl. token authentication) from the pipeline.
 * Not a test: run it by hand. See bench/README.md and docs/performance.md.
 */
import os from 'node:os';
import http from 'node:http';
import { randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { performance } from 'node:perf_hooks';
import { Worker, isMainThread, parentPort, workerData } from 'node:worker_threads';
import pg from 'pg';
import copyStreams from 'pg-copy-streams';
import { uuidv7 } from '../packages/server/src/platform/ids.ts';
import { assertLocal, backendCpu, captureQueries, fmt, runLoad, stats, type LoadResult, type Stats } from './lib.ts';
import { COMPANY_A, COMPANY_B, makeWeighted, person, rng, uuidv7At, type Person } from './people.ts';

// ---------------------------------------------------------------------------------------------
// Shared: arguments, statistics, load loop
// ---------------------------------------------------------------------------------------------

type OpName = 'get' | 'list' | 'create';

interface Options {
  contacts: number;
  seconds: number;
  warmup: number;
  concurrency: number;
  pool: number;
  index: boolean;
  keep: boolean;
  verbose: boolean;
  dupStats: boolean;
  only: OpName[];
  rounds: number;
  sides: string[];
  json?: string;
}

function parseArgs(argv: string[]): Options {
  const o: Options = { contacts: 1_000_000, seconds: 5, warmup: 2, rounds: 3, concurrency: 8, pool: 10, index: true, keep: false, verbose: false, dupStats: false, only: ['get', 'list', 'create'], sides: ['raw', 'http-raw', 'service', 'service+auth', 'http'] };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    const num = () => {
      const v = Number(argv[++i]);
      if (!Number.isFinite(v) || v < 0) throw new Error(`${a} needs a number`);
      return v;
    };
    if (a === '--contacts') o.contacts = Math.floor(num());
    else if (a === '--seconds') o.seconds = num();
    else if (a === '--warmup') o.warmup = num();
    else if (a === '--rounds') o.rounds = Math.max(1, Math.floor(num()));
    else if (a === '--concurrency') o.concurrency = Math.max(1, Math.floor(num()));
    else if (a === '--pool') o.pool = Math.max(1, Math.floor(num()));
    else if (a === '--no-index') o.index = false;
    else if (a === '--keep') o.keep = true;
    else if (a === '--verbose') o.verbose = true;
    else if (a === '--dup-stats') o.dupStats = true;
    else if (a === '--only') o.only = String(argv[++i]).split(',') as OpName[];
    else if (a === '--sides') o.sides = String(argv[++i]).split(',');
    else if (a === '--json') o.json = argv[++i];
    else if (a === '--help' || a === '-h') {
      console.log('Usage: npm exec -- node bench/records.ts [--contacts N] [--seconds S] [--warmup S] [--rounds R] [--concurrency C] [--pool P] [--only get,list,create] [--sides raw,http-raw,service,service+auth,http] [--no-index] [--keep] [--verbose] [--dup-stats] [--json FILE]');
      process.exit(0);
    } else throw new Error(`Unknown argument ${a}`);
  }
  if (o.seconds > 120) throw new Error('--seconds is capped at 120 per measurement');
  return o;
}


// ---------------------------------------------------------------------------------------------
// HTTP load generator (runs in a worker thread so its JavaScript does not share the server's
// event loop; the machine's cores are still shared, as with any client on the same host)
// ---------------------------------------------------------------------------------------------

interface HttpJob {
  op: OpName;
  /** '/api/v1' for Meridian's API, '/bench' for the hand-written-SQL routes on the same server. */
  base: string;
  port: number;
  token: string;
  ids: string[];
  accountIds: string[];
  listPath: string;
  concurrency: number;
  warmup: number;
  seconds: number;
  seed: number;
}

function httpRequest(agent: http.Agent, port: number, method: string, path: string, token: string, body?: string): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const headers: http.OutgoingHttpHeaders = { authorization: `Bearer ${token}` };
    if (body !== undefined) {
      headers['content-type'] = 'application/json';
      headers['content-length'] = Buffer.byteLength(body);
    }
    const req = http.request({ host: '127.0.0.1', port, method, path, agent, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(body);
  });
}

async function httpWorker(job: HttpJob): Promise<LoadResult> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: job.concurrency });
  const r = rng(job.seed);
  const expect = (res: { status: number; text: string }, status: number) => {
    if (res.status !== status) throw new Error(`HTTP ${res.status}: ${res.text.slice(0, 300)}`);
  };
  let op: (w: number, n: number) => Promise<void>;
  if (job.op === 'get') {
    op = async () => expect(await httpRequest(agent, job.port, 'GET', `${job.base}/contact/${job.ids[Math.floor(r() * job.ids.length)]}`, job.token), 200);
  } else if (job.op === 'list') {
    op = async () => expect(await httpRequest(agent, job.port, 'GET', `${job.base}${job.listPath}`, job.token), 200);
  } else {
    op = async (w, n) => {
      const p = person(r, 10_000_000 + w * 1_000_000 + n);
      const body = JSON.stringify({
        first_name: p.first_name, last_name: p.last_name, email: p.email, phone: p.phone, mobile: p.mobile, title: p.title,
        department: p.department, lead_source: p.lead_source, mailing_city: p.city, mailing_country: p.country,
        account: job.accountIds[Math.floor(r() * job.accountIds.length)],
      });
      expect(await httpRequest(agent, job.port, 'POST', `${job.base}/contact`, job.token, body), 201);
    };
  }
  const result = await runLoad(job.concurrency, job.warmup, job.seconds, op, () => parentPort!.postMessage({ type: 'start' }));
  agent.destroy();
  return result;
}

function runHttpInWorker(job: HttpJob, onStart?: () => void): Promise<LoadResult> {
  return new Promise((resolve, reject) => {
    const worker = new Worker(new URL(import.meta.url), { workerData: job });
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

if (!isMainThread) {
  const result = await httpWorker(workerData as HttpJob);
  parentPort!.postMessage({ type: 'done', result }, [result.latencies.buffer as ArrayBuffer]);
}

// ---------------------------------------------------------------------------------------------
// Main
// ---------------------------------------------------------------------------------------------

async function main() {
  const opts = parseArgs(process.argv.slice(2));
  const adminUrl = process.env.BENCH_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
  assertLocal(adminUrl);

  // Quiet the platform: the benchmark measures work, not log lines.
  process.env.LOG_LEVEL = 'silent';
  // One token sends thousands of requests a second: raise the per-token and per-IP rate limits
  // out of the way (the limiter itself still runs, as in production).
  process.env.MERIDIAN_RATE_LIMIT_TOKEN ??= '1000000000';
  process.env.MERIDIAN_RATE_LIMIT_IP ??= '1000000000';
  const { loadConfig } = await import('../packages/server/src/platform/config.ts');
  const { bootPlatform, createLogger } = await import('../packages/server/src/platform/boot.ts');
  const { modules } = await import('../packages/server/src/modules/index.ts');
  const { openDatabase } = await import('../packages/server/src/platform/db/connection.ts');
  const { buildApp } = await import('../packages/server/src/platform/http/app.ts');
  const { createUser } = await import('../packages/server/src/platform/auth/users.ts');
  const { createApiToken, actorFor, actorFromToken } = await import('../packages/server/src/platform/auth/sessions.ts');
  const { systemActor } = await import('../packages/server/src/platform/records/context.ts');
  const { createRecord } = await import('../packages/server/src/platform/records/write.ts');
  const { getRecord, listRecords } = await import('../packages/server/src/platform/records/read.ts');

  const dbName = `meridian_bench_${Date.now().toString(36)}_${randomBytes(3).toString('hex')}`;
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  const serverVersion = (await admin.query<{ server_version: string }>('SHOW server_version')).rows[0]!.server_version;
  const settings = (await admin.query<{ name: string; setting: string; unit: string | null }>(
    `SELECT name, setting, unit FROM pg_settings WHERE name IN ('shared_buffers','synchronous_commit','fsync','max_connections','work_mem','effective_cache_size')`,
  )).rows;
  await admin.query(`CREATE DATABASE "${dbName}"`);
  const target = new URL(adminUrl);
  target.pathname = `/${dbName}`;
  const databaseUrl = target.toString();

  console.log(`Meridian record benchmark — ${new Date().toISOString()}`);
  console.log(`machine: ${os.availableParallelism()} CPUs (${os.cpus()[0]?.model ?? '?'}), ${(os.totalmem() / 2 ** 30).toFixed(1)} GiB RAM, ${os.type()} ${os.release()}`);
  console.log(`node ${process.version}; PostgreSQL ${serverVersion} (${settings.map((s) => `${s.name}=${s.setting}${s.unit ?? ''}`).join(', ')})`);
  console.log(`load average at the start: ${os.loadavg().map((x) => x.toFixed(2)).join(' ')}`);
  console.log(`database ${dbName}; contacts ${opts.contacts}; concurrency ${opts.concurrency}; pool ${opts.pool}; ${opts.rounds} rounds of ${opts.warmup}s warm-up + ${opts.seconds}s per side\n`);

  let database: Awaited<ReturnType<typeof openDatabase>> | undefined;
  let raw: pg.Pool | undefined;
  let app: Awaited<ReturnType<typeof buildApp>> | undefined;
  type Side = 'raw' | 'http-raw' | 'service' | 'service+auth' | 'http' | 'http, 1 client';
  const results: Array<{ op: OpName; side: Side; stats: Stats; minOps: number; maxOps: number }> = [];
  const t0 = performance.now();
  try {
    database = await openDatabase({ databaseUrl, poolSize: opts.pool });
    const config = { ...loadConfig({}), databaseUrl, logLevel: 'silent', publicUrl: 'http://127.0.0.1' };
    const platform = await bootPlatform({ config, modules, database, logger: createLogger('silent') });
    const contact = platform.registry.requireObject('contact');
    const account = platform.registry.requireObject('account');

    // Users: an admin (whose token drives the API) and a few owners.
    const adminUser = await createUser({ platform, actor: systemActor(), input: { email: 'bench-admin@example.com', firstName: 'Bench', lastName: 'Admin', profile: 'admin' } });
    const adminRow = { id: adminUser.id as string, email: 'bench-admin@example.com', profile: 'admin', active: true, time_zone: 'UTC', locale: 'en-US', full_name: 'Bench Admin' };
    const tokenInfo = await createApiToken({ platform, actor: actorFor(adminRow, 'api'), name: 'bench' });
    const actor = actorFor(adminRow, 'api', tokenInfo.id);
    const ownerIds = [adminUser.id as string];
    for (const [first, last] of [['Ada', 'Lovelace'], ['Grace', 'Hopper'], ['Alan', 'Turing'], ['Edsger', 'Dijkstra']] as const) {
      const u = await createUser({ platform, actor: systemActor(), input: { email: `${first.toLowerCase()}@example.com`, firstName: first, lastName: last, profile: 'standard' } });
      ownerIds.push(u.id as string);
    }
    const ctx = { platform, actor };
    const accountIds: string[] = [];
    for (let i = 0; i < 50; i++) {
      const name = `${COMPANY_A[i % COMPANY_A.length]} ${COMPANY_B[Math.floor(i / COMPANY_A.length + i) % COMPANY_B.length]}${i >= COMPANY_A.length * 2 ? ` ${i}` : ''}`;
      const rec = await createRecord({ ctx, object: account, input: { name, type: 'customer', industry: 'technology', website: `https://${name.toLowerCase().replace(/[^a-z]+/g, '')}.example`, phone: `+1 212 555 ${String(1000 + i)}` } });
      accountIds.push(rec.id as string);
    }

    // Bulk load with COPY (contacts created over five years, in creation order like real data).
    raw = new pg.Pool({ connectionString: databaseUrl, max: opts.pool, options: '-c TimeZone=UTC' });
    raw.on('error', () => {});
    const loadStart = performance.now();
    {
      const client = await raw.connect();
      try {
        const columns = ['id', 'owner_id', 'created_at', 'updated_at', 'created_by', 'updated_by', 'first_name', 'last_name', 'account_id', 'title', 'department', 'email', 'phone', 'mobile', 'is_primary', 'is_emergency', 'do_not_email', 'lead_source', 'birthdate', 'mailing_city', 'mailing_country'];
        const copy = client.query(copyStreams.from(`COPY obj_contact (${columns.join(', ')}) FROM STDIN`));
        const N = opts.contacts;
        const r = rng(42);
        const now = Date.now();
        const span = 5 * 365 * 86400_000;
        const acc = makeWeighted(accountIds.map((id, i) => [id, 1 / (i + 1)] as [string, number]));
        async function* rows() {
          const batch = 2000;
          for (let i = 0; i < N; i += batch) {
            const rand = randomBytes(batch * 10);
            const lines: string[] = [];
            for (let j = 0; j < batch && i + j < N; j++) {
              const n = i + j;
              const ms = now - span + Math.floor(((n + r()) / N) * span);
              const ts = new Date(ms).toISOString();
              const p = person(r, n);
              const owner = ownerIds[Math.floor(r() * ownerIds.length)]!;
              const accountId = r() < 0.9 ? acc(r()) : '\\N';
              lines.push([
                uuidv7At(ms, rand, j * 10), owner, ts, ts, owner, owner, p.first_name, p.last_name, accountId, p.title, p.department, p.email, p.phone,
                p.mobile ?? '\\N', r() < 0.05 ? 't' : 'f', 'f', r() < 0.03 ? 't' : 'f', p.lead_source, p.birthdate ?? '\\N', p.city, p.country,
              ].join('\t'));
            }
            yield lines.join('\n') + '\n';
          }
        }
        await pipeline(Readable.from(rows()), copy);
      } finally {
        client.release();
      }
    }
    const loadSeconds = (performance.now() - loadStart) / 1000;
    if (opts.dupStats) {
      // Statistics the product does not create today: its duplicate-rule indexes are partial, and
      // PostgreSQL ignores the expression statistics of partial indexes, so the duplicate queries
      // are planned with a default 0.5 % selectivity. See docs/performance.md.
      await raw.query(`CREATE STATISTICS st_bench__obj_contact__dup_keys ON (lower(email)), (right(regexp_replace(phone, '[^0-9]', '', 'g'), 7)), (right(regexp_replace(mobile, '[^0-9]', '', 'g'), 7)) FROM obj_contact`);
    }
    await raw.query('ANALYZE');
    const count = (await raw.query<{ n: string }>('SELECT count(*)::text AS n FROM obj_contact')).rows[0]!.n;
    const size = (await raw.query<{ s: string }>(`SELECT pg_size_pretty(pg_total_relation_size('obj_contact')) AS s`)).rows[0]!.s;
    console.log(`loaded ${count} contacts with COPY in ${loadSeconds.toFixed(1)}s (${Math.round(opts.contacts / loadSeconds)} rows/s), table + indexes ${size}`);

    // Sample ids for get-by-id (spread over the whole table).
    const ids = (await raw.query<{ id: string }>(`SELECT id FROM obj_contact TABLESAMPLE SYSTEM (${Math.min(100, Math.max(0.5, (20_000 / Math.max(1, opts.contacts)) * 100))}) LIMIT 20000`)).rows.map((x) => x.id);

    // The list page: Meridian's exact SQL is captured from the pg client, then explained.
    const filter = { field: 'last_name', op: 'startsWith', value: 'Sm' };
    const listPath = `/contact?filter=${encodeURIComponent(JSON.stringify(filter))}&sort=-created_at&limit=50`;
    const rawListSql = `SELECT * FROM obj_contact WHERE lower(last_name) LIKE $1 AND deleted_at IS NULL ORDER BY created_at DESC, id DESC LIMIT 50`;
    const matching = (await raw.query<{ n: string }>(`SELECT count(*)::text AS n FROM obj_contact WHERE lower(last_name) LIKE 'sm%'`)).rows[0]!.n;
    let page!: Awaited<ReturnType<typeof listRecords>>;
    const captured = await captureQueries(async () => {
      page = await listRecords({ ctx, object: contact, filter, sort: '-created_at', limit: 50 });
    });
    const listSql = captured.find((c) => /FROM "obj_contact"/.test(c.text));
    console.log(`list page: ${page.data.length} rows of ${matching} contacts whose last name starts with "Sm"`);
    if (!listSql) throw new Error('could not capture the list SQL');
    console.log(`Meridian list SQL: ${listSql.text.replace(/\s+/g, ' ')}\n  params ${JSON.stringify(listSql.values)}`);
    const explain = async (prefix: string, full: boolean) => {
      const plan = await raw!.query<{ 'QUERY PLAN': string }>(`EXPLAIN (ANALYZE, BUFFERS) ${listSql.text}`, [prefix, ...listSql.values.slice(1)]);
      const lines = plan.rows.map((x) => x['QUERY PLAN']);
      if (full) return lines.map((l) => `    ${l}`).join('\n');
      const scans = lines.filter((l) => /Scan/.test(l)).map((l) => l.trim().replace(/\s+\(cost.*$/, '').replace(/^->\s*/, ''));
      return `${scans.join(' + ')}; ${lines.find((l) => l.startsWith('Execution Time')) ?? ''}`;
    };
    console.log(`  plan for "Sm" (the measured page):\n${await explain('Sm%', true)}`);
    console.log(`  a rare prefix, "Smy": ${await explain('Smy%', false)}`);
    if (opts.index) {
      // Not created by the product today: a prefix index for startsWith (lower(col) LIKE 'x%').
      // Under a non-C collation (C.UTF-8 included, before PostgreSQL 17) it needs text_pattern_ops.
      await raw.query('CREATE INDEX ix_bench__obj_contact__last_name_lower ON obj_contact (lower(last_name) text_pattern_ops)');
      await raw.query('ANALYZE obj_contact');
      console.log(`  with bench index ix_bench__obj_contact__last_name_lower: "Sm": ${await explain('Sm%', false)}`);
      console.log(`  with bench index: "Smy": ${await explain('Smy%', false)}`);
    }
    const rawPlan = await raw.query<{ 'QUERY PLAN': string }>(`EXPLAIN (ANALYZE) ${rawListSql}`, ['sm%']);
    console.log(`raw list plan:\n${rawPlan.rows.map((x) => `    ${x['QUERY PLAN']}`).join('\n')}\n`);

    const rawPool = raw;
    const rawGetSql = 'SELECT * FROM obj_contact WHERE id = $1 AND deleted_at IS NULL';
    const insertSql = `INSERT INTO obj_contact (id, owner_id, created_by, updated_by, first_name, last_name, email, phone, mobile, title, department, lead_source, mailing_city, mailing_country, account_id)
      VALUES ($1, $2, $2, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13) RETURNING *`;
    type ContactInput = { first_name: string; last_name: string; email: string; phone: string; mobile: string | null; title: string; department: string; lead_source: string; mailing_city: string; mailing_country: string; account: string };
    const insertParams = (b: ContactInput) => [uuidv7(), adminRow.id, b.first_name, b.last_name, b.email, b.phone, b.mobile, b.title, b.department, b.lead_source, b.mailing_city, b.mailing_country, b.account];
    const contactInput = (p: Person, account: string): ContactInput => ({
      first_name: p.first_name, last_name: p.last_name, email: p.email, phone: p.phone, mobile: p.mobile, title: p.title,
      department: p.department, lead_source: p.lead_source, mailing_city: p.city, mailing_country: p.country, account,
    });

    // The real app, plus /bench routes on the same server that run the hand-written SQL with no
    // authentication: the HTTP floor (Fastify, sockets, JSON, the client) without Meridian.
    app = await buildApp(platform, {
      logger: false,
      plugins: [
        (f) => {
          f.get('/bench/contact/:id', async (request, reply) => {
            const res = await rawPool.query(rawGetSql, [(request.params as { id: string }).id]);
            if (!res.rows[0]) return reply.status(404).send({ code: 'not_found' });
            return res.rows[0];
          });
          f.get('/bench/contact', async (request) => {
            const q = request.query as { filter?: string };
            const value = String((JSON.parse(q.filter ?? '{}') as { value?: string }).value ?? '');
            const res = await rawPool.query(rawListSql, [`${value.toLowerCase().replace(/[\\%_]/g, '\\$&')}%`]);
            return { data: res.rows };
          });
          f.post('/bench/contact', async (request, reply) => {
            const res = await rawPool.query(insertSql, insertParams(request.body as ContactInput));
            return reply.status(201).send(res.rows[0]);
          });
        },
      ],
    });
    await app.listen({ host: '127.0.0.1', port: 0 });
    const port = (app.server.address() as { port: number }).port;

    // Round trips to the database per API call (one request each, nothing else running).
    const trace = async (label: string, method: string, path: string, body?: unknown, status = 200) => {
      const statements = await captureQueries(async () => {
        const res = await fetch(`http://127.0.0.1:${port}${path}`, {
          method,
          headers: { authorization: `Bearer ${tokenInfo.token}`, ...(body ? { 'content-type': 'application/json' } : {}) },
          ...(body ? { body: JSON.stringify(body) } : {}),
        });
        await res.text();
        if (res.status !== status) throw new Error(`${label}: HTTP ${res.status}`);
      });
      const short = (t: string) => t.replace(/\s+/g, ' ').replace(/SELECT ("t0"\."\w+", )+("t0"\."\w+")/, 'SELECT <columns>').slice(0, 110);
      console.log(`${label}: ${statements.length} statements\n${statements.map((q, i) => `    ${i + 1}. ${opts.verbose ? `${q.text.replace(/\s+/g, ' ')}\n       params ${JSON.stringify(q.values)}` : short(q.text)}`).join('\n')}`);
    };
    await new Promise((r) => setTimeout(r, 1100)); // let the metadata freshness check fall due, as it does once a second
    await trace('GET /api/v1/contact/:id', 'GET', `/api/v1/contact/${ids[0]}`);
    await trace('GET /api/v1/contact?filter…', 'GET', `/api/v1${listPath}`);
    await trace('POST /api/v1/contact', 'POST', '/api/v1/contact', contactInput(person(rng(9), 9_999_999), accountIds[0]!), 201);
    console.log('  (the first of the three also ran the once-a-second metadata_version check)\n');

    // Each operation is measured in rounds; every round runs every side once, starting from a
    // different side each time, so that background load on the machine falls on all sides alike.
    type Runner = (warmup: number, seconds: number, round: number, onStart: () => void) => Promise<LoadResult>;
    const C = opts.concurrency;
    const job = (op: OpName, base: string, seed: number, warmup: number, seconds: number): HttpJob => ({ op, base, port, token: tokenInfo.token, ids, accountIds, listPath, concurrency: C, warmup, seconds, seed });
    const pick = (r: () => number) => ids[Math.floor(r() * ids.length)]!;
    const pickAccount = (r: () => number) => accountIds[Math.floor(r() * accountIds.length)]!;
    // What the API does before the record service: authenticate the Bearer token.
    const authenticate = () => actorFromToken(platform, tokenInfo.token);
    const r = rng(1);
    let serial = 0;
    const uniq = () => 100_000_000 + serial++;
    const runners: Record<OpName, Array<[Side, Runner]>> = {
      get: [
        ['raw', (w, s, _round, onStart) => runLoad(C, w, s, async () => {
          const res = await rawPool.query(rawGetSql, [pick(r)]);
          if (res.rowCount !== 1) throw new Error('not found');
        }, onStart)],
        ['http-raw', (w, s, round, onStart) => runHttpInWorker(job('get', '/bench', 10 + round, w, s), onStart)],
        ['service', (w, s, _round, onStart) => runLoad(C, w, s, async () => {
          await getRecord({ ctx, object: contact, id: pick(r) });
        }, onStart)],
        ['service+auth', (w, s, _round, onStart) => runLoad(C, w, s, async () => {
          await getRecord({ ctx: { platform, actor: await authenticate() }, object: contact, id: pick(r) });
        }, onStart)],
        ['http', (w, s, round, onStart) => runHttpInWorker(job('get', '/api/v1', 20 + round, w, s), onStart)],
      ],
      list: [
        ['raw', (w, s, _round, onStart) => runLoad(C, w, s, async () => {
          await rawPool.query(rawListSql, ['sm%']);
        }, onStart)],
        ['http-raw', (w, s, round, onStart) => runHttpInWorker(job('list', '/bench', 30 + round, w, s), onStart)],
        ['service', (w, s, _round, onStart) => runLoad(C, w, s, async () => {
          await listRecords({ ctx, object: contact, filter, sort: '-created_at', limit: 50 });
        }, onStart)],
        ['service+auth', (w, s, _round, onStart) => runLoad(C, w, s, async () => {
          await listRecords({ ctx: { platform, actor: await authenticate() }, object: contact, filter, sort: '-created_at', limit: 50 });
        }, onStart)],
        ['http', (w, s, round, onStart) => runHttpInWorker(job('list', '/api/v1', 40 + round, w, s), onStart)],
      ],
      create: [
        ['raw', (w, s, _round, onStart) => runLoad(C, w, s, async () => {
          await rawPool.query(insertSql, insertParams(contactInput(person(r, uniq()), pickAccount(r))));
        }, onStart)],
        ['http-raw', (w, s, round, onStart) => runHttpInWorker(job('create', '/bench', 50 + round, w, s), onStart)],
        ['service', (w, s, _round, onStart) => runLoad(C, w, s, async () => {
          await createRecord({ ctx, object: contact, input: contactInput(person(r, uniq()), pickAccount(r)) });
        }, onStart)],
        ['service+auth', (w, s, _round, onStart) => runLoad(C, w, s, async () => {
          await createRecord({ ctx: { platform, actor: await authenticate() }, object: contact, input: contactInput(person(r, uniq()), pickAccount(r)) });
        }, onStart)],
        ['http', (w, s, round, onStart) => runHttpInWorker(job('create', '/api/v1', 60 + round, w, s), onStart)],
      ],
    };
    for (const op of (['get', 'list', 'create'] as const).filter((o) => opts.only.includes(o))) {
      const sides = runners[op].filter(([side]) => opts.sides.includes(side));
      const acc = new Map<Side, { results: LoadResult[]; cpuUs: number }>(sides.map(([side]) => [side, { results: [], cpuUs: 0 }]));
      for (let round = 0; round < opts.rounds; round++) {
        for (let k = 0; k < sides.length; k++) {
          const [side, run] = sides[(k + round) % sides.length]!;
          process.stdout.write(`round ${round + 1}/${opts.rounds} ${op.padEnd(6)} ${side.padEnd(12)} … `);
          // Server-side CPU over the measured part: this process (less the HTTP client thread)
          // plus the PostgreSQL backends of the benchmark database.
          const procCpu = () => {
            const u = process.cpuUsage();
            return u.user + u.system;
          };
          const sample = async () => ({ pg: await backendCpu(admin, dbName), proc: procCpu() });
          const at = (ms: number) => new Promise<Awaited<ReturnType<typeof sample>>>((res, rej) => setTimeout(() => sample().then(res, rej), ms));
          let window: Promise<[Awaited<ReturnType<typeof sample>>, Awaited<ReturnType<typeof sample>>]> | undefined;
          const onStart = () => {
            window = Promise.all([at(opts.warmup * 1000), at((opts.warmup + opts.seconds) * 1000)]);
          };
          const res = await run(opts.warmup, opts.seconds, round, onStart);
          const [before, after] = await window!;
          let pgUs = 0;
          for (const [pid, us] of after.pg) pgUs += us - (before.pg.get(pid) ?? 0);
          const clientUs = side === 'http' || side === 'http-raw' ? res.threadCpuUs : 0;
          const cpuUs = after.proc - before.proc - clientUs + pgUs;
          acc.get(side)!.results.push(res);
          acc.get(side)!.cpuUs += cpuUs;
          const s1 = stats(res, cpuUs);
          console.log(`${fmt(s1.opsPerSec, 0)} ops/s, p50 ${fmt(s1.p50)} ms, p95 ${fmt(s1.p95)} ms, ${fmt(s1.cpuUsPerOp, 0)} µs CPU/op${s1.errors ? `, ${s1.errors} errors (${res.firstError})` : ''}  [load ${os.loadavg()[0]!.toFixed(1)}]`);
        }
      }
      for (const [side] of sides) {
        const rs = acc.get(side)!.results;
        const merged: LoadResult = {
          ops: rs.reduce((a, x) => a + x.ops, 0),
          seconds: rs.reduce((a, x) => a + x.seconds, 0),
          errors: rs.reduce((a, x) => a + x.errors, 0),
          latencies: Float64Array.from(rs.flatMap((x) => Array.from(x.latencies))),
          threadCpuUs: 0,
        };
        const perRound = rs.map((x) => x.ops / x.seconds);
        results.push({ op, side, stats: stats(merged, acc.get(side)!.cpuUs), minOps: Math.min(...perRound), maxOps: Math.max(...perRound) });
      }
    }

    // The latency one user sees when the server is not saturated: one client, list page.
    if (opts.only.includes('list') && opts.sides.includes('http')) {
      process.stdout.write('list, one client at a time (http)… ');
      const res = await runHttpInWorker({ ...job('list', '/api/v1', 99, opts.warmup, opts.seconds * opts.rounds), concurrency: 1 });
      const s1 = stats(res);
      console.log(`${fmt(s1.opsPerSec, 0)} ops/s, p50 ${fmt(s1.p50)} ms, p95 ${fmt(s1.p95)} ms`);
      results.push({ op: 'list', side: 'http, 1 client', stats: s1, minOps: s1.opsPerSec, maxOps: s1.opsPerSec });
    }

    // Report
    const row = (cells: string[]) => `| ${cells.join(' | ')} |`;
    const lines = [
      row(['operation', 'side', 'ops/s', 'per round (min–max)', 'p50 ms', 'p95 ms', 'p99 ms', 'ops/s vs raw', 'CPU µs/op', 'raw CPU ÷ this CPU']),
      row(['---', '---', '---:', '---:', '---:', '---:', '---:', '---:', '---:', '---:']),
    ];
    const get = (op: OpName, side: string) => results.find((x) => x.op === op && x.side === side)?.stats;
    for (const x of results) {
      const base = get(x.op, 'raw');
      lines.push(row([x.op, x.side, fmt(x.stats.opsPerSec, 0), `${fmt(x.minOps, 0)}–${fmt(x.maxOps, 0)}`, fmt(x.stats.p50), fmt(x.stats.p95), fmt(x.stats.p99), base ? `${fmt((x.stats.opsPerSec / base.opsPerSec) * 100, 0)}%` : '-',
        fmt(x.stats.cpuUsPerOp, 0), base ? `${fmt((base.cpuUsPerOp / x.stats.cpuUsPerOp) * 100, 0)}%` : '-']));
    }
    console.log(`\n${lines.join('\n')}\n`);
    // Issue 10's aims: against the HTTP floor (`http-raw`), by throughput and by CPU per operation
    // (the figure that outside load moves least), and p95 under 10 ms at this concurrency.
    const aims: string[] = [];
    const verdict = (ok: boolean) => (ok ? 'MET' : 'MISSED');
    for (const [op, min] of [['get', 0.8], ['list', 0.8], ['create', 0.5]] as Array<[OpName, number]>) {
      const h = get(op, 'http');
      const floor = get(op, 'http-raw');
      if (!h || !floor) continue;
      const byOps = h.opsPerSec / floor.opsPerSec;
      const byCpu = floor.cpuUsPerOp / h.cpuUsPerOp;
      aims.push(`${op} over HTTP ≥ ${min}× http-raw: ${fmt(byOps)}× by ops/s, ${fmt(byCpu)}× by CPU/op — ${verdict(byOps >= min)}`);
      aims.push(`${op} over HTTP p95 < 10 ms (${opts.concurrency} clients): ${fmt(h.p95)} ms — ${verdict(h.p95 < 10)}`);
    }
    const lp1 = get('list', 'http, 1 client');
    if (lp1) aims.push(`  (list with one client at a time: p95 ${fmt(lp1.p95)} ms)`);
    const getRaw = get('get', 'raw');
    const getHttp = get('get', 'http');
    if (getRaw && getHttp) aims.push(`get over HTTP ≥ 0.35× raw: ${fmt(getHttp.opsPerSec / getRaw.opsPerSec)}× — ${verdict(getHttp.opsPerSec / getRaw.opsPerSec >= 0.35)}`);
    console.log(aims.map((a) => `aim: ${a}`).join('\n'));
    console.log(`load average at the end: ${os.loadavg().map((x) => x.toFixed(2)).join(' ')} (other processes on the machine skew the figures)`);
    if (opts.json) {
      const fs = await import('node:fs');
      fs.writeFileSync(opts.json, JSON.stringify({ date: new Date().toISOString(), node: process.version, postgres: serverVersion, cpus: os.availableParallelism(), memGiB: os.totalmem() / 2 ** 30, opts, loadSeconds, results, aims }, null, 2));
    }
  } finally {
    await app?.close().catch(() => {});
    await raw?.end().catch(() => {});
    await database?.close().catch(() => {});
    if (opts.keep) console.log(`kept database ${dbName}`);
    else await admin.query(`DROP DATABASE IF EXISTS "${dbName}" WITH (FORCE)`).catch((e: Error) => console.error(`could not drop ${dbName}: ${e.message}`));
    await admin.end();
    console.log(`total ${((performance.now() - t0) / 1000).toFixed(0)}s`);
  }
}

if (isMainThread) {
  main().catch((error) => {
    console.error(error);
    process.exitCode = 1;
  });
}
