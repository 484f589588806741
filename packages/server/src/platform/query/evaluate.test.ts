import { describe, expect, it, vi } from 'vitest';
import { conditionFields, evaluateCondition, parseCondition, prefetchPathRecords, type ConditionRecord } from './index.ts';
import { compareCodePoints } from './evaluate.ts';
import { createTestRegistry, ITEM } from './test-registry.ts';

const registry = createTestRegistry();
const context = { now: new Date('2026-03-08T06:30:00Z'), timeZone: 'America/New_York' }; // Sunday, DST starts

const A1 = '0190a000-0000-7000-8000-000000000001';
const A2 = '0190a000-0000-7000-8000-000000000002';
const A3 = '0190a000-0000-7000-8000-000000000003';
const U1 = '0190b000-0000-7000-8000-000000000001';

const related: Record<string, Record<string, ConditionRecord>> = {
  pt_account: {
    [A1]: { id: A1, name: 'Child', parent_account: A2, owner: U1 },
    [A2]: { id: A2, name: 'Parent', parent_account: A3, owner: null },
    [A3]: { id: A3, name: 'Gone', parent_account: null, deleted_at: '2026-01-01T00:00:00.000Z' },
  },
  user: { [U1]: { id: U1, email: 'Owner@Example.com' } },
};
const resolve = (object: string, id: string) => related[object]?.[id];

function holds(input: unknown, record: ConditionRecord): boolean {
  return evaluateCondition({ condition: parseCondition({ input, object: ITEM, registry }), record, context, resolve });
}

describe('evaluateCondition', () => {
  it('uses two-valued logic for null and missing values', () => {
    const empty = { name: null };
    expect(holds({ field: 'name', op: 'eq', value: 'x' }, empty)).toBe(false);
    expect(holds({ field: 'name', op: 'ne', value: 'x' }, empty)).toBe(true);
    expect(holds({ field: 'qty', op: 'lt', value: 1 }, empty)).toBe(false);
    expect(holds({ not: { field: 'qty', op: 'lt', value: 1 } }, empty)).toBe(true);
    expect(holds({ field: 'qty', op: 'gte', value: 1 }, empty)).toBe(false);
    expect(holds({ field: 'name', op: 'in', value: ['x'] }, empty)).toBe(false);
    expect(holds({ field: 'name', op: 'nin', value: ['x'] }, empty)).toBe(true);
    expect(holds({ field: 'name', op: 'contains', value: '' }, empty)).toBe(false);
    expect(holds({ field: 'name', op: 'isNull' }, empty)).toBe(true);
    expect(holds({ field: 'name', op: 'isNull', value: false }, empty)).toBe(false);
    // The empty string is a value.
    expect(holds({ field: 'name', op: 'isNull' }, { name: '' })).toBe(false);
    expect(holds({ field: 'name', op: 'eq', value: '' }, { name: '' })).toBe(true);
  });

  it('compares text exactly for eq and case-insensitively for contains/startsWith', () => {
    const record = { name: 'Acme 100%_off' };
    expect(holds({ field: 'name', op: 'eq', value: 'acme 100%_off' }, record)).toBe(false);
    expect(holds({ field: 'name', op: 'contains', value: 'ACME' }, record)).toBe(true);
    expect(holds({ field: 'name', op: 'contains', value: '%_' }, record)).toBe(true);
    expect(holds({ field: 'name', op: 'contains', value: '0_' }, record)).toBe(false);
    expect(holds({ field: 'name', op: 'startsWith', value: 'acme 1' }, record)).toBe(true);
    expect(holds({ field: 'name', op: 'startsWith', value: 'cme' }, record)).toBe(false);
  });

  it('orders text by code point and numbers numerically', () => {
    expect(compareCodePoints('￥', '😀')).toBeLessThan(0); // UTF-16 order would say the opposite
    expect(compareCodePoints('B', 'a')).toBeLessThan(0);
    expect(compareCodePoints('ab', 'a')).toBeGreaterThan(0);
    expect(holds({ field: 'name', op: 'lt', value: '😀' }, { name: '￥' })).toBe(true);
    expect(holds({ field: 'name', op: 'between', value: ['A', 'Z'] }, { name: 'a' })).toBe(false);
    expect(holds({ field: 'qty', op: 'gt', value: '9' }, { qty: 10 })).toBe(true);
    expect(holds({ field: 'qty', op: 'in', value: [0.3] }, { qty: 0.1 + 0.2 })).toBe(false);
    expect(holds({ field: 'qty', op: 'between', value: [10, 1] }, { qty: 5 })).toBe(false);
  });

  it('compares booleans, ids and datetimes as instants', () => {
    expect(holds({ field: 'active', op: 'eq', value: false }, { active: false })).toBe(true);
    expect(holds({ field: 'active', op: 'ne', value: true }, { active: null })).toBe(true);
    expect(holds({ field: 'account', op: 'eq', value: A1.toUpperCase() }, { account: A1 })).toBe(true);
    expect(holds({ field: 'at', op: 'eq', value: '2026-03-08T01:30:00.000-05:00' }, { at: '2026-03-08T06:30:00.000Z' })).toBe(true);
    expect(holds({ field: 'at', op: 'lte', value: '2026-03-08T06:29:59.999Z' }, { at: '2026-03-08T06:30:00.000Z' })).toBe(false);
  });

  it('resolves relative dates in the user zone', () => {
    // Today is Sunday 8 March in New York (06:30 UTC is 01:30 EST).
    expect(holds({ field: 'due', op: 'eq', value: { relative: 'today' } }, { due: '2026-03-08' })).toBe(true);
    expect(holds({ field: 'due', op: 'eq', value: { relative: 'this_week' } }, { due: '2026-03-02' })).toBe(true);
    expect(holds({ field: 'due', op: 'ne', value: { relative: 'this_week' } }, { due: '2026-03-09' })).toBe(true);
    expect(holds({ field: 'due', op: 'lt', value: { relative: 'this_week' } }, { due: '2026-03-01' })).toBe(true);
    expect(holds({ field: 'due', op: 'lte', value: { relative: 'this_week' } }, { due: '2026-03-08' })).toBe(true);
    expect(holds({ field: 'due', op: 'gt', value: { relative: 'this_week' } }, { due: '2026-03-08' })).toBe(false);
    expect(holds({ field: 'due', op: 'gte', value: { relative: 'this_week' } }, { due: '2026-03-02' })).toBe(true);
    expect(holds({ field: 'due', op: 'between', value: [{ relative: 'last_month' }, { relative: 'this_month' }] }, { due: '2026-03-31' })).toBe(true);
    expect(holds({ field: 'due', op: 'between', value: ['2026-03-01', { relative: 'yesterday' }] }, { due: '2026-03-08' })).toBe(false);
    // The local day runs 05:00Z to 04:00Z (23 hours).
    expect(holds({ field: 'at', op: 'eq', value: { relative: 'today' } }, { at: '2026-03-09T03:59:59.999Z' })).toBe(true);
    expect(holds({ field: 'at', op: 'eq', value: { relative: 'today' } }, { at: '2026-03-09T04:00:00.000Z' })).toBe(false);
    expect(holds({ field: 'at', op: 'eq', value: '2026-03-08' }, { at: '2026-03-08T04:59:59.999Z' })).toBe(false);
    expect(holds({ field: 'at', op: 'between', value: ['2026-03-01', '2026-03-08'] }, { at: '2026-03-09T03:00:00Z' })).toBe(true);
  });

  it('implements the multi_picklist operators as set operations', () => {
    const record = { tags: ['a', 'b'] };
    expect(holds({ field: 'tags', op: 'contains', value: 'a' }, record)).toBe(true);
    expect(holds({ field: 'tags', op: 'in', value: ['c', 'b'] }, record)).toBe(true);
    expect(holds({ field: 'tags', op: 'nin', value: ['c', 'b'] }, record)).toBe(false);
    expect(holds({ field: 'tags', op: 'eq', value: ['b', 'a', 'a'] }, record)).toBe(true);
    expect(holds({ field: 'tags', op: 'eq', value: ['a'] }, record)).toBe(false);
    expect(holds({ field: 'tags', op: 'ne', value: ['a'] }, record)).toBe(true);
    expect(holds({ field: 'tags', op: 'isNull' }, { tags: [] })).toBe(true);
    expect(holds({ field: 'tags', op: 'isNull' }, { tags: null })).toBe(true);
    expect(holds({ field: 'tags', op: 'nin', value: ['a'] }, { tags: null })).toBe(true);
  });

  it('follows paths and treats soft-deleted or missing records as null', () => {
    const item = { account: A1, owner: null };
    expect(holds({ field: 'account.parent_account.name', op: 'eq', value: 'Parent' }, item)).toBe(true);
    expect(holds({ field: 'account.owner.email', op: 'contains', value: 'owner@' }, item)).toBe(true);
    // A3 is deleted: the grandparent counts as no parent.
    expect(holds({ field: 'account.parent_account.parent_account.name', op: 'isNull' }, item)).toBe(true);
    expect(holds({ field: 'account.parent_account.parent_account', op: 'eq', value: A3 }, item)).toBe(true);
    expect(holds({ field: 'account.name', op: 'ne', value: 'x' }, { account: '0190c000-0000-7000-8000-000000000099' })).toBe(true);
    expect(holds({ field: 'owner.email', op: 'isNull' }, item)).toBe(true);
    // Without a resolver every path is null.
    const condition = parseCondition({ input: { field: 'account.name', op: 'isNull' }, object: ITEM, registry });
    expect(evaluateCondition({ condition, record: item, context })).toBe(true);
  });

  it('rejects an invalid time zone', () => {
    const condition = parseCondition({ input: { and: [] }, object: ITEM, registry });
    expect(() => evaluateCondition({ condition, record: {}, context: { now: new Date(), timeZone: 'Nowhere/Town' } })).toThrow(/time zone/);
    expect(evaluateCondition({ condition, record: {}, context })).toBe(true);
  });
});

describe('prefetchPathRecords', () => {
  it('loads what the paths need, one batch per object and level, for a synchronous evaluation', async () => {
    const load = vi.fn(async (object: string, ids: string[]) => ids.map((id) => related[object]?.[id]).filter((r) => r !== undefined));
    const input = {
      and: [
        { field: 'account.parent_account.name', op: 'eq', value: 'Parent' },
        { field: 'account.owner.email', op: 'contains', value: 'example' },
        { field: 'account.parent_account.parent_account.name', op: 'isNull' },
        { field: 'owner.email', op: 'isNull' },
        { field: 'name', op: 'eq', value: 'x' },
      ],
    };
    const condition = parseCondition({ input, object: ITEM, registry });
    const record = { name: 'x', account: A1.toUpperCase(), owner: null };
    const prefetched = await prefetchPathRecords({ condition, record, load });
    expect(load.mock.calls).toEqual([
      ['pt_account', [A1]],
      ['pt_account', [A2]],
      ['user', [U1]],
      ['pt_account', [A3]],
    ]);
    expect(evaluateCondition({ condition, record, context, resolve: prefetched })).toBe(true);
    expect(conditionFields(condition)).toHaveLength(5);
  });

  it('loads nothing for a condition without paths', async () => {
    const load = vi.fn(async () => []);
    const condition = parseCondition({ input: { field: 'account', op: 'isNull' }, object: ITEM, registry });
    await prefetchPathRecords({ condition, record: { account: A1 }, load });
    expect(load).not.toHaveBeenCalled();
  });
});
