/**
 * The SQL of compileCondition and evaluateCondition must agree on every record: random records
 * go into real tables (PGlite, or PostgreSQL with DATABASE_URL), random conditions are compiled
 * and evaluated, and the matching ids must be the same set.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { sql, type Kysely } from 'kysely';
import { createTestDatabase, type TestDatabase } from '../../../test/db.ts';
import { compileCondition, evaluateCondition, parseCondition, type ConditionContext, type ConditionRecord } from './index.ts';
import { encodeArrayLiteral } from './compile.ts';
import { createTestRegistry, ITEM, TEST_TABLES_SQL } from './test-registry.ts';
import { conditionArb, CONTEXTS, datasetArb, type Dataset } from './property-arbitraries.ts';

let t: TestDatabase;
let db: Kysely<any>;
const registry = createTestRegistry();

beforeAll(async () => {
  t = await createTestDatabase();
  db = t.database.db;
  for (const statement of TEST_TABLES_SQL.split(';').filter((s) => s.trim())) await sql.raw(statement).execute(db);
});
afterAll(async () => t?.cleanup());

const num = (v: unknown) => (v === null ? null : String(v));

async function loadDataset(data: Dataset): Promise<void> {
  await sql`DELETE FROM obj_pt_item`.execute(db);
  await sql`DELETE FROM obj_pt_account`.execute(db);
  await sql`DELETE FROM obj_pt_user`.execute(db);
  await sql`INSERT INTO obj_pt_user (id, name, email, deleted_at) VALUES ${sql.join(
    data.users.map((u) => sql`(${u.id}::uuid, ${u.name}::text, ${u.email}::text, ${u.deleted_at}::timestamptz)`),
  )}`.execute(db);
  await sql`INSERT INTO obj_pt_account (id, name, industry, revenue, founded, parent_account_id, owner_id, deleted_at) VALUES ${sql.join(
    data.accounts.map(
      (a) =>
        sql`(${a.id}::uuid, ${a.name}::text, ${a.industry}::text, ${num(a.revenue)}::numeric, ${a.founded}::date, ${a.parent_account}::uuid, ${a.owner}::uuid, ${a.deleted_at}::timestamptz)`,
    ),
  )}`.execute(db);
  await sql`INSERT INTO obj_pt_item (id, name, notes, email, phone, website, code, stage, tags, qty, price, rate, active, due, at, account_id, owner_id) VALUES ${sql.join(
    data.items.map(
      (i) =>
        sql`(${i.id}::uuid, ${i.name}::text, ${i.notes}::text, ${i.email}::text, ${i.phone}::text, ${i.website}::text, ${i.code}::text, ${i.stage}::text, ${
          i.tags === null ? null : encodeArrayLiteral(i.tags as string[])
        }::text[], ${num(i.qty)}::numeric, ${num(i.price)}::numeric, ${num(i.rate)}::numeric, ${i.active === null ? null : String(i.active)}::boolean, ${
          i.due
        }::date, ${i.at}::timestamptz, ${i.account}::uuid, ${i.owner}::uuid)`,
    ),
  )}`.execute(db);
}

function createResolver(data: Dataset) {
  const byObject: Record<string, Map<string, ConditionRecord>> = {
    user: new Map(data.users.map((u) => [u.id as string, u])),
    pt_account: new Map(data.accounts.map((a) => [a.id as string, a])),
  };
  return (object: string, id: string) => byObject[object]?.get(id);
}

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
          await loadDataset(data);
          for (const input of conditions) await checkAgreement(data, input, context);
        },
      ),
      { numRuns: Number(process.env.QUERY_PROPERTY_RUNS ?? 300) },
    );
  });
});
