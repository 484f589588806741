/**
 * Dunning benchmark (issue 13 item 3): the payment reminder run over --accounts × --invoices
 * overdue invoices (default 10,000 × 10 = 100,000), with memory sampled, against the same
 * selection and claims written by one hand-written SQL statement in the same run.
 *
 *   cd /work/main && npm exec -- node bench/dunning.ts [--accounts 10000] [--invoices 10] [--no-tasks] [--keep]
 *
 * --no-tasks: the last level makes no task (measures the e-mail path alone).
 *
 * Creates a throwaway database on the local PostgreSQL server (dropped at the end; bench/lib.ts),
 * boots the platform (the default schedule: 3, 10, 30 days), then writes the data in SQL: the
 * accounts (each with an e-mail), their posted invoices due 3 to 45 days ago (all three levels
 * occur) and a pay link each. Then:
 *
 *   raw      the floor: one INSERT … SELECT computing each invoice's level with a CASE and
 *            claiming it into a scratch copy of the reminder table (ON CONFLICT DO NOTHING on
 *            (invoice, level)), then the per-(account, level) groups with their invoices and pay
 *            links read back (what the e-mails need) → seconds.
 *   run      runDunning in process with a mailer that only counts the messages (SMTP's own time
 *            is the installation's network, not Meridian's) → seconds, invoices/s, e-mails/s,
 *            process RSS sampled every 250 ms, and the ratio to raw.
 *   rerun    the same day again: must send nothing.
 * Checked: one reminder per invoice, one e-mail per account and level, the rerun sends nothing.
 * Not a test: run it by hand. See docs/performance.md.
 */
import { performance } from 'node:perf_hooks';
import { benchChecks, bootBenchPlatform, createBenchDatabase } from './lib.ts';

interface Options {
  accounts: number;
  invoices: number;
  keep: boolean;
  tasks: boolean;
}

function parseArgs(argv: string[]): Options {
  const o: Options = { accounts: 10_000, invoices: 10, keep: false, tasks: true };
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
    else if (a === '--no-tasks') o.tasks = false;
    else throw new Error(`Unknown argument ${a}; usage: bench/dunning.ts [--accounts N] [--invoices N] [--no-tasks] [--keep]`);
  }
  return o;
}

const mib = (b: number) => b / 2 ** 20;

async function main() {
  const opts = parseArgs(process.argv.slice(2));
  const { runDunning } = await import('../packages/server/src/modules/dunning/index.ts');

  const bench = await createBenchDatabase('dunning');
  const { databaseUrl, facts, admin } = bench;
  const total = opts.accounts * opts.invoices;
  console.log(`Meridian dunning benchmark — ${new Date().toISOString()}`);
  for (const line of facts) console.log(line);
  console.log(`options: ${opts.accounts} accounts × ${opts.invoices} overdue invoices = ${total}\n`);
  const { check, failed } = benchChecks();
  let booted: Awaited<ReturnType<typeof bootBenchPlatform>> | undefined;
  try {
    booted = await bootBenchPlatform(databaseUrl);
    const { platform, db, table } = booted;
    const day = new Date().toISOString().slice(0, 10);

    // Data, in SQL.
    const s0 = performance.now();
    await db.query(`INSERT INTO ${table('account')} (id, name, email)
      SELECT gen_random_uuid(), 'Debtor ' || g, 'billing' || g || '@customer.example' FROM generate_series(1, $1) g`, [opts.accounts]);
    await db.query(`INSERT INTO ${table('invoice')} (id, name, number, kind, status, account_id, currency, invoice_date, due_date, total, open_amount, subtotal, tax_total)
      SELECT gen_random_uuid(), n, n, 'invoice', 'posted', a.id, 'USD', $1::date - (d + 30)::int, $1::date - d::int, 100 + g, 100 + g, 100 + g, 0
      FROM (SELECT id, row_number() OVER (ORDER BY id) AS r FROM ${table('account')}) a
      CROSS JOIN generate_series(1, $2) g
      CROSS JOIN LATERAL (SELECT 3 + ((a.r * 7 + g * 13) % 43) AS d, 'INV-B-' || lpad((a.r * 100 + g)::text, 9, '0') AS n) x`, [day, opts.invoices]);
    await db.query(`INSERT INTO invoicing_pay_link (id, invoice_id, token) SELECT gen_random_uuid(), id, md5(id::text) || md5(random()::text) FROM ${table('invoice')}`).catch(async () => {
      await db.query(`INSERT INTO invoicing_pay_link (id, invoice_id, token) SELECT gen_random_uuid(), id, md5(id::text) || md5(random()::text) FROM ${table('invoice')}`);
    });
    if (!opts.tasks) await db.query(`UPDATE ${table('dunning_level')} SET creates_task = false`);
    await db.query('ANALYZE');
    console.log(`data: ${total} invoices on ${opts.accounts} accounts in ${((performance.now() - s0) / 1000).toFixed(1)} s\n`);

    // raw: the floor, in one statement plus the read-back of the groups.
    const reminders = table('dunning_reminder');
    await db.query(`CREATE TABLE bench_raw_claims (LIKE ${reminders} INCLUDING DEFAULTS)`);
    await db.query('CREATE UNIQUE INDEX ON bench_raw_claims (invoice_id, level)');
    const levels = (await db.query(`SELECT l.id, l.level, l.days_overdue FROM ${table('dunning_level')} l JOIN ${table('dunning_schedule')} s ON s.id = l.schedule_id WHERE s.is_default AND l.deleted_at IS NULL ORDER BY l.level`)).rows;
    const levelCase = `CASE ${[...levels].reverse().map((l) => `WHEN $1::date - i.due_date >= ${Number(l.days_overdue)} THEN ${Number(l.level)}`).join(' ')} END`;
    const r0 = performance.now();
    const claimed = await db.query(`INSERT INTO bench_raw_claims (id, account_id, invoice_id, level, status, claimed_at)
      SELECT gen_random_uuid(), i.account_id, i.id, ${levelCase}, 'pending', now() FROM ${table('invoice')} i JOIN ${table('account')} a ON a.id = i.account_id
      WHERE i.deleted_at IS NULL AND i.kind = 'invoice' AND i.status IN ('posted', 'partially_paid') AND i.open_amount > 0 AND i.disputed IS NOT TRUE
        AND a.dunning_excluded IS NOT TRUE AND a.email IS NOT NULL AND i.due_date <= $1::date - ${Math.min(...levels.map((l) => Number(l.days_overdue)))}
      ON CONFLICT DO NOTHING`, [day]);
    const groups = await db.query(`SELECT c.account_id, c.level, array_agg(i.number ORDER BY i.due_date) AS numbers, array_agg(p.token) AS links
      FROM bench_raw_claims c JOIN ${table('invoice')} i ON i.id = c.invoice_id LEFT JOIN invoicing_pay_link p ON p.invoice_id = i.id GROUP BY c.account_id, c.level`);
    await db.query(`UPDATE bench_raw_claims SET status = 'sent', sent_at = now()`);
    const rawSeconds = (performance.now() - r0) / 1000;
    console.log(`raw: ${claimed.rowCount} claims, ${groups.rowCount} e-mail groups in ${rawSeconds.toFixed(2)} s`);

    // run: the real thing, with a counting mailer.
    let mails = 0;
    const rss: number[] = [];
    const heap: number[] = [];
    const sample = () => {
      const m = process.memoryUsage();
      rss.push(m.rss);
      heap.push(m.heapUsed);
    };
    sample();
    const timer = setInterval(sample, 250);
    const t0 = performance.now();
    const result = await runDunning({ platform, day, mailer: async () => { mails++; } });
    const seconds = (performance.now() - t0) / 1000;
    clearInterval(timer);
    sample();
    console.log(`run: ${result.reminders} reminders in ${result.emails} e-mails (${mails} handed to the mailer), ${result.tasks} tasks in ${seconds.toFixed(2)} s — ${(result.reminders / seconds).toFixed(0)} invoices/s, ${(result.emails / seconds).toFixed(0)} e-mails/s; ratio to raw ${(seconds / rawSeconds).toFixed(1)}×`);
    const tenth = Math.max(2, Math.ceil(rss.length / 10));
    const med = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
    console.log(`  RSS start ${mib(rss[0]!).toFixed(0)} MiB, max ${mib(Math.max(...rss)).toFixed(0)} MiB, end ${mib(rss[rss.length - 1]!).toFixed(0)} MiB; median of the first tenth ${mib(med(rss.slice(0, tenth))).toFixed(0)}, of the last tenth ${mib(med(rss.slice(-tenth))).toFixed(0)} MiB; heap ${mib(heap[0]!).toFixed(0)} → max ${mib(Math.max(...heap)).toFixed(0)} MiB (${rss.length} samples)`);
    check('one reminder per invoice', result.reminders === total, `${result.reminders} of ${total}`);
    check('one e-mail per account and level', result.emails === groups.rowCount, `${result.emails} e-mails, ${groups.rowCount} groups`);
    check('under 60 s', seconds < 60, `${seconds.toFixed(1)} s`);
    check('memory flat', Math.max(...rss) - rss[0]! < 150 * 2 ** 20, `+${mib(Math.max(...rss) - rss[0]!).toFixed(0)} MiB`);

    // The final notices' tasks: made from the run's events by the outbox dispatcher (dunning/run/tasks.ts).
    if (result.tasks) {
      const { startEventBackbone } = await import('../packages/server/src/platform/events/index.ts');
      const { loadEventSettings } = await import('../packages/server/src/platform/events/config.ts');
      const pending = async () => Number((await db.query(`SELECT count(*) AS n FROM ${table('dunning_reminder')} WHERE level = 3 AND task_id IS NULL`)).rows[0].n);
      const d0 = performance.now();
      const backbone = await startEventBackbone(platform, { settings: loadEventSettings({ MERIDIAN_EVENTS_POLL_MS: '50' }) });
      let left = await pending();
      while (left > 0) {
        await new Promise((resolve) => setTimeout(resolve, 500));
        left = await pending();
      }
      await backbone.stop();
      const taskSeconds = (performance.now() - d0) / 1000;
      const made = Number((await db.query(`SELECT count(DISTINCT task_id) AS n FROM ${table('dunning_reminder')} WHERE task_id IS NOT NULL`)).rows[0].n);
      console.log(`tasks: ${made} made from the final notices' events by the outbox dispatcher in ${taskSeconds.toFixed(2)} s after the run (${(made / taskSeconds).toFixed(0)}/s)`);
      check('one task per final notice', made === result.tasks, `${made} of ${result.tasks}`);
    }

    const a0 = performance.now();
    const again = await runDunning({ platform, day, mailer: async () => { mails++; } });
    console.log(`rerun: ${again.emails} e-mails in ${((performance.now() - a0) / 1000).toFixed(2)} s`);
    check('the rerun sends nothing', again.emails === 0 && again.reminders === 0, `${again.emails} e-mails`);
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
