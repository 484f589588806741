/**
 * Portal benchmark (issue 13 item 11): a customer's invoice list in the portal, for an account
 * with --invoices invoices, over HTTP with a real portal session cookie, against the hand-written
 * SQL that reads the same page of the same rows.
 *
 *   cd /work/main && npm exec -- node bench/cash-portal.ts [--invoices 10000] [--concurrency 2] [--rounds 3] [--seconds 5] [--keep]
 *
 * Creates a throwaway database on the local PostgreSQL (dropped at the end; bench/lib.ts), boots
 * the platform and the real Fastify app on 127.0.0.1, makes one account with a contact who has
 * portal access, posts one invoice through the commands and clones it in SQL to --invoices
 * invoices (dates over three years, a third paid, a fifth void), and opens a portal session as
 * the sign-in would (its hashed id in portal_session). Then, in rounds:
 *
 *   http  GET /api/v1/portal/invoices (all, the page the contact lands on) and ?state=open, by
 *         --concurrency keep-alive clients in a worker thread: the portal's hook (session,
 *         scope), the scoped record read, the presenter, the access log row, JSON.
 *   raw   the same columns of the same page (the portal shows 50 newest first, "Show more" for the next) by parameterised SQL over --concurrency connections.
 *
 * Not a test: run it by hand. Figures in docs/performance.md.
 */
import { createHash, randomBytes } from 'node:crypto';
import pg from 'pg';
import { createBenchDatabase, fmt, measurePlan, resultTable, runHttpInWorker, runLoad } from './lib.ts';

function parseArgs(argv: string[]) {
  const o = { invoices: 10_000, concurrency: 2, rounds: 3, seconds: 5, keep: false };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--keep') o.keep = true;
    else if (['--invoices', '--concurrency', '--rounds', '--seconds'].includes(a)) (o as Record<string, number | boolean>)[a.slice(2)] = Number(argv[++i]);
    else throw new Error(`unknown option ${a}`);
  }
  return o;
}

async function main() {
  const opts = parseArgs(process.argv.slice(2));
  const { loadConfig } = await import('../packages/server/src/platform/config.ts');
  const { bootPlatform, createLogger } = await import('../packages/server/src/platform/boot.ts');
  const { modules } = await import('../packages/server/src/modules/index.ts');
  const { openDatabase } = await import('../packages/server/src/platform/db/connection.ts');
  const { buildApp } = await import('../packages/server/src/platform/http/app.ts');
  const { createRecord } = await import('../packages/server/src/platform/records/write.ts');
  const { systemActor } = await import('../packages/server/src/platform/records/context.ts');
  const { createInvoice, postInvoice } = await import('../packages/server/src/modules/invoicing/index.ts');

  const bench = await createBenchDatabase('portal');
  console.log(`Meridian portal benchmark — ${new Date().toISOString()}`);
  for (const line of bench.facts) console.log(line);
  console.log(`options: ${JSON.stringify(opts)}\n`);
  let database: Awaited<ReturnType<typeof openDatabase>> | undefined;
  let raw: pg.Pool | undefined;
  let app: Awaited<ReturnType<typeof buildApp>> | undefined;
  try {
    database = await openDatabase({ databaseUrl: bench.databaseUrl, poolSize: 10 });
    const config = { ...loadConfig({}), databaseUrl: bench.databaseUrl, logLevel: 'silent', publicUrl: 'http://127.0.0.1' };
    const platform = await bootPlatform({ config, modules, database, logger: createLogger('silent') });
    raw = new pg.Pool({ connectionString: bench.databaseUrl, max: opts.concurrency });
    raw.on('error', () => {});
    const ctx = { platform, actor: systemActor('api') };
    const table = (name: string) => platform.registry.requireObject(name).table;
    const create = (name: string, input: Record<string, unknown>) => createRecord({ ctx, object: platform.registry.requireObject(name), input });

    const each = (await raw.query<{ id: string }>(`SELECT id FROM ${table('unit_of_measure')} WHERE code = 'each'`)).rows[0]!.id;
    const book = await create('price_book', { name: 'Standard USD', currency: 'USD', is_standard: true });
    const product = await create('product', { code: 'SVC-1', name: 'Service visit', unit_of_measure: each });
    await create('price_book_entry', { price_book: book.id, product: product.id, unit_price: '125.00' });
    const account = await create('account', { name: 'Portal Bench Ltd', currency: 'USD' });
    const contact = await create('contact', { first_name: 'Pat', last_name: 'Payer', email: 'pat@example.com', account: account.id });
    const { invoice } = await createInvoice({ ctx, input: { invoice: { account: account.id }, lines: [{ product: product.id, quantity: 3 }] } });
    await postInvoice({ ctx, id: invoice.id });

    const cols = (await raw.query<{ name: string }>(`SELECT a.attname AS name FROM pg_attribute a WHERE a.attrelid = $1::regclass AND a.attnum > 0 AND NOT a.attisdropped AND a.attgenerated = '' ORDER BY a.attnum`, [table('invoice')])).rows.map((r) => r.name);
    const overrides: Record<string, string> = {
      id: 'uuidv7_like(g)', number: `'BENCH-' || lpad(g::text, 6, '0')`, name: `'BENCH-' || lpad(g::text, 6, '0')`,
      invoice_date: `(date '2024-01-01' + (g % 1095))`, due_date: `(date '2024-01-31' + (g % 1095))`,
      status: `CASE WHEN g % 5 = 0 THEN 'void' WHEN g % 3 = 0 THEN 'paid' ELSE 'posted' END`,
      open_amount: `CASE WHEN g % 5 = 0 OR g % 3 = 0 THEN 0 ELSE s.total END`,
    };
    await raw.query(`CREATE FUNCTION uuidv7_like(n int) RETURNS uuid LANGUAGE sql AS $$ SELECT (lpad(to_hex(n), 12, '0') || '7000' || '8000' || substr(md5(n::text), 1, 12))::uuid $$`);
    const t0 = performance.now();
    await raw.query(`INSERT INTO ${table('invoice')} (${cols.map((c) => `"${c}"`).join(', ')})
      SELECT ${cols.map((c) => overrides[c] ?? `s."${c}"`).join(', ')} FROM ${table('invoice')} s CROSS JOIN generate_series(1, ${opts.invoices - 1}) g WHERE s.id = $1`, [invoice.id]);
    await raw.query(`ANALYZE ${table('invoice')}`);
    console.log(`cloned ${opts.invoices - 1} invoices in ${fmt((performance.now() - t0) / 1000)} s`);

    // A portal session as signing in makes one: the hash of a random id; the cookie holds the id.
    const sessionId = randomBytes(32).toString('base64url');
    await raw.query(`INSERT INTO portal_access (contact_id) VALUES ($1)`, [contact.id]);
    await raw.query(`INSERT INTO portal_session (id, contact_id, expires_at) VALUES ($1, $2, now() + interval '1 day')`, [createHash('sha256').update(sessionId).digest('hex'), contact.id]);

    app = await buildApp(platform, { logger: false });
    await app.listen({ host: '127.0.0.1', port: 0 });
    const port = (app.server.address() as { port: number }).port;
    const probe = await fetch(`http://127.0.0.1:${port}/api/v1/portal/invoices`, { headers: { cookie: `meridian_portal=${sessionId}` } });
    const body = (await probe.json()) as { data?: unknown[] } | unknown[];
    const shown = Array.isArray(body) ? body.length : (body.data?.length ?? 0);
    if (probe.status !== 200) throw new Error(`portal probe: HTTP ${probe.status}`);
    console.log(`the portal's invoice page shows ${shown} invoices of ${opts.invoices}\n`);

    const rawSql = (open: boolean) => `SELECT id, name, number, kind, status, account_id, invoice_date, due_date, currency, total::text, tax_total::text, open_amount::text, po_number, credited_invoice_id
      FROM ${table('invoice')} WHERE account_id = $1 AND deleted_at IS NULL AND status IN (${open ? `'posted','partially_paid'` : `'posted','partially_paid','paid','void'`})
      ORDER BY invoice_date DESC, number DESC LIMIT ${Math.max(1, shown)}`;
    const http = (path: string) => (onStart: () => void) => runHttpInWorker({ port, token: '', headers: { cookie: `meridian_portal=${sessionId}` }, paths: [path], concurrency: opts.concurrency, warmup: 1, seconds: opts.seconds }, onStart);
    const sqlSide = (open: boolean) => (onStart: () => void) => runLoad(opts.concurrency, 1, opts.seconds, async () => { await raw!.query(rawSql(open), [account.id]); }, onStart);
    const results = await measurePlan({
      plan: [
        ['portal invoices', [['http', http('/api/v1/portal/invoices')], ['raw', sqlSide(false)]]],
        ['portal open', [['http', http('/api/v1/portal/invoices?state=open')], ['raw', sqlSide(true)]]],
      ],
      rounds: opts.rounds, warmup: 1, admin: bench.admin, dbName: bench.dbName,
    });
    console.log(`\n${resultTable(results)}\n`);
    for (const r of results.filter((x) => x.side === 'http')) console.log(`${r.op}: p95 ${fmt(r.stats.p95)} ms over HTTP (aim < 50 ms) — ${r.stats.p95 < 50 ? 'met' : 'NOT met'}`);
  } finally {
    await app?.close();
    await raw?.end();
    await database?.close();
    await bench.finish(opts.keep);
  }
}

await main();
