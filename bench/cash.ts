/**
 * Cash reports benchmark (issue 13 item 11): the aging report over --invoices invoices (default
 * 1,000,000) on --accounts accounts, against the hand-written SQL computing the same answer, in
 * the same run.
 *
 *   cd /work/main && npm exec -- node bench/cash.ts [--invoices 1000000] [--accounts 20000] [--rounds 5] [--keep]
 *
 * Creates a throwaway database on the local PostgreSQL server (dropped at the end; bench/lib.ts),
 * boots the platform, then writes the data in SQL: the accounts; the invoices (9 in 10 USD, 1 in
 * 10 EUR; dated over the last 400 days, due 30 days later; 6 in 10 paid, 2 partly paid, 2 open);
 * one payment per account and an allocation per paid or partly paid invoice, dated 20 days after
 * the invoice. Then, alternating, --rounds times each:
 *
 *   report  agingReport in process (what GET /api/v1/reports/aging runs, without HTTP): bucket
 *           totals per currency and the first page of 50 accounts, as an administrator.
 *   raw     the hand-written SQL giving the same figures: one GROUP BY (account, currency) over
 *           the open invoices, its totals per currency and the top 50 rows.
 *   …and the same two as of 90 days ago (open amounts rebuilt from credit notes and allocations).
 * Checked: the report's figures equal the raw SQL's. Median seconds and the ratio report ÷ raw.
 * Not a test: run it by hand. See docs/performance.md.
 */
import { performance } from 'node:perf_hooks';
import { benchChecks, bootBenchPlatform, createBenchDatabase } from './lib.ts';

interface Options { invoices: number; accounts: number; rounds: number; keep: boolean }

function parseArgs(argv: string[]): Options {
  const o: Options = { invoices: 1_000_000, accounts: 20_000, rounds: 5, keep: false };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    const num = () => {
      const v = Number(argv[++i]);
      if (!Number.isInteger(v) || v < 1) throw new Error(`${a} needs a positive integer`);
      return v;
    };
    if (a === '--invoices') o.invoices = num();
    else if (a === '--accounts') o.accounts = num();
    else if (a === '--rounds') o.rounds = num();
    else if (a === '--keep') o.keep = true;
    else throw new Error(`Unknown argument ${a}; usage: bench/cash.ts [--invoices N] [--accounts N] [--rounds N] [--keep]`);
  }
  return o;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

async function main() {
  const opts = parseArgs(process.argv.slice(2));
  const { agingReport } = await import('../packages/server/src/modules/payments/index.ts');
  const { systemActor } = await import('../packages/server/src/platform/records/context.ts');

  const bench = await createBenchDatabase('cash');
  const { databaseUrl, facts } = bench;
  console.log(`Meridian cash reports benchmark — ${new Date().toISOString()}`);
  for (const line of facts) console.log(line);
  console.log(`options: ${opts.invoices} invoices on ${opts.accounts} accounts, ${opts.rounds} rounds\n`);
  const { check, failed } = benchChecks();
  let booted: Awaited<ReturnType<typeof bootBenchPlatform>> | undefined;
  try {
    booted = await bootBenchPlatform(databaseUrl);
    const { platform, db, table } = booted;
    const today = new Date().toISOString().slice(0, 10);
    const past = new Date(Date.now() - 90 * 86_400_000).toISOString().slice(0, 10);

    const s0 = performance.now();
    await db.query(`INSERT INTO ${table('account')} (id, name, currency)
      SELECT gen_random_uuid(), 'Customer ' || g, 'USD' FROM generate_series(1, $1) g`, [opts.accounts]);
    await db.query(`CREATE TEMP TABLE bench_accounts AS SELECT id, row_number() OVER (ORDER BY id) - 1 AS r FROM ${table('account')}`);
    await db.query('CREATE INDEX ON bench_accounts (r)');
    await db.query(`INSERT INTO ${table('invoice')} (id, name, number, kind, status, account_id, currency, invoice_date, due_date, total, subtotal, tax_total, open_amount)
      SELECT gen_random_uuid(), n, n, 'invoice', CASE WHEN g % 10 < 6 THEN 'paid' WHEN g % 10 < 8 THEN 'partially_paid' ELSE 'posted' END,
        a.id, CASE WHEN g % 10 = 9 THEN 'EUR' ELSE 'USD' END, $2::date - (g % 400), $2::date - (g % 400) + 30, t, t, 0,
        CASE WHEN g % 10 < 6 THEN 0 WHEN g % 10 < 8 THEN round(t / 2, 2) ELSE t END
      FROM generate_series(1, $1) g
      JOIN bench_accounts a ON a.r = g % $3
      CROSS JOIN LATERAL (SELECT (100 + (g % 900) + 0.25)::numeric AS t, 'INV-B-' || lpad(g::text, 9, '0') AS n) x`, [opts.invoices, today, opts.accounts]);
    await db.query(`INSERT INTO ${table('payment')} (id, name, account_id, payment_date, amount, currency, method, status)
      SELECT gen_random_uuid(), 'PAY-B-' || r, id, $1::date, 0, 'USD', 'bank_transfer', 'received' FROM bench_accounts`, [today]);
    await db.query(`INSERT INTO ${table('payment_allocation')} (id, name, payment_id, invoice_id, account_id, amount, currency, allocated_on)
      SELECT gen_random_uuid(), 'alloc', p.id, i.id, i.account_id, i.total - i.open_amount, i.currency, i.invoice_date + 20
      FROM ${table('invoice')} i JOIN ${table('payment')} p ON p.account_id = i.account_id WHERE i.status IN ('paid', 'partially_paid')`);
    await db.query('VACUUM ANALYZE');
    console.log(`data: ${opts.invoices} invoices, ${opts.accounts} accounts, allocations for the paid ones, in ${((performance.now() - s0) / 1000).toFixed(1)} s\n`);
    const inv = table('invoice');
    const alloc = table('payment_allocation');
    const bucketSql = (open: string, asOf: string) => `count(*)::int AS invoices, sum(${open}) AS total,
      coalesce(sum(${open}) FILTER (WHERE due_date IS NULL OR '${asOf}'::date - due_date <= 0), 0) AS current,
      coalesce(sum(${open}) FILTER (WHERE '${asOf}'::date - due_date BETWEEN 1 AND 30), 0) AS days_1_30,
      coalesce(sum(${open}) FILTER (WHERE '${asOf}'::date - due_date BETWEEN 31 AND 60), 0) AS days_31_60,
      coalesce(sum(${open}) FILTER (WHERE '${asOf}'::date - due_date BETWEEN 61 AND 90), 0) AS days_61_90,
      coalesce(sum(${open}) FILTER (WHERE '${asOf}'::date - due_date > 90), 0) AS over_90`;
    const rawNow = (owner: string) => `WITH per AS MATERIALIZED (SELECT account_id, currency, ${bucketSql('open_amount', today)} FROM ${inv}
        WHERE deleted_at IS NULL AND kind = 'invoice' AND status IN ('posted', 'partially_paid') AND open_amount <> 0 ${owner} GROUP BY 1, 2)
      SELECT currency, NULL::uuid AS account_id, sum(total)::text AS total, sum(over_90)::text AS over_90 FROM per GROUP BY currency
      UNION ALL (SELECT currency, account_id, total::text, over_90::text FROM per ORDER BY per.total DESC, per.account_id, per.currency LIMIT 51)`;
    const rawPast = (owner: string) => `WITH per AS MATERIALIZED (SELECT account_id, currency, ${bucketSql('open', past)} FROM (
          SELECT i.account_id, i.currency, i.due_date, i.total - coalesce(c.amount, 0) - coalesce(a.amount, 0) AS open FROM ${inv} i
          LEFT JOIN (SELECT credited_invoice_id AS id, sum(total) AS amount FROM ${inv} WHERE deleted_at IS NULL AND kind = 'credit_note' AND status <> 'draft' AND invoice_date <= '${past}' GROUP BY 1) c ON c.id = i.id
          LEFT JOIN (SELECT invoice_id AS id, sum(amount) AS amount FROM ${alloc} WHERE deleted_at IS NULL AND allocated_on <= '${past}' AND (reversed_at IS NULL OR reversed_at::date > '${past}') GROUP BY 1) a ON a.id = i.id
          WHERE i.deleted_at IS NULL AND i.kind = 'invoice' AND i.status <> 'draft' AND i.invoice_date <= '${past}' ${owner.replaceAll('owner_id', 'i.owner_id')}) x
        WHERE open <> 0 GROUP BY 1, 2)
      SELECT currency, NULL::uuid AS account_id, sum(total)::text AS total, sum(over_90)::text AS over_90 FROM per GROUP BY currency
      UNION ALL (SELECT currency, account_id, total::text, over_90::text FROM per ORDER BY per.total DESC, per.account_id, per.currency LIMIT 51)`;

    const adminCtx = { platform, actor: systemActor('api') };
    const cases: Array<{ name: string; report: () => Promise<{ currencies: Array<{ currency: string; total: string; buckets: { over_90: string } }>; rows: Array<{ account: string; total: string }> }>; raw: string }> = [
      { name: 'aging today, admin', report: () => agingReport({ ctx: adminCtx, asOf: today, limit: 50 }), raw: rawNow('') },
      { name: 'aging 90 days ago, admin', report: () => agingReport({ ctx: adminCtx, asOf: past, limit: 50 }), raw: rawPast('') },
    ];
    const results: Array<{ name: string; report: number; raw: number }> = [];
    for (const c of cases) {
      const rt: number[] = [];
      const qt: number[] = [];
      let answer: Awaited<ReturnType<typeof c.report>> | undefined;
      let rawRows: Array<{ currency: string; account_id: string | null; total: string; over_90: string }> = [];
      for (let round = 0; round < opts.rounds + 1; round++) {
        const t0 = performance.now();
        answer = await c.report();
        const t1 = performance.now();
        rawRows = (await db.query(c.raw)).rows;
        const t2 = performance.now();
        if (round > 0) { rt.push((t1 - t0) / 1000); qt.push((t2 - t1) / 1000); } // round 0 warms the caches
      }
      const totals = rawRows.filter((r) => r.account_id === null).sort((a, b) => a.currency.localeCompare(b.currency));
      const norm = (v: string) => (v.includes('.') ? v.replace(/0+$/, '').replace(/\.$/, '') : v);
      const same = answer!.currencies.length === totals.length && answer!.currencies.every((x, i) => x.total === norm(totals[i]!.total) && x.buckets.over_90 === norm(totals[i]!.over_90));
      check(`${c.name}: totals equal the raw SQL's`, same, answer!.currencies.map((x) => `${x.currency} ${x.total}`).join(', ') + ' vs ' + totals.map((x) => `${x.currency} ${x.total}`).join(', '));
      const rows = rawRows.filter((r) => r.account_id !== null).slice(0, 50);
      const firstDiff = rows.findIndex((r, i) => answer!.rows[i]?.account !== r.account_id);
      check(`${c.name}: the first page equals the raw SQL's top 50`, firstDiff < 0, firstDiff < 0 ? `${answer!.rows.length} rows` : `row ${firstDiff}: ${JSON.stringify(answer!.rows[firstDiff])} vs ${JSON.stringify(rows[firstDiff])}`);
      results.push({ name: c.name, report: median(rt), raw: median(qt) });
    }
    console.log('\n| case | report (s, median) | hand-written SQL (s, median) | ratio |');
    console.log('| --- | --- | --- | --- |');
    for (const r of results) console.log(`| ${r.name} | ${r.report.toFixed(3)} | ${r.raw.toFixed(3)} | ${(r.report / r.raw).toFixed(2)} |`);
    for (const r of results) check(`${r.name}: ≤ 1.5× the hand-written SQL`, r.report / r.raw <= 1.5, `${(r.report / r.raw).toFixed(2)}×`);
  } finally {
    await booted?.close();
    await bench.finish(opts.keep);
  }
  if (failed()) process.exitCode = 2;
}

main().catch((error) => {
  console.error(error);
  process.exitCode = 1;
});
