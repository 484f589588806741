/**
 * fast-check arbitraries for compile.property.test.ts: random records for the test-registry
 * objects and random conditions over them. Only imported by tests.
 *
 * Strings use a small alphabet on purpose: values collide often (so eq/in/contains hit), the
 * LIKE wildcards and quotes appear, and there are characters whose UTF-16 order differs from
 * code-point order ('￥' vs '😀'). Letters with case are ASCII only: PostgreSQL's lower() of other
 * letters depends on the locale, JS toLowerCase does not (see evaluate.ts).
 */
import fc from 'fast-check';
import { DateTime } from 'luxon';
import type { FieldType } from '../metadata/types.ts';
import type { ConditionContext } from './parsed.ts';
import { listAllowedOperators } from './field-kinds.ts';
import { parseRelativeDate, resolvePeriod } from './relative-dates.ts';

const CHARS = ['a', 'b', 'A', 'B', 'z', '0', ' ', '%', '_', '\\', "'", '"', 'é', '日', '￥', '😀'];
const TAGS = ['a', 'b', 'c', 'A', 'x y'];

export const CONTEXTS: ConditionContext[] = [
  // The night DST starts in New York (02:00 local becomes 03:00).
  { now: new Date('2026-03-08T06:30:00Z'), timeZone: 'America/New_York' },
  // The last Sunday of March in Berlin, just after the switch; also the end of a quarter week.
  { now: new Date('2026-03-29T01:30:00Z'), timeZone: 'Europe/Berlin' },
  // Already New Year's Day (and a Friday) in Auckland, still the old year in UTC.
  { now: new Date('2026-12-31T12:30:00Z'), timeZone: 'Pacific/Auckland' },
  { now: new Date('2026-10-25T00:59:59.999Z'), timeZone: 'Europe/Berlin' },
  { now: new Date('2026-06-30T20:00:00Z'), timeZone: 'Asia/Kolkata' },
];

export const RELATIVE_VALUES = [
  'today', 'yesterday', 'tomorrow', 'this_week', 'last_week', 'next_week', 'this_month', 'last_month',
  'next_month', 'this_quarter', 'last_quarter', 'next_quarter', 'this_year', 'last_year', 'next_year',
  'last_n_days:1', 'last_n_days:7', 'next_n_days:1', 'next_n_days:30', 'last_n_days:3650',
];

/** Every boundary a relative value can produce in any test context, as dates and as instants. */
function listBoundaries(kind: 'date' | 'datetime'): string[] {
  const out = new Set<string>();
  for (const context of CONTEXTS) {
    for (const name of RELATIVE_VALUES) {
      const { start, end } = resolvePeriod({ period: parseRelativeDate(name)!, kind, context });
      out.add(start).add(end);
    }
  }
  return [...out];
}

const DATE_BOUNDARIES = listBoundaries('date');
const INSTANT_BOUNDARIES = listBoundaries('datetime').map((iso) => Date.parse(iso));

export const ACCOUNT_IDS = [1, 2, 3, 4, 5].map((n) => `0190a000-0000-7000-8000-00000000000${n}`);
export const USER_IDS = [1, 2, 3].map((n) => `0190b000-0000-7000-8000-00000000000${n}`);
const DANGLING_ID = '0190c000-0000-7000-8000-000000000099';

export const textArb = fc.string({ unit: fc.constantFrom(...CHARS), maxLength: 4 });

export const numberArb = fc.oneof(
  fc.constantFrom(0, -0, 1, -1, 0.1, 0.2, 0.3, 1.5, -2.25, 1e15, -1e15, 2 ** 53, 1e21, 1e-7, 123.456),
  fc.integer({ min: -20, max: 20 }),
  fc.double({ min: -1e6, max: 1e6, noNaN: true, noDefaultInfinity: true }),
);

/** Exactly representable in numeric(18,2): whole cents, at most 15 significant digits. */
export const currencyArb = fc.oneof(
  fc.constantFrom(0, 0.01, -0.01, 0.1, 1, 99.99, 1234567890123.45),
  fc.integer({ min: -1_000_000_000_000, max: 1_000_000_000_000 }).map((cents) => cents / 100),
  fc.integer({ min: -500, max: 500 }).map((cents) => cents / 100),
);

export const dateArb = fc.oneof(
  fc.constantFrom(...DATE_BOUNDARIES),
  fc.integer({ min: -500, max: 500 }).map((days) => DateTime.fromISO('2026-06-15', { zone: 'utc' }).plus({ days }).toISODate()!),
  fc.constantFrom('0001-01-01', '9999-12-31', '2024-02-29'),
);

/** ms-precision instants, many within a millisecond of a local midnight of some context. */
export const instantArb = fc
  .oneof(
    fc.tuple(fc.constantFrom(...INSTANT_BOUNDARIES), fc.constantFrom(-1, 0, 1, -3_600_000, 3_600_000)).map(([t, d]) => t + d),
    fc.integer({ min: Date.parse('2025-01-01T00:00:00Z'), max: Date.parse('2028-01-01T00:00:00Z') }),
  )
  .map((ms) => new Date(ms).toISOString());

const tagsArb = fc.array(fc.constantFrom(...TAGS), { maxLength: 3 });
const nullable = <T>(arb: fc.Arbitrary<T>) => fc.option(arb, { nil: null, freq: 4 });
const refArb = (ids: string[]) => nullable(fc.constantFrom(...ids, DANGLING_ID));
const deletedArb = fc.option(fc.constant('2026-01-01T00:00:00.000Z'), { nil: null, freq: 4 });

export interface Dataset {
  users: Array<Record<string, unknown>>;
  accounts: Array<Record<string, unknown>>;
  items: Array<Record<string, unknown>>;
}

export const datasetArb: fc.Arbitrary<Dataset> = fc.record({
  users: fc.tuple(...USER_IDS.map((id) => fc.record({ id: fc.constant(id), name: nullable(textArb), email: nullable(textArb), deleted_at: deletedArb }))),
  accounts: fc.tuple(
    ...ACCOUNT_IDS.map((id) =>
      fc.record({
        id: fc.constant(id),
        name: nullable(textArb),
        industry: nullable(fc.constantFrom('energy', 'retail', 'Energy', '')),
        revenue: nullable(currencyArb),
        founded: nullable(dateArb),
        parent_account: refArb(ACCOUNT_IDS),
        owner: refArb(USER_IDS),
        deleted_at: deletedArb,
      }),
    ),
  ),
  items: fc.array(
    fc.record({
      name: nullable(textArb),
      notes: nullable(textArb),
      email: nullable(textArb),
      phone: nullable(textArb),
      website: nullable(textArb),
      code: nullable(textArb),
      stage: nullable(fc.constantFrom('open', 'won', 'lost', 'Open', '')),
      tags: nullable(tagsArb),
      qty: nullable(numberArb),
      price: nullable(currencyArb),
      rate: nullable(numberArb),
      active: nullable(fc.boolean()),
      due: nullable(dateArb),
      at: nullable(instantArb),
      account: refArb(ACCOUNT_IDS),
      owner: refArb(USER_IDS),
    }),
    { minLength: 1, maxLength: 16 },
  ),
}).map((d) => ({
  ...d,
  items: d.items.map((item, i) => ({ id: `0190d000-0000-7000-8000-${String(i).padStart(12, '0')}`, ...item })),
}));

/** The paths conditions use, with the type of the field each ends at. */
const PATHS: Array<[string, FieldType]> = [
  ['id', 'id'], ['name', 'text'], ['notes', 'long_text'], ['email', 'email'], ['phone', 'phone'], ['website', 'url'],
  ['code', 'autonumber'], ['stage', 'picklist'], ['tags', 'multi_picklist'], ['qty', 'number'], ['price', 'currency'],
  ['rate', 'percent'], ['active', 'boolean'], ['due', 'date'], ['at', 'datetime'], ['account', 'lookup'], ['owner', 'user'],
  ['account.id', 'id'], ['account.name', 'text'], ['account.industry', 'picklist'], ['account.revenue', 'currency'],
  ['account.founded', 'date'], ['account.parent_account', 'lookup'], ['account.parent_account.name', 'text'],
  ['account.parent_account.parent_account.founded', 'date'], ['account.parent_account.owner.email', 'email'],
  ['account.owner.email', 'email'], ['owner.name', 'text'], ['owner.email', 'email'],
];

const relativeArb = fc.constantFrom(...RELATIVE_VALUES).map((relative) => ({ relative }));
const uuidValueArb = fc.constantFrom(...ACCOUNT_IDS, ...USER_IDS, DANGLING_ID, ACCOUNT_IDS[0].toUpperCase());
/** Offsets change the text of a datetime but not its instant. */
const isoWithOffsetArb = fc.tuple(instantArb, fc.constantFrom('UTC', 'America/New_York', 'Asia/Kolkata')).map(([iso, zone]) =>
  DateTime.fromISO(iso, { zone }).toISO()!,
);

function scalarArb(type: FieldType, op: string): fc.Arbitrary<unknown> {
  switch (type) {
    case 'id':
      return op === 'eq' || op === 'in' ? uuidValueArb : fc.oneof(uuidValueArb, fc.uuid());
    case 'lookup':
    case 'user':
      return uuidValueArb;
    case 'number':
    case 'percent':
      return fc.oneof(numberArb, numberArb.map(String));
    case 'currency':
      return fc.oneof(currencyArb, numberArb);
    case 'boolean':
      return fc.oneof(fc.boolean(), fc.constantFrom('true', 'false'));
    case 'date':
      return op === 'in' ? dateArb : fc.oneof(dateArb, relativeArb);
    case 'datetime':
      return fc.oneof(instantArb, isoWithOffsetArb, dateArb.filter((d) => d > '0001-12-31' && d < '9999'), relativeArb);
    case 'multi_picklist':
      return fc.constantFrom(...TAGS);
    case 'picklist':
      return fc.oneof(textArb, fc.constantFrom('open', 'energy', 'Energy'));
    default:
      return textArb;
  }
}

function valueArb(type: FieldType, op: string): fc.Arbitrary<unknown> {
  if (op === 'isNull') return fc.constantFrom(undefined, true, false);
  if (op === 'between') return fc.tuple(scalarArb(type, op), scalarArb(type, op));
  if (op === 'in' || op === 'nin' || (type === 'multi_picklist' && (op === 'eq' || op === 'ne'))) {
    return fc.array(scalarArb(type, 'in'), { minLength: 1, maxLength: 4 });
  }
  return scalarArb(type, op);
}

export const leafArb = fc
  .constantFrom(...PATHS)
  .chain(([field, type]) => fc.constantFrom(...listAllowedOperators(type)).map((op) => ({ field, type, op })))
  .chain(({ field, type, op }) =>
    valueArb(type, op).map((value) => (value === undefined ? { field, op } : { field, op, value })),
  );

export const conditionArb: fc.Arbitrary<unknown> = fc.letrec<{ node: unknown }>((tie) => ({
  node: fc.oneof(
    { maxDepth: 4, depthIdentifier: 'condition' },
    { arbitrary: leafArb, weight: 4 },
    { arbitrary: fc.array(tie('node'), { maxLength: 3 }).map((and) => ({ and })), weight: 1 },
    { arbitrary: fc.array(tie('node'), { maxLength: 3 }).map((or) => ({ or })), weight: 1 },
    { arbitrary: tie('node').map((not) => ({ not })), weight: 1 },
  ),
})).node;
