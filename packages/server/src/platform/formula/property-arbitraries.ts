/**
 * fast-check arbitraries for compile.property.test.ts: random, well-typed formula expressions
 * over the query tests' objects (query/test-registry.ts: pt_item → pt_account → user). Only
 * imported by tests.
 *
 * Texts avoid letters with case outside ASCII (upper/lower of 'é' depend on PostgreSQL's locale,
 * see evaluate.ts) but keep quotes, backslashes, LIKE wildcards and characters beyond the BMP.
 */
import fc from 'fast-check';

const FIELDS = {
  // line_total, account_label and the account's revenue_share and label are formula fields (compile.property.test.ts).
  number: ['qty', 'price', 'rate', 'account.revenue', 'line_total', 'account.revenue_share', 'account.parent_account.revenue_share'],
  text: ['name', 'notes', 'email', 'stage', 'code', 'account.name', 'account.industry', 'owner.name', 'account.parent_account.name', 'account.owner.email', 'account_label', 'account.label'],
  boolean: ['active'],
  date: ['due', 'account.founded', 'account.parent_account.parent_account.founded'],
  datetime: ['at'],
  id: ['id', 'account', 'owner', 'account.parent_account'],
} as const;

type Kind = keyof typeof FIELDS;

const LITERAL_CHARS = ['a', 'b', 'A', 'z', '0', ' ', '%', '_', '\\', "'", '"', '日', '😀', '-'];

const numberLiteral = fc.constantFrom('0', '1', '2', '3', '7', '10', '0.5', '0.1', '2.25', '100', '1000000', '0.0000001', '123456789012345678901234567890');
const textLiteral = fc
  .string({ unit: fc.constantFrom(...LITERAL_CHARS), maxLength: 4 })
  .map((s) => `'${s.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`);

const field = (kind: Kind) => fc.constantFrom(...FIELDS[kind]);

const maxDepth = 4;
const opts = { maxDepth, depthIdentifier: 'formula', withCrossShrink: true } as const;

export const formulaArbs = fc.letrec<Record<Kind, string>>((tie) => {
  const n = () => tie('number');
  const t = () => tie('text');
  const b = () => tie('boolean');
  const d = () => tie('date');
  const dt = () => tie('datetime');
  const id = () => tie('id');
  const any = () => fc.oneof(n(), t(), b(), d(), dt(), id());
  const ifOf = (arb: () => fc.Arbitrary<string>) => fc.tuple(b(), arb(), arb()).map(([c, x, y]) => `if(${c}, ${x}, ${y})`);
  const coalesceOf = (arb: () => fc.Arbitrary<string>) => fc.array(arb(), { minLength: 2, maxLength: 3 }).map((xs) => `coalesce(${xs.join(', ')})`);
  return {
    number: fc.oneof(
      opts,
      { arbitrary: fc.oneof(numberLiteral, field('number'), fc.constant('null')), weight: 6 },
      fc.tuple(n(), fc.constantFrom('+', '-', '*', '/'), n()).map(([x, o, y]) => `(${x} ${o} ${y})`),
      fc.tuple(n(), fc.constantFrom('+', '-', '*', '/'), n()).map(([x, o, y]) => `${x} ${o} ${y}`),
      n().map((x) => `-(${x})`),
      fc.tuple(n(), fc.integer({ min: 0, max: 10 })).map(([x, k]) => `round(${x}, ${k})`),
      fc.tuple(fc.constantFrom('abs', 'floor', 'ceil', 'round'), n()).map(([f, x]) => `${f}(${x})`),
      fc.tuple(fc.constantFrom('min', 'max'), fc.array(n(), { minLength: 2, maxLength: 3 })).map(([f, xs]) => `${f}(${xs.join(', ')})`),
      ifOf(n),
      coalesceOf(n),
      fc.tuple(t(), textLiteral, n(), textLiteral, n(), n()).map(([x, a, r1, c, r2, e]) => `case(${x}, ${a}, ${r1}, ${c}, ${r2}, ${e})`),
      fc.tuple(n(), n(), n(), n()).map(([x, a, r1, e]) => `case(${x}, ${a}, ${r1}, ${e})`),
      t().map((x) => `len(${x})`),
      fc.tuple(fc.constantFrom('year', 'month', 'day'), d()).map(([f, x]) => `${f}(${x})`),
      // A bare null beside a date would make `-` ambiguous (date - days or date - date).
      fc.tuple(d(), d()).map(([x, y]) => `(coalesce(${x}, due) - coalesce(${y}, due))`),
    ),
    text: fc.oneof(
      opts,
      { arbitrary: fc.oneof(textLiteral, field('text'), fc.constant('null')), weight: 6 },
      fc.tuple(t(), t()).map(([x, y]) => `${x} & ${y}`),
      fc.tuple(fc.constantFrom('upper', 'lower', 'trim'), t()).map(([f, x]) => `${f}(${x})`),
      fc.tuple(fc.constantFrom('left', 'right'), t(), n()).map(([f, x, k]) => `${f}(${x}, ${k})`),
      any().map((x) => `text(${x})`),
      ifOf(t),
      coalesceOf(t),
      fc.tuple(t(), textLiteral, t(), t()).map(([x, a, r, e]) => `case(${x}, ${a}, ${r}, ${e})`),
    ),
    boolean: fc.oneof(
      opts,
      { arbitrary: fc.oneof(fc.constantFrom('true', 'false', 'null'), field('boolean')), weight: 4 },
      fc.tuple(fc.constantFrom<Kind>('number', 'text', 'date', 'datetime'), fc.constantFrom('=', '!=', '<>', '<', '<=', '>', '>=')).chain(([k, o]) =>
        fc.tuple(tie(k), tie(k)).map(([x, y]) => `(${x} ${o} ${y})`),
      ),
      fc.tuple(fc.constantFrom<Kind>('boolean', 'id'), fc.constantFrom('=', '!=')).chain(([k, o]) => fc.tuple(tie(k), tie(k)).map(([x, y]) => `(${x} ${o} ${y})`)),
      fc.tuple(b(), fc.constantFrom('and', 'or', 'AND'), b()).map(([x, o, y]) => `(${x} ${o} ${y})`),
      b().map((x) => `not ${x}`),
      any().map((x) => `isnull(${x})`),
      fc.tuple(t(), t()).map(([x, y]) => `contains(${x}, ${y})`),
      ifOf(b),
    ),
    date: fc.oneof(
      opts,
      { arbitrary: fc.oneof(field('date'), fc.constantFrom('today()', 'null')), weight: 4 },
      fc.tuple(d(), fc.constantFrom('+', '-'), n()).map(([x, o, y]) => `(coalesce(${x}, due) ${o} ${y})`),
      dt().map((x) => `datevalue(${x})`),
      ifOf(d),
      coalesceOf(d),
      fc.tuple(fc.constantFrom('min', 'max'), d(), d()).map(([f, x, y]) => `${f}(${x}, ${y})`),
    ),
    datetime: fc.oneof(
      opts,
      { arbitrary: fc.oneof(field('datetime'), fc.constantFrom('now()', 'null')), weight: 4 },
      ifOf(dt),
      coalesceOf(dt),
      fc.tuple(fc.constantFrom('min', 'max'), dt(), dt()).map(([f, x, y]) => `${f}(${x}, ${y})`),
    ),
    id: fc.oneof(opts, { arbitrary: field('id'), weight: 4 }, ifOf(id), coalesceOf(id)),
  };
});

const RETURN_TYPES: Record<Kind, string> = { number: 'number', text: 'text', boolean: 'boolean', date: 'date', datetime: 'datetime', id: 'text' };

/** A random expression with a return type that fits it (ids are read through text()). */
export const typedFormulaArb: fc.Arbitrary<{ expression: string; returnType: string }> = fc.oneof(
  ...(['number', 'text', 'boolean', 'date', 'datetime'] as const).map((kind) => formulaArbs[kind].map((expression) => ({ expression, returnType: RETURN_TYPES[kind] }))),
  formulaArbs.number.map((expression) => ({ expression, returnType: 'currency' })),
  formulaArbs.id.map((expression) => ({ expression: `text(${expression})`, returnType: 'text' })),
);
