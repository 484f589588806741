import { describe, expect, it } from 'vitest';
import { createTestRegistry, ITEM } from '../query/test-registry.ts';
import type { ConditionRecord } from '../query/parsed.ts';
import { checkFormula } from './check.ts';
import { evaluateFormulaTree, toApiValue, type FormulaEvaluation } from './evaluate.ts';
import type { FormulaReturnType } from './types.ts';

const registry = createTestRegistry();
const ACCOUNT_ID = '0190a000-0000-7000-8000-000000000001';
const accounts: Record<string, ConditionRecord> = {
  [ACCOUNT_ID]: { id: ACCOUNT_ID, name: 'Acme', revenue: 1000, deleted_at: null },
};
const run: FormulaEvaluation = {
  context: { now: new Date('2026-12-31T23:30:00Z'), timeZone: 'Europe/Berlin' },
  resolve: (object, id) => (object === 'pt_account' ? accounts[id] : undefined),
  computed: () => null,
};

/** The API value a formula gives for a record, computed in memory. */
function value(expression: string, record: ConditionRecord = {}, returnType: FormulaReturnType = 'number'): unknown {
  const { tree } = checkFormula({ expression, returnType, object: ITEM, registry, computed: () => [] });
  return toApiValue(evaluateFormulaTree({ tree, returnType, record, run }), returnType);
}

describe('evaluateFormulaTree', () => {
  it('computes exact decimals; division keeps ten decimals, truncated, and by zero is null', () => {
    expect(value('0.1 + 0.2')).toBe(0.3);
    expect(value('qty * price', { qty: 3, price: 19.99 })).toBe(59.97);
    expect(value('2 / 3')).toBe(0.6666666666);
    expect(value('-2 / 3')).toBe(-0.6666666666);
    expect(value('qty / 0', { qty: 5 })).toBeNull();
    expect(value('qty / (price - price)', { qty: 5, price: 1.5 })).toBeNull();
  });

  it('propagates null through arithmetic and functions, not through & , isnull, coalesce, min and max', () => {
    expect(value('qty + 1', { qty: null })).toBeNull();
    expect(value('abs(qty)', {})).toBeNull();
    expect(value("name & '!'", { name: null }, 'text')).toBe('!');
    expect(value('isnull(qty)', {}, 'boolean')).toBe(true);
    expect(value('coalesce(qty, price, 7)', { price: 2 })).toBe(2);
    expect(value('max(qty, price, rate)', { price: 2, rate: 5 })).toBe(5);
    expect(value('min(qty, price)', {})).toBeNull();
  });

  it('is three-valued in logic; if and case take an unknown condition as false', () => {
    expect(value('qty > 1 and active', { qty: null, active: false }, 'boolean')).toBe(false);
    expect(value('qty > 1 and active', { qty: null, active: true }, 'boolean')).toBeNull();
    expect(value('qty > 1 or active', { qty: null, active: true }, 'boolean')).toBe(true);
    expect(value('not (qty > 1)', {}, 'boolean')).toBeNull();
    expect(value("if(qty > 1, 'big', 'small')", {}, 'text')).toBe('small');
    expect(value("case(stage, 'open', 1, 'won', 2, 0)", { stage: 'won' })).toBe(2);
    expect(value("case(stage, 'open', 1, 'won', 2, 0)", { stage: null })).toBe(0);
  });

  it('rounds half away from zero, and currency results to cents', () => {
    expect(value('round(2.5)')).toBe(3);
    expect(value('round(-2.5)')).toBe(-3);
    expect(value('round(1.005, 2)')).toBe(1.01);
    expect(value('floor(-1.5) + ceil(1.2)')).toBe(0);
    expect(value('price / 3', { price: 10 }, 'currency')).toBe(3.33);
    expect(value('-0.125', {}, 'currency')).toBe(-0.13);
  });

  it('works on texts by character (code point), comparing them by code point', () => {
    expect(value("len('a😀b')")).toBe(3);
    expect(value("left('a😀b', 2)", {}, 'text')).toBe('a😀');
    expect(value("right('a😀b', 2)", {}, 'text')).toBe('😀b');
    expect(value("left('abc', -1) & right('abc', 100000000)", {}, 'text')).toBe('abc');
    expect(value("trim('  a b  ')", {}, 'text')).toBe('a b');
    expect(value("upper('ab') & lower('CD')", {}, 'text')).toBe('ABcd');
    expect(value("'Z' < 'a'", {}, 'boolean')).toBe(true);
    expect(value("'￥' < '😀'", {}, 'boolean')).toBe(true);
    expect(value("contains(name, 'cm')", { name: 'Acme' }, 'boolean')).toBe(true);
    expect(value("text(qty) & '|' & text(active) & '|' & text(due) & '|' & text(at)", { qty: 1.5, active: true, due: '2026-02-03', at: '2026-02-03T04:05:06.007Z' }, 'text')).toBe(
      '1.5|true|2026-02-03|2026-02-03T04:05:06.007Z',
    );
  });

  it('does date arithmetic in whole days, in the reader’s zone for today() and datevalue()', () => {
    expect(value('due + 30', { due: '2026-01-31' }, 'date')).toBe('2026-03-02');
    expect(value('due - 0.5', { due: '2026-01-31' }, 'date')).toBe('2026-01-30');
    expect(value('due + 1', { due: '9999-12-31' }, 'date')).toBeNull();
    expect(value('due + 2000000', { due: '2026-01-01' }, 'date')).toBeNull();
    expect(value('due - account.founded', { due: '2026-03-01', account: ACCOUNT_ID })).toBeNull();
    expect(value("due - (due - 59)", { due: '2024-03-01' })).toBe(59);
    expect(value('year(due) * 10000 + month(due) * 100 + day(due)', { due: '0987-06-05' })).toBe(9870605);
    expect(value('today()', {}, 'date')).toBe('2027-01-01');
    expect(value('datevalue(at)', { at: '2026-06-30T22:30:00Z' }, 'date')).toBe('2026-07-01');
    expect(value('now()', {}, 'datetime')).toBe('2026-12-31T23:30:00.000Z');
  });

  it('follows lookups; a missing or deleted parent reads as null', () => {
    expect(value('account.revenue * 2', { account: ACCOUNT_ID })).toBe(2000);
    expect(value('account.revenue * 2', { account: '0190a000-0000-7000-8000-000000000099' })).toBeNull();
    accounts.gone = { id: 'gone', revenue: 1, deleted_at: '2026-01-01T00:00:00Z' };
    expect(value('account.revenue', { account: 'GONE' })).toBeNull();
  });
});
