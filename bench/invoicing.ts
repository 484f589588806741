/**
 * Invoicing benchmark (issue 12 item 12): order intake over HTTP against the same rows written by
 * hand-written SQL, the monthly invoicing run at scale with memory sampled, and gapless invoice
 * numbering under concurrent posters.
 *
 *   cd /work/main && npm exec -- node bench/invoicing.ts [--intake 2000] [--accounts 1000] [--orders 5] [--drafts 400] [--concurrency 8] [--keep]
 *
 * Creates a throwaway database on the local PostgreSQL server (dropped at the end; see
 * bench/lib.ts), boots the platform on it and starts the real Fastify app on 127.0.0.1. Then:
 *
 *   intake   an order source (cXML) with a secret made by the rotate command, --intake accounts
 *            with account numbers (invoiced per month), 12 products in a standard USD book; then
 *            --intake distinct cXML OrderRequests of 3 lines each, signed with signBody's scheme
 *            at the moment they are sent, POSTed to /api/v1/order-intake/:key by --concurrency
 *            clients (node:http, keep-alive, in a worker thread so their JavaScript stays off the
 *            server's event loop) → orders/s, p50/p95. The baseline: the same rows (the
 *            order_intake log row, the order, its 3 lines) written by hand-written parameterised
 *            INSERTs, one transaction per order, over --concurrency connections → orders/s. Every
 *            order must be stored exactly once (by its shop order id) on both sides.
 *   monthly  one account with --orders completed orders of 3 lines made through the order
 *            commands (create, confirm, complete), cloned in SQL to --accounts accounts (COPY-free
 *            INSERT … SELECT of every column, new ids and numbers); then runMonthlyInvoicing for
 *            the month, in process → invoices/s and orders/s, process RSS sampled every second,
 *            statements per invoice by kind (their time in flight can exceed the run's: the run
 *            invoices three batches of 50 accounts at a time). Checked: every order on exactly one invoice, the
 *            run without failures, the invoice numbers 1..n without gaps. Then the PDF of a sample of
 *            the invoices (rendered on send or download, never while posting), for scale.
 *   numbers  --drafts drafts (one in ten without lines: refused before a number is taken; one in
 *            twenty failing after its number was taken, by a trigger in this throwaway database:
 *            the number must come back), posted over HTTP (POST /api/v1/invoices/:id/post) by
 *            --concurrency clients at once → posts/s; every posted number in the series must be
 *            1..n with no gap and no duplicate.
 * Not a test: run it by hand. See docs/performance.md.
 */
import http from 'node:http';
import os from 'node:os';
import { createHash, randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { Worker, isMainThread, parentPort, workerData } from 'node:worker_threads';
import pg from 'pg';
import { backendCpu, createBenchDatabase, fmt } from './lib.ts';

interface Options {
  intake: number;
  accounts: number;
  orders: number;
  drafts: number;
  concurrency: number;
  keep: boolean;
  skip: Set<string>;
}

function parseArgs(argv: string[]): Options {
  const o: Options = { intake: 2000, accounts: 1000, orders: 5, drafts: 400, concurrency: 8, keep: false, skip: new Set() };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    const num = () => {
      const v = Number(argv[++i]);
      if (!Number.isInteger(v) || v < 1) throw new Error(`${a} needs a positive integer`);
      return v;
    };
    if (a === '--intake') o.intake = num();
    else if (a === '--accounts') o.accounts = num();
    else if (a === '--orders') o.orders = num();
    else if (a === '--drafts') o.drafts = num();
    else if (a === '--concurrency') o.concurrency = num();
    else if (a === '--keep') o.keep = true;
    else if (a === '--skip') o.skip = new Set(String(argv[++i]).split(','));
    else throw new Error(`Unknown argument ${a}; usage: bench/invoicing.ts [--intake N] [--accounts N] [--orders N] [--drafts N] [--concurrency C] [--skip intake,monthly,numbers] [--keep]`);
  }
  return o;
}

// ---------------------------------------------------------------------------------------------
// The HTTP clients, in a worker thread: each request is signed (intake) just before it is sent.
// ---------------------------------------------------------------------------------------------

interface ClientRequest {
  path: string;
  body: string;
  contentType: string;
}
interface ClientJob {
  port: number;
  concurrency: number;
  requests: ClientRequest[];
  /** Intake: sign each body with this secret; otherwise a Bearer token. */
  secret?: string;
  token?: string;
}
interface ClientResult {
  seconds: number;
  /** CPU time of the client thread (µs), to leave out of the server's. */
  threadCpuUs: number;
  latencies: number[];
  statuses: number[];
  answers: string[];
}

function runClients(job: ClientJob): Promise<ClientResult> {
  return new Promise((resolve, reject) => {
    const worker = new Worker(new URL(import.meta.url), { workerData: { invoicingClients: job } });
    worker.once('message', (m: ClientResult) => resolve(m));
    worker.once('error', reject);
    worker.once('exit', (code) => {
      if (code !== 0) reject(new Error(`client worker exited with ${code}`));
    });
  });
}

async function clientWorker(job: ClientJob): Promise<void> {
  const { signBody } = await import('../packages/server/src/modules/orders/intake/signature.ts');
  const agent = new http.Agent({ keepAlive: true, maxSockets: job.concurrency });
  const n = job.requests.length;
  const latencies = new Array<number>(n).fill(NaN);
  const statuses = new Array<number>(n).fill(0);
  const answers = new Array<string>(n).fill('');
  let next = 0;
  const send = (r: ClientRequest) => new Promise<{ status: number; text: string }>((resolve, reject) => {
    const body = Buffer.from(r.body);
    const headers: http.OutgoingHttpHeaders = { 'content-type': r.contentType, 'content-length': body.length };
    if (job.secret) headers['x-meridian-signature'] = signBody({ secret: job.secret, body });
    if (job.token) headers.authorization = `Bearer ${job.token}`;
    const req = http.request({ host: '127.0.0.1', port: job.port, method: 'POST', path: r.path, agent, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(body);
  });
  const start = performance.now();
  const cpu0 = process.threadCpuUsage();
  await Promise.all(Array.from({ length: job.concurrency }, async () => {
    for (;;) {
      const i = next++;
      if (i >= n) return;
      const t0 = performance.now();
      try {
        const res = await send(job.requests[i]!);
        statuses[i] = res.status;
        answers[i] = res.text.slice(0, 2000);
      } catch (error) {
        statuses[i] = -1;
        answers[i] = String(error);
      }
      latencies[i] = performance.now() - t0;
    }
  }));
  const seconds = (performance.now() - start) / 1000;
  const cpu = process.threadCpuUsage(cpu0);
  agent.destroy();
  parentPort!.postMessage({ seconds, threadCpuUs: cpu.user + cpu.system, latencies, statuses, answers } satisfies ClientResult);
}

// ---------------------------------------------------------------------------------------------
// Helpers
// ---------------------------------------------------------------------------------------------

const pct = (xs: number[], p: number) => {
  const s = xs.filter(Number.isFinite).sort((a, b) => a - b);
  return s.length ? s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)]! : NaN;
};
const mib = (bytes: number) => bytes / 2 ** 20;
const load = () => os.loadavg().map((x) => x.toFixed(2)).join(' ');
const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

/** A cXML OrderRequest like the intake fixture (a shop's punch-out order), with 3 lines. */
function cxmlOrder(o: { id: string; account: string; email: string; lines: Array<{ sku: string; quantity: number; price: string; description: string }> }): string {
  const items = o.lines.map((l, i) => `      <ItemOut quantity="${l.quantity}" lineNumber="${i + 1}" requestedDeliveryDate="2026-12-18">
        <ItemID>
          <SupplierPartID>${esc(l.sku)}</SupplierPartID>
        </ItemID>
        <ItemDetail>
          <UnitPrice>
            <Money currency="USD">${l.price}</Money>
          </UnitPrice>
          <Description xml:lang="en">${esc(l.description)}</Description>
          <UnitOfMeasure>EA</UnitOfMeasure>
        </ItemDetail>
      </ItemOut>`).join('\n');
  const total = o.lines.reduce((a, l) => a + l.quantity * Number(l.price), 0).toFixed(2);
  return `<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE cXML SYSTEM "http://xml.cxml.org/schemas/cXML/1.2.014/cXML.dtd">
<cXML payloadID="${esc(o.id)}@shop.example.com" timestamp="2026-12-05T14:54:05-05:00" xml:lang="en-US">
  <Header>
    <From>
      <Credential domain="NetworkID">
        <Identity>AN01000123456</Identity>
      </Credential>
    </From>
    <To>
      <Credential domain="DUNS">
        <Identity>081466849</Identity>
      </Credential>
    </To>
    <Sender>
      <Credential domain="NetworkID">
        <Identity>AN01000123456</Identity>
      </Credential>
      <UserAgent>Bench Procurement 1.0</UserAgent>
    </Sender>
  </Header>
  <Request deploymentMode="production">
    <OrderRequest>
      <OrderRequestHeader orderID="${esc(o.id)}" orderDate="2026-12-05T14:52:31-05:00" type="new">
        <Total>
          <Money currency="USD">${total}</Money>
        </Total>
        <ShipTo>
          <Address isoCountryCode="US" addressID="DOCK-3">
            <Name xml:lang="en">Receiving — Plant 2</Name>
            <PostalAddress name="default">
              <DeliverTo>Receiving, Dock 3</DeliverTo>
              <Street>4100 Industrial Parkway</Street>
              <City>Dayton</City>
              <State>OH</State>
              <PostalCode>45414</PostalCode>
              <Country isoCountryCode="US">United States</Country>
            </PostalAddress>
          </Address>
        </ShipTo>
        <Contact role="buyer">
          <Name xml:lang="en">Dana Whitfield</Name>
          <Email name="default">${esc(o.email)}</Email>
        </Contact>
        <Comments xml:lang="en-US">Please deliver before noon &amp; call the dock 30 minutes ahead.</Comments>
        <Extrinsic name="CustomerNumber">${esc(o.account)}</Extrinsic>
      </OrderRequestHeader>
${items}
    </OrderRequest>
  </Request>
</cXML>
`;
}

/**
 * Counts the statements the pg driver sends, and their time in flight, by the statement's first
 * words (bounded memory: one entry per statement shape). Wall time in flight is the database's
 * share of a serial run (round trip, queueing and execution).
 */
function statementCounter() {
  const proto = pg.Client.prototype as unknown as { query: (...a: unknown[]) => unknown };
  const original = proto.query;
  const kinds = new Map<string, { n: number; ms: number }>();
  let total = 0;
  let ms = 0;
  const shape = (text: string) => {
    const t = text.replace(/\s+/g, ' ').trim();
    const m = /^(insert into|update|delete from|select .*? from|with|savepoint|release savepoint|rollback to savepoint|begin|commit|rollback|set|select)\s*("?[\w.]+"?)?/i.exec(t);
    return m ? `${m[1]!.split(' ')[0]!.toUpperCase()}${m[2] ? ` ${m[2].replace(/"/g, '')}` : ''}` : t.slice(0, 30);
  };
  return {
    start() {
      proto.query = function (this: unknown, ...a: unknown[]) {
        const q = a[0] as { text?: string } | string;
        const text = typeof q === 'string' ? q : (q?.text ?? '');
        const key = shape(text);
        const t0 = performance.now();
        const out = original.apply(this, a);
        const done = () => {
          const d = performance.now() - t0;
          const k = kinds.get(key) ?? { n: 0, ms: 0 };
          k.n++;
          k.ms += d;
          kinds.set(key, k);
          total++;
          ms += d;
        };
        if (out && typeof (out as Promise<unknown>).then === 'function') (out as Promise<unknown>).then(done, done);
        else done();
        return out;
      };
    },
    stop() {
      proto.query = original;
    },
    reset() {
      kinds.clear();
      total = 0;
      ms = 0;
    },
    get total() {
      return total;
    },
    get ms() {
      return ms;
    },
    top(k: number) {
      return [...kinds.entries()].sort((a, b) => b[1].ms - a[1].ms).slice(0, k);
    },
  };
}

// ---------------------------------------------------------------------------------------------

async function main() {
  const opts = parseArgs(process.argv.slice(2));
  const { loadConfig } = await import('../packages/server/src/platform/config.ts');
  const { bootPlatform, createLogger } = await import('../packages/server/src/platform/boot.ts');
  const { modules } = await import('../packages/server/src/modules/index.ts');
  const { openDatabase } = await import('../packages/server/src/platform/db/connection.ts');
  const { buildApp } = await import('../packages/server/src/platform/http/app.ts');
  const { createUser } = await import('../packages/server/src/platform/auth/users.ts');
  const { createApiToken, actorFor } = await import('../packages/server/src/platform/auth/sessions.ts');
  const { createRecord } = await import('../packages/server/src/platform/records/write.ts');
  const { rotateIntakeSecret } = await import('../packages/server/src/modules/orders/commands/intakeSecret.ts');
  const { createOrder, confirmOrder, completeOrder } = await import('../packages/server/src/modules/orders/index.ts');
  const { createInvoice, renderInvoicePdf } = await import('../packages/server/src/modules/invoicing/index.ts');
  const { runMonthlyInvoicing } = await import('../packages/server/src/modules/invoicing/runs/index.ts');

  const bench = await createBenchDatabase('invoicing');
  const { databaseUrl, facts } = bench;
  console.log(`Meridian invoicing benchmark — ${new Date().toISOString()}`);
  for (const line of facts) console.log(line);
  console.log(`options: intake ${opts.intake}, accounts ${opts.accounts} × orders ${opts.orders}, drafts ${opts.drafts}, concurrency ${opts.concurrency}\n`);
  const summary: Array<[string, string, string, string]> = [];
  let failed = false;
  const check = (what: string, okay: boolean, detail: string) => {
    console.log(`  check: ${what}: ${okay ? 'ok' : 'FAILED'} (${detail})`);
    if (!okay) failed = true;
  };

  let database: Awaited<ReturnType<typeof openDatabase>> | undefined;
  let raw: pg.Pool | undefined;
  let app: Awaited<ReturnType<typeof buildApp>> | undefined;
  const t0 = performance.now();
  try {
    database = await openDatabase({ databaseUrl, poolSize: 10 });
    const config = { ...loadConfig({}), databaseUrl, logLevel: 'silent', publicUrl: 'http://127.0.0.1' };
    const platform = await bootPlatform({ config, modules, database, logger: createLogger('silent') });
    raw = new pg.Pool({ connectionString: databaseUrl, max: opts.concurrency });
    raw.on('error', () => {});
    const table = (name: string) => platform.registry.requireObject(name).table;
    const object = (name: string) => platform.registry.requireObject(name);

    const adminUser = await createUser({ platform, actor: (await import('../packages/server/src/platform/records/context.ts')).systemActor(), input: { email: 'bench-admin@example.com', firstName: 'Bench', lastName: 'Admin', profile: 'admin' } });
    const adminRow = { id: adminUser.id as string, email: 'bench-admin@example.com', profile: 'admin', active: true, time_zone: 'UTC', locale: 'en-US', full_name: 'Bench Admin' };
    const tokenInfo = await createApiToken({ platform, actor: actorFor(adminRow, 'api'), name: 'bench' });
    const ctx = { platform, actor: actorFor(adminRow, 'api', tokenInfo.id) };
    const create = (name: string, input: Record<string, unknown>) => createRecord({ ctx, object: object(name), input });

    // ---- Catalogue through the record pipeline ---------------------------------------------
    const each = (await raw.query<{ id: string }>(`SELECT id FROM ${table('unit_of_measure')} WHERE code = 'each'`)).rows[0]!.id;
    const book = await create('price_book', { name: 'Standard USD', currency: 'USD', is_standard: true });
    const products: Array<{ id: string; sku: string; price: string; name: string }> = [];
    for (let i = 0; i < 12; i++) {
      const sku = `SKU-${String(i).padStart(3, '0')}`;
      const price = (5 + i * 3.25).toFixed(2);
      const p = await create('product', { code: sku, name: `Product ${i}`, type: 'part', unit_of_measure: each, cost: 2 });
      await create('price_book_entry', { price_book: book.id, product: p.id, unit_price: price });
      products.push({ id: p.id as string, sku, price, name: `Product ${i}` });
    }

    /** Every column of a table that can be written (no generated ones), with its type. */
    const columns = async (t: string) => (await raw!.query<{ name: string; type: string }>(
      `SELECT a.attname AS name, format_type(a.atttypid, a.atttypmod) AS type FROM pg_attribute a
       WHERE a.attrelid = $1::regclass AND a.attnum > 0 AND NOT a.attisdropped AND a.attgenerated = '' ORDER BY a.attnum`, [t])).rows;

    /**
     * Clones rows of `t` chosen by `where` in SQL, every column copied except those given as SQL
     * expressions (over the source row `s` and the series `g`, 1..copies).
     */
    const cloneSql = async (t: string, where: string, copies: string, overrides: Record<string, string>) => {
      const cols = await columns(t);
      const missing = Object.keys(overrides).filter((k) => !cols.some((c) => c.name === k));
      if (missing.length) throw new Error(`${t} has no column ${missing.join(', ')}`);
      return `INSERT INTO ${t} (${cols.map((c) => `"${c.name}"`).join(', ')})
        SELECT ${cols.map((c) => overrides[c.name] ?? `s."${c.name}"`).join(', ')} FROM ${t} s CROSS JOIN ${copies} WHERE ${where}`;
    };

    // The real app on a port.
    app = await buildApp(platform, { logger: false });
    await app.listen({ host: '127.0.0.1', port: 0 });
    const port = (app.server.address() as { port: number }).port;

    /**
     * Runs fn and answers the CPU it cost (this process, less the client thread, plus the
     * database's backends) and what the database's sessions were waiting for, sampled every 100 ms.
     */
    const measured = async <T,>(fn: () => Promise<T>, sampleWaits = true) => {
      const pg0 = await backendCpu(bench.admin, bench.dbName);
      const cpu0 = process.cpuUsage();
      const waits = new Map<string, number>();
      let samples = 0;
      let sampling = sampleWaits;
      const sampler = (async () => {
        while (sampling) {
          // A session waiting for a row lock is named by the statement it waits in.
          const r = (await bench.admin.query<{ what: string; n: string }>(`SELECT coalesce(a.wait_event_type || ':' || a.wait_event, 'cpu')
              || CASE WHEN a.wait_event_type = 'Lock' THEN ' in "' || left(regexp_replace(a.query, '\\s+', ' ', 'g'), 60) || '…"' ELSE '' END AS what, count(*) AS n
            FROM pg_stat_activity a
            WHERE a.datname = $1 AND a.state = 'active' AND a.pid <> pg_backend_pid() GROUP BY 1`, [bench.dbName])).rows;
          samples++;
          for (const x of r) waits.set(x.what, (waits.get(x.what) ?? 0) + Number(x.n));
          await new Promise((resolve) => setTimeout(resolve, 100));
        }
      })();
      const out = await fn();
      sampling = false;
      await sampler;
      const cpu = process.cpuUsage(cpu0);
      const pg1 = await backendCpu(bench.admin, bench.dbName);
      let pgUs = 0;
      for (const [pid, us] of pg1) pgUs += us - (pg0.get(pid) ?? 0);
      const nodeUs = cpu.user + cpu.system - ((out as { threadCpuUs?: number }).threadCpuUs ?? 0);
      const waiting = samples === 0 ? '-' : [...waits.entries()].sort((a, b) => b[1] - a[1]).map(([k, n]) => `${k} ${(n / samples).toFixed(1)}`).join(', ');
      return { out, nodeUs, pgUs, waiting };
    };

    // =========================================================================================
    // 1. Intake
    // =========================================================================================
    if (!opts.skip.has('intake')) {
      console.log('== 1. Order intake over HTTP ==');
      const N = opts.intake;
      const source = await create('order_intake_source', { name: 'Bench shop', key: 'bench-shop', format: 'cxml', staff_email: 'service@example.com' });
      const { secret } = await rotateIntakeSecret({ ctx, id: source.id as string });
      // Accounts: one through the pipeline, cloned in SQL (the intake only reads them).
      const A = table('account');
      const tmpl = await create('account', { name: 'Intake Buyer 0', account_number: 'IN-0', currency: 'USD', invoicing_option: 'per_month' });
      const sa = performance.now();
      await raw.query(await cloneSql(A, `s.id = '${tmpl.id}'`, `generate_series(1, ${N - 1}) g`, {
        id: `gen_random_uuid()`, name: `'Intake Buyer ' || g`, account_number: `'IN-' || g`,
      }));
      await raw.query(`ANALYZE`);
      console.log(`${N} accounts (1 by the pipeline, ${N - 1} cloned) in ${((performance.now() - sa) / 1000).toFixed(1)}s`);

      const linesOf = (i: number) => [0, 1, 2].map((k) => {
        const p = products[(i * 5 + k * 7) % products.length]!;
        return { sku: p.sku, quantity: 1 + ((i * 3 + k) % 40), price: p.price, description: `${p.name}, box of 10` };
      });
      const orderBody = (prefix: string, i: number) => cxmlOrder({ id: `${prefix}-${String(i).padStart(6, '0')}`, account: `IN-${i % N}`, email: `buyer${i}@example.com`, lines: linesOf(i) });

      // One order first, to read the statements it takes and the rows it writes.
      const probe = await captureStatements(async () => {
        const res = await fetch(`http://127.0.0.1:${port}/api/v1/order-intake/bench-shop`, {
          method: 'POST', body: orderBody('PROBE', 0),
          headers: { 'content-type': 'application/xml', 'x-meridian-signature': (await import('../packages/server/src/modules/orders/intake/index.ts')).signBody({ secret, body: orderBody('PROBE', 0) }) },
        });
        if (res.status !== 202) throw new Error(`intake answered ${res.status}: ${await res.text()}`);
        const answer = await res.json() as { result: string; order: string };
        if (answer.result !== 'accepted') throw new Error(`intake: ${JSON.stringify(answer)}`);
      });
      console.log(`one intake request: ${probe.length} SQL statements`);
      for (const [k, n] of countShapes(probe)) console.log(`    ${String(n).padStart(3)}  ${k}`);

      const requests = Array.from({ length: N }, (_, i) => ({ path: '/api/v1/order-intake/bench-shop', body: orderBody('BENCH', i), contentType: 'application/xml' }));
      const loadBefore = load();
      const m = await measured(() => runClients({ port, concurrency: opts.concurrency, requests, secret }));
      const res = m.out;
      const bad = res.statuses.map((s, i) => [s, i] as const).filter(([s, i]) => s !== 202 || !res.answers[i]!.includes('"result":"accepted"'));
      const httpRate = N / res.seconds;
      console.log(`HTTP intake: ${N} orders in ${res.seconds.toFixed(1)}s = ${httpRate.toFixed(1)} orders/s, p50 ${fmt(pct(res.latencies, 50))} ms, p95 ${fmt(pct(res.latencies, 95))} ms, ${bad.length} not accepted${bad.length ? ` (first: ${bad[0]![0]} ${res.answers[bad[0]![1]]!.slice(0, 300)})` : ''}  [load ${loadBefore} → ${load()}]`);
      console.log(`  CPU per order: server ${(m.nodeUs / N / 1000).toFixed(1)} ms + PostgreSQL ${(m.pgUs / N / 1000).toFixed(1)} ms (client thread ${(res.threadCpuUs / N / 1000).toFixed(1)} ms); CPU-bound ceiling on ${os.availableParallelism()} cores ≈ ${((os.availableParallelism() * 1e6 * N) / (m.nodeUs + m.pgUs)).toFixed(0)} orders/s`);
      console.log(`  active database sessions by what they wait for (mean of 100 ms samples): ${m.waiting}`);

      // The baseline: the same rows by hand-written SQL. The values come from the order the
      // probe made (so the rows look like the pipeline's), with each order's own ids, account,
      // lines and figures.
      const O = table('order');
      const L = table('order_line');
      const I = table('order_intake');
      const accounts = new Map((await raw.query<{ n: string; id: string }>(`SELECT account_number AS n, id FROM ${A} WHERE account_number LIKE 'IN-%'`)).rows.map((r) => [r.n, r.id]));
      const probeOrder = (await raw.query(`SELECT o.* FROM ${O} o WHERE o.external_id = 'PROBE-000000'`)).rows[0] as Record<string, unknown>;
      const probeLines = (await raw.query(`SELECT * FROM ${L} WHERE order_id = $1 ORDER BY position`, [probeOrder.id])).rows as Array<Record<string, unknown>>;
      const probeIntake = (await raw.query(`SELECT * FROM ${I} WHERE id = $1`, [probeOrder.intake_id])).rows[0] as Record<string, unknown>;
      const [oc, lc, ic] = [await columns(O), await columns(L), await columns(I)];
      const insertSql = (t: string, cols: Array<{ name: string; type: string }>, rows = 1) => `INSERT INTO ${t} (${cols.map((c) => `"${c.name}"`).join(', ')}) VALUES ${Array.from({ length: rows }, (_, r) => `(${cols.map((c, k) => `$${r * cols.length + k + 1}::${c.type}`).join(', ')})`).join(', ')}`;
      const asParam = (v: unknown) => (v === null || v === undefined ? null : v instanceof Date ? v.toISOString() : typeof v === 'object' ? JSON.stringify(v) : String(v));
      const [oSql, lSql, iSql] = [insertSql(O, oc), insertSql(L, lc, 3), insertSql(I, ic)];
      let numberSeq = 0;
      const baselineOrder = async (client: pg.PoolClient, i: number) => {
        const externalId = `RAW-${String(i).padStart(6, '0')}`;
        const body = orderBody('RAW', i);
        const now = new Date().toISOString();
        const intakeId = randomUUID();
        const orderId = randomUUID();
        const number = `RAW-${++numberSeq}`;
        const lines = linesOf(i).map((l, k) => {
          const p = products.find((x) => x.sku === l.sku)!;
          const net = (l.quantity * Number(l.price)).toFixed(2);
          return { ...probeLines[k], id: randomUUID(), order_id: orderId, product_id: p.id, quantity: String(l.quantity), unit_price: l.price, list_price: l.price, description: l.description,
            net, gross: net, taxable: net, total: net, name: p.name, created_at: now, updated_at: now } as Record<string, unknown>;
        });
        const total = lines.reduce((a, l) => a + Number(l.total), 0).toFixed(2);
        const intake = { ...probeIntake, id: intakeId, external_id: externalId, payload: body, body_sha256: createHash('sha256').update(body).digest('hex'), order_id: null, name: `Bench shop · ${externalId}`, created_at: now, updated_at: now } as Record<string, unknown>;
        const order = { ...probeOrder, id: orderId, number, name: number, external_id: externalId, po_number: externalId, intake_id: intakeId, account_id: accounts.get(`IN-${i % N}`),
          subtotal: total, taxable: total, total, created_at: now, updated_at: now, confirmed_at: now } as Record<string, unknown>;
        await client.query('BEGIN');
        try {
          await client.query(iSql, ic.map((c) => asParam(intake[c.name])));
          await client.query(oSql, oc.map((c) => asParam(order[c.name])));
          await client.query(lSql, lines.flatMap((l) => lc.map((c) => asParam(l[c.name]))));
          // The log row and the order point at each other: the link is set once both exist, as the pipeline does.
          await client.query(`UPDATE ${I} SET order_id = $2 WHERE id = $1`, [intakeId, orderId]);
          await client.query('COMMIT');
        } catch (error) {
          await client.query('ROLLBACK');
          throw error;
        }
      };
      const sb = performance.now();
      let nextRaw = 0;
      const rawLat: number[] = [];
      const rm = await measured(async () => {
        await Promise.all(Array.from({ length: opts.concurrency }, async () => {
          const client = await raw!.connect();
          try {
            for (;;) {
              const i = nextRaw++;
              if (i >= N) return;
              const t = performance.now();
              await baselineOrder(client, i);
              rawLat.push(performance.now() - t);
            }
          } finally {
            client.release();
          }
        }));
        return {};
      });
      const rawSeconds = (performance.now() - sb) / 1000;
      const rawRate = N / rawSeconds;
      console.log(`hand-written SQL: ${N} orders in ${rawSeconds.toFixed(1)}s = ${rawRate.toFixed(1)} orders/s, p50 ${fmt(pct(rawLat, 50))} ms, p95 ${fmt(pct(rawLat, 95))} ms  [load ${load()}]`);
      console.log(`  CPU per order: Node ${(rm.nodeUs / N / 1000).toFixed(1)} ms + PostgreSQL ${(rm.pgUs / N / 1000).toFixed(1)} ms; waits: ${rm.waiting}`);

      // One client: the time of one order without queueing behind the others.
      const ONE = Math.min(100, N);
      const one = await runClients({ port, concurrency: 1, requests: Array.from({ length: ONE }, (_, i) => ({ path: '/api/v1/order-intake/bench-shop', body: orderBody('ONE', i), contentType: 'application/xml' })), secret });
      const oneBad = one.statuses.filter((x) => x !== 202).length;
      console.log(`HTTP intake, 1 client: ${ONE} orders in ${one.seconds.toFixed(1)}s = ${(ONE / one.seconds).toFixed(1)} orders/s, p50 ${fmt(pct(one.latencies, 50))} ms, p95 ${fmt(pct(one.latencies, 95))} ms${oneBad ? `, ${oneBad} not accepted` : ''}  [load ${load()}]`);

      const stored = (await raw.query<{ prefix: string; orders: string; distinct_ids: string; max_per_id: string; lines: string; intakes: string }>(`
        WITH o AS (SELECT id, external_id, left(external_id, 4) AS prefix FROM ${O} WHERE external_id LIKE 'BENCH-%' OR external_id LIKE 'RAW-%'),
          per_id AS (SELECT prefix, external_id, count(*) AS c FROM o GROUP BY 1, 2),
          i AS (SELECT left(external_id, 4) AS prefix, count(*) AS n FROM ${I} WHERE (external_id LIKE 'BENCH-%' OR external_id LIKE 'RAW-%') AND order_id IS NOT NULL GROUP BY 1),
          l AS (SELECT o.prefix, count(*) AS n FROM ${L} l JOIN o ON o.id = l.order_id GROUP BY 1)
        SELECT p.prefix, sum(p.c) AS orders, count(*) AS distinct_ids, max(p.c) AS max_per_id, (SELECT n FROM l WHERE l.prefix = p.prefix) AS lines, (SELECT n FROM i WHERE i.prefix = p.prefix) AS intakes
        FROM per_id p GROUP BY p.prefix ORDER BY 1`)).rows;
      for (const r of stored) {
        check(`${r.prefix === 'BENC' ? 'HTTP' : 'SQL'} orders stored exactly once`, Number(r.orders) === N && Number(r.distinct_ids) === N && Number(r.max_per_id) === 1 && Number(r.lines) === 3 * N && Number(r.intakes) === N,
          `${r.orders} orders, ${r.distinct_ids} distinct shop ids, at most ${r.max_per_id} per id, ${r.lines} lines, ${r.intakes} intake rows`);
      }
      const confirmed = (await raw.query<{ n: string }>(`SELECT count(*) AS n FROM ${O} WHERE external_id LIKE 'BENCH-%' AND status = 'confirmed' AND NOT on_hold`)).rows[0]!.n;
      check('HTTP orders confirmed, none held', Number(confirmed) === N, `${confirmed} confirmed`);
      const ratio = httpRate / rawRate;
      console.log(`intake over HTTP ÷ hand-written SQL = ${ratio.toFixed(2)}× (aim ≥ 0.3×: ${ratio >= 0.3 ? 'met' : 'MISSED'}); ${httpRate.toFixed(0)} orders/s (aim ≥ 200: ${httpRate >= 200 ? 'met' : 'MISSED'})\n`);
      summary.push(['intake over HTTP, orders/s', httpRate.toFixed(1), '≥ 200', httpRate >= 200 ? 'met' : 'missed']);
      summary.push(['intake p50 / p95 ms', `${fmt(pct(res.latencies, 50), 1)} / ${fmt(pct(res.latencies, 95), 1)}`, '–', '–']);
      summary.push(['same rows by hand-written SQL, orders/s', rawRate.toFixed(1), '–', '–']);
      summary.push(['intake ÷ SQL', `${ratio.toFixed(2)}×`, '≥ 0.3×', ratio >= 0.3 ? 'met' : 'missed']);
    }

    // =========================================================================================
    // 2. The monthly run
    // =========================================================================================
    const A = table('account');
    const O = table('order');
    const L = table('order_line');
    const INV = table('invoice');
    const IL = table('invoice_line');
    const invoiceNumbers = async () => {
      const r = (await raw!.query<{ n: string; lo: string | null; hi: string | null; distinct_n: string }>(`SELECT count(*) AS n, min(k) AS lo, max(k) AS hi, count(DISTINCT k) AS distinct_n
        FROM (SELECT substring(number FROM '(\\d+)$')::int AS k FROM ${INV} WHERE kind IS DISTINCT FROM 'credit_note' AND number IS NOT NULL AND deleted_at IS NULL) x`)).rows[0]!;
      return { n: Number(r.n), lo: Number(r.lo ?? 0), hi: Number(r.hi ?? 0), distinct: Number(r.distinct_n) };
    };
    const thisMonth = (await raw.query<{ m: string }>(`SELECT to_char(now() AT TIME ZONE $1, 'YYYY-MM') AS m`, [(await import('../packages/server/src/modules/invoicing/settings.ts')).invoicingSettings.of(platform).timeZone])).rows[0]!.m;
    if (!opts.skip.has('monthly')) {
      console.log('== 2. The monthly invoicing run ==');
      const N = opts.accounts;
      const K = opts.orders;
      // The template: an account invoiced per month, with K completed orders of 3 lines (each its
      // own PO) made through the order commands, as the web app or intake would.
      const tmpl = await create('account', { name: 'Monthly Buyer 1', account_number: 'MB-1', currency: 'USD', invoicing_option: 'per_month', allow_shared_pos: true, payment_terms: 'net_30' });
      const tmplOrders: string[] = [];
      for (let k = 0; k < K; k++) {
        const made = await createOrder({ ctx, input: { order: { account: tmpl.id, po_number: `PO-${k + 1}` }, lines: [0, 1, 2].map((j) => ({ product: products[(k * 3 + j) % products.length]!.id, quantity: 1 + ((k + j) % 7) })) } });
        await confirmOrder({ ctx, id: made.order.id as string });
        await completeOrder({ ctx, id: made.order.id as string });
        tmplOrders.push(made.order.id as string);
      }
      const sl = performance.now();
      // Clone: accounts 2..N from the template; each gets copies of the K orders and their lines.
      // Ids are derived from the account number and the template order, so lines find their order.
      await raw.query(await cloneSql(A, `s.id = '${tmpl.id}'`, `generate_series(2, ${N}) g`, {
        id: `md5('acct' || g)::uuid`, name: `'Monthly Buyer ' || g`, account_number: `'MB-' || g`,
      }));
      await raw.query(await cloneSql(O, `s.account_id = '${tmpl.id}'`, `generate_series(2, ${N}) g`, {
        id: `md5('ord' || g || s.id)::uuid`, account_id: `md5('acct' || g)::uuid`, number: `s.number || '-' || g`, name: `s.name || '-' || g`,
      }));
      await raw.query(await cloneSql(L, `s.order_id IN (SELECT id FROM ${O} WHERE account_id = '${tmpl.id}')`, `generate_series(2, ${N}) g`, {
        id: `gen_random_uuid()`, order_id: `md5('ord' || g || s.order_id)::uuid`,
      }));
      await raw.query('ANALYZE');
      const loaded = (await raw.query<{ a: string; o: string; l: string }>(`SELECT (SELECT count(*) FROM ${A} WHERE account_number LIKE 'MB-%') AS a,
        (SELECT count(*) FROM ${O} o JOIN ${A} a ON a.id = o.account_id WHERE a.account_number LIKE 'MB-%' AND o.status = 'completed' AND o.invoice_id IS NULL) AS o,
        (SELECT count(*) FROM ${L} l JOIN ${O} o ON o.id = l.order_id JOIN ${A} a ON a.id = o.account_id WHERE a.account_number LIKE 'MB-%') AS l`)).rows[0]!;
      console.log(`loaded ${loaded.a} accounts, ${loaded.o} completed orders, ${loaded.l} order lines (${K} orders made by the commands, the rest cloned in SQL) in ${((performance.now() - sl) / 1000).toFixed(1)}s`);

      const before = await invoiceNumbers();
      const counter = statementCounter();
      const rss: number[] = [];
      const heap: number[] = [];
      const sample = () => {
        const m = process.memoryUsage();
        rss.push(m.rss);
        heap.push(m.heapUsed);
      };
      sample();
      const sampler = setInterval(sample, 1000);
      let lastShown = performance.now();
      const shower = setInterval(() => {
        if (performance.now() - lastShown < 30_000) return;
        lastShown = performance.now();
        void raw!.query<{ n: string }>(`SELECT count(*) AS n FROM ${INV} WHERE status = 'posted'`).then((r) => {
          const done = Number(r.rows[0]!.n) - before.n;
          console.log(`  … ${((performance.now() - sr) / 1000).toFixed(0)}s, ${done} invoices (${(done / ((performance.now() - sr) / 1000)).toFixed(1)}/s), RSS ${mib(rss[rss.length - 1]!).toFixed(0)} MiB, ${counter.total} statements  [load ${load()}]`);
        }, () => {});
      }, 5000);
      const cpu0 = process.cpuUsage();
      const loadStart = load();
      counter.start();
      const sr = performance.now();
      let run;
      let mm;
      try {
        mm = await measured(async () => ({ run: await runMonthlyInvoicing({ platform, period: thisMonth, trigger: 'user' }) }), false);
        run = mm.out.run;
      } finally {
        counter.stop();
        clearInterval(sampler);
        clearInterval(shower);
      }
      const runSeconds = (performance.now() - sr) / 1000;
      sample();
      const cpu = process.cpuUsage(cpu0);
      const invoices = Number(run.invoices);
      const rate = invoices / runSeconds;
      console.log(`run ${String(run.status)}: ${invoices} invoices, ${String(run.orders)} orders, ${String(run.accounts)} accounts, ${String(run.failed_accounts)} failed, in ${runSeconds.toFixed(1)}s = ${rate.toFixed(1)} invoices/s (${(Number(run.orders) / runSeconds).toFixed(0)} orders/s)  [load ${loadStart} → ${load()}]`);
      console.log(`  CPU per invoice: Node ${(mm.nodeUs / 1e3 / invoices).toFixed(1)} ms + PostgreSQL ${(mm.pgUs / 1e3 / invoices).toFixed(1)} ms; ceiling on ${os.availableParallelism()} cores ≈ ${((os.availableParallelism() * 1e6) / ((mm.nodeUs + mm.pgUs) / invoices)).toFixed(0)} invoices/s`);
      console.log(`  Node CPU ${((cpu.user + cpu.system) / 1e6).toFixed(1)}s (${((cpu.user + cpu.system) / 1e3 / invoices).toFixed(1)} ms per invoice); ${counter.total} statements (${(counter.total / invoices).toFixed(1)} per invoice), ${(counter.ms / 1000).toFixed(1)}s of them in flight (${((counter.ms / 1000 / runSeconds) * 100).toFixed(0)} % of the run)`);
      console.log('  statements by kind (per invoice, ms in flight per invoice):');
      for (const [k, v] of counter.top(14)) console.log(`    ${(v.n / invoices).toFixed(2).padStart(6)}  ${(v.ms / invoices).toFixed(2).padStart(6)} ms  ${k}`);
      const rssStart = rss[0]!;
      const rssMax = Math.max(...rss);
      const rssEnd = rss[rss.length - 1]!;
      const firstTenth = rss.slice(0, Math.max(2, Math.ceil(rss.length / 10)));
      const lastTenth = rss.slice(-Math.max(2, Math.ceil(rss.length / 10)));
      console.log(`  RSS start ${mib(rssStart).toFixed(0)} MiB, max ${mib(rssMax).toFixed(0)} MiB, end ${mib(rssEnd).toFixed(0)} MiB; median of the first tenth ${mib(pct(firstTenth, 50)).toFixed(0)}, of the last tenth ${mib(pct(lastTenth, 50)).toFixed(0)} MiB; heap used ${mib(heap[0]!).toFixed(0)} → max ${mib(Math.max(...heap)).toFixed(0)} → ${mib(heap[heap.length - 1]!).toFixed(0)} MiB (${rss.length} samples)`);

      // Checks: every order on exactly one invoice, the numbers without gaps.
      const c = (await raw.query<{ orders: string; uninvoiced: string; multi: string; mismatched: string; posted: string; lines_off: string }>(`
        WITH o AS (SELECT o.id, o.invoice_id FROM ${O} o JOIN ${A} a ON a.id = o.account_id WHERE a.account_number LIKE 'MB-%')
        SELECT (SELECT count(*) FROM o) AS orders, (SELECT count(*) FROM o WHERE invoice_id IS NULL) AS uninvoiced,
          (SELECT count(*) FROM (SELECT l.order_id FROM ${IL} l JOIN o ON o.id = l.order_id WHERE l.deleted_at IS NULL GROUP BY l.order_id HAVING count(DISTINCT l.invoice_id) > 1) m) AS multi,
          (SELECT count(*) FROM ${IL} l JOIN o ON o.id = l.order_id WHERE l.deleted_at IS NULL AND l.invoice_id <> o.invoice_id) AS mismatched,
          (SELECT count(*) FROM ${INV} i WHERE i.status = 'posted' AND i.id IN (SELECT invoice_id FROM o)) AS posted,
          (SELECT count(*) FROM o WHERE (SELECT count(*) FROM ${IL} l WHERE l.order_id = o.id AND l.deleted_at IS NULL) <> (SELECT count(*) FROM ${L} x WHERE x.order_id = o.id AND x.deleted_at IS NULL)) AS lines_off`)).rows[0]!;
      check('every order on exactly one posted invoice', Number(c.orders) === N * K && Number(c.uninvoiced) === 0 && Number(c.multi) === 0 && Number(c.mismatched) === 0 && Number(c.posted) === invoices && Number(c.lines_off) === 0,
        `${c.orders} orders, ${c.uninvoiced} uninvoiced, ${c.multi} on two invoices, ${c.mismatched} lines on another invoice than their order's, ${c.posted} posted invoices, ${c.lines_off} orders whose lines were not all invoiced`);
      check('the run completed without failed accounts', run.status === 'completed' && Number(run.failed_accounts) === 0 && Number(run.accounts) === N, `${String(run.status)}, ${String(run.accounts)} accounts`);
      const after = await invoiceNumbers();
      check('invoice numbers consecutive', after.lo === 1 && after.hi === after.n && after.distinct === after.n && after.n - before.n === invoices, `${after.n} numbered invoices, ${after.lo}..${after.hi}, ${after.distinct} distinct`);
      const expected = (await raw.query<{ t: string; s: string; same: boolean }>(`SELECT (SELECT sum(total) FROM ${O} o JOIN ${A} a ON a.id = o.account_id WHERE a.account_number LIKE 'MB-%') = (SELECT sum(i.total) FROM ${INV} i JOIN ${A} a ON a.id = i.account_id WHERE a.account_number LIKE 'MB-%') AS same, (SELECT sum(total) FROM ${O} o JOIN ${A} a ON a.id = o.account_id WHERE a.account_number LIKE 'MB-%')::text AS t,
        (SELECT sum(i.total) FROM ${INV} i JOIN ${A} a ON a.id = i.account_id WHERE a.account_number LIKE 'MB-%')::text AS s`)).rows[0]!;
      check('invoiced total = ordered total', expected.same, `orders ${expected.t}, invoices ${expected.s}`);

      // The PDF, which posting does not render: what rendering them later costs.
      const sample20 = (await raw.query<{ id: string }>(`SELECT id FROM ${INV} WHERE status = 'posted' ORDER BY number LIMIT 20`)).rows.map((r) => r.id);
      const pdfTimes: number[] = [];
      for (const id of sample20) {
        const s = performance.now();
        await renderInvoicePdf({ ctx, id });
        pdfTimes.push(performance.now() - s);
      }
      const pdfMs = pct(pdfTimes.slice(1), 50);
      console.log(`  invoice PDF (rendered on send or download, not while posting): median ${pdfMs.toFixed(0)} ms per invoice over ${sample20.length - 1} (first dropped)\n`);
      summary.push([`monthly run, ${N} accounts × ${K} orders, invoices/s`, rate.toFixed(1), '≥ 200', rate >= 200 ? 'met' : 'missed']);
      summary.push(['monthly run, orders/s', (Number(run.orders) / runSeconds).toFixed(0), '–', '–']);
      summary.push(['monthly run, RSS start / max / end MiB', `${mib(rssStart).toFixed(0)} / ${mib(rssMax).toFixed(0)} / ${mib(rssEnd).toFixed(0)}`, 'flat', rssMax - rssStart < 100 * 2 ** 20 ? 'met' : 'check']);
      summary.push(['monthly run, statements per invoice', (counter.total / invoices).toFixed(1), '–', '–']);
      summary.push(['invoice PDF, ms each (not part of posting)', pdfMs.toFixed(0), '–', '–']);
    }

    // =========================================================================================
    // 3. Gapless numbering under concurrent posters
    // =========================================================================================
    if (!opts.skip.has('numbers')) {
      console.log('== 3. Gapless numbering under concurrent posters ==');
      const D = opts.drafts;
      const account = await create('account', { name: 'Numbering Buyer', currency: 'USD', invoicing_option: 'manual' });
      // A failure after the number is taken (bench only, in this throwaway database): posting a
      // draft with this PO fails at its status change, after nextDocumentNumber, and rolls back.
      await raw.query(`CREATE FUNCTION bench_fail_post() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'bench: posting refused after numbering'; END $$`);
      await raw.query(`CREATE TRIGGER bench_fail_post BEFORE UPDATE ON ${INV} FOR EACH ROW WHEN (NEW.po_number = 'BENCH-FAIL' AND NEW.status = 'posted') EXECUTE FUNCTION bench_fail_post()`);
      const kinds: Array<'ok' | 'empty' | 'fail'> = Array.from({ length: D }, (_, i) => (i % 10 === 3 ? 'empty' : i % 20 === 7 ? 'fail' : 'ok'));
      const drafts: string[] = new Array(D);
      const sd = performance.now();
      let nextDraft = 0;
      await Promise.all(Array.from({ length: 4 }, async () => {
        for (;;) {
          const i = nextDraft++;
          if (i >= D) return;
          const made = await createInvoice({
            ctx, input: {
              invoice: { account: account.id, currency: 'USD', ...(kinds[i] === 'fail' ? { po_number: 'BENCH-FAIL' } : {}) },
              lines: kinds[i] === 'empty' ? [] : [{ product: products[i % products.length]!.id, quantity: 1 + (i % 5) }],
            },
          });
          drafts[i] = made.invoice.id as string;
        }
      }));
      console.log(`${D} drafts (${kinds.filter((k) => k === 'empty').length} without lines, ${kinds.filter((k) => k === 'fail').length} failing after numbering) in ${((performance.now() - sd) / 1000).toFixed(1)}s`);
      const before = await invoiceNumbers();
      // Shuffle so the refusals fall between successful posts of every client.
      const order = drafts.map((id, i) => ({ id, i, r: (i * 7919) % D })).sort((a, b) => a.r - b.r);
      const res = await runClients({ port, concurrency: opts.concurrency, token: tokenInfo.token, requests: order.map((d) => ({ path: `/api/v1/invoices/${d.id}/post`, body: '{}', contentType: 'application/json' })) });
      const byKind = { ok: [0, 0], empty: [0, 0], fail: [0, 0] } as Record<string, [number, number]>;
      const unexpected: string[] = [];
      order.forEach((d, j) => {
        const k = kinds[d.i]!;
        const want = k === 'ok' ? 200 : k === 'empty' ? 422 : 500;
        const got = res.statuses[j]!;
        byKind[k]![got === want ? 0 : 1]++;
        if (got !== want && unexpected.length < 3) unexpected.push(`${k}: ${got} ${res.answers[j]!.slice(0, 200)}`);
      });
      const posted = byKind.ok![0];
      const postRate = D / res.seconds;
      console.log(`${D} posts by ${opts.concurrency} clients in ${res.seconds.toFixed(1)}s = ${postRate.toFixed(1)} requests/s (${(posted / res.seconds).toFixed(1)} posted/s), p50 ${fmt(pct(res.latencies, 50))} ms, p95 ${fmt(pct(res.latencies, 95))} ms  [load ${load()}]`);
      console.log(`  posted ${posted}/${kinds.filter((k) => k === 'ok').length} (200); refused without lines ${byKind.empty![0]} (422); failed after numbering ${byKind.fail![0]} (500)${unexpected.length ? `; unexpected: ${unexpected.join(' | ')}` : ''}`);
      const after = await invoiceNumbers();
      const mine = (await raw.query<{ k: number }>(`SELECT substring(number FROM '(\\d+)$')::int AS k FROM ${INV} WHERE account_id = $1 AND number IS NOT NULL ORDER BY 1`, [account.id])).rows.map((r) => r.k);
      const consecutive = mine.every((k, j) => k === before.hi + 1 + j);
      check('every answer as expected', unexpected.length === 0, `${posted} posted, ${byKind.empty![0]} refused, ${byKind.fail![0]} failed`);
      check('posted numbers follow on with no gap and no duplicate', consecutive && mine.length === posted && after.lo === 1 && after.hi === after.n && after.distinct === after.n,
        `this section ${mine[0] ?? '-'}..${mine[mine.length - 1] ?? '-'} (${mine.length}); all invoices ${after.lo}..${after.hi}, ${after.n} numbered, ${after.distinct} distinct`);
      const unnumbered = (await raw.query<{ n: string }>(`SELECT count(*) AS n FROM ${INV} WHERE account_id = $1 AND status = 'draft' AND number IS NULL`, [account.id])).rows[0]!.n;
      check('refused and failed drafts stay unnumbered drafts', Number(unnumbered) === D - posted, `${unnumbered} drafts`);
      summary.push([`gapless numbering, ${D} posts by ${opts.concurrency} clients, gaps`, String(after.hi - after.n + (after.n - after.distinct)), '0', after.hi === after.n && after.distinct === after.n && consecutive ? 'met' : 'missed']);
      summary.push(['posts/s over HTTP (incl. refusals)', postRate.toFixed(1), '–', '–']);
      summary.push(['post p50 / p95 ms', `${fmt(pct(res.latencies, 50), 1)} / ${fmt(pct(res.latencies, 95), 1)}`, '–', '–']);
    }

    console.log('\n| figure | measured | aim | verdict |');
    console.log('| --- | ---: | --- | --- |');
    for (const row of summary) console.log(`| ${row.join(' | ')} |`);
    console.log(`\nload average at the end: ${load()}`);
    if (failed) process.exitCode = 2;
  } finally {
    await app?.close().catch(() => {});
    await raw?.end().catch(() => {});
    await database?.close().catch(() => {});
    await bench.finish(opts.keep);
    console.log(`total ${((performance.now() - t0) / 1000).toFixed(0)}s`);
  }
}

/** The statements sent while fn runs (first 200 characters each). */
async function captureStatements(fn: () => Promise<void>): Promise<string[]> {
  const out: string[] = [];
  const proto = pg.Client.prototype as unknown as { query: (...a: unknown[]) => unknown };
  const original = proto.query;
  proto.query = function (this: unknown, ...a: unknown[]) {
    const q = a[0] as { text?: string } | string;
    out.push((typeof q === 'string' ? q : (q?.text ?? '')).replace(/\s+/g, ' ').slice(0, 200));
    return original.apply(this, a);
  };
  try {
    await fn();
  } finally {
    proto.query = original;
  }
  return out;
}

function countShapes(statements: string[]): Array<[string, number]> {
  const m = new Map<string, number>();
  for (const s of statements) {
    const k = s.slice(0, 90);
    m.set(k, (m.get(k) ?? 0) + 1);
  }
  return [...m.entries()];
}

if (isMainThread) {
  main().catch((error) => {
    console.error(error);
    process.exitCode = 1;
  });
} else if ((workerData as { invoicingClients?: ClientJob } | undefined)?.invoicingClients) {
  await clientWorker((workerData as { invoicingClients: ClientJob }).invoicingClients);
}
