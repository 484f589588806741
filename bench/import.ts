/**
 * Import benchmark (issue 15 item 14).
 *
 *   cd /work/main && npm exec -- node bench/import.ts [--rows 50000] [--create-anyway 1] [--keep]
 *
 * Creates a throwaway database on the local PostgreSQL server (BENCH_PG_URL, default
 * postgres://postgres@127.0.0.1:5432/postgres; other hosts are refused) and boots the platform on it.
 * Writes a CSV of `--rows` contacts (last and first name, e-mail, phone, title), then in the same run:
 *
 *   COPY     the same rows (with ids and owner) into obj_contact with `COPY … FROM STDIN WITH CSV`:
 *            the same table and indexes, no pipeline.
 *   import   the file through the imports module as a user would run it — uploaded, mapped, started,
 *            run by runDueImports in batches (MERIDIAN_IMPORT_BATCH_ROWS, default 500) through the
 *            record pipeline: validation, hooks, history and events per record, a checkpoint per
 *            batch. By default the duplicate rules are on (each row checked against the contacts by
 *            e-mail and name: 'skip'); `--create-anyway 1` imports with 'create anyway' (no checks).
 *
 * Prints rows/s of both, the ratio (aim ≥ 0.25× COPY) and the RSS growth over the import, sampled
 * every 50 ms (aim: flat). Not a test: run it by hand. Figures go to docs/performance.md.
 */
import { randomUUID } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdir, rm, stat, writeFile } from 'node:fs/promises';
import { performance } from 'node:perf_hooks';
import { pipeline } from 'node:stream/promises';
import copyStreams from 'pg-copy-streams';
import { benchChecks, bootBenchPlatform, createBenchDatabase, fmt, measureCpu, parseBenchArgs } from './lib.ts';

const opts = parseBenchArgs(process.argv.slice(2), { rows: 50_000, createAnyway: 0 }, 'node bench/import.ts [--rows N] [--create-anyway 1] [--keep]');
const bench = await createBenchDatabase('import');
const { check, failed } = benchChecks();
console.log(bench.facts.join('\n'));
const app = await bootBenchPlatform(bench.databaseUrl);
const { platform, db } = app;

const { createImport } = await import('../packages/server/src/modules/imports/commands/upload.ts');
const { configureImport, startImport } = await import('../packages/server/src/modules/imports/commands/manage.ts');
const { runDueImports } = await import('../packages/server/src/modules/imports/engine/run.ts');
const { importDirectory, importFilePath } = await import('../packages/server/src/modules/imports/store.ts');
const { systemActor } = await import('../packages/server/src/platform/records/context.ts');

/** RSS sampled every 50 ms: the growth over the run, and the highest in its first and last quarter (flat = no climb between them). */
function sampleRss() {
  const start = process.memoryUsage().rss;
  const samples: number[] = [];
  const timer = setInterval(() => samples.push(process.memoryUsage().rss), 50);
  return () => {
    clearInterval(timer);
    const quarter = Math.max(1, Math.floor(samples.length / 4));
    const maxOf = (xs: number[]) => xs.reduce((m, x) => Math.max(m, x), start);
    const mb = (b: number) => b / 2 ** 20;
    return { startMb: mb(start), growthMb: mb(maxOf(samples) - start), firstQuarterMb: mb(maxOf(samples.slice(0, quarter))), lastQuarterMb: mb(maxOf(samples.slice(-quarter))) };
  };
}

const made: string[] = [];
try {
  const table = app.table('contact');
  const owner = (await db.query<{ id: string }>(`SELECT id FROM obj_user ORDER BY created_at LIMIT 1`)).rows[0]?.id ?? null;
  const lines = (prefix: string, withIds: boolean) => {
    const out: string[] = [];
    for (let i = 1; i <= opts.rows; i++) {
      const cells = [`Last ${prefix}${i}`, `First ${i % 997}`, `${prefix}${i}@bench-import.example`, `+1 555 ${String(i % 10000).padStart(4, '0')}`, i % 3 ? 'Buyer' : 'Head of "Ops", EMEA'];
      const quoted = cells.map((c) => (/[",]/.test(c) ? `"${c.replace(/"/g, '""')}"` : c));
      out.push((withIds ? [randomUUID(), ...quoted, owner ?? '', owner ?? '', owner ?? ''] : quoted).join(','));
    }
    return out.join('\n') + '\n';
  };

  // COPY: the same five values per row, plus what the pipeline fills in (id, owner, created_by, updated_by).
  const copyFile = `${randomUUID()}.copy`;
  await mkdir(importDirectory(platform), { recursive: true });
  const copyPath = importFilePath(platform, copyFile);
  made.push(copyPath);
  await writeFile(copyPath, lines('c', true));
  let t = performance.now();
  const copyCpu = await measureCpu(bench, () => pipeline(createReadStream(copyPath), db.query(copyStreams.from(`COPY ${table} (id, last_name, first_name, email, phone, title, owner_id, created_by, updated_by) FROM STDIN WITH (FORMAT csv, NULL '')`))));
  const copySeconds = (performance.now() - t) / 1000;
  const copyRate = opts.rows / copySeconds;
  const perThousand = (s: number) => fmt((s * 1000 * 1000) / opts.rows);
  console.log(`COPY: ${opts.rows} contacts in ${fmt(copySeconds)} s = ${fmt(copyRate)} rows/s; CPU per 1,000 rows: Node ${perThousand(copyCpu.nodeCpu)} ms, PostgreSQL ${perThousand(copyCpu.pgCpu)} ms`);
  await db.query(`ANALYZE ${table}`);

  // The import: a file as a user uploads it, mapped and started through the module's commands.
  const key = `${randomUUID()}.upload`;
  made.push(importFilePath(platform, key));
  const csv = `Last Name,First Name,E-mail Address,Phone,Title\n${lines('i', false)}`;
  await writeFile(importFilePath(platform, key), csv);
  const ctx = { platform, actor: systemActor('api') };
  const id = await createImport(ctx, { key, fileName: 'bench.csv', size: (await stat(importFilePath(platform, key))).size, object: 'contact' });
  await configureImport(ctx, id, { columns: [{ field: 'last_name' }, { field: 'first_name' }, { field: 'email' }, { field: 'phone' }, { field: 'title' }], duplicates: opts.createAnyway ? 'create' : 'skip' });
  const before = await db.query<{ n: string }>(`SELECT count(*) AS n FROM outbox_event`).catch(() => ({ rows: [{ n: '0' }] }));
  // startImport wakes the runner in this process; runDueImports after it finds nothing left to claim.
  const rss = sampleRss();
  t = performance.now();
  const importCpu = await measureCpu(bench, async () => {
    await startImport(ctx, id);
    for (;;) {
      await runDueImports(platform);
      const r = await db.query<{ status: string }>(`SELECT status FROM import_job WHERE id = $1`, [id]);
      if (!['queued', 'running'].includes(r.rows[0]!.status)) break;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  });
  const importSeconds = (performance.now() - t) / 1000;
  const memory = rss();
  const job = (await db.query<{ status: string; created: number; rejected: number; skipped: number; error: string | null }>(`SELECT status, created, rejected, skipped, error FROM import_job WHERE id = $1`, [id])).rows[0]!;
  const importRate = opts.rows / importSeconds;
  const after = await db.query<{ n: string }>(`SELECT count(*) AS n FROM outbox_event`).catch(() => ({ rows: [{ n: '0' }] }));
  console.log(`import: ${opts.rows} contacts in ${fmt(importSeconds)} s = ${fmt(importRate)} rows/s (${job.status}; created ${job.created}, skipped ${job.skipped}, rejected ${job.rejected}${job.error ? `; ${job.error}` : ''})`);
  console.log(`import CPU per 1,000 rows: Node ${perThousand(importCpu.nodeCpu)} ms, PostgreSQL ${perThousand(importCpu.pgCpu)} ms (load now ${(await import('node:os')).loadavg()[0]!.toFixed(1)})`);
  console.log(`events written: ${Number(after.rows[0]!.n) - Number(before.rows[0]!.n)}`);
  console.log(`RSS at start ${fmt(memory.startMb)} MB, growth over the import ${fmt(memory.growthMb)} MB; highest in its first quarter ${fmt(memory.firstQuarterMb)} MB, in its last quarter ${fmt(memory.lastQuarterMb)} MB`);
  console.log(`ratio import / COPY: ${(importRate / copyRate).toFixed(3)}x`);
  check('every row created', job.status === 'completed' && job.created === opts.rows, `${job.status}, ${job.created} of ${opts.rows}`);
  check('import >= 0.25x COPY', importRate / copyRate >= 0.25, `${(importRate / copyRate).toFixed(3)}x`);
} finally {
  await app.close();
  await bench.finish(opts.keep);
  for (const file of made) await rm(file, { force: true });
}
if (failed()) process.exitCode = 1;
