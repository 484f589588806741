/**
 * The formula language's syntax: a hand-written tokenizer and Pratt parser turning an untrusted
 * expression such as `if(amount > 0, gross_profit / amount * 100, null)` into an untyped tree
 * with the position of every node. Names are not resolved here (check.ts does that against the
 * metadata), so this file knows nothing of fields or SQL.
 *
 * Precedence, loosest first: `or`, `and`, `not`, comparisons (= != <> < <= > >=), `&` (text
 * concatenation), `+ -`, `* /`, unary minus. Literals: numbers (`12`, `0.5`), strings in single
 * or double quotes (backslash escapes `\\ \' \" \n \t`), `true`, `false`, `null`.
 */
import { formulaError } from './errors.ts';

export const MAX_EXPRESSION_LENGTH = 2000;
export const MAX_EXPRESSION_DEPTH = 32;
export const MAX_EXPRESSION_NODES = 300;
const MAX_NUMBER_DIGITS = 30;
export const MAX_PATH_SEGMENTS = 4;

export type BinaryOperator = 'or' | 'and' | '=' | '!=' | '<' | '<=' | '>' | '>=' | '&' | '+' | '-' | '*' | '/';

/** `pos` is the 1-based character where the node starts, for error messages. */
export type SyntaxNode =
  | { kind: 'number'; value: string; pos: number }
  | { kind: 'string'; value: string; pos: number }
  | { kind: 'boolean'; value: boolean; pos: number }
  | { kind: 'null'; pos: number }
  | { kind: 'path'; segments: string[]; pos: number }
  | { kind: 'call'; name: string; args: SyntaxNode[]; pos: number }
  | { kind: 'unary'; op: '-' | 'not'; arg: SyntaxNode; pos: number }
  | { kind: 'binary'; op: BinaryOperator; left: SyntaxNode; right: SyntaxNode; pos: number };

type Token =
  | { kind: 'number' | 'string' | 'name'; text: string; pos: number }
  | { kind: 'op'; text: string; pos: number }
  | { kind: 'end'; text: ''; pos: number };

const OPERATORS = ['<=', '>=', '!=', '<>', '==', '=', '<', '>', '&', '+', '-', '*', '/', '(', ')', ',', '.'];
const ESCAPES: Record<string, string> = { '\\': '\\', "'": "'", '"': '"', n: '\n', t: '\t' };

function describe(token: Token): string {
  if (token.kind === 'end') return 'the end of the expression';
  const text = token.text.length > 30 ? `${token.text.slice(0, 30)}…` : token.text;
  return token.kind === 'string' ? `the text '${text}'` : `'${text}'`;
}

function readString(source: string, start: number): { text: string; end: number } {
  const quote = source[start];
  let text = '';
  for (let i = start + 1; i < source.length; i += 1) {
    const c = source[i]!;
    if (c === quote) return { text, end: i + 1 };
    if (c === '\\') {
      const escaped = ESCAPES[source[i + 1] ?? ''];
      if (escaped === undefined) formulaError(i + 1, `unknown escape '\\${source[i + 1] ?? ''}' in a text; use \\\\, \\', \\", \\n or \\t`);
      text += escaped;
      i += 1;
    } else {
      text += c;
    }
  }
  return formulaError(start + 1, 'a text is not closed; add the closing quote');
}

function tokenize(source: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < source.length) {
    const c = source[i]!;
    if (c === ' ' || c === '\t' || c === '\n' || c === '\r') {
      i += 1;
      continue;
    }
    const pos = i + 1;
    const number = /^\d+(\.\d+)?/.exec(source.slice(i, i + MAX_NUMBER_DIGITS + 2));
    if (number) {
      if (number[0].replace('.', '').length > MAX_NUMBER_DIGITS || /^[\d.]/.test(source[i + number[0].length] ?? '')) formulaError(pos, `numbers have at most ${MAX_NUMBER_DIGITS} digits, written like 12 or 0.5`);
      tokens.push({ kind: 'number', text: number[0], pos });
      i += number[0].length;
      continue;
    }
    const name = /^[A-Za-z_][A-Za-z0-9_]*/.exec(source.slice(i, i + 80));
    if (name) {
      tokens.push({ kind: 'name', text: name[0], pos });
      i += name[0].length;
      continue;
    }
    if (c === "'" || c === '"') {
      const s = readString(source, i);
      tokens.push({ kind: 'string', text: s.text, pos });
      i = s.end;
      continue;
    }
    const op = OPERATORS.find((o) => source.startsWith(o, i));
    if (!op) formulaError(pos, `unexpected character '${c}'`);
    tokens.push({ kind: 'op', text: op === '<>' ? '!=' : op === '==' ? '=' : op, pos });
    i += op.length;
  }
  tokens.push({ kind: 'end', text: '', pos: source.length + 1 });
  return tokens;
}

/** Binding power of infix operators; keywords are matched case-insensitively. */
const INFIX: Record<string, { power: number; op: BinaryOperator }> = {
  or: { power: 1, op: 'or' },
  and: { power: 2, op: 'and' },
  '=': { power: 4, op: '=' },
  '!=': { power: 4, op: '!=' },
  '<': { power: 4, op: '<' },
  '<=': { power: 4, op: '<=' },
  '>': { power: 4, op: '>' },
  '>=': { power: 4, op: '>=' },
  '&': { power: 5, op: '&' },
  '+': { power: 6, op: '+' },
  '-': { power: 6, op: '-' },
  '*': { power: 7, op: '*' },
  '/': { power: 7, op: '/' },
};
const NOT_POWER = 3;
const UNARY_MINUS_POWER = 8;

class Parser {
  #tokens: Token[];
  #at = 0;
  #nodes = 0;

  constructor(tokens: Token[]) {
    this.#tokens = tokens;
  }

  get #next(): Token {
    return this.#tokens[this.#at]!;
  }

  #take(): Token {
    const token = this.#next;
    this.#at += 1;
    return token;
  }

  #expect(text: string, what: string): Token {
    const token = this.#next;
    if (token.kind !== 'op' || token.text !== text) formulaError(token.pos, `expected ${what} but found ${describe(token)}`);
    return this.#take();
  }

  #count(pos: number, depth: number): void {
    this.#nodes += 1;
    if (this.#nodes > MAX_EXPRESSION_NODES) formulaError(pos, `the formula has more than ${MAX_EXPRESSION_NODES} parts`);
    if (depth > MAX_EXPRESSION_DEPTH) formulaError(pos, `the formula nests deeper than ${MAX_EXPRESSION_DEPTH} levels`);
  }

  parseAll(): SyntaxNode {
    const node = this.parseExpression(0, 1);
    const rest = this.#next;
    if (rest.kind !== 'end') formulaError(rest.pos, `expected an operator or the end but found ${describe(rest)}`);
    return node;
  }

  parseExpression(minPower: number, depth: number): SyntaxNode {
    let left = this.#parsePrefix(depth);
    for (;;) {
      const token = this.#next;
      const key = token.kind === 'name' ? token.text.toLowerCase() : token.kind === 'op' ? token.text : '';
      const infix = INFIX[key];
      if (!infix || infix.power <= minPower || (token.kind === 'name' && key !== 'and' && key !== 'or')) return left;
      this.#take();
      this.#count(token.pos, depth);
      const right = this.parseExpression(infix.power, depth + 1);
      left = { kind: 'binary', op: infix.op, left, right, pos: token.pos };
    }
  }

  #parsePrefix(depth: number): SyntaxNode {
    const token = this.#take();
    this.#count(token.pos, depth);
    const { pos } = token;
    if (token.kind === 'number') return { kind: 'number', value: token.text, pos };
    if (token.kind === 'string') return { kind: 'string', value: token.text, pos };
    if (token.kind === 'op' && token.text === '-') return { kind: 'unary', op: '-', arg: this.parseExpression(UNARY_MINUS_POWER, depth + 1), pos };
    if (token.kind === 'op' && token.text === '(') {
      const inner = this.parseExpression(0, depth + 1);
      this.#expect(')', "')'");
      return inner;
    }
    if (token.kind !== 'name') formulaError(pos, `expected a value, a field or a function but found ${describe(token)}`);
    const word = token.text.toLowerCase();
    if (word === 'true' || word === 'false') return { kind: 'boolean', value: word === 'true', pos };
    if (word === 'null') return { kind: 'null', pos };
    if (word === 'not') return { kind: 'unary', op: 'not', arg: this.parseExpression(NOT_POWER, depth + 1), pos };
    if (this.#next.kind === 'op' && this.#next.text === '(') return this.#parseCall(word, pos, depth);
    const segments = [token.text];
    while (this.#next.kind === 'op' && this.#next.text === '.') {
      this.#take();
      const part = this.#take();
      if (part.kind !== 'name') formulaError(part.pos, `expected a field name after '.' but found ${describe(part)}`);
      segments.push(part.text);
      if (segments.length > MAX_PATH_SEGMENTS) formulaError(pos, `a path follows at most ${MAX_PATH_SEGMENTS - 1} lookups`);
    }
    return { kind: 'path', segments, pos };
  }

  #parseCall(name: string, pos: number, depth: number): SyntaxNode {
    this.#expect('(', "'('");
    const args: SyntaxNode[] = [];
    if (!(this.#next.kind === 'op' && this.#next.text === ')')) {
      for (;;) {
        args.push(this.parseExpression(0, depth + 1));
        if (this.#next.kind === 'op' && this.#next.text === ',') {
          this.#take();
          continue;
        }
        break;
      }
    }
    this.#expect(')', `',' or ')' to close ${name}(`);
    return { kind: 'call', name, args, pos };
  }
}

/** Parses an untrusted expression; throws a FormulaError naming the character where it went wrong. */
export function parseFormula(source: unknown): SyntaxNode {
  if (typeof source !== 'string' || source.trim() === '') formulaError(1, 'expected a formula, e.g. amount * 0.2');
  if (source.length > MAX_EXPRESSION_LENGTH) formulaError(MAX_EXPRESSION_LENGTH + 1, `a formula has at most ${MAX_EXPRESSION_LENGTH} characters`);
  if (source.includes('\u0000')) formulaError(source.indexOf('\u0000') + 1, 'the formula contains a NUL character');
  return new Parser(tokenize(source)).parseAll();
}
