import { describe, expect, it } from 'vitest';
import { AppError } from '../errors.ts';
import { MAX_EXPRESSION_LENGTH, parseFormula, type SyntaxNode } from './parse.ts';

/** The tree as a compact string: binary and unary nodes in parentheses, calls as name(args). */
function show(node: SyntaxNode): string {
  switch (node.kind) {
    case 'number':
      return node.value;
    case 'string':
      return JSON.stringify(node.value);
    case 'boolean':
      return String(node.value);
    case 'null':
      return 'null';
    case 'path':
      return node.segments.join('.');
    case 'call':
      return `${node.name}(${node.args.map(show).join(', ')})`;
    case 'unary':
      return `(${node.op} ${show(node.arg)})`;
    case 'binary':
      return `(${show(node.left)} ${node.op} ${show(node.right)})`;
  }
}

function failure(source: unknown): { position: number; message: string } {
  try {
    parseFormula(source);
  } catch (error) {
    expect(error).toBeInstanceOf(AppError);
    const e = error as AppError;
    expect(e.errors[0]!.field).toBe('formula.expression');
    return { position: e.extra.position as number, message: e.errors[0]!.message };
  }
  throw new Error(`parsed: ${String(source)}`);
}

describe('parseFormula', () => {
  it('binds operators by precedence and associates to the left', () => {
    expect(show(parseFormula('1 + 2 * 3 - 4 / 2'))).toBe('((1 + (2 * 3)) - (4 / 2))');
    expect(show(parseFormula('a - b - c'))).toBe('((a - b) - c)');
    expect(show(parseFormula("name & ' ' & stage"))).toBe('((name & " ") & stage)');
    expect(show(parseFormula('amount + 1 > 2 & x'))).toBe('((amount + 1) > (2 & x))');
    expect(show(parseFormula('not a = b and c or d'))).toBe('(((not (a = b)) and c) or d)');
    expect(show(parseFormula('-amount * 2'))).toBe('((- amount) * 2)');
    expect(show(parseFormula('(1 + 2) * 3'))).toBe('((1 + 2) * 3)');
  });

  it('reads keywords and function names in any case, and normalises <> and ==', () => {
    expect(show(parseFormula('IF(TRUE AND Null == x, 1, 0)'))).toBe('if((true and (null = x)), 1, 0)');
    expect(show(parseFormula('a <> b'))).toBe('(a != b)');
    expect(show(parseFormula('today()'))).toBe('today()');
  });

  it('reads paths, texts with escapes and exact number text', () => {
    expect(show(parseFormula('account.parent_account.name'))).toBe('account.parent_account.name');
    expect(parseFormula(`'it\\'s "x" \\\\ \\n'`)).toMatchObject({ kind: 'string', value: 'it\'s "x" \\ \n' });
    expect(parseFormula('"d\'oh"')).toMatchObject({ kind: 'string', value: "d'oh" });
    expect(parseFormula('0.10')).toMatchObject({ kind: 'number', value: '0.10' });
  });

  it('names the character where an expression goes wrong', () => {
    expect(failure('amount * (gross_profit')).toMatchObject({ position: 23, message: expect.stringContaining("expected ')'") });
    expect(failure("name & 'open")).toMatchObject({ position: 8, message: expect.stringContaining('not closed') });
    expect(failure('amount $ 2')).toMatchObject({ position: 8, message: expect.stringContaining("unexpected character '$'") });
    expect(failure('amount 2')).toMatchObject({ position: 8, message: expect.stringContaining("found '2'") });
    expect(failure('1 +')).toMatchObject({ position: 4, message: expect.stringContaining('the end of the expression') });
    expect(failure('if(a, b')).toMatchObject({ message: expect.stringContaining("',' or ')' to close if(") });
    expect(failure('account.')).toMatchObject({ message: expect.stringContaining("after '.'") });
    expect(failure("'a\\qb'")).toMatchObject({ position: 3, message: expect.stringContaining('unknown escape') });
    expect(failure('1.2.3')).toMatchObject({ position: 1 });
    expect(failure('   ')).toMatchObject({ position: 1 });
    expect(failure(42)).toMatchObject({ position: 1 });
  });

  it('keeps hostile input small: length, depth, parts, path length, number digits, NUL', () => {
    expect(failure('1'.repeat(MAX_EXPRESSION_LENGTH + 1)).message).toContain(`at most ${MAX_EXPRESSION_LENGTH} characters`);
    expect(failure(`${'('.repeat(40)}1${')'.repeat(40)}`).message).toContain('deeper than');
    expect(failure(`${'-'.repeat(40)}1`).message).toContain('deeper than');
    expect(failure(Array.from({ length: 160 }, () => '1').join('+')).message).toContain('more than 300 parts');
    expect(failure('a.b.c.d.e').message).toContain('at most 3 lookups');
    expect(failure('1'.repeat(31)).message).toContain('at most 30 digits');
    expect(failure('a \u0000').message).toContain('NUL');
  });
});
