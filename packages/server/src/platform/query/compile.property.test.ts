/**
 * The SQL of compileCondition and evaluateCondition must agree on every record: random records
 * go into real tables (PGlite, or PostgreSQL with DATABASE_URL), random conditions are compiled
 * and evaluated, and the matching ids must be the same set.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { sql, type Kysely } from 'kysely';
import { createTestDatabase, type TestDatabase } from '../../../test/db.ts';
import { compileCondition, evaluateCondition, parseCondition, type ConditionContext } from './index.ts';
import { createTestRegistry, ITEM, TEST_TABLES_SQL } from './test-registry.ts';
import { conditionArb, CONTEXTS, datasetArb, type Dataset } from './property-arbitraries.ts';
import { createResolver, loadDataset } from './property-dataset.ts';

let t: TestDatabase;
let db: Kysely<any>;
const registry = createTestRegistry();

beforeAll(async () => {
  t = await createTestDatabase();
  db = t.database.db;
  for (const statement of TEST_TABLES_SQL.split(';').filter((s) => s.trim())) await sql.raw(statement).execute(db);
});
afterAll(async () => t?.cleanup());

async function checkAgreement(data: Dataset, input: unknown, context: ConditionContext): Promise<void> {
  const condition = parseCondition({ input, object: ITEM, registry });
  const where = compileCondition({ condition, alias: 't0', context });
  const result = await sql<{ id: string }>`SELECT t0.id FROM obj_pt_item t0 WHERE ${where}`.execute(db);
  const fromSql = result.rows.map((r) => r.id).sort();
  const resolve = createResolver(data);
  const inMemory = data.items
    .filter((record) => evaluateCondition({ condition, record, context, resolve }))
    .map((r) => r.id as string)
    .sort();
  expect(fromSql, JSON.stringify(input)).toEqual(inMemory);
}

describe('compileCondition agrees with evaluateCondition', () => {
  it('on random records and conditions', async () => {
    await fc.assert(
      fc.asyncProperty(
        datasetArb,
        fc.array(conditionArb, { minLength: 4, maxLength: 4 }),
        fc.constantFrom(...CONTEXTS),
        async (data, conditions, context) => {
          await loadDataset(db, data);
          for (const input of conditions) await checkAgreement(data, input, context);
        },
      ),
      { numRuns: Number(process.env.QUERY_PROPERTY_RUNS ?? 300) },
    );
  });
});
