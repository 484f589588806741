import { describe, expect, it } from 'vitest';
import { AppError } from '../errors.ts';
import { conditionFields, parseCondition, type ParsedCondition, type ParsedLeaf } from './index.ts';
import { createTestRegistry, ITEM } from './test-registry.ts';

const registry = createTestRegistry();
const parse = (input: unknown) => parseCondition({ input, object: ITEM, registry });

/** The message of the single FieldError parseCondition throws. */
function errorOf(input: unknown): string {
  try {
    parse(input);
  } catch (error) {
    expect(error).toBeInstanceOf(AppError);
    const e = error as AppError;
    expect(e.code).toBe('validation_failed');
    expect(e.errors).toHaveLength(1);
    expect(e.errors[0]).toMatchObject({ field: 'filter', code: 'invalid_filter' });
    return e.errors[0].message;
  }
  throw new Error('expected parseCondition to throw');
}

const leaf = (c: ParsedCondition) => c as ParsedLeaf;
const UUID = '0190a000-0000-7000-8000-000000000001';

describe('parseCondition: shape and normalisation', () => {
  it('resolves a path to its field definitions', () => {
    const parsed = leaf(parse({ field: 'account.parent_account.name', op: 'eq', value: 'Acme' }));
    expect(parsed.steps.map((s) => `${s.object.apiName}.${s.field.apiName}`)).toEqual([
      'pt_item.account',
      'pt_account.parent_account',
      'pt_account.name',
    ]);
    expect(parsed).toMatchObject({ kind: 'leaf', path: 'account.parent_account.name', valueKind: 'text', op: 'eq', negated: false });
    expect(parsed.value).toEqual({ kind: 'scalar', value: 'Acme' });
    expect(leaf(parse({ field: 'owner.email', op: 'eq', value: 'a@b.c' })).steps[1].object.apiName).toBe('user');
  });

  it('pushes not down to the leaves (De Morgan) and folds ne, nin and isNull false', () => {
    const parsed = parse({
      not: { and: [{ field: 'name', op: 'ne', value: 'x' }, { not: { field: 'qty', op: 'nin', value: [1, '2'] } }, { field: 'due', op: 'isNull', value: false }] },
    });
    expect(parsed.kind).toBe('or');
    const children = (parsed as { children: ParsedLeaf[] }).children;
    expect(children.map((c) => [c.op, c.negated])).toEqual([
      ['eq', false], // not(ne) = eq
      ['in', true], // not(not(nin)) = nin = not(in)
      ['isNull', false], // not(isNull false) = isNull
    ]);
    expect(children[1].value).toEqual({ kind: 'list', values: [1, 2] });
    const doubled = parse({ not: { not: { or: [{ field: 'active', op: 'eq', value: 'true' }] } } });
    expect(doubled).toMatchObject({ kind: 'or', children: [{ op: 'eq', negated: false, value: { kind: 'scalar', value: true } }] });
    expect(parse({ not: { and: [] } })).toEqual({ kind: 'or', children: [] });
  });

  it('coerces values canonically', () => {
    expect(leaf(parse({ field: 'qty', op: 'gt', value: ' -1.5e3 ' })).value).toEqual({ kind: 'scalar', value: -1500 });
    expect(leaf(parse({ field: 'phone', op: 'eq', value: 5551234 })).value).toEqual({ kind: 'scalar', value: '5551234' });
    expect(leaf(parse({ field: 'account', op: 'eq', value: UUID.toUpperCase() })).value).toEqual({ kind: 'scalar', value: UUID });
    expect(leaf(parse({ field: 'at', op: 'lt', value: '2026-03-08T02:30:00.123456-05:00' })).value).toEqual({
      kind: 'scalar',
      value: '2026-03-08T07:30:00.123Z',
    });
    expect(leaf(parse({ field: 'at', op: 'eq', value: '2026-03-08' })).value).toEqual({ kind: 'scalar', value: { kind: 'day', date: '2026-03-08' } });
    expect(leaf(parse({ field: 'due', op: 'between', value: [{ relative: 'last_n_days:30' }, '2026-12-31'] })).value).toMatchObject({
      kind: 'range',
      low: { kind: 'relative', unit: 'last_n_days', days: 30 },
      high: '2026-12-31',
    });
    expect(leaf(parse({ field: 'tags', op: 'eq', value: ['b', 'a'] })).value).toEqual({ kind: 'list', values: ['b', 'a'] });
    expect(leaf(parse({ field: 'stage', op: 'eq', value: 'retired_value' })).value).toEqual({ kind: 'scalar', value: 'retired_value' });
    expect(leaf(parse({ field: 'name', op: 'eq', value: '' })).value).toEqual({ kind: 'scalar', value: '' });
  });

  it('accepts an object API name and a custom source', () => {
    expect(() => parseCondition({ input: { field: 'nope', op: 'eq', value: 1 }, object: 'pt_account', registry, source: 'condition' })).toThrow(
      expect.objectContaining({ errors: [expect.objectContaining({ field: 'condition', message: "condition.field: unknown field 'nope' on pt_account" })] }),
    );
  });

  it('lists the field paths a condition uses', () => {
    const parsed = parse({ or: [{ field: 'name', op: 'eq', value: 'a' }, { not: { field: 'account.owner.email', op: 'isNull' } }, { field: 'name', op: 'contains', value: 'b' }] });
    expect(conditionFields(parsed)).toEqual(['name', 'account.owner.email']);
  });
});

describe('parseCondition: errors name the path', () => {
  it.each([
    [{ and: [{ field: 'name', op: 'eq', value: 'x' }, { field: 'foo', op: 'eq', value: 1 }] }, "filter.and[1].field: unknown field 'foo' on pt_item"],
    [{ field: 'account.nope', op: 'eq', value: 1 }, "filter.field: unknown field 'nope' on pt_account"],
    [{ field: 'name.length', op: 'eq', value: 1 }, "filter.field: field 'name' on pt_item is a text, not a lookup; it cannot be followed"],
    [{ field: 'account.parent_account.parent_account.parent_account.name', op: 'eq', value: 'x' }, 'deeper than 4 fields'],
    [{ field: 'qty', op: 'contains', value: '1' }, "filter.op: operator 'contains' is not allowed for field 'qty' (number)"],
    [{ field: 'id', op: 'startsWith', value: 'a' }, "operator 'startsWith' is not allowed for field 'id' (id)"],
    [{ field: 'account', op: 'lt', value: UUID }, "operator 'lt' is not allowed for field 'account' (lookup)"],
    [{ field: 'active', op: 'gt', value: true }, "operator 'gt' is not allowed"],
    [{ field: 'tags', op: 'startsWith', value: 'a' }, "operator 'startsWith' is not allowed"],
    [{ field: 'name', op: 'like', value: 'x' }, "filter.op: unknown operator 'like'"],
    [{ field: 'name', op: 'eq' }, "filter.value: value is required for op 'eq'"],
    [{ field: 'name', op: 'eq', value: null }, "use op 'isNull'"],
    [{ field: 'name', op: 'eq', value: true }, "filter.value: expected a string for field 'name' (text)"],
    [{ field: 'qty', op: 'eq', value: '12abc' }, "'12abc' is not a finite number"],
    [{ field: 'qty', op: 'eq', value: '0x10' }, 'is not a finite number'],
    [{ field: 'qty', op: 'eq', value: '' }, 'is not a finite number'],
    [{ field: 'active', op: 'eq', value: 'yes' }, "'yes' is not a boolean"],
    [{ field: 'due', op: 'eq', value: '2026-02-30' }, "'2026-02-30' is not a date 'YYYY-MM-DD'"],
    [{ field: 'due', op: 'eq', value: '2026-03-08T00:00:00Z' }, "is not a date 'YYYY-MM-DD'"],
    [{ field: 'at', op: 'eq', value: '2026-03-08T10:00:00' }, 'with a time zone offset'],
    [{ field: 'at', op: 'eq', value: '0001-01-01' }, 'out of range'],
    [{ field: 'due', op: 'eq', value: { relative: 'someday' } }, "'someday' is not a relative date"],
    [{ field: 'due', op: 'eq', value: { relative: 'today', extra: 1 } }, "unknown key 'extra' in a relative date"],
    [{ field: 'qty', op: 'eq', value: { relative: 'today' } }, 'is not a finite number'],
    [{ field: 'account', op: 'eq', value: 'not-a-uuid' }, "'not-a-uuid' is not a valid record id (UUID) for field 'account' (lookup)"],
    [{ field: 'id', op: 'in', value: [UUID, "1' OR '1'='1"] }, 'filter.value[1]: '],
    [{ field: 'name', op: 'in', value: [] }, 'expected a non-empty array of at most 1000 values'],
    [{ field: 'name', op: 'in', value: 'x' }, 'expected a non-empty array'],
    [{ field: 'tags', op: 'eq', value: 'a' }, 'expected a non-empty array'],
    [{ field: 'qty', op: 'between', value: [1] }, "'between' expects [low, high]"],
    [{ field: 'qty', op: 'between', value: [1, null] }, "filter.value[1]: value must not be null"],
    [{ field: 'qty', op: 'isNull', value: 'maybe' }, "'isNull' takes value true or false"],
    [{ field: 'name', op: 'eq', value: 'a\u0000b' }, 'cannot be stored'],
    [{ field: 'name', op: 'eq', value: 'a\ud800' }, 'cannot be stored'],
    [{ field: 'name', op: 'eq', value: 'x'.repeat(10_001) }, 'longer than 10000'],
    [{ field: 'name', op: 'eq', value: 'x', extra: 1 }, "filter: unknown key 'extra'"],
    [{ and: [], or: [] }, "filter: unknown key 'or' next to 'and'"],
    [{ and: {} }, 'filter.and: expected an array of conditions'],
    [{ not: [] }, 'filter.not: expected an object'],
    [{}, "filter: a leaf needs 'field', 'op'"],
    [[], 'filter: expected an object'],
    [null, 'filter: expected an object'],
    ['name = 1', 'filter: expected an object'],
    [{ field: '', op: 'eq', value: 'x' }, 'filter.field: expected a field name'],
    [{ field: 42, op: 'eq', value: 'x' }, 'filter.field: expected a field name'],
  ])('%j', (input, message) => {
    expect(errorOf(input)).toContain(message);
  });
});

describe('parseCondition: hostile input', () => {
  it('treats SQL in field names as unknown fields', () => {
    expect(errorOf({ field: 'name; DROP TABLE x', op: 'eq', value: 1 })).toBe("filter.field: unknown field 'name; DROP TABLE x' on pt_item");
    expect(errorOf({ field: 'name" OR 1=1 --', op: 'eq', value: 1 })).toContain('unknown field');
    expect(errorOf({ field: 'account.name) FROM x; --', op: 'eq', value: 1 })).toContain("unknown field 'name) FROM x; --' on pt_account");
  });

  it('keeps SQL in values as plain values', () => {
    const parsed = leaf(parse({ field: 'name', op: 'eq', value: "x'; DROP TABLE obj_pt_item; --" }));
    expect(parsed.value).toEqual({ kind: 'scalar', value: "x'; DROP TABLE obj_pt_item; --" });
  });

  it('does not look fields, operators or relative names up on prototypes', () => {
    for (const name of ['__proto__', 'constructor', 'toString', 'hasOwnProperty']) {
      expect(errorOf({ field: name, op: 'eq', value: 1 })).toContain('unknown field');
      expect(errorOf({ field: 'name', op: name, value: 'x' })).toContain('unknown operator');
      expect(errorOf({ field: 'due', op: 'eq', value: { relative: name } })).toContain('is not a relative date');
    }
    expect(errorOf(JSON.parse('{"field":"name","op":"eq","value":"x","__proto__":{"polluted":1}}'))).toContain("unknown key '__proto__'");
    expect(errorOf(JSON.parse('{"__proto__":{"and":[]}}'))).toContain("unknown key '__proto__'");
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    // A class instance is not JSON.
    expect(errorOf(new Date())).toContain('expected an object');
  });

  it('rejects huge arrays, too many nodes and deep nesting', () => {
    const many = Array.from({ length: 1001 }, (_, i) => `v${i}`);
    expect(errorOf({ field: 'name', op: 'in', value: many })).toContain('at most 1000 values');
    expect(() => parse({ field: 'name', op: 'in', value: many.slice(0, 1000) })).not.toThrow();
    const wide = Array.from({ length: 200 }, () => ({ field: 'name', op: 'eq', value: 'x' }));
    expect(errorOf({ and: wide })).toContain('more than 200 nodes');
    expect(() => parse({ and: wide.slice(0, 199) })).not.toThrow();
    expect(errorOf({ or: Array.from({ length: 100_000 }, () => ({})) })).toContain('more than 200 nodes');
    let deep: unknown = { field: 'name', op: 'eq', value: 'x' };
    for (let i = 0; i < 11; i++) deep = { not: deep };
    expect(() => parse(deep)).not.toThrow();
    expect(errorOf({ not: deep })).toContain('nest deeper than 12 levels');
    // Far deeper than the stack would allow if the limit were checked late.
    let abyss: unknown = {};
    for (let i = 0; i < 200_000; i++) abyss = { and: [abyss] };
    expect(errorOf(abyss)).toMatch(/^filter(\.and\[0\]){12}: conditions nest deeper/);
  });

  it('cuts long hostile names short in messages', () => {
    const message = errorOf({ field: 'x'.repeat(300), op: 'eq', value: 1 });
    expect(message.length).toBeLessThan(120);
  });
});
