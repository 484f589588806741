/**
 * Export and changes-feed benchmark (issue 15 item 14).
 *
 *   cd /work/main && npm exec -- node bench/export.ts [--rows 200000] [--changes 20000] [--pages 60] [--rounds 3] [--keep]
 *
 * Creates a throwaway database on the local PostgreSQL server (BENCH_PG_URL, default
 * postgres://postgres@127.0.0.1:5432/postgres; other hosts are refused) and boots the platform on it.
 *
 *   export   `--rows` accounts (inserted with SQL: the load is not what is measured) exported as CSV
 *            and as XLSX through the export service (planExport + streamExport: keyset pages of
 *            2,000, access and field rules, formula neutralising, the audit entry), against
 *            `COPY (SELECT the same columns … ORDER BY id) TO STDOUT WITH CSV` on the same table
 *            in the same run (`--rounds` rounds of the two in turn, the median of each). Aim:
 *            export ≥ 0.5× COPY's rows/s. The CPU seconds of this process and of the database's
 *            backends are counted per run (the figure to compare on a loaded machine). The
 *            process's RSS is sampled every 50 ms: its growth over the export shows whether memory stays flat.
 *   changes  `--changes` outbox events of the accounts; `--pages` pages of 1,000 changes read
 *            through listChanges from positions spread over the feed. Aim: p95 < 50 ms.
 * Not a test: run it by hand. Figures go to docs/performance.md.
 */
import { performance } from 'node:perf_hooks';
import { Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import copyStreams from 'pg-copy-streams';
import { benchChecks, bootBenchPlatform, createBenchDatabase, fmt, measureCpu as measureCpuOf, parseBenchArgs } from './lib.ts';

const opts = parseBenchArgs(process.argv.slice(2), { rows: 200_000, changes: 20_000, pages: 60, rounds: 3 }, 'node bench/export.ts [--rows N] [--changes N] [--pages N] [--rounds N] [--keep]');
const bench = await createBenchDatabase('export');
const { check, failed } = benchChecks();
console.log(bench.facts.join('\n'));
const app = await bootBenchPlatform(bench.databaseUrl);
const { platform, db } = app;

const { planExport } = await import('../packages/server/src/platform/records/export/planExport.ts');
const { streamExport } = await import('../packages/server/src/platform/records/export/streamExport.ts');
const { listChanges } = await import('../packages/server/src/platform/events/changes.ts');
const { systemActor } = await import('../packages/server/src/platform/records/context.ts');

/** Counts bytes, drops them: the cost measured is producing the file, not storing it. */
const sink = () => {
  let bytes = 0;
  return { stream: new Writable({ write(chunk: Buffer, _e, cb) { bytes += chunk.length; cb(); } }), bytes: () => bytes };
};


/** measureCpu of this bench's database, its result spread beside the CPU figures. */
async function measureCpu<T extends object>(fn: () => Promise<T>): Promise<T & { nodeCpu: number; pgCpu: number }> {
  const { result, nodeCpu, pgCpu } = await measureCpuOf(bench, fn);
  return { ...result, nodeCpu, pgCpu };
}

function sampleRss() {
  const start = process.memoryUsage().rss;
  let max = start;
  const timer = setInterval(() => (max = Math.max(max, process.memoryUsage().rss)), 50);
  return () => {
    clearInterval(timer);
    return { startMb: start / 2 ** 20, growthMb: (max - start) / 2 ** 20 };
  };
}

try {
  const table = app.table('account');
  const owner = (await db.query<{ id: string }>(`SELECT id FROM obj_user ORDER BY created_at LIMIT 1`)).rows[0]?.id ?? null;
  let t = performance.now();
  await db.query(
    `INSERT INTO ${table} (id, name, industry, employees, annual_revenue, website, description, owner_id, created_by, updated_by)
     SELECT gen_random_uuid(), 'Account ' || g || CASE WHEN g % 100 = 0 THEN ' =HYPERLINK("x")' ELSE '' END, (ARRAY['energy','retail','banking','technology'])[1 + g % 4], g % 5000,
       (g % 100000) + 0.25, 'https://a' || g || '.example', 'Account number ' || g || ', with a comma and "quotes"', $1::uuid, $1::uuid, $1::uuid
     FROM generate_series(1, $2::int) g`,
    [owner, opts.rows],
  );
  await db.query(`ANALYZE ${table}`);
  console.log(`loaded ${opts.rows} accounts in ${fmt((performance.now() - t) / 1000)} s`);

  const ctx = { platform, actor: systemActor('api') };
  const object = platform.registry.requireObject('account');
  const fields = ['name', 'industry', 'employees', 'annual_revenue', 'website', 'description', 'owner', 'created_at'];
  const columns = ['id', ...fields].map((n) => object.fields.find((f) => f.apiName === n)!.column);

  // COPY … TO of the same columns in the same order: PostgreSQL writing CSV with no access rules.
  const copyRun = () => measureCpu(async () => {
    const client = db;
    const out = sink();
    const start = performance.now();
    await pipeline(client.query(copyStreams.to(`COPY (SELECT ${columns.join(', ')} FROM ${table} WHERE deleted_at IS NULL ORDER BY id) TO STDOUT WITH CSV HEADER`)), out.stream);
    return { ms: performance.now() - start, bytes: out.bytes() };
  });
  const exportRun = (format: 'csv' | 'xlsx', header: 'api' | 'label') => measureCpu(async () => {
    const out = sink();
    const rss = sampleRss();
    const start = performance.now();
    const plan = await planExport({ ctx, object, input: { format, header, fields: fields.join(',') } });
    await pipeline(streamExport(plan), out.stream);
    return { ms: performance.now() - start, bytes: out.bytes(), ...rss() };
  });

  // One warm-up of each, then `--rounds` rounds of COPY and the CSV export taken in turn (so a
  // burst of other work on the machine falls on both), the median of each; then one each of the rest.
  await copyRun();
  await exportRun('csv', 'api');
  const copies: Array<Awaited<ReturnType<typeof copyRun>>> = [];
  const csvs: Array<Awaited<ReturnType<typeof exportRun>>> = [];
  for (let round = 0; round < opts.rounds; round++) {
    copies.push(await copyRun());
    csvs.push(await exportRun('csv', 'api'));
  }
  const median = <T extends { ms: number }>(runs: T[]): T => [...runs].sort((a, b) => a.ms - b.ms)[Math.floor(runs.length / 2)]!;
  const copy = median(copies);
  const csv = median(csvs);
  const csvNames = await exportRun('csv', 'label');
  const xlsx = await exportRun('xlsx', 'api');
  const rate = (ms: number) => opts.rows / (ms / 1000);
  const cpu = (r: { nodeCpu: number; pgCpu: number }) => `CPU ${fmt(r.nodeCpu + r.pgCpu)} s (node ${fmt(r.nodeCpu)} + pg ${fmt(r.pgCpu)})`;
  console.log(`\nexport of ${opts.rows} accounts, ${fields.length + 1} columns (COPY and CSV: median of ${opts.rounds} rounds; CSV runs ${csvs.map((r) => fmt(r.ms / 1000)).join(', ')} s; COPY ${copies.map((r) => fmt(r.ms / 1000)).join(', ')} s)`);
  console.log(`  COPY TO (CSV)             ${fmt(copy.ms / 1000)} s  ${fmt(rate(copy.ms), 0)} rows/s  ${fmt(copy.bytes / 2 ** 20, 1)} MB  ${cpu(copy)}`);
  for (const [name, r] of [['export CSV (api headers)', csv], ['export CSV (labels, names)', csvNames], ['export XLSX', xlsx]] as const) {
    console.log(`  ${name.padEnd(26)}${fmt(r.ms / 1000)} s  ${fmt(rate(r.ms), 0)} rows/s  ${fmt(r.bytes / 2 ** 20, 1)} MB  ${fmt(copy.ms / r.ms)}x COPY  RSS ${fmt(r.startMb, 0)} MB +${fmt(r.growthMb, 0)} MB  ${cpu(r)}  ${fmt((copy.nodeCpu + copy.pgCpu) / (r.nodeCpu + r.pgCpu))}x COPY's CPU`);
  }
  const audited = Number((await db.query<{ n: string }>(`SELECT count(*) AS n FROM audit_log WHERE action = 'records.exported' AND (details->>'rows')::int = $1 AND details->>'completed' = 'true'`, [opts.rows])).rows[0]!.n);
  check('every export audited with its row count', audited === opts.rounds + 3, `${audited} of ${opts.rounds + 3} (warm-up, CSV ${opts.rounds + 1} times, XLSX)`);
  check('CSV export >= 0.5x COPY', copy.ms / csv.ms >= 0.5, `${fmt(copy.ms / csv.ms)}x`);
  check('memory flat (RSS growth < 150 MB over a CSV export)', csv.growthMb < 150, `+${fmt(csv.growthMb, 0)} MB`);

  // The changes feed: events as the pipeline writes them (one per change), spread over transactions.
  t = performance.now();
  const perTx = 500;
  for (let done = 0; done < opts.changes; done += perTx) {
    await db.query(
      `INSERT INTO outbox_event (id, type, object, record_id, changes, actor)
       SELECT gen_random_uuid(), 'account.updated', 'account', a.id, jsonb_build_object('employees', jsonb_build_object('old', 1, 'new', 2), 'name', jsonb_build_object('old', a.name, 'new', a.name || '!')), '{"userId":null,"via":"api","tokenId":null}'::jsonb
       FROM (SELECT id, name FROM ${table} ORDER BY id OFFSET $1 LIMIT $2) a`,
      [done % Math.max(1, opts.rows - perTx), perTx],
    );
  }
  await db.query('ANALYZE outbox_event');
  console.log(`\nwrote ${opts.changes} outbox events in ${fmt((performance.now() - t) / 1000)} s`);
  // Positions over the feed: walk it once with pages of 1,000 and keep every cursor.
  const cursors: Array<string | undefined> = [undefined];
  for (;;) {
    const page = await listChanges({ ctx, since: cursors.at(-1), objects: ['account'], limit: 1000 });
    if (!page.hasMore) break;
    cursors.push(page.nextCursor);
  }
  const times: number[] = [];
  let handed = 0;
  for (let i = 0; i < opts.pages; i++) {
    const since = cursors[i % Math.max(1, cursors.length - 1)];
    const start = performance.now();
    const page = await listChanges({ ctx, since, objects: ['account'], limit: 1000 });
    times.push(performance.now() - start);
    handed += page.data.length;
  }
  times.sort((a, b) => a - b);
  const p = (q: number) => times[Math.min(times.length - 1, Math.floor(q * times.length))]!;
  console.log(`changes feed, pages of 1,000 (${opts.pages} pages, ${handed} changes): p50 ${fmt(p(0.5), 1)} ms  p95 ${fmt(p(0.95), 1)} ms  max ${fmt(times.at(-1)!, 1)} ms`);
  check('changes pages were full', handed === opts.pages * 1000, `${handed}`);
  check('changes page of 1,000 p95 < 50 ms', p(0.95) < 50, `${fmt(p(0.95), 1)} ms`);
} finally {
  await app.close();
  await bench.finish(opts.keep);
}
process.exitCode = failed() ? 1 : 0;
