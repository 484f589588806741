/**
 * Credit limit benchmark (issue 13 item 4): the nightly computation over --accounts accounts
 * (default 10,000) with --invoices invoices each (default 12, a year of monthly invoices), with
 * memory sampled, against the raw aggregate SQL reading the same inputs in the same run.
 *
 *   cd /work/main && npm exec -- node bench/credit.ts [--accounts 10000] [--invoices 12] [--keep]
 *
 * Creates a throwaway database on the local PostgreSQL server (dropped at the end; bench/lib.ts),
 * boots the platform, then writes the data in SQL: accounts in USD, their posted invoices of the
 * last 12 months (due 30 days after; paid through one payment per account and an allocation
 * each, one in four late by 0–32 days depending on the account; the newest open and not yet due,
 * and on one account in seven one open and 60 days overdue) and a reversed payment on one
 * account in ten. Then:
 *
 *   raw      the floor: the three aggregate statements (behaviour with the allocations' last day,
 *            spending, reversals) over all accounts at once, grouped by account → seconds.
 *   first    computeCredit in process: every account's limit is new, so every account is written
 *            through the record pipeline with a credit_assessment (history, outbox) → seconds,
 *            accounts/s, RSS sampled every 250 ms, ratio to raw.
 *   steady   the same again (a normal night: nothing changed) → seconds, ratio to raw.
 * Checked: every account computed, none failed, one assessment per account, the steady run
 * changes nothing. Not a test: run it by hand. See docs/performance.md.
 */
import { performance } from 'node:perf_hooks';
import { benchChecks, bootBenchPlatform, createBenchDatabase } from './lib.ts';

interface Options {
  accounts: number;
  invoices: number;
  keep: boolean;
}

function parseArgs(argv: string[]): Options {
  const o: Options = { accounts: 10_000, invoices: 12, keep: false };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    const num = () => {
      const v = Number(argv[++i]);
      if (!Number.isInteger(v) || v < 1) throw new Error(`${a} needs a positive integer`);
      return v;
    };
    if (a === '--accounts') o.accounts = num();
    else if (a === '--invoices') o.invoices = num();
    else if (a === '--keep') o.keep = true;
    else throw new Error(`Unknown argument ${a}; usage: bench/credit.ts [--accounts N] [--invoices N] [--keep]`);
  }
  return o;
}

const mib = (b: number) => b / 2 ** 20;

async function main() {
  const opts = parseArgs(process.argv.slice(2));
  const { computeCredit } = await import('../packages/server/src/modules/credit/index.ts');

  const bench = await createBenchDatabase('credit');
  const { databaseUrl, facts, admin } = bench;
  const total = opts.accounts * opts.invoices;
  console.log(`Meridian credit limit benchmark — ${new Date().toISOString()}`);
  for (const line of facts) console.log(line);
  console.log(`options: ${opts.accounts} accounts × ${opts.invoices} invoices = ${total}\n`);
  const { check, failed } = benchChecks();
  let booted: Awaited<ReturnType<typeof bootBenchPlatform>> | undefined;
  try {
    booted = await bootBenchPlatform(databaseUrl);
    const { platform, db, table } = booted;
    const day = new Date().toISOString().slice(0, 10);

    // Data, in SQL.
    const s0 = performance.now();
    await db.query(`INSERT INTO ${table('account')} (id, name, currency) SELECT gen_random_uuid(), 'Customer ' || g, 'USD' FROM generate_series(1, $1) g`, [opts.accounts]);
    await db.query(`CREATE TEMP TABLE acc AS SELECT id, row_number() OVER (ORDER BY id) AS r FROM ${table('account')}`);
    await db.query(`INSERT INTO ${table('payment')} (id, name, account_id, payment_date, amount, currency, method, status, allocated_amount, unallocated_amount)
      SELECT gen_random_uuid(), 'PAY-B-' || a.r, a.id, $1::date, 100000, 'USD', 'bank_transfer', 'received', 0, 0 FROM acc a`, [day]);
    await db.query(`INSERT INTO ${table('payment')} (id, name, account_id, payment_date, amount, currency, method, status, reversed_at, allocated_amount, unallocated_amount)
      SELECT gen_random_uuid(), 'PAY-R-' || a.r, a.id, $1::date - 20, 50, 'USD', 'check', 'reversed', now() - interval '10 days', 0, 0 FROM acc a WHERE a.r % 10 = 0`, [day]);
    // Invoice g of account r: dated g months ago, due 30 days later; paid unless g % 3 = 0 (open); paid (r·g) % 4 × 6 days late.
    await db.query(`INSERT INTO ${table('invoice')} (id, name, number, kind, status, account_id, currency, invoice_date, due_date, total, open_amount, paid_total, subtotal, tax_total)
      SELECT gen_random_uuid(), n, n, 'invoice', CASE WHEN g = 1 OR (a.r % 7 = 0 AND g = 3) THEN 'posted' ELSE 'paid' END, a.id, 'USD', $1::date - (g * 30), $1::date - (g * 30) + 30,
        500 + g, CASE WHEN g = 1 OR (a.r % 7 = 0 AND g = 3) THEN 500 + g ELSE 0 END, CASE WHEN g = 1 OR (a.r % 7 = 0 AND g = 3) THEN 0 ELSE 500 + g END, 500 + g, 0
      FROM acc a CROSS JOIN generate_series(1, $2) g CROSS JOIN LATERAL (SELECT 'INV-B-' || lpad((a.r * 100 + g)::text, 9, '0') AS n) x`, [day, opts.invoices]);
    await db.query(`INSERT INTO ${table('payment_allocation')} (id, name, payment_id, invoice_id, account_id, amount, currency, allocated_on)
      SELECT gen_random_uuid(), i.number, p.id, i.id, i.account_id, i.total, 'USD', i.due_date + (CASE WHEN (a.r + extract(day FROM i.invoice_date)::int) % 4 = 0 THEN (a.r % 5) * 8 ELSE 0 END)::int
      FROM ${table('invoice')} i JOIN acc a ON a.id = i.account_id JOIN ${table('payment')} p ON p.account_id = i.account_id AND p.status = 'received' WHERE i.status = 'paid'`);
    await db.query('ANALYZE');
    console.log(`data: ${total} invoices on ${opts.accounts} accounts in ${((performance.now() - s0) / 1000).toFixed(1)} s\n`);

    // raw: the three aggregates over every account at once.
    const since = `($1::date - interval '12 months')::date`;
    const r0 = performance.now();
    const beh = await db.query(`WITH paid AS (SELECT invoice_id, max(allocated_on) AS paid_on FROM ${table('payment_allocation')} WHERE deleted_at IS NULL AND reversed_at IS NULL GROUP BY invoice_id),
      late AS (SELECT i.account_id, greatest(0, CASE WHEN i.status = 'paid' THEN coalesce(p.paid_on, i.due_date) - i.due_date ELSE $1::date - i.due_date END) AS days
        FROM ${table('invoice')} i LEFT JOIN paid p ON p.invoice_id = i.id WHERE i.deleted_at IS NULL AND i.kind = 'invoice' AND i.due_date IS NOT NULL
          AND ((i.status = 'paid' AND i.due_date > ${since}) OR (i.status IN ('posted', 'partially_paid') AND i.due_date < $1::date)))
      SELECT account_id, count(*), count(*) FILTER (WHERE days = 0), avg(days), max(days) FROM late GROUP BY account_id`, [day]);
    const spend = await db.query(`SELECT i.account_id, sum(i.total) FILTER (WHERE i.kind = 'invoice' AND i.invoice_date > ${since}) - coalesce(sum(i.total) FILTER (WHERE i.kind = 'credit_note' AND i.invoice_date > ${since}), 0),
        min(i.invoice_date), count(*) FILTER (WHERE i.disputed IS TRUE AND i.invoice_date > ${since})
      FROM ${table('invoice')} i WHERE i.deleted_at IS NULL AND i.status <> 'draft' AND i.invoice_date IS NOT NULL GROUP BY i.account_id`, [day]);
    const rev = await db.query(`SELECT account_id, count(*) FROM ${table('payment')} WHERE deleted_at IS NULL AND status = 'reversed' AND reversed_at > ($1::date - interval '12 months') GROUP BY account_id`, [day]);
    const rawSeconds = (performance.now() - r0) / 1000;
    console.log(`raw: ${beh.rowCount} behaviour rows, ${spend.rowCount} spending rows, ${rev.rowCount} reversal rows in ${rawSeconds.toFixed(2)} s`);

    const rss: number[] = [];
    const heap: number[] = [];
    const sample = () => {
      const m = process.memoryUsage();
      rss.push(m.rss);
      heap.push(m.heapUsed);
    };
    const timed = async (label: string) => {
      rss.length = 0;
      heap.length = 0;
      sample();
      const timer = setInterval(sample, 250);
      const t0 = performance.now();
      const summary = await computeCredit({ platform, day });
      const seconds = (performance.now() - t0) / 1000;
      clearInterval(timer);
      sample();
      console.log(`${label}: ${summary.accounts} accounts, ${summary.changed} changed, ${summary.failed} failed in ${seconds.toFixed(2)} s — ${(summary.accounts / seconds).toFixed(0)} accounts/s; ratio to raw ${(seconds / rawSeconds).toFixed(1)}×`);
      console.log(`  RSS start ${mib(rss[0]!).toFixed(0)} MiB, max ${mib(Math.max(...rss)).toFixed(0)} MiB, end ${mib(rss[rss.length - 1]!).toFixed(0)} MiB; heap ${mib(heap[0]!).toFixed(0)} → max ${mib(Math.max(...heap)).toFixed(0)} → end ${mib(heap[heap.length - 1]!).toFixed(0)} MiB (${rss.length} samples)`);
      return { summary, seconds, heapStart: heap[0]!, heapEnd: heap[heap.length - 1]! };
    };
    const first = await timed('first');
    check('every account computed', first.summary.accounts === opts.accounts && first.summary.failed === 0, `${first.summary.accounts} of ${opts.accounts}, ${first.summary.failed} failed`);
    const assessments = Number((await db.query(`SELECT count(*) FROM ${table('credit_assessment')}`)).rows[0].count);
    check('one assessment per account', assessments === opts.accounts, `${assessments}`);
    const behaviours = (await db.query(`SELECT payment_behaviour, count(*)::int AS n FROM ${table('account')} GROUP BY 1 ORDER BY 1`)).rows.map((r) => `${r.payment_behaviour ?? 'none'} ${r.n}`).join(', ');
    console.log(`  payment behaviour: ${behaviours}`);
    const steady = await timed('steady');
    check('a night without news changes nothing', steady.summary.changed === 0, `${steady.summary.changed} changed`);
    // Garbage of the first run is collected lazily: what is retained shows after both runs.
    const retained = steady.heapEnd - first.heapStart;
    check('memory flat (heap retained after both runs)', retained < 100 * 2 ** 20, `${retained >= 0 ? '+' : ''}${mib(retained).toFixed(0)} MiB`);
  } finally {
    await booted?.close();
    await bench.finish(opts.keep);
    void admin;
  }
  if (failed()) process.exitCode = 2;
}

main().catch((error) => {
  console.error(error);
  process.exitCode = 1;
});
