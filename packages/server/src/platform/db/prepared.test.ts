import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import { createTestDatabase, type TestDatabase } from '../../../test/db.ts';
import { translateDatabaseError } from '../errors.ts';
import { StatementNames } from './prepared.ts';

describe('which statements are prepared', () => {
  it('names the data statements a select list cannot widen, the same name for the same text', () => {
    const names = new StatementNames();
    const kept = 'SELECT id, name FROM obj_account WHERE id = $1';
    expect(names.nameOf(kept)).toBe('m1');
    expect(names.nameOf(kept)).toBe('m1');
    expect(names.nameOf('  with x AS (SELECT 1) UPDATE t SET a = $1')).toBe('m2');
    expect(names.nameOf('SELECT count(*) AS n, sum(a * 2) FROM t WHERE b = $1')).toBe('m3');
    expect(names.nameOf('INSERT INTO t (a) VALUES ($1) RETURNING id')).toBe('m4');
  });

  it('sends unnamed what a custom field could widen, what is not a data statement, and long texts', () => {
    const names = new StatementNames({ maxLength: 100 });
    for (const text of [
      'SELECT * FROM obj_account WHERE id = $1',
      'SELECT l.n, e.* FROM unnest($1::uuid[]) l CROSS JOIN LATERAL (SELECT 1) e',
      'INSERT INTO t (a) VALUES ($1) RETURNING *',
      'UPDATE t SET a = $1, b = 2 RETURNING  *',
      'SELECT a, * FROM t',
      'begin',
      'SAVEPOINT rec_write',
      'ALTER TABLE t ADD COLUMN c text',
      `SELECT id FROM t WHERE a IN (${Array.from({ length: 40 }, (_, i) => `$${i + 1}`).join(', ')})`,
    ]) expect(names.nameOf(text), text).toBeUndefined();
  });

  it('stops naming new shapes past its budget, and never again names a refused one', () => {
    const names = new StatementNames({ maxShapes: 2 });
    expect(names.nameOf('SELECT 1 AS a')).toBe('m1');
    expect(names.nameOf('SELECT 2 AS a')).toBe('m2');
    expect(names.nameOf('SELECT 3 AS a')).toBeUndefined();
    names.refuse('SELECT 1 AS a');
    expect(names.nameOf('SELECT 1 AS a')).toBeUndefined();
  });
});

describe('prepared statements on the database', () => {
  let t: TestDatabase;
  beforeAll(async () => {
    t = await createTestDatabase();
  });
  afterAll(async () => t?.cleanup());

  it('prepares a repeated statement once per connection (PostgreSQL), and a star query never', async () => {
    const { db } = t.database;
    await sql`CREATE TABLE prepared_probe (id int PRIMARY KEY, v int)`.execute(db);
    await sql`INSERT INTO prepared_probe VALUES (1, 10), (2, 20)`.execute(db);
    const kept = await db.connection().execute(async (conn) => {
      for (const id of [1, 2, 1]) {
        expect((await sql<{ v: number }>`SELECT v FROM prepared_probe WHERE id = ${id}`.execute(conn)).rows[0]!.v).toBe(id * 10);
        await sql`SELECT * FROM prepared_probe WHERE id = ${id}`.execute(conn);
      }
      return (await sql<{ statement: string }>`SELECT statement FROM pg_prepared_statements`.execute(conn)).rows.map((r) => r.statement);
    });
    if (t.database.kind === 'postgres') {
      expect(kept).toContain('SELECT v FROM prepared_probe WHERE id = $1');
      expect(kept.filter((s) => s.includes('*'))).toEqual([]);
    } else {
      // PGlite sends every statement unnamed: one session in this process, nothing to keep.
      expect(kept).toEqual([]);
    }
  });

  it('survives a column added under a kept statement, and a column retyped under one answers a retryable conflict once', async () => {
    const { db } = t.database;
    await sql`CREATE TABLE prepared_change (id int PRIMARY KEY, v int)`.execute(db);
    await sql`INSERT INTO prepared_change VALUES (1, 10)`.execute(db);
    await db.connection().execute(async (conn) => {
      const read = () => sql<{ v: string | number }>`SELECT v FROM prepared_change WHERE id = ${1}`.execute(conn);
      for (let i = 0; i < 6; i++) await read();
      // A custom field: a new column; the kept statement's columns are unchanged.
      await sql`ALTER TABLE prepared_change ADD COLUMN extra text`.execute(conn);
      expect(Number((await read()).rows[0]!.v)).toBe(10);
      // A retyped column changes the kept statement's result: refused once, then sent unnamed.
      await sql`ALTER TABLE prepared_change ALTER COLUMN v TYPE numeric`.execute(conn);
      if (t.database.kind === 'postgres') {
        const error = await read().then(() => undefined, (e: unknown) => e);
        expect(translateDatabaseError(error)).toMatchObject({ code: 'conflict', extra: { retryable: true } });
      }
      expect(Number((await read()).rows[0]!.v)).toBe(10);
    });
  });
});
