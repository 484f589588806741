import { describe, expect, it } from 'vitest';
import { DummyDriver, Kysely, PostgresAdapter, PostgresIntrospector, PostgresQueryCompiler, sql } from 'kysely';
import { compileCondition, parseCondition } from './index.ts';
import { encodeArrayLiteral, escapeLikePattern } from './compile.ts';
import { createTestRegistry, ITEM } from './test-registry.ts';

const db = new Kysely<any>({
  dialect: {
    createAdapter: () => new PostgresAdapter(),
    createDriver: () => new DummyDriver(),
    createIntrospector: (k) => new PostgresIntrospector(k),
    createQueryCompiler: () => new PostgresQueryCompiler(),
  },
});
const registry = createTestRegistry();
const context = { now: new Date('2026-03-08T06:30:00Z'), timeZone: 'America/New_York' };

function toSql(input: unknown, alias = 't0') {
  const condition = parseCondition({ input, object: ITEM, registry });
  return sql`SELECT 1 WHERE ${compileCondition({ condition, alias, context })}`.compile(db);
}

describe('compileCondition', () => {
  it('walks a path with scalar subqueries that skip soft-deleted records', () => {
    const { sql: text, parameters } = toSql({ field: 'account.parent_account.name', op: 'eq', value: 'Acme' });
    expect(text).toBe(
      'SELECT 1 WHERE COALESCE((SELECT "t0_j2"."name" FROM "obj_pt_account" AS "t0_j2" WHERE "t0_j2"."id" = ' +
        '(SELECT "t0_j1"."parent_account_id" FROM "obj_pt_account" AS "t0_j1" WHERE "t0_j1"."id" = "t0"."account_id" AND "t0_j1"."deleted_at" IS NULL) ' +
        'AND "t0_j2"."deleted_at" IS NULL) = $1::text, false)',
    );
    expect(parameters).toEqual(['Acme']);
  });

  it('keeps hostile values in parameters only', () => {
    const hostile = `x'); DROP TABLE obj_pt_item; --"`;
    const { sql: text, parameters } = toSql({
      or: [
        { field: 'name', op: 'eq', value: hostile },
        { field: 'name', op: 'contains', value: hostile },
        { field: 'name', op: 'in', value: [hostile, 'b'] },
        { field: 'tags', op: 'contains', value: hostile },
      ],
    });
    expect(text).not.toContain('DROP');
    expect(parameters).toEqual([hostile, `%${escapeLikePattern(hostile)}%`, encodeArrayLiteral([hostile, 'b']), encodeArrayLiteral([hostile])]);
  });

  it('quotes the alias as an identifier', () => {
    expect(toSql({ field: 'name', op: 'isNull' }, 'weird"alias').sql).toBe('SELECT 1 WHERE ("weird""alias"."name" IS NULL)');
  });

  it('makes negated leaves true for null and uses COLLATE "C" for text order', () => {
    expect(toSql({ not: { field: 'name', op: 'lt', value: 'm' } }).sql).toBe(
      'SELECT 1 WHERE ("t0"."name" IS NULL OR NOT (("t0"."name" COLLATE "C" < $1::text)))',
    );
    expect(toSql({ field: 'qty', op: 'nin', value: [1, 2.5] }).parameters).toEqual(['{"1","2.5"}']);
    expect(toSql({ and: [] }).sql).toBe('SELECT 1 WHERE TRUE');
    expect(toSql({ or: [] }).sql).toBe('SELECT 1 WHERE FALSE');
  });

  it('compiles relative dates to resolved boundaries', () => {
    const { sql: text, parameters } = toSql({ field: 'at', op: 'eq', value: { relative: 'today' } });
    expect(text).toBe('SELECT 1 WHERE ("t0"."at" IS NOT NULL AND ("t0"."at" >= $1::timestamptz AND "t0"."at" < $2::timestamptz))');
    expect(parameters).toEqual(['2026-03-08T05:00:00.000Z', '2026-03-09T04:00:00.000Z']);
  });

  it('escapes LIKE wildcards and array literal quoting', () => {
    expect(escapeLikePattern('50%_a\\b')).toBe('50\\%\\_a\\\\b');
    expect(encodeArrayLiteral(['a"b', 'c\\d', '', 'x,y'])).toBe('{"a\\"b","c\\\\d","","x,y"}');
  });

  it('rejects an invalid time zone', () => {
    const condition = parseCondition({ input: { and: [] }, object: ITEM, registry });
    expect(() => compileCondition({ condition, alias: 't0', context: { now: new Date(), timeZone: 'Bad/Zone' } })).toThrow(/time zone/);
  });
});
