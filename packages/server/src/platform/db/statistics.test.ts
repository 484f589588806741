import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import { createTestDatabase, type TestDatabase } from '../../../test/db.ts';
import { analyzeOutgrown, StatisticsKeeper } from './statistics.ts';

let t: TestDatabase;
beforeAll(async () => {
  t = await createTestDatabase();
});
afterAll(async () => t?.cleanup());

/** What the table's statistics say: its rows and pages when last analysed. */
const statsOf = async (table: string) =>
  (await sql<{ reltuples: number; relpages: number }>`SELECT reltuples::float8 AS reltuples, relpages FROM pg_class WHERE oid = ${table}::regclass`.execute(t.database.db)).rows[0]!;

describe('analysing tables a run grows', () => {
  it('analyses a table once it has twice the pages it had when last analysed, and not before', async () => {
    const { db } = t.database;
    await sql`CREATE TABLE stats_probe (id int PRIMARY KEY, pad text)`.execute(db);
    await sql`ANALYZE stats_probe`.execute(db);
    const stats = () => statsOf('stats_probe');
    // ~500 bytes a row: 200 rows fill about 13 pages.
    const add = (from: number, n: number) => sql`INSERT INTO stats_probe SELECT g, repeat('x', 500) FROM generate_series(${from}::int, ${from + n - 1}::int) g`.execute(db);
    await add(1, 10);
    // Under the minimum size: left alone (the statistics still say empty).
    expect(await analyzeOutgrown({ db, tables: ['stats_probe'] })).toEqual([]);
    expect((await stats()).reltuples).toBe(0);
    await add(11, 190);
    expect(await analyzeOutgrown({ db, tables: ['stats_probe'] })).toEqual(['stats_probe']);
    const first = await stats();
    expect(first.reltuples).toBe(200);
    // Grown by less than its analysed size: left alone.
    await add(201, 100);
    expect(await analyzeOutgrown({ db, tables: ['stats_probe'] })).toEqual([]);
    expect((await stats()).reltuples).toBe(200);
    await add(301, 200);
    expect(await analyzeOutgrown({ db, tables: ['stats_probe'] })).toEqual(['stats_probe']);
    const second = await stats();
    expect(second.reltuples).toBe(500);
    expect(second.relpages).toBeGreaterThanOrEqual(2 * first.relpages);
  });

  it('logs instead of failing the caller when a table cannot be analysed', async () => {
    const warnings: string[] = [];
    const logger = { warn: (_: object, msg: string) => void warnings.push(msg) };
    expect(await analyzeOutgrown({ db: t.database.db, tables: ['no_such_table'], logger })).toEqual([]);
    expect(warnings).toEqual(['could not analyse tables grown by a run']);
  });

  it('keeps the statistics of the tables writes note: checked at most once per interval, analysed once outgrown', async () => {
    const { db } = t.database;
    await sql`CREATE TABLE stats_kept (id int PRIMARY KEY, pad text)`.execute(db);
    await sql`ANALYZE stats_kept`.execute(db);
    const tuples = async () => (await statsOf('stats_kept')).reltuples;
    await sql`INSERT INTO stats_kept SELECT g, repeat('x', 500) FROM generate_series(1, 300) g`.execute(db);
    // Within the interval of the last check: only noted.
    const slow = new StatisticsKeeper({ db, intervalMs: 3_600_000 });
    slow.note('stats_kept');
    await slow.settle();
    slow.note('stats_kept');
    await slow.settle();
    expect(await tuples()).toBe(300);
    await sql`INSERT INTO stats_kept SELECT g, repeat('x', 500) FROM generate_series(301, 900) g`.execute(db);
    slow.note('stats_kept');
    await slow.settle();
    expect(await tuples()).toBe(300);
    // A keeper whose interval has passed checks what was noted, and analyses the outgrown table.
    const keeper = new StatisticsKeeper({ db, intervalMs: 0 });
    keeper.note('stats_kept');
    await keeper.settle();
    expect(await tuples()).toBe(900);
  });
});
