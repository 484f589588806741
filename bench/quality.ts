/**
 * Data quality benchmark (issue 16 item 6, docs/analytics.md#data-quality): the score of every
 * contact per owner, through the analytics module (measureDataQuality, as an admin) against the
 * same five checks hand-written in SQL, in the same run, on a database that already holds contacts.
 *
 *   npm exec -- node bench/quality.ts --database meridian_bench_web_…   [--runs 5]
 *
 * Use a database kept by bench/web.ts (`--keep`: 1,000,000 contacts, 5 owners). The script first
 * checks that both give the same counts per owner, then times each `--runs` times (after one
 * warm-up) and prints p50 and the ratio. Not a test: figures go to docs/performance.md.
 */
import { performance } from 'node:perf_hooks';
import { assertLocal, bootBenchPlatform, fmt } from './lib.ts';

function arg(name: string, fallback?: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : fallback;
}

const database = arg('database');
if (!database) throw new Error('--database <a kept bench database with contacts> is required');
const runs = Number(arg('runs', '5'));
const adminUrl = process.env.BENCH_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
assertLocal(adminUrl);
process.env.LOG_LEVEL = 'silent';
const url = new URL(adminUrl);
url.pathname = `/${database}`;

const bench = await bootBenchPlatform(url.toString());
const { platform, db } = bench;
const { measureDataQuality } = await import('../packages/server/src/modules/analytics/quality/run.ts');
const { systemActor } = await import('../packages/server/src/platform/records/context.ts');
const object = platform.registry.requireObject('contact');
const ctx = { platform, actor: systemActor('api') };

// The same checks by hand: recommended e-mail, phone, title, account; e-mail shape; 7 digits;
// a year; another live contact with the same lower(email).
const RAW = `SELECT t0.owner_id, count(*)::int AS records,
  sum(CASE WHEN t0.email IS NULL OR btrim(t0.email) = '' OR t0.phone IS NULL OR btrim(t0.phone) = '' OR t0.title IS NULL OR btrim(t0.title) = '' OR t0.account_id IS NULL THEN 1 ELSE 0 END)::int AS incomplete,
  sum(CASE WHEN t0.email IS NOT NULL AND t0.email !~ '^[^@[:space:]]+@[^@[:space:]]+\\.[^@[:space:]]+$' THEN 1 ELSE 0 END)::int AS invalid_email,
  sum(CASE WHEN (t0.phone IS NOT NULL AND length(regexp_replace(t0.phone, '[^0-9]', '', 'g')) < 7) OR (t0.mobile IS NOT NULL AND length(regexp_replace(t0.mobile, '[^0-9]', '', 'g')) < 7) THEN 1 ELSE 0 END)::int AS invalid_phone,
  sum(CASE WHEN t0.updated_at < now() - interval '365 days' THEN 1 ELSE 0 END)::int AS stale,
  sum(CASE WHEN t0.email IS NOT NULL AND t0.email <> '' AND EXISTS (SELECT 1 FROM ${object.table} d WHERE d.deleted_at IS NULL AND d.id <> t0.id AND lower(d.email) = lower(t0.email)) THEN 1 ELSE 0 END)::int AS duplicate
FROM ${object.table} t0 WHERE t0.deleted_at IS NULL GROUP BY t0.owner_id`;

const viaModule = async () => measureDataQuality({ ctx, object });
const viaSql = async () => (await db.query(RAW)).rows as Array<Record<string, number | string>>;

const [a, b] = [await viaModule(), await viaSql()];
for (const row of b) {
  const mine = a.rows.find((r) => r.ownerId === row.owner_id && !r.total)!;
  const same = mine && mine.records === row.records && (['incomplete', 'invalid_email', 'invalid_phone', 'stale', 'duplicate'] as const).every((k) => mine.failing[k] === row[k]);
  console.log(`  check: owner ${row.owner_id}: ${same ? 'ok' : 'FAILED'} (${JSON.stringify(row)})`);
  if (!same) process.exitCode = 1;
}

async function time(fn: () => Promise<unknown>): Promise<number[]> {
  const out: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t = performance.now();
    await fn();
    out.push(performance.now() - t);
  }
  return out.sort((x, y) => x - y);
}
const p50 = (xs: number[]) => xs[Math.floor(xs.length / 2)]!;
const mod = await time(viaModule);
const raw = await time(viaSql);
const count = (await db.query(`SELECT count(*)::int AS n FROM ${object.table} WHERE deleted_at IS NULL`)).rows[0].n;
console.log(`contacts ${count}; ${runs} runs each; load ${(await import('node:os')).loadavg().map((x) => x.toFixed(1)).join(' ')}`);
console.log(`| path | p50 ms | max ms |\n| --- | ---: | ---: |\n| measureDataQuality (admin) | ${fmt(p50(mod), 0)} | ${fmt(mod.at(-1)!, 0)} |\n| hand-written SQL | ${fmt(p50(raw), 0)} | ${fmt(raw.at(-1)!, 0)} |`);
console.log(`ratio (SQL time ÷ module time): ${fmt(p50(raw) / p50(mod))}×`);
await bench.close();
