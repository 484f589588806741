/**
 * The SQL of compileFormula and the in-memory evaluateFormulaTree must agree on every record:
 * random records go into real tables (PGlite, or PostgreSQL with DATABASE_URL), random typed
 * expressions are compiled and evaluated, and every record's value must be the same — numbers
 * as exact decimals, texts to the character, dates, instants and nulls alike.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { sql, type Kysely } from 'kysely';
import { createTestDatabase, type TestDatabase } from '../../../test/db.ts';
import type { FieldDefinition } from '../metadata/types.ts';
import { ACCOUNT, createTestRegistry, ITEM, TEST_TABLES_SQL, USER } from '../query/test-registry.ts';
import { CONTEXTS, datasetArb, type Dataset } from '../query/property-arbitraries.ts';
import { loadDataset, createResolver } from '../query/property-dataset.ts';
import type { ConditionContext } from '../query/parsed.ts';
import { checkFormula } from './check.ts';
import { compileFormula } from './compile.ts';
import { Decimal, evaluateFormulaTree, toFormulaValue, type FormulaValue } from './evaluate.ts';
import { bindComputedFields, createFormulaRun } from './computed.ts';
import { typedFormulaArb } from './property-arbitraries.ts';
import type { FormulaReturnType, FormulaType } from './types.ts';

let t: TestDatabase;
let db: Kysely<any>;
/** Formula fields read by the random expressions: on the parent (reached through paths) and on the item. */
const computed = (apiName: string, type: FieldDefinition['type'], expression: string): FieldDefinition => ({
  apiName, label: apiName, type, column: apiName, required: false, unique: false, standard: true, readOnly: true, searchable: false, externalId: false,
  formula: { expression, returnType: type as FormulaReturnType },
});
const account = { ...ACCOUNT, fields: [...ACCOUNT.fields, computed('revenue_share', 'number', 'revenue / 3 + len(parent_account.name)'), computed('label', 'text', "coalesce(name, '?') & '/' & text(founded)")] };
const item = { ...ITEM, fields: [...ITEM.fields, computed('line_total', 'currency', 'qty * price'), computed('account_label', 'text', "account.label & ':' & text(account.revenue_share)")] };
const registry = createTestRegistry([USER, account, item]);
bindComputedFields(registry);

beforeAll(async () => {
  t = await createTestDatabase();
  db = t.database.db;
  for (const statement of TEST_TABLES_SQL.split(';').filter((s) => s.trim())) await sql.raw(statement).execute(db);
});
afterAll(async () => t?.cleanup());

/** Letters with case beyond ASCII lower- and upper-case by the database's locale: keep them out. */
function withoutLocaleLetters(data: Dataset): Dataset {
  const clean = (record: Record<string, unknown>) =>
    Object.fromEntries(Object.entries(record).map(([k, v]) => [k, typeof v === 'string' ? v.replace(/é/g, '日') : v]));
  return { users: data.users.map(clean), accounts: data.accounts.map(clean), items: data.items.map(clean) };
}

function same(a: FormulaValue, b: FormulaValue): boolean {
  if (a instanceof Decimal || b instanceof Decimal) return a instanceof Decimal && b instanceof Decimal && a.eq(b);
  return a === b;
}

function show(value: FormulaValue): string {
  return value instanceof Decimal ? `Decimal(${value.toFixed()})` : JSON.stringify(value);
}

async function checkAgreement(data: Dataset, input: { expression: string; returnType: string }, context: ConditionContext): Promise<void> {
  const returnType = input.returnType as FormulaReturnType;
  const { tree } = checkFormula({ expression: input.expression, returnType, object: item, registry, computed: () => [] });
  const expression = compileFormula({ tree, returnType, state: { alias: 't0', context, joins: 0 } });
  const result = await sql<{ id: string; v: unknown }>`SELECT t0.id, ${expression} AS v FROM obj_pt_item t0 ORDER BY t0.id`.execute(db);
  const type: FormulaType = returnType === 'currency' || returnType === 'percent' ? 'number' : returnType;
  const run = createFormulaRun({ registry, context, resolve: createResolver(data) });
  const byId = new Map(data.items.map((item) => [item.id as string, item]));
  for (const row of result.rows) {
    const fromSql = toFormulaValue(row.v, type);
    const inMemory = evaluateFormulaTree({ tree, returnType, record: byId.get(row.id)!, run });
    if (!same(fromSql, inMemory)) {
      expect.fail(`${input.expression} (${returnType}) on ${JSON.stringify(byId.get(row.id))}: SQL ${show(fromSql)} ≠ memory ${show(inMemory)}`);
    }
  }
}

describe('compileFormula agrees with evaluateFormulaTree', () => {
  it('on random records and expressions', async () => {
    await fc.assert(
      fc.asyncProperty(
        datasetArb.map(withoutLocaleLetters),
        fc.array(typedFormulaArb, { minLength: 4, maxLength: 4 }),
        fc.constantFrom(...CONTEXTS),
        async (data, formulas, context) => {
          await loadDataset(db, data);
          for (const formula of formulas) await checkAgreement(data, formula, context);
        },
      ),
      { numRuns: Number(process.env.FORMULA_PROPERTY_RUNS ?? 200) },
    );
  });
});
