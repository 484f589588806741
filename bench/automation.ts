/**
 * Workflow rules benchmark (issue 14 item 13): what before-save rules cost a write, and how many
 * after-save actions the worker runs per second, each against raw SQL in the same run.
 *
 *   cd /work/main && npm exec -- node bench/automation.ts [--writes 1000] [--runs 1000] [--rounds 3] [--workers 4] [--timed 1000] [--spread 30] [--keep]
 *   (--rounds 0 measures only the after-save part)
 *   time triggers --timed runs (one per account, at most --writes) falling due at random over the next
 *                 --spread seconds, started by the platform's due timer alone (jobs/boss.ts
 *                 startDueTimers, as `meridian start` and `worker` run it) → lateness p50 / p99 / max
 *                 as finished − due (aim p99 < 60 s).
 *
 * Creates a throwaway database on the local PostgreSQL server (dropped at the end; bench/lib.ts),
 * boots the platform, writes --writes accounts in SQL, then:
 *
 *   before-save   updateRecord of an account (in process, one at a time) with no rule on account,
 *                 and with 20 active before-save rules on account (each a condition on employees
 *                 and an update_fields action; about half of them match each write). Rounds
 *                 alternate none / 20 rules so drift in the machine's load hits both; the figure is
 *                 ms per write and the ratio 20 rules ÷ none (aim ≤ 1.5×). raw: the same UPDATE in
 *                 plain SQL, for scale.
 *   after-save    --runs pending runs (one per account, at most --writes) of an after-save rule whose action updates the record
 *                 (update_fields through the record pipeline: validation, history, outbox), run by
 *                 --workers runDueRuns side by side (default 4) → actions/s (aim ≥ 500/s). raw: the same UPDATEs in plain SQL.
 * Checked: the rules changed the records; every run succeeded once. Not a test: run it by hand.
 * See docs/performance.md.
 */
import { performance } from 'node:perf_hooks';
import { benchChecks, bootBenchPlatform, createBenchDatabase, parseBenchArgs } from './lib.ts';

const parseArgs = (argv: string[]) =>
  parseBenchArgs(argv, { writes: 1000, runs: 1000, rounds: 3, workers: 4, timed: 1000, spread: 30 }, 'bench/automation.ts [--writes N] [--runs N] [--rounds N] [--workers N] [--timed N] [--spread S] [--keep]', ['rounds']);

async function main() {
  const opts = parseArgs(process.argv.slice(2));
  const { runDueRuns } = await import('../packages/server/src/modules/automation/index.ts');
  const { invalidateRules } = await import('../packages/server/src/modules/automation/engine/cache.ts');
  const { createRecord, updateRecord } = await import('../packages/server/src/platform/records/write.ts');
  const { systemActor } = await import('../packages/server/src/platform/records/context.ts');

  const bench = await createBenchDatabase('automation');
  const { databaseUrl, facts } = bench;
  console.log(`Meridian workflow rules benchmark — ${new Date().toISOString()}`);
  for (const line of facts) console.log(line);
  console.log(`options: ${opts.writes} accounts written per round, ${opts.runs} after-save runs, ${opts.rounds} rounds\n`);
  const { check, failed } = benchChecks();
  let booted: Awaited<ReturnType<typeof bootBenchPlatform>> | undefined;
  try {
    booted = await bootBenchPlatform(databaseUrl);
    const { platform, db, table } = booted;
    const ctx = { platform, actor: systemActor('api') };
    const account = platform.registry.requireObject('account');
    const rule = platform.registry.requireObject('automation_rule');
    await db.query(`INSERT INTO ${table('account')} (id, name, employees) SELECT gen_random_uuid(), 'Bench ' || g, g FROM generate_series(1, $1) g`, [opts.writes]);
    const ids = (await db.query(`SELECT id FROM ${table('account')} ORDER BY employees`)).rows.map((r) => r.id as string);
    await db.query('ANALYZE');

    // 20 before-save rules on account, created inactive through the pipeline (checked like any rule).
    for (let i = 0; i < 20; i++) {
      await createRecord({ ctx, object: rule, input: {
        name: `Bench rule ${i}`, target_object: 'account', trigger: 'created_or_updated', phase: 'before_save', active: false, run_order: i,
        condition: JSON.stringify({ field: 'employees', op: 'gte', value: i * 50 }),
        actions: JSON.stringify([{ type: 'update_fields', values: { description: `Tier ${i}: {{ record.name }}` } }]),
      } });
    }
    const setRules = async (active: boolean) => {
      await db.query(`UPDATE ${table('automation_rule')} SET active = $1 WHERE name LIKE 'Bench rule %'`, [active]);
      invalidateRules(platform);
    };

    let phoneN = 0;
    const writeAll = async () => {
      const t0 = performance.now();
      for (const id of ids) await updateRecord({ ctx, object: account, id, input: { phone: `+1 555 ${String(++phoneN).padStart(6, '0')}` } });
      return (performance.now() - t0) / ids.length;
    };
    const rawAll = async () => {
      const t0 = performance.now();
      for (const id of ids) await db.query(`UPDATE ${table('account')} SET phone = $2, version = version + 1, updated_at = now() WHERE id = $1`, [id, `+1 555 ${String(++phoneN).padStart(6, '0')}`]);
      return (performance.now() - t0) / ids.length;
    };
    if (opts.rounds > 0) {
      await writeAll(); // warm-up
      const none: number[] = [];
      const twenty: number[] = [];
      const raw: number[] = [];
      for (let r = 0; r < opts.rounds; r++) {
        raw.push(await rawAll());
        await setRules(false);
        none.push(await writeAll());
        await setRules(true);
        twenty.push(await writeAll());
      }
      const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
      const [mNone, mTwenty, mRaw] = [median(none), median(twenty), median(raw)];
      console.log('before-save (ms per write, median of rounds):');
      console.log(`  raw SQL UPDATE     ${mRaw.toFixed(3)}   rounds ${raw.map((x) => x.toFixed(3)).join(' ')}`);
      console.log(`  no rules           ${mNone.toFixed(3)}   rounds ${none.map((x) => x.toFixed(3)).join(' ')}   ${(mNone / mRaw).toFixed(1)}× raw`);
      console.log(`  20 before-save     ${mTwenty.toFixed(3)}   rounds ${twenty.map((x) => x.toFixed(3)).join(' ')}   ${(mTwenty / mRaw).toFixed(1)}× raw`);
      console.log(`  ratio 20 rules ÷ none: ${(mTwenty / mNone).toFixed(2)}× (aim ≤ 1.5×)`);
      const last = (await db.query(`SELECT description FROM ${table('account')} WHERE id = $1`, [ids[ids.length - 1]])).rows[0].description;
      check('the before-save rules changed the records in the same write', typeof last === 'string' && last.startsWith('Tier '), String(last));
      await setRules(false);
    }

    // After save: pending runs of a rule whose action updates the record.
    const after = await createRecord({ ctx, object: rule, input: {
      name: 'Bench after-save', target_object: 'account', trigger: 'updated', phase: 'after_save', active: true,
      condition: JSON.stringify({ field: 'name', op: 'eq', value: 'never matches a write' }),
      actions: JSON.stringify([{ type: 'update_fields', values: { annual_revenue: '{{ record.employees | times: 1000 }}' } }]),
    } });
    const targets = ids.slice(0, opts.runs);
    await db.query(`INSERT INTO automation_run (id, rule_id, rule_name, object, record_id, event_id, trigger, operation, status, condition_result, depth, chain)
      SELECT gen_random_uuid(), $1, 'Bench after-save', 'account', t.id, gen_random_uuid(), 'updated', 'update', 'pending', true, 1, '[]'
      FROM unnest($2::uuid[]) AS t(id)`, [after.id, targets]);
    // Workers drain side by side (SKIP LOCKED: each claims its own batches), as several worker processes would.
    const a0 = performance.now();
    const cpu0 = process.cpuUsage();
    const all = await Promise.all(Array.from({ length: opts.workers }, () => runDueRuns(platform)));
    const counts = all.reduce((t, c) => ({ succeeded: t.succeeded + c.succeeded, failed: t.failed + c.failed, retry: t.retry + c.retry, skipped: t.skipped + c.skipped }));
    const afterSeconds = (performance.now() - a0) / 1000;
    const cpu = process.cpuUsage(cpu0);
    const nodeMsPerRun = (cpu.user + cpu.system) / 1000 / Math.max(1, counts.succeeded);
    const r0 = performance.now();
    // The same UPDATEs, 50 to a transaction like the worker's batches.
    for (let i = 0; i < targets.length; i += 50) {
      await db.query('BEGIN');
      for (const id of targets.slice(i, i + 50)) await db.query(`UPDATE ${table('account')} SET annual_revenue = employees * 1000, version = version + 1, updated_at = now() WHERE id = $1`, [id]);
      await db.query('COMMIT');
    }
    const rawAfter = (performance.now() - r0) / 1000;
    console.log(`\nafter-save (update_fields through the record pipeline, ${opts.workers} workers draining):`);
    console.log(`  ${counts.succeeded} runs in ${afterSeconds.toFixed(2)} s — ${(counts.succeeded / afterSeconds).toFixed(0)} actions/s (aim ≥ 500/s); raw SQL UPDATEs (one connection, 50 per transaction) ${(targets.length / rawAfter).toFixed(0)}/s; ratio ${(afterSeconds / rawAfter).toFixed(1)}×`);
    console.log(`  Meridian's own CPU (this process) ${nodeMsPerRun.toFixed(2)} ms per run`);
    check('every run succeeded once', counts.succeeded === targets.length && counts.failed + counts.retry === 0, JSON.stringify(counts));

    // Time triggers: runs falling due over the next --spread seconds, started by the platform's due
    // timer (what `meridian start` / `worker` run) with no other sweep; lateness = finished − due.
    const { startDueTimers } = await import('../packages/server/src/platform/jobs/boss.ts');
    const job = platform.modules.find((m) => m.name === 'automation')!.jobs!.find((j) => j.name === 'automation.runs')!;
    const timedTargets = ids.slice(0, opts.timed);
    await db.query(`WITH d AS (SELECT t.id, now() + make_interval(secs => 2 + $3::float8 * random()) AS at FROM unnest($2::uuid[]) AS t(id))
      INSERT INTO automation_run (id, rule_id, rule_name, object, record_id, event_id, trigger, operation, status, condition_result, depth, chain, due_at, next_attempt_at)
      SELECT gen_random_uuid(), $1, 'Bench after-save', 'account', d.id, gen_random_uuid(), 'updated', 'update', 'pending', true, 1, '[]', d.at, d.at FROM d`, [after.id, timedTargets, opts.spread]);
    // The rule's condition never matches a write; when a time-based run fires its condition is checked again — so let it match.
    await db.query(`UPDATE ${table('automation_rule')} SET condition = NULL WHERE id = $1`, [after.id]);
    invalidateRules(platform);
    const timers = startDueTimers(platform, [job]);
    const t0 = performance.now();
    for (;;) {
      const left = Number((await db.query(`SELECT count(*) AS n FROM automation_run WHERE status = 'pending' AND due_at IS NOT NULL`)).rows[0].n);
      if (!left) break;
      if (performance.now() - t0 > (opts.spread + 120) * 1000) break;
      await new Promise((r) => setTimeout(r, 200));
    }
    await timers.stop();
    const late = (await db.query(`SELECT extract(epoch FROM finished_at - due_at) * 1000 AS ms, status FROM automation_run WHERE due_at IS NOT NULL ORDER BY 1`)).rows;
    const ms = late.map((r) => Number(r.ms));
    const pct = (p: number) => ms[Math.min(ms.length - 1, Math.floor((p / 100) * ms.length))]!;
    console.log(`\ntime triggers (${timedTargets.length} runs due over ${opts.spread} s, started by the due timer alone; lateness = finished − due):`);
    console.log(`  p50 ${pct(50).toFixed(0)} ms, p99 ${pct(99).toFixed(0)} ms, max ${ms[ms.length - 1]!.toFixed(0)} ms (aim p99 < 60 s); none early: ${ms[0]! >= 0}`);
    check('every timed run succeeded once, none before it was due', late.every((r) => r.status === 'succeeded') && late.length === timedTargets.length && ms[0]! >= 0, `${late.filter((r) => r.status === 'succeeded').length}/${timedTargets.length}, earliest ${ms[0]}`);
  } finally {
    await booted?.close();
    await bench.finish(opts.keep);
  }
  if (failed()) process.exitCode = 2;
}

await main();
