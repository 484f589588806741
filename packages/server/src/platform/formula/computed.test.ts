import { describe, expect, it } from 'vitest';
import { DummyDriver, Kysely, PostgresAdapter, PostgresIntrospector, PostgresQueryCompiler, sql, type RawBuilder } from 'kysely';
import type { FieldDefinition } from '../metadata/types.ts';
import { createTestRegistry, ACCOUNT, ITEM, USER } from '../query/test-registry.ts';
import { bindComputedFields, boundField, compileComputedField, computedDependencies, listComputedReaders } from './computed.ts';

/** Compiles SQL without a database. */
const compiler = new Kysely<any>({
  dialect: { createAdapter: () => new PostgresAdapter(), createDriver: () => new DummyDriver(), createIntrospector: (db) => new PostgresIntrospector(db), createQueryCompiler: () => new PostgresQueryCompiler() },
});
const sqlOf = (expression: RawBuilder<unknown>) => sql`SELECT ${expression}`.compile(compiler).sql;

const context = { now: new Date('2026-01-01T00:00:00Z'), timeZone: 'UTC' };

function formula(apiName: string, expression: string, standard = false): FieldDefinition {
  return { apiName, label: apiName, type: 'number', column: apiName, required: false, unique: false, standard, readOnly: true, searchable: false, externalId: false, formula: { expression, returnType: 'number' } };
}

function registryWith(fields: FieldDefinition[]) {
  const registry = createTestRegistry([USER, ACCOUNT, { ...ITEM, fields: [...ITEM.fields, ...fields] }]);
  bindComputedFields(registry);
  return registry;
}

describe('binding computed fields to the registry', () => {
  it('checks each formula once, with the fields it reads through other formulas', () => {
    const registry = registryWith([formula('total', 'qty * price'), formula('total_plus', 'total + account.revenue')]);
    const item = registry.requireObject('pt_item');
    const plus = registry.getField(item, 'total_plus')!;
    expect(computedDependencies(plus)).toEqual([
      { object: 'pt_item', field: 'total' },
      { object: 'pt_item', field: 'qty' },
      { object: 'pt_item', field: 'price' },
      { object: 'pt_item', field: 'account' },
      { object: 'pt_account', field: 'revenue' },
    ]);
    expect(computedDependencies(registry.getField(item, 'qty')!)).toBeUndefined();
    expect(listComputedReaders(registry, 'pt_item', 'price')).toEqual(['pt_item.total', 'pt_item.total_plus']);
    // The inner formula is compiled in place, over the same row.
    expect(sqlOf(compileComputedField({ object: item, field: plus, alias: 't0', context }))).toContain('"t0"."qty"');
  });

  it('leaves a formula that no longer checks, or that reads itself, null instead of failing every read', () => {
    // Neither can be defined through the API; rows changed by hand must not stop the server.
    const registry = registryWith([formula('a', 'b + 1'), formula('b', 'a + 1'), formula('gone', 'deleted_field * 2')]);
    const item = registry.requireObject('pt_item');
    expect(boundField(registry.getField(item, 'gone')!).kind).toBe('broken');
    expect(boundField(registry.getField(item, 'b')!).kind).toBe('broken');
    expect(sqlOf(compileComputedField({ object: item, field: registry.getField(item, 'gone')!, alias: 't0', context }))).toBe('SELECT CAST(NULL AS numeric)');
    expect(sqlOf(compileComputedField({ object: item, field: registry.getField(item, 'a')!, alias: 't0', context }))).toBe('SELECT (CAST(NULL AS numeric) + $1::numeric)');
  });

  it('refuses formulas that would compile to more than 2,000 parts with the formulas they read', () => {
    // Each doubles the one before; compiled in place, the SQL would grow without bound.
    const chain = [formula('f1', 'qty * 2'), ...Array.from({ length: 11 }, (_, i) => formula(`f${i + 2}`, `f${i + 1} + f${i + 1}`))];
    const registry = registryWith(chain);
    const item = registry.requireObject('pt_item');
    const kinds = chain.map((f) => boundField(registry.getField(item, f.apiName)!).kind);
    // f9 has 1,533 parts compiled in place; f10 would have 3,069.
    expect(kinds.slice(0, 9)).toEqual(Array(9).fill('formula'));
    expect(kinds[9]).toBe('broken');
    expect((boundField(registry.getField(item, 'f10')!) as { reason: string }).reason).toContain('at character 6: with the formulas it reads, the formula has more than 2000 parts');
  });

  it('stops the start when a formula shipped in code does not check', () => {
    expect(() => registryWith([formula('shipped', 'qty +', true)])).toThrow(/pt_item\.shipped: .*at character 6/);
  });
});
