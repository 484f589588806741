/// <reference lib="dom" />
/**
 * Web benchmark: what a user sees in the browser, on a large PostgreSQL data set.
 *
 *   cd /work/main && npm exec -- node bench/web.ts [--contacts 1000000] [--opportunities 1000000] [--reps 20] [--warmup 2] [--keep]
 *   npm exec -- node bench/web.ts --database meridian_bench_web_…   # measure again on a kept database, no load
 *
 * Creates a throwaway database on the local PostgreSQL server (BENCH_PG_URL, default
 * postgres://postgres@127.0.0.1:5432/postgres; other hosts are refused), boots the platform on it,
 * loads N contacts with COPY (the same generator as bench/records.ts), serves the built web app
 * (packages/web/dist, built first if missing) from the same Fastify app on 127.0.0.1, and drives
 * Debian Chromium (/usr/bin/chromium, or CHROMIUM_PATH) with playwright-core. It signs in through
 * the form, then measures, `--reps` times each after `--warmup` discarded runs:
 *   list, full load   page.goto('/o/contact') until the first data row of the table is in the
 *                     DOM, timed inside the page from navigation start (performance.now());
 *   list, in-app      from a click on "Contacts" in the Objects navigation (home page freshly
 *                     loaded, so nothing is cached) until the first data row is in the DOM;
 *   search            '/' focuses the header search box, a query is typed (60 ms between keys),
 *                     timed from the last keystroke's input event until the options of the final
 *                     query are in the DOM (the box waits 200 ms after the last key by design);
 *                     a different query each run, so neither the browser nor React Query caches;
 *   board             page.goto('/o/opportunity/board') until a card and the stage totals (the
 *                     server's count and amounts per stage, POST /sales/board-summary) are in the
 *                     DOM, over N opportunities loaded with COPY (--opportunities, 0 skips);
 *   record page       page.goto('/o/opportunity/{id}') until the deal's name is its <h1>, a
 *                     different deal each run.
 * For the API calls behind each, the Resource Timing of the request (responseStart − requestStart:
 * time to first byte over loopback, i.e. the server's time) and Fastify's own reply time.
 * Not a test: run it by hand. Figures go to docs/performance.md.
 */
import os from 'node:os';
import fs from 'node:fs';
import path from 'node:path';
import { execSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import copyStreams from 'pg-copy-streams';
import { COMPANY_A, COMPANY_B, FIRST_NAMES, TOP_SURNAMES, makeWeighted, person, rng, uuidv7At } from './people.ts';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

// ---------------------------------------------------------------------------------------------
// Arguments and statistics
// ---------------------------------------------------------------------------------------------

interface Options {
  contacts: number;
  opportunities: number;
  reps: number;
  warmup: number;
  keep: boolean;
  /** Measure on a database kept by an earlier run (--keep) instead of loading a new one. */
  database?: string;
  json?: string;
}

/** The home page's level-1 heading (packages/web/src/features/home/HomePage.tsx). */
const HOME_HEADING = 'My day';

function parseArgs(argv: string[]): Options {
  const o: Options = { contacts: 1_000_000, opportunities: 1_000_000, reps: 20, warmup: 2, keep: false };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    const num = () => {
      const v = Number(argv[++i]);
      if (!Number.isFinite(v) || v < 0) throw new Error(`${a} needs a number`);
      return Math.floor(v);
    };
    if (a === '--contacts') o.contacts = num();
    else if (a === '--opportunities') o.opportunities = num();
    else if (a === '--reps') o.reps = Math.max(1, num());
    else if (a === '--warmup') o.warmup = num();
    else if (a === '--keep') o.keep = true;
    else if (a === '--database') o.database = argv[++i];
    else if (a === '--json') o.json = argv[++i];
    else if (a === '--help' || a === '-h') {
      console.log('Usage: npm exec -- node bench/web.ts [--contacts N] [--opportunities N] [--reps R] [--warmup W] [--keep] [--database KEPT_DB] [--json FILE]');
      process.exit(0);
    } else throw new Error(`Unknown argument ${a}`);
  }
  return o;
}

const pct = (xs: number[], p: number) => {
  const s = [...xs].filter(Number.isFinite).sort((a, b) => a - b);
  return s.length ? s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)]! : NaN;
};
const fmt = (n: number, d = 0) => (Number.isFinite(n) ? n.toFixed(d) : '-');


/** Distinct queries a user might type: surnames (common to rare), then "first last" names. */
function searchQueries(n: number): string[] {
  const out: string[] = [];
  const r = rng(7);
  for (let i = 0; out.length < n; i++) {
    if (i % 2 === 0) out.push(TOP_SURNAMES[(i * 7) % TOP_SURNAMES.length]![0]);
    else out.push(`${FIRST_NAMES[Math.floor(r() * 120)]} ${TOP_SURNAMES[Math.floor(r() * 40)]![0]}`);
  }
  return [...new Set(out)].slice(0, n);
}

// ---------------------------------------------------------------------------------------------
// In-page instrumentation (runs in Chromium before the app's scripts)
// ---------------------------------------------------------------------------------------------

/** Notes (performance.now()) when the first data row of a list table, and search options, appear. */
const INSTRUMENT = `(() => {
  const w = window;
  w.__bench = { firstRow: null, searchDone: null, expectQ: null, lastInput: null, board: null, title: null };
  const expectTitle = sessionStorage.getItem('benchTitle');
  const check = () => {
    const b = w.__bench;
    const now = performance.now();
    if (b.firstRow === null && document.querySelector('table.list-table tbody tr[data-record-id]')) b.firstRow = now;
    // The board is ready when a card and a stage's totals line (from the board summary) are shown.
    if (b.board === null && document.querySelector('.kanban-card') && document.querySelector('.kanban-column-header .mantine-Text-root')) b.board = now;
    if (b.title === null && expectTitle) {
      const h1 = document.querySelector('h1');
      if (h1 && h1.textContent === expectTitle) b.title = now;
    }
    if (b.expectQ !== null && b.searchDone === null) {
      const done = performance.getEntriesByType('resource').some((e) => e.name.includes('/api/v1/search?q=' + b.expectQ));
      const box = document.getElementById('global-search-results');
      if (done && box && (box.querySelector('[role=option]') || /No matches/.test(box.textContent || ''))) b.searchDone = now;
    }
  };
  new MutationObserver(check).observe(document, { childList: true, subtree: true, characterData: true });
  document.addEventListener('input', (e) => {
    if (e.target && e.target.getAttribute && e.target.getAttribute('aria-label') === 'Search records') w.__bench.lastInput = performance.now();
  }, true);
})();`;

interface ApiTiming {
  name: string;
  /** responseStart − requestStart: time to first byte over loopback. */
  ttfb: number;
  /** fetchStart → responseEnd. */
  total: number;
}

// ---------------------------------------------------------------------------------------------
// Main
// ---------------------------------------------------------------------------------------------

function assertLocal(url: string) {
  const host = new URL(url).hostname;
  if (!['127.0.0.1', 'localhost', '::1', '[::1]'].includes(host)) throw new Error(`The benchmark only runs against a local PostgreSQL (got host ${host})`);
}

const STAGES: Array<[stage: string, probability: number, weight: number]> = [
  ['prospecting', 10, 20], ['qualification', 20, 18], ['needs_analysis', 30, 15], ['proposal', 50, 12], ['negotiation', 70, 8],
  ['closed_won', 100, 12], ['partially_won', 100, 2], ['closed_lost', 0, 13],
];

/** N opportunities with COPY: stages weighted like a real pipeline, amounts 500–250,000 USD, close dates ±1 year. */
async function copyOpportunities(args: { pool: pg.Pool; n: number; accountIds: string[]; ownerIds: string[] }) {
  const client = await args.pool.connect();
  try {
    const columns = ['id', 'owner_id', 'created_at', 'updated_at', 'created_by', 'updated_by', 'name', 'account_id', 'amount', 'currency', 'close_date', 'stage', 'probability', 'stage_changed_at'];
    const copy = client.query(copyStreams.from(`COPY obj_opportunity (${columns.join(', ')}) FROM STDIN`));
    const r = rng(7);
    const stage = makeWeighted(STAGES.map(([s, , w]) => [s, w] as [string, number]));
    const probability = new Map(STAGES.map(([s, p]) => [s, p]));
    const now = Date.now();
    const span = 3 * 365 * 86400_000;
    const { n, accountIds, ownerIds } = args;
    async function* rows() {
      const batch = 2000;
      for (let i = 0; i < n; i += batch) {
        const rand = randomBytes(batch * 10);
        const lines: string[] = [];
        for (let j = 0; j < batch && i + j < n; j++) {
          const k = i + j;
          const ms = now - span + Math.floor(((k + r()) / n) * span);
          const ts = new Date(ms).toISOString();
          const owner = ownerIds[Math.floor(r() * ownerIds.length)]!;
          const st = stage(r());
          const close = new Date(now + Math.floor((r() * 2 - 1) * 365) * 86400_000).toISOString().slice(0, 10);
          const amount = (500 + Math.floor(r() * 249_500)).toFixed(2);
          lines.push([uuidv7At(ms, rand, j * 10), owner, ts, ts, owner, owner, `${COMPANY_A[k % COMPANY_A.length]} deal ${k + 1}`, accountIds[k % accountIds.length]!, amount, 'USD', close, st, String(probability.get(st)), ts].join('\t'));
        }
        yield lines.join('\n') + '\n';
      }
    }
    await pipeline(Readable.from(rows()), copy);
  } finally {
    client.release();
  }
}

async function main() {
  const opts = parseArgs(process.argv.slice(2));
  const adminUrl = process.env.BENCH_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
  assertLocal(adminUrl);
  process.env.LOG_LEVEL = 'silent';
  // A single browser user never comes near the limits, but keep them out of the way all the same.
  process.env.MERIDIAN_RATE_LIMIT_TOKEN ??= '1000000000';
  process.env.MERIDIAN_RATE_LIMIT_IP ??= '1000000000';
  process.env.MERIDIAN_RATE_LIMIT_LOGIN ??= '1000';

  if (!fs.existsSync(path.join(ROOT, 'packages/web/dist/index.html'))) {
    console.log('packages/web/dist is missing: building the web app…');
    execSync('npm run build -w @meridian/web', { cwd: ROOT, stdio: 'inherit' });
  }

  const { loadConfig } = await import('../packages/server/src/platform/config.ts');
  const { bootPlatform, createLogger } = await import('../packages/server/src/platform/boot.ts');
  const { modules } = await import('../packages/server/src/modules/index.ts');
  const { openDatabase } = await import('../packages/server/src/platform/db/connection.ts');
  const { buildApp } = await import('../packages/server/src/platform/http/app.ts');
  const { registerWebApp } = await import('../packages/server/src/platform/http/web.ts');
  const { createUser } = await import('../packages/server/src/platform/auth/users.ts');
  const { actorFor } = await import('../packages/server/src/platform/auth/sessions.ts');
  const { systemActor } = await import('../packages/server/src/platform/records/context.ts');
  const { createRecord } = await import('../packages/server/src/platform/records/write.ts');
  const { chromium } = await import('playwright-core');

  const dbName = opts.database ?? `meridian_bench_web_${Date.now().toString(36)}_${randomBytes(3).toString('hex')}`;
  if (opts.database && !/^meridian_bench_web_[a-z0-9_]+$/.test(opts.database)) throw new Error('--database takes a database kept by this script (meridian_bench_web_…)');
  if (opts.database) opts.keep = true;
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  const serverVersion = (await admin.query<{ server_version: string }>('SHOW server_version')).rows[0]!.server_version;
  if (!opts.database) await admin.query(`CREATE DATABASE "${dbName}"`);
  const target = new URL(adminUrl);
  target.pathname = `/${dbName}`;
  const databaseUrl = target.toString();

  const chromiumPath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
  let chromiumVersion = '?';
  try {
    chromiumVersion = execSync(`${chromiumPath} --version`, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  } catch {
    /* reported as ? */
  }
  console.log(`Meridian web benchmark — ${new Date().toISOString()}`);
  console.log(`machine: ${os.availableParallelism()} CPUs (${os.cpus()[0]?.model ?? '?'}), ${(os.totalmem() / 2 ** 30).toFixed(1)} GiB RAM, ${os.type()} ${os.release()}`);
  console.log(`node ${process.version}; PostgreSQL ${serverVersion}; ${chromiumVersion}`);
  console.log(`load average at the start: ${os.loadavg().map((x) => x.toFixed(2)).join(' ')}`);
  console.log(`database ${dbName}; contacts ${opts.contacts}; ${opts.warmup} warm-up + ${opts.reps} measured runs per measurement\n`);

  let database: Awaited<ReturnType<typeof openDatabase>> | undefined;
  let raw: pg.Pool | undefined;
  let app: Awaited<ReturnType<typeof buildApp>> | undefined;
  let browser: Awaited<ReturnType<typeof chromium.launch>> | undefined;
  const t0 = performance.now();
  try {
    database = await openDatabase({ databaseUrl, poolSize: 10 });
    const config = { ...loadConfig({}), databaseUrl, logLevel: 'silent', publicUrl: 'http://127.0.0.1' };
    const platform = await bootPlatform({ config, modules, database, logger: createLogger('silent') });
    const account = platform.registry.requireObject('account');

    // A kept database already has the first run's admin: each run signs in as its own.
    const ADMIN = { email: opts.database ? `bench-admin-${randomBytes(4).toString('hex')}@example.com` : 'bench-admin@example.com', password: 'correct-horse-battery-staple' };
    const adminUser = await createUser({ platform, actor: systemActor(), input: { email: ADMIN.email, password: ADMIN.password, firstName: 'Bench', lastName: 'Admin', profile: 'admin' } });
    const adminRow = { id: adminUser.id as string, email: ADMIN.email, profile: 'admin', active: true, time_zone: 'UTC', locale: 'en-US', full_name: 'Bench Admin' };
    const ctx = { platform, actor: actorFor(adminRow, 'api') };
    raw = new pg.Pool({ connectionString: databaseUrl, max: 2, options: '-c TimeZone=UTC' });
    raw.on('error', () => {});
    let loadSeconds = 0;
    if (opts.database) {
      // Reused: what the kept database holds decides which measurements run.
      const n = async (table: string) => Number((await raw!.query<{ n: string }>(`SELECT count(*)::text AS n FROM ${table} WHERE deleted_at IS NULL`)).rows[0]!.n);
      opts.contacts = await n('obj_contact');
      opts.opportunities = await n('obj_opportunity');
      console.log(`reusing ${dbName}: ${opts.contacts} contacts, ${opts.opportunities} opportunities`);
    } else {
      const ownerIds = [adminUser.id as string];
      for (const [first, last] of [['Ada', 'Lovelace'], ['Grace', 'Hopper'], ['Alan', 'Turing'], ['Edsger', 'Dijkstra']] as const) {
        const u = await createUser({ platform, actor: systemActor(), input: { email: `${first.toLowerCase()}@example.com`, firstName: first, lastName: last, profile: 'standard' } });
        ownerIds.push(u.id as string);
      }
      const accountIds: string[] = [];
      for (let i = 0; i < 50; i++) {
        const name = `${COMPANY_A[i % COMPANY_A.length]} ${COMPANY_B[Math.floor(i / COMPANY_A.length + i) % COMPANY_B.length]}${i >= COMPANY_A.length * 2 ? ` ${i}` : ''}`;
        const rec = await createRecord({ ctx, object: account, input: { name, type: 'customer', industry: 'technology', website: `https://${name.toLowerCase().replace(/[^a-z]+/g, '')}.example`, phone: `+1 212 555 ${String(1000 + i)}` } });
        accountIds.push(rec.id as string);
      }

      // Bulk load with COPY, as bench/records.ts does.
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
          let last = performance.now();
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
              if (performance.now() - last > 30_000) {
                last = performance.now();
                console.log(`  … ${i} rows sent (${((last - loadStart) / 1000).toFixed(0)}s)`);
              }
              yield lines.join('\n') + '\n';
            }
          }
          await pipeline(Readable.from(rows()), copy);
        } finally {
          client.release();
        }
      }
      loadSeconds = (performance.now() - loadStart) / 1000;
      // VACUUM, not only ANALYZE: COPY leaves rows in the GIN indexes' pending lists, which every
      // search then scans linearly (15 ms per index on a word that matches nothing) until
      // autovacuum merges them — minutes later on a live system, never within this run.
      await raw.query('VACUUM ANALYZE');
      const count = (await raw.query<{ n: string }>('SELECT count(*)::text AS n FROM obj_contact')).rows[0]!.n;
      const size = (await raw.query<{ s: string }>(`SELECT pg_size_pretty(pg_total_relation_size('obj_contact')) AS s`)).rows[0]!.s;
      console.log(`loaded ${count} contacts with COPY in ${loadSeconds.toFixed(1)}s, table + indexes ${size}`);

      if (opts.opportunities > 0) {
        const t = performance.now();
        await copyOpportunities({ pool: raw, n: opts.opportunities, accountIds, ownerIds });
        // COPY goes around the record pipeline, so the board's kept stage totals are recounted
        // from the deals, as an operator does after a bulk load (docs/sales.md).
        const { rebuildBoardTotals } = await import('../packages/server/src/modules/sales/queries/boardTotals.ts');
        await rebuildBoardTotals(platform.db, 'obj_opportunity');
        await raw.query('VACUUM ANALYZE obj_opportunity');
        const oppSize = (await raw.query<{ s: string }>(`SELECT pg_size_pretty(pg_total_relation_size('obj_opportunity')) AS s`)).rows[0]!.s;
        console.log(`loaded ${opts.opportunities} opportunities with COPY in ${((performance.now() - t) / 1000).toFixed(1)}s, table + indexes ${oppSize}`);
      }
    }

    // The real app with the web app at the same origin; Fastify's own reply time per API request.
    const serverTimes: Array<{ url: string; ms: number }> = [];
    app = await buildApp(platform, {
      logger: false,
      plugins: [
        (f) => {
          f.addHook('onResponse', async (request, reply) => {
            if (request.url.startsWith('/api/v1/')) serverTimes.push({ url: request.url, ms: reply.elapsedTime });
          });
        },
        registerWebApp,
      ],
    });
    await app.listen({ host: '127.0.0.1', port: 0 });
    const baseURL = `http://127.0.0.1:${(app.server.address() as { port: number }).port}`;
    const serverTime = (pred: (url: string) => boolean, since: number) => serverTimes.slice(since).filter((x) => pred(x.url)).map((x) => x.ms);

    browser = await chromium.launch({
      executablePath: chromiumPath,
      args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-quic', '--disable-dev-shm-usage'],
    });
    const context = await browser.newContext({ baseURL, viewport: { width: 1280, height: 860 }, locale: 'en-US', timezoneId: 'UTC' });
    await context.addInitScript(INSTRUMENT);
    const page = await context.newPage();
    page.setDefaultTimeout(120_000);
    const pageErrors: string[] = [];
    page.on('pageerror', (e) => pageErrors.push(String(e)));

    // Sign in through the form (as packages/web/e2e/harness.ts does).
    await page.goto('/login');
    await page.getByLabel('E-mail').fill(ADMIN.email);
    await page.getByLabel(/^Password/).fill(ADMIN.password);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('navigation', { name: 'Objects' }).waitFor();
    console.log('signed in through the form\n');
    // The page states this script waits for, checked once up front with a short timeout, so a
    // renamed heading fails the run at once with its name instead of a 2-minute wait per step.
    const homeHeading = page.getByRole('heading', { name: HOME_HEADING, level: 1 });
    const homeReady = async () => {
      await homeHeading.waitFor({ timeout: 15_000 }).catch(() => {
        throw new Error(`bench/web.ts: the home page shows no <h1> "${HOME_HEADING}" — the web app changed; update HOME_HEADING`);
      });
      await page.waitForLoadState('networkidle').catch(() => {});
    };
    await page.goto('/');
    await homeReady();

    const firstRow = page.locator('table.list-table tbody tr[data-record-id]').first();
    const apiTimings = (pattern: string) =>
      page.evaluate((p) => (performance.getEntriesByType('resource') as PerformanceResourceTiming[])
        .filter((e) => e.name.includes(p))
        .map((e) => ({ name: e.name.replace(location.origin, ''), ttfb: e.responseStart - e.requestStart, total: e.responseEnd - e.fetchStart })), pattern);
    /** The list's data request: the first /api/v1 call for contacts that is not metadata. */
    const listCall = (t: ApiTiming[]) => t.find((x) => /\/api\/v1\/(contact\b|query)/.test(x.name) && !/metadata|views|layout/.test(x.name));

    type Sample = { ms: number; apiTtfb: number; apiTotal: number; server: number; name?: string };
    const measurements: Record<string, Sample[]> = { 'list, full load': [], 'list, in-app': [], search: [], ...(opts.opportunities > 0 ? { board: [], 'record page': [] } : {}) };

    // (1a) Full load of /o/contact: timed from navigation start inside the page.
    for (let i = 0; i < opts.warmup + opts.reps; i++) {
      const since = serverTimes.length;
      await page.goto('/o/contact', { waitUntil: 'commit' });
      await firstRow.waitFor();
      const ms = await page.evaluate(() => (window as unknown as { __bench: { firstRow: number } }).__bench.firstRow);
      const call = listCall(await apiTimings('/api/v1/'));
      if (i === 0) {
        const all = await apiTimings('/api/v1/');
        console.log(`API calls on a full load of /o/contact:\n${all.map((x) => `    ${x.name.slice(0, 140)}  ttfb ${fmt(x.ttfb, 1)} ms`).join('\n')}`);
        console.log(`  list call taken as: ${call?.name ?? '(not found)'}\n`);
      }
      const srv = call ? serverTime((u) => u === call.name, since) : [];
      const s: Sample = { ms, apiTtfb: call?.ttfb ?? NaN, apiTotal: call?.total ?? NaN, server: srv[0] ?? NaN };
      if (i >= opts.warmup) measurements['list, full load']!.push(s);
      console.log(`list, full load  ${i < opts.warmup ? 'warm-up ' : `run ${i - opts.warmup + 1}`.padEnd(8)} first row at ${fmt(s.ms)} ms; list API ttfb ${fmt(s.apiTtfb, 1)} ms, server ${fmt(s.server, 1)} ms  [load ${os.loadavg()[0]!.toFixed(1)}]`);
    }

    // (1b) In-app navigation: fresh home page, then a click on Contacts in the Objects navigation.
    const contactsLink = page.getByRole('navigation', { name: 'Objects' }).getByRole('link', { name: 'Contacts', exact: true });
    for (let i = 0; i < opts.warmup + opts.reps; i++) {
      await page.goto('/');
      await homeReady();
      const since = serverTimes.length;
      const handle = await contactsLink.elementHandle();
      const clickAt = await page.evaluate((el) => {
        const b = (window as unknown as { __bench: { firstRow: number | null } }).__bench;
        b.firstRow = null;
        performance.clearResourceTimings();
        const t = performance.now();
        (el as HTMLElement).click();
        return t;
      }, handle);
      await firstRow.waitFor();
      const rowAt = await page.evaluate(() => (window as unknown as { __bench: { firstRow: number } }).__bench.firstRow);
      const call = listCall(await apiTimings('/api/v1/'));
      const srv = call ? serverTime((u) => u === call.name, since) : [];
      const s: Sample = { ms: rowAt - clickAt, apiTtfb: call?.ttfb ?? NaN, apiTotal: call?.total ?? NaN, server: srv[0] ?? NaN };
      if (i >= opts.warmup) measurements['list, in-app']!.push(s);
      console.log(`list, in-app     ${i < opts.warmup ? 'warm-up ' : `run ${i - opts.warmup + 1}`.padEnd(8)} first row ${fmt(s.ms)} ms after the click; list API ttfb ${fmt(s.apiTtfb, 1)} ms, server ${fmt(s.server, 1)} ms  [load ${os.loadavg()[0]!.toFixed(1)}]`);
    }

    // (2) Global search: '/' then a query typed; from the last keystroke to the options in the DOM.
    const queries = searchQueries(opts.warmup + opts.reps);
    for (let i = 0; i < queries.length; i++) {
      const q = queries[i]!;
      await page.goto('/');
      await homeReady();
      const since = serverTimes.length;
      await page.evaluate((expect) => {
        const b = (window as unknown as { __bench: { expectQ: string | null; searchDone: number | null; lastInput: number | null } }).__bench;
        b.expectQ = expect;
        b.searchDone = null;
        b.lastInput = null;
        performance.clearResourceTimings();
      }, encodeURIComponent(q));
      await page.keyboard.press('/');
      await page.keyboard.type(q, { delay: 60 });
      await page.waitForFunction(() => (window as unknown as { __bench: { searchDone: number | null } }).__bench.searchDone !== null, undefined, { timeout: 120_000 });
      const b = await page.evaluate(() => (window as unknown as { __bench: { searchDone: number; lastInput: number } }).__bench);
      const calls = await apiTimings('/api/v1/search?q=');
      const call = calls.find((x) => x.name.endsWith(`q=${encodeURIComponent(q)}`));
      const srv = serverTime((u) => u === `/api/v1/search?q=${encodeURIComponent(q)}`, since);
      const options = await page.locator('#global-search-results [role=option]').count();
      const s: Sample = { ms: b.searchDone - b.lastInput, apiTtfb: call?.ttfb ?? NaN, apiTotal: call?.total ?? NaN, server: srv[0] ?? NaN, name: q };
      if (i >= opts.warmup) measurements.search!.push(s);
      console.log(`search           ${i < opts.warmup ? 'warm-up ' : `run ${i - opts.warmup + 1}`.padEnd(8)} "${q}": ${options} options ${fmt(s.ms)} ms after the last key (${calls.length} search call${calls.length === 1 ? '' : 's'}); /search ttfb ${fmt(s.apiTtfb, 1)} ms, server ${fmt(s.server, 1)} ms  [load ${os.loadavg()[0]!.toFixed(1)}]`);
    }

    if (opts.opportunities > 0) {
      // (3) The opportunity board with the server's count and totals per stage.
      for (let i = 0; i < opts.warmup + opts.reps; i++) {
        const since = serverTimes.length;
        await page.goto('/o/opportunity/board', { waitUntil: 'commit' });
        await page.waitForFunction(() => (window as unknown as { __bench: { board: number | null } }).__bench.board !== null, undefined, { timeout: 120_000 }).catch(() => {
          throw new Error('bench/web.ts: the board showed no card with stage totals (.kanban-card, .kanban-column-header text) — the web app changed; update INSTRUMENT');
        });
        const ms = await page.evaluate(() => (window as unknown as { __bench: { board: number } }).__bench.board);
        if (i === 0 && process.env.BENCH_PROFILE_BOARD) {
          // One more load under Chromium's CPU profiler; the heaviest functions by self time
          // (build the web app with `--minify false` for readable names).
          const cdp = await context.newCDPSession(page);
          await cdp.send('Profiler.enable');
          await cdp.send('Profiler.setSamplingInterval', { interval: 200 });
          await cdp.send('Profiler.start');
          await page.goto('/o/opportunity/board', { waitUntil: 'commit' });
          await page.waitForFunction(() => (window as unknown as { __bench: { board: number | null } }).__bench.board !== null, undefined, { timeout: 120_000 });
          const { profile } = await cdp.send('Profiler.stop');
          fs.writeFileSync(process.env.BENCH_PROFILE_BOARD, JSON.stringify(profile));
          const self = new Map<string, number>();
          const dt = new Map<number, number>();
          profile.samples?.forEach((id, k) => dt.set(id, (dt.get(id) ?? 0) + (profile.timeDeltas?.[k] ?? 0)));
          for (const n of profile.nodes) {
            const key = `${n.callFrame.functionName || '(anonymous)'} ${n.callFrame.url.split('/').pop()}:${n.callFrame.lineNumber}`;
            self.set(key, (self.get(key) ?? 0) + (dt.get(n.id) ?? 0));
          }
          console.log(`board load CPU profile, self time (ms):\n${[...self.entries()].sort((a, b) => b[1] - a[1]).slice(0, 25).map(([k, v]) => `    ${fmt(v / 1000, 1).padStart(7)}  ${k}`).join('\n')}`);
        }
        if (i === 0) {
          // Where the time goes: each request's start and end from navigation start.
          const all = await page.evaluate(() => (performance.getEntriesByType('resource') as PerformanceResourceTiming[])
            .map((e) => ({ name: e.name.replace(location.origin, ''), start: e.startTime, end: e.responseEnd })));
          console.log(`requests of a board load (ms from navigation start; cards and totals at ${fmt(ms)}):\n${all.map((x) => `    ${fmt(x.start, 0).padStart(5)} → ${fmt(x.end, 0).padStart(5)}  ${x.name.slice(0, 110)}`).join('\n')}`);
        }
        const call = (await apiTimings('/api/v1/sales/board-summary'))[0];
        const srv = serverTime((u) => u.startsWith('/api/v1/sales/board-summary'), since);
        const s: Sample = { ms, apiTtfb: call?.ttfb ?? NaN, apiTotal: call?.total ?? NaN, server: srv[0] ?? NaN };
        if (i >= opts.warmup) measurements.board!.push(s);
        console.log(`board            ${i < opts.warmup ? 'warm-up ' : `run ${i - opts.warmup + 1}`.padEnd(8)} cards and stage totals at ${fmt(s.ms)} ms; board-summary ttfb ${fmt(s.apiTtfb, 1)} ms, server ${fmt(s.server, 1)} ms  [load ${os.loadavg()[0]!.toFixed(1)}]`);
      }
      // (4) A deal's record page, a different deal each run (nothing cached).
      const deals = (await raw.query<{ id: string; name: string }>(`SELECT id, name FROM obj_opportunity TABLESAMPLE SYSTEM (1) LIMIT ${opts.warmup + opts.reps}`)).rows;
      for (let i = 0; i < deals.length; i++) {
        const deal = deals[i]!;
        await page.evaluate((title) => sessionStorage.setItem('benchTitle', title), deal.name);
        const since = serverTimes.length;
        await page.goto(`/o/opportunity/${deal.id}`, { waitUntil: 'commit' });
        await page.waitForFunction(() => (window as unknown as { __bench: { title: number | null } }).__bench.title !== null, undefined, { timeout: 60_000 }).catch(() => {
          throw new Error(`bench/web.ts: the record page showed no <h1> "${deal.name}" — the web app changed; update INSTRUMENT`);
        });
        const ms = await page.evaluate(() => (window as unknown as { __bench: { title: number } }).__bench.title);
        const call = (await apiTimings(`/api/v1/opportunity/${deal.id}`)).find((x) => x.name.split('?')[0] === `/api/v1/opportunity/${deal.id}`);
        const srv = serverTime((u) => u.split('?')[0] === `/api/v1/opportunity/${deal.id}`, since);
        const s: Sample = { ms, apiTtfb: call?.ttfb ?? NaN, apiTotal: call?.total ?? NaN, server: srv[0] ?? NaN };
        if (i >= opts.warmup) measurements['record page']!.push(s);
        console.log(`record page      ${i < opts.warmup ? 'warm-up ' : `run ${i - opts.warmup + 1}`.padEnd(8)} name shown at ${fmt(s.ms)} ms; record API ttfb ${fmt(s.apiTtfb, 1)} ms, server ${fmt(s.server, 1)} ms  [load ${os.loadavg()[0]!.toFixed(1)}]`);
      }
      await page.evaluate(() => sessionStorage.removeItem('benchTitle'));
    }

    // Where the search time goes: the contact query of GET /api/v1/search, captured from the pg
    // client during one in-process search, then explained under the same transaction setting.
    {
      const { searchRecords } = await import('../packages/server/src/platform/search/search.ts');
      const captured: Array<{ text: string; values: unknown[] }> = [];
      const proto = pg.Client.prototype as unknown as { query: (...a: unknown[]) => unknown };
      const originalQuery = proto.query;
      proto.query = function (this: unknown, ...a: unknown[]) {
        const q = a[0] as { text?: string; values?: unknown[] } | string;
        if (q && typeof q === 'object' && typeof q.text === 'string') captured.push({ text: q.text, values: q.values ?? (a[1] as unknown[]) ?? [] });
        else if (typeof q === 'string') captured.push({ text: q, values: (a[1] as unknown[]) ?? [] });
        return originalQuery.apply(this, a);
      };
      const q = 'Smith';
      const t1 = performance.now();
      try {
        await searchRecords({ ctx, query: q });
      } finally {
        proto.query = originalQuery;
      }
      console.log(`\nin-process search for "${q}": ${fmt(performance.now() - t1)} ms, ${captured.length} statements`);
      const stmt = captured.find((c) => /FROM "obj_contact"/.test(c.text) && /plainto_tsquery/.test(c.text));
      if (stmt) {
        const client = await raw.connect();
        try {
          await client.query('BEGIN');
          // The search's own transaction settings (similarity threshold, no sequential scans), replayed.
          for (const c of captured.filter((c) => /set_config/.test(c.text))) await client.query(c.text, c.values);
          const plan = await client.query<{ 'QUERY PLAN': string }>(`EXPLAIN (ANALYZE, BUFFERS) ${stmt.text}`, stmt.values);
          await client.query('COMMIT');
          console.log(`contact search SQL: ${stmt.text.replace(/\s+/g, ' ').slice(0, 600)}\n  params ${JSON.stringify(stmt.values)}`);
          console.log(plan.rows.map((x) => `    ${x['QUERY PLAN']}`).join('\n'));
          const matches = await raw.query<{ n: string }>(`SELECT count(*)::text AS n FROM obj_contact WHERE deleted_at IS NULL AND lower(last_name) = 'smith'`);
          console.log(`  (contacts with last name Smith: ${matches.rows[0]!.n})`);
        } finally {
          client.release();
        }
      }
    }

    // Report
    const row = (cells: string[]) => `| ${cells.join(' | ')} |`;
    const lines = [
      row(['measurement', 'runs', 'p50 ms', 'p95 ms', 'max ms', 'API ttfb p50 ms', 'API ttfb p95 ms', 'server (Fastify) p50 ms', 'server p95 ms']),
      row(['---', '---:', '---:', '---:', '---:', '---:', '---:', '---:', '---:']),
    ];
    for (const [name, xs] of Object.entries(measurements)) {
      const v = (k: keyof Sample) => xs.map((x) => x[k] as number);
      lines.push(row([name, String(xs.length), fmt(pct(v('ms'), 50)), fmt(pct(v('ms'), 95)), fmt(pct(v('ms'), 100)), fmt(pct(v('apiTtfb'), 50), 1), fmt(pct(v('apiTtfb'), 95), 1), fmt(pct(v('server'), 50), 1), fmt(pct(v('server'), 95), 1)]));
    }
    console.log(`\n${lines.join('\n')}\n`);
    const m = (name: string) => pct(measurements[name]!.map((x) => x.ms), 95);
    console.log(`aim: contact list visible within 1500 ms of navigation (p95): full load ${fmt(m('list, full load'))} ms — ${m('list, full load') <= 1500 ? 'MET' : 'MISSED'}; in-app ${fmt(m('list, in-app'))} ms — ${m('list, in-app') <= 1500 ? 'MET' : 'MISSED'}`);
    console.log(`aim: search results within 300 ms of the last keystroke (p95, incl. the 200 ms debounce): ${fmt(m('search'))} ms — ${m('search') <= 300 ? 'MET' : 'MISSED'}`);
    if (opts.opportunities > 0) {
      console.log(`aim: board with stage totals over ${opts.opportunities} opportunities within 1000 ms (p95): ${fmt(m('board'))} ms — ${m('board') <= 1000 ? 'MET' : 'MISSED'}`);
      console.log(`record page (no aim set): p95 ${fmt(m('record page'))} ms`);
    }
    const searchServer = pct(measurements.search!.map((x) => x.server), 95);
    console.log(`aim: /search server time p95 under 50 ms: ${fmt(searchServer, 1)} ms — ${searchServer <= 50 ? 'MET' : 'MISSED'}`);
    console.log(`load average at the end: ${os.loadavg().map((x) => x.toFixed(2)).join(' ')} (shared machine: other processes skew the figures)`);
    if (pageErrors.length) console.log(`page errors:\n${pageErrors.join('\n')}`);
    if (opts.json) {
      fs.writeFileSync(opts.json, JSON.stringify({ date: new Date().toISOString(), node: process.version, postgres: serverVersion, chromium: chromiumVersion, cpus: os.availableParallelism(), opts, loadSeconds, measurements }, null, 2));
    }
  } finally {
    await browser?.close().catch(() => {});
    await app?.close().catch(() => {});
    await raw?.end().catch(() => {});
    await database?.close().catch(() => {});
    if (opts.keep) console.log(`kept database ${dbName}`);
    else await admin.query(`DROP DATABASE IF EXISTS "${dbName}" WITH (FORCE)`).catch((e: Error) => console.error(`could not drop ${dbName}: ${e.message}`));
    await admin.end();
    console.log(`total ${((performance.now() - t0) / 1000).toFixed(0)}s`);
  }
}

main().catch((error) => {
  console.error(error);
  process.exitCode = 1;
});
