import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import { createTestDatabase, type TestDatabase } from '../../../test/db.ts';

let t: TestDatabase;
beforeAll(async () => {
  t = await createTestDatabase();
});
afterAll(async () => t?.cleanup());

describe('database connection', () => {
  it('runs concurrent transactions without interleaving them', async () => {
    const { db } = t.database;
    await sql`CREATE TABLE tx_probe (n int)`.execute(db);
    // One transaction inserts then fails; queries sent meanwhile must not become part of it.
    const failing = db
      .transaction()
      .execute(async (trx) => {
        await sql`INSERT INTO tx_probe VALUES (1)`.execute(trx);
        await new Promise((r) => setTimeout(r, 30));
        throw new Error('roll back');
      })
      .catch(() => 'rolled back');
    const outside = sql`INSERT INTO tx_probe VALUES (2)`.execute(db);
    expect(await failing).toBe('rolled back');
    await outside;
    const rows = await sql<{ n: number }>`SELECT n FROM tx_probe ORDER BY n`.execute(db);
    expect(rows.rows.map((r) => r.n)).toEqual([2]);
  });

  it('returns dates as strings and numerics without float rounding', async () => {
    const { db } = t.database;
    const r = await sql<{ d: string; n: string }>`SELECT DATE '2026-03-01' AS d, 12345678901234.56::numeric AS n`.execute(db);
    expect(r.rows[0]).toEqual({ d: '2026-03-01', n: '12345678901234.56' });
  });
});
