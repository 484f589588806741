import { describe, expect, it } from 'vitest';
import { AppError } from '../errors.ts';
import { createTestRegistry, ITEM } from '../query/test-registry.ts';
import { checkFormula, type ComputedDependencies } from './check.ts';
import type { FormulaReturnType, TypedNode } from './types.ts';

const registry = createTestRegistry();
const none: ComputedDependencies = () => [];

const check = (expression: string, returnType: FormulaReturnType = 'number', computed: ComputedDependencies = none) =>
  checkFormula({ expression, returnType, object: ITEM, registry, computed });

function failure(expression: string, returnType: FormulaReturnType = 'number', computed: ComputedDependencies = none) {
  try {
    check(expression, returnType, computed);
  } catch (error) {
    const e = error as AppError;
    expect(e.errors[0]!.field).toBe('formula.expression');
    return { code: e.errors[0]!.code, message: e.errors[0]!.message, position: e.extra.position };
  }
  throw new Error(`checked: ${expression}`);
}

describe('checkFormula', () => {
  it('types expressions from the fields they read', () => {
    expect(check('qty * price').tree.type).toBe('number');
    expect(check('name & account.name', 'text').tree.type).toBe('text');
    expect(check('due + 30', 'date').tree).toMatchObject({ kind: 'op', op: 'date_add', type: 'date' });
    expect(check('due - account.founded').tree).toMatchObject({ op: 'date_diff', type: 'number' });
    expect(check('due - 1', 'date').tree).toMatchObject({ op: 'date_add', args: [{ kind: 'field' }, { op: 'neg' }] });
    expect(check('account = owner', 'boolean').tree).toMatchObject({ op: 'eq', type: 'boolean' });
    expect(check('case(stage, "open", 1, "won", 2, 0)').tree).toMatchObject({ op: 'case', args: { length: 6 } });
    expect(check('round(rate, 2)').tree).toMatchObject({ op: 'round', digits: 2 });
  });

  it('gives a lone null the type its place needs, so SQL never sees an untyped NULL', () => {
    const tree = check('if(active, null, qty)').tree as Extract<TypedNode, { kind: 'op' }>;
    expect(tree.args[1]).toMatchObject({ kind: 'literal', value: null, type: 'number' });
    expect(check('null', 'date').tree).toMatchObject({ type: 'date' });
    expect((check('abs(if(active, null, null))').tree as Extract<TypedNode, { kind: 'op' }>).args[0]!.type).toBe('number');
  });

  it('lists every field read, along paths', () => {
    expect(check('account.parent_account.revenue + qty').dependencies).toEqual([
      { object: 'pt_item', field: 'account' },
      { object: 'pt_account', field: 'parent_account' },
      { object: 'pt_account', field: 'revenue' },
      { object: 'pt_item', field: 'qty' },
    ]);
  });

  it('refuses what does not type, naming where', () => {
    expect(failure('qty + namee')).toMatchObject({ code: 'unknown_field', position: 7 });
    expect(failure('qty + name')).toMatchObject({ code: 'formula_type', position: 7, message: expect.stringContaining("'+' takes number, not text") });
    expect(failure('name.first', 'text')).toMatchObject({ code: 'invalid_path' });
    expect(failure('len(tags)')).toMatchObject({ message: expect.stringContaining('multi_picklist') });
    expect(failure('if(qty, 1, 2)')).toMatchObject({ message: expect.stringContaining('the condition of if() takes boolean') });
    expect(failure("if(active, 1, 'x')")).toMatchObject({ message: expect.stringContaining('number in one branch and text') });
    expect(failure('qty = name', 'boolean')).toMatchObject({ message: expect.stringContaining('compares a number with a text') });
    expect(failure('active < true', 'boolean')).toMatchObject({ message: expect.stringContaining('not boolean') });
    expect(failure('round(qty, 11)')).toMatchObject({ message: expect.stringContaining('0 to 10') });
    expect(failure('round(qty, rate)')).toMatchObject({ message: expect.stringContaining('whole number') });
    expect(failure('case(stage, 1, 2)')).toMatchObject({ code: 'formula_arity' });
    expect(failure('abs(1, 2)')).toMatchObject({ code: 'formula_arity', message: expect.stringContaining('takes 1 argument, not 2') });
    expect(failure('now(1)', 'datetime')).toMatchObject({ code: 'formula_arity' });
    expect(failure('qty > 1', 'currency')).toMatchObject({ message: expect.stringContaining("gives boolean but the field's returnType is currency") });
    expect(failure('max(name, name)', 'text')).toMatchObject({ message: expect.stringContaining('not text') });
  });

  it('adds what another formula reads, and refuses one that reads itself back through it', () => {
    const qty = ITEM.fields.find((f) => f.apiName === 'qty')!;
    const item = { ...ITEM, fields: [...ITEM.fields, { ...qty, apiName: 'total', column: 'total', readOnly: true, formula: { expression: 'qty * price', returnType: 'number' as const } }] };
    const withTotal = createTestRegistry([...registry.listObjects().filter((o) => o !== ITEM), item]);
    const run = (computed: ComputedDependencies) => checkFormula({ expression: 'rate + total', returnType: 'number', object: item, registry: withTotal, computed });
    expect(run(() => [{ object: 'pt_item', field: 'price' }]).dependencies).toEqual([
      { object: 'pt_item', field: 'rate' },
      { object: 'pt_item', field: 'total' },
      { object: 'pt_item', field: 'price' },
    ]);
    expect(() => run(() => 'cycle')).toThrow(/at character 8: 'total' leads back to this formula/);
  });
});
