import { sql, type RawBuilder } from 'kysely';
import { pathVisibility } from '../../../platform/access/policy.ts';
import { compileComputedField } from '../../../platform/formula/computed.ts';
import type { FieldDefinition, ObjectDefinition } from '../../../platform/metadata/types.ts';
import type { PathStep } from '../../../platform/query/index.ts';
import type { RecordContext } from '../../../platform/records/context.ts';
import { conditionContext, filterCondition, listConditions } from '../../../platform/records/read.ts';
import type { SummaryPlan } from '../summaries/plan.ts';
import { convertedAmount, unconvertible, type CorporateRates } from '../../billing/index.ts';
import type { AggregateSpec, GroupSpec, MeasureSpec } from './spec.ts';

/**
 * One SQL statement for an aggregate question (docs/analytics.md):
 *
 *   SELECT s.g0, s.g1, count(*), sum(s.v1) … FROM (
 *     SELECT <group values> AS g…, <measured values> AS v… FROM obj_x t0 LEFT JOIN <lookup paths>
 *     WHERE <the list's own conditions: not deleted, the caller's visibility, the filter>) s
 *   GROUP BY s.g0, s.g1 | GROUPING SETS (…) HAVING … ORDER BY … LIMIT cap + 1
 *
 * The WHERE is listConditions — exactly what the caller's list shows, so no aggregate can count a
 * record the list would hide. Lookup paths are LEFT JOINs on the parent's id carrying the
 * parent's visibility condition (a parent the caller may not see reads as no parent, as in
 * filters). The inner query names every value once, so the GROUP BY never repeats an expression
 * with different bound parameters (PostgreSQL would not match them).
 */
export interface CompiledAggregate {
  query: RawBuilder<Record<string, unknown>>;
  /** Whether the answer has a `grp` column (GROUPING bits) marking subtotal rows. */
  grouping: boolean;
  /** Whether the answer has an `unconverted` count (records whose currency had no rate). */
  converting: boolean;
}

const DATE_UNITS = { day: 'day', week: 'week', month: 'month', quarter: 'quarter', year: 'year' } as const;

/** The LEFT JOINs of every lookup path, one per distinct path prefix. */
class Joins {
  readonly #aliases = new Map<string, string>();
  readonly #clauses: RawBuilder<unknown>[] = [];
  readonly ctx: RecordContext;
  constructor(ctx: RecordContext) {
    this.ctx = ctx;
  }

  /** The alias of the row holding the path's last field. */
  aliasOf(steps: readonly PathStep[]): string {
    let alias = 't0';
    let prefix = '';
    for (const [i, step] of steps.slice(0, -1).entries()) {
      prefix = prefix ? `${prefix}.${step.field.apiName}` : step.field.apiName;
      const next = steps[i + 1]!.object;
      let joined = this.#aliases.get(prefix);
      if (!joined) {
        joined = `j${this.#aliases.size + 1}`;
        this.#aliases.set(prefix, joined);
        const visible = pathVisibility(this.ctx.actor)(next, joined);
        this.#clauses.push(sql`LEFT JOIN ${sql.table(next.table)} AS ${sql.id(joined)} ON ${sql.id(joined, 'id')} = ${fieldValue(this.ctx, step.object, step.field, alias)}
          AND ${sql.id(joined, 'deleted_at')} IS NULL${visible ? sql` AND ${visible}` : sql``}`);
      }
      alias = joined;
    }
    return alias;
  }

  sql(): RawBuilder<unknown> {
    return sql.join(this.#clauses, sql` `);
  }
}

/** A field of the row `alias`: its column, or a formula / roll-up's expression with the caller's visibility. */
function fieldValue(ctx: RecordContext, object: ObjectDefinition, field: FieldDefinition, alias: string): RawBuilder<unknown> {
  if (field.formula || field.rollup) return compileComputedField({ object, field, alias, context: conditionContext(ctx), visibility: pathVisibility(ctx.actor) });
  return sql.ref(`${alias}.${field.column}`);
}

function pathValue(ctx: RecordContext, joins: Joins, steps: readonly PathStep[]): RawBuilder<unknown> {
  const last = steps[steps.length - 1]!;
  return fieldValue(ctx, last.object, last.field, joins.aliasOf(steps));
}

/** A date bucket in the caller's zone: a date-time is turned into local wall time first, so DST days bucket correctly. */
function groupValue(ctx: RecordContext, joins: Joins, group: GroupSpec): RawBuilder<unknown> {
  return bucketOf(ctx, group, pathValue(ctx, joins, group.steps));
}

function bucketOf(ctx: RecordContext, group: GroupSpec, value: RawBuilder<unknown>): RawBuilder<unknown> {
  if (!group.bucket) return value;
  const unit = sql.lit(DATE_UNITS[group.bucket]);
  const local = group.field.type === 'datetime' ? sql`(${value} AT TIME ZONE ${ctx.actor.timeZone}::text)` : sql`(${value})::timestamp`;
  return sql`to_char(date_trunc(${unit}, ${local}), 'YYYY-MM-DD')`;
}

/** Field types with few distinct values per table: grouping by them first shrinks a million rows to thousands. */
const FEW_VALUES = new Set(['picklist', 'boolean', 'user']);

/**
 * Whether to pre-aggregate: group by the raw values first (a date, not its month), then bucket
 * the few partial rows and combine their partial aggregates. Bucketing a date costs more than
 * scanning its row (to_char per row: 1,000,000 deals by stage and month took 3.0 s that way and
 * 1.1 s pre-aggregated, same machine), and a table holds only a few thousand distinct days. Only
 * when every grouping has few raw values (a date bucket, a picklist, a user, a yes/no) and every
 * measure combines from partials (count distinct does not).
 */
export function preAggregates(spec: AggregateSpec): boolean {
  if (!spec.groupBy.some((g) => g.bucket && g.field.type === 'date')) return false;
  if (spec.measures.some((m) => m.fn === 'count_distinct')) return false;
  return spec.groupBy.every((g) => (g.bucket && g.field.type === 'date') || (!g.bucket && FEW_VALUES.has(g.field.type)));
}

/** Whether a measure is money to convert: a currency field beside a `currency` picklist on the same record. */
export function convertsCurrency(measure: MeasureSpec): boolean {
  if (!measure.field || measure.field.type !== 'currency' || measure.fn === 'count' || measure.fn === 'count_distinct') return false;
  const holder = measure.steps![measure.steps!.length - 1]!.object;
  return holder.fields.some((f) => f.apiName === 'currency' && f.type === 'picklist');
}

/** The currency of the record holding a money measure (billing's conversion reads a missing one as the corporate currency). */
function currencyOf(ctx: RecordContext, joins: Joins, measure: MeasureSpec): RawBuilder<unknown> {
  const steps = measure.steps!;
  const holder = steps[steps.length - 1]!.object;
  const currency = holder.fields.find((f) => f.apiName === 'currency')!;
  return fieldValue(ctx, holder, currency, joins.aliasOf(steps));
}

function measureInput(ctx: RecordContext, joins: Joins, measure: MeasureSpec, rates: CorporateRates | undefined): RawBuilder<unknown> | undefined {
  if (!measure.steps) return undefined;
  const value = pathValue(ctx, joins, measure.steps);
  if (!rates || !convertsCurrency(measure)) return value;
  // Each record's amount is converted and rounded to the corporate currency's minor unit before it
  // is summed, by the same billing function the forecast and the pillar actuals use, so a report
  // and the forecast over the same deals give the same total to the cent.
  return convertedAmount(value, currencyOf(ctx, joins, measure), rates);
}

function aggregateOf(measure: MeasureSpec, index: number, rates: CorporateRates | undefined): RawBuilder<unknown> {
  const v = sql.ref(`s.v${index}`);
  const money = rates && convertsCurrency(measure);
  switch (measure.fn) {
    case 'count':
      return measure.steps ? sql`count(${v})` : sql`count(*)`;
    case 'count_distinct':
      return sql`count(DISTINCT ${v})`;
    case 'sum':
      return money ? sql`round(sum(${v}), ${sql.lit(rates!.minorUnits)})` : sql`sum(${v})`;
    case 'avg':
      return money ? sql`round(avg(${v}), ${sql.lit(rates!.minorUnits)})` : sql`round(avg(${v}), 6)`;
    case 'min':
      return sql`min(${v})`;
    case 'max':
      return sql`max(${v})`;
  }
}

/** The partial aggregates one measure needs from the first level of a pre-aggregated question. */
function partialsOf(measure: MeasureSpec, index: number, value: RawBuilder<unknown> | undefined): RawBuilder<unknown>[] {
  const n = sql.id(`n${index}`);
  const p = sql.id(`p${index}`);
  switch (measure.fn) {
    case 'count':
      return [value ? sql`count(${value}) AS ${n}` : sql`count(*) AS ${n}`];
    case 'sum':
      return [sql`sum(${value}) AS ${p}`];
    case 'avg':
      return [sql`sum(${value}) AS ${p}`, sql`count(${value}) AS ${n}`];
    case 'min':
      return [sql`min(${value}) AS ${p}`];
    case 'max':
      return [sql`max(${value}) AS ${p}`];
    case 'count_distinct':
      throw new Error('count distinct does not combine from partials');
  }
}

/** A measure combined from its partials: the same value aggregateOf gives over the rows themselves. */
function combinedOf(measure: MeasureSpec, index: number, rates: CorporateRates | undefined): RawBuilder<unknown> {
  const n = sql.ref(`s.n${index}`);
  const p = sql.ref(`s.p${index}`);
  const money = rates && convertsCurrency(measure);
  switch (measure.fn) {
    case 'count':
      return sql`coalesce(sum(${n}), 0)`;
    case 'sum':
      // Each record was converted and rounded before the first sum, so the sum of sums is exact.
      return money ? sql`round(sum(${p}), ${sql.lit(rates!.minorUnits)})` : sql`sum(${p})`;
    case 'avg': {
      const avg = sql`sum(${p}) / nullif(sum(${n}), 0)`;
      return money ? sql`round(${avg}, ${sql.lit(rates!.minorUnits)})` : sql`round(${avg}, 6)`;
    }
    case 'min':
      return sql`min(${p})`;
    case 'max':
      return sql`max(${p})`;
    case 'count_distinct':
      throw new Error('count distinct does not combine from partials');
  }
}

const HAVING_OPS = { eq: sql`=`, ne: sql`<>`, lt: sql`<`, lte: sql`<=`, gt: sql`>`, gte: sql`>=` } as const;

/**
 * Grouping sets for subtotals: every prefix of the row groupings (longest first) down to the grand
 * total, each with and without the column grouping of a matrix.
 */
function groupingSets(rowCount: number, column: boolean): number[][] {
  const sets: number[][] = [];
  for (let k = rowCount; k >= 0; k--) {
    const rows = Array.from({ length: k }, (_, i) => i);
    if (column) sets.push([...rows, rowCount]);
    sets.push(rows);
  }
  return sets;
}

export function compileAggregate(args: {
  ctx: RecordContext;
  spec: AggregateSpec;
  rates?: CorporateRates;
  /** One more row than this is read, so the caller knows there were more. */
  limit: number;
  /** Subtotals and a grand total; `columnGroup`: the last grouping is a matrix's column grouping. */
  totals?: { columnGroup: boolean };
  /** Forces (or forbids) pre-aggregation; by default preAggregates(spec) decides. Tests compare both. */
  preAggregate?: boolean;
  /** Read the object's summary instead of its records (planSummary said it can). */
  summary?: SummaryPlan;
}): CompiledAggregate {
  const { ctx, spec, rates } = args;
  const joins = new Joins(ctx);
  const where = sql.join(listConditions(ctx, spec.object, spec.filter), sql` AND `);
  const converting = !!rates && spec.measures.some(convertsCurrency);
  const unconverted = converting ? unconvertible(currencyOf(ctx, joins, spec.measures.find(convertsCurrency)!), rates!) : undefined;
  const twoLevel = !!args.summary || (args.preAggregate ?? preAggregates(spec));
  let from: RawBuilder<unknown>;
  if (twoLevel) {
    // First level: raw group values and partial aggregates; second: bucket the few partial rows.
    const recordsLevel1 = (conditions: RawBuilder<unknown>) => {
      const first: RawBuilder<unknown>[] = [];
      spec.groupBy.forEach((g, i) => first.push(sql`${pathValue(ctx, joins, g.steps)} AS ${sql.id(`r${i}`)}`));
      spec.measures.forEach((m, i) => first.push(...partialsOf(m, i, measureInput(ctx, joins, m, rates))));
      if (unconverted) first.push(sql`count(*) FILTER (WHERE ${unconverted}) AS uc`);
      const positions = spec.groupBy.map((_, i) => sql.raw(String(i + 1)));
      return sql`SELECT ${sql.join(first)} FROM ${sql.table(spec.object.table)} AS t0 ${joins.sql()} WHERE ${conditions}${positions.length ? sql` GROUP BY ${sql.join(positions)}` : sql``}`;
    };
    let level1: RawBuilder<unknown>;
    if (args.summary) {
      // The summary's figures, plus for a restricted reader the records visible other than by owner.
      const { summaryPart, records } = args.summary;
      const filtered = filterCondition(ctx, spec.object, spec.filter);
      level1 = records
        ? sql`(${summaryPart}) UNION ALL (${recordsLevel1(sql.join([sql`t0.deleted_at IS NULL`, records, ...(filtered ? [filtered.sql] : [])], sql` AND `))})`
        : summaryPart;
    } else {
      level1 = recordsLevel1(where);
    }
    const second: RawBuilder<unknown>[] = spec.groupBy.map((g, i) => sql`${bucketOf(ctx, g, sql.ref(`l1.r${i}`))} AS ${sql.id(`g${i}`)}`);
    second.push(sql`l1.*`);
    from = sql`SELECT ${sql.join(second)} FROM (${level1}) l1`;
  } else {
    const inner: RawBuilder<unknown>[] = [];
    spec.groupBy.forEach((g, i) => inner.push(sql`${groupValue(ctx, joins, g)} AS ${sql.id(`g${i}`)}`));
    spec.measures.forEach((m, i) => {
      const input = measureInput(ctx, joins, m, rates);
      if (input) inner.push(sql`${input} AS ${sql.id(`v${i}`)}`);
    });
    if (unconverted) inner.push(sql`${unconverted} AS uc`);
    if (!inner.length) inner.push(sql`1 AS one`);
    from = sql`SELECT ${sql.join(inner)} FROM ${sql.table(spec.object.table)} AS t0 ${joins.sql()} WHERE ${where}`;
  }

  const aggregates = spec.measures.map((m, i) => (twoLevel ? combinedOf(m, i, rates) : aggregateOf(m, i, rates)));
  const outer: RawBuilder<unknown>[] = [];
  spec.groupBy.forEach((g, i) => {
    const ref = sql.ref(`s.g${i}`);
    // Dates and numbers travel as text: exact, and the same on pg and PGlite.
    outer.push(g.field.type === 'boolean' ? sql`${ref} AS ${sql.id(`g${i}`)}` : sql`(${ref})::text AS ${sql.id(`g${i}`)}`);
  });
  spec.measures.forEach((m, i) => outer.push(m.fn === 'count' || m.fn === 'count_distinct' ? sql`${aggregates[i]}::int AS ${sql.id(`m${i}`)}` : sql`(${aggregates[i]})::text AS ${sql.id(`m${i}`)}`));
  if (converting) outer.push(twoLevel ? sql`coalesce(sum(s.uc), 0)::int AS unconverted` : sql`count(*) FILTER (WHERE s.uc)::int AS unconverted`);
  const grouping = !!args.totals && spec.groupBy.length > 0;
  if (grouping) outer.push(sql`GROUPING(${sql.join(spec.groupBy.map((_, i) => sql.ref(`s.g${i}`)))}) AS grp`);

  let groupBy = sql``;
  if (spec.groupBy.length) {
    if (grouping) {
      const rowCount = args.totals!.columnGroup ? spec.groupBy.length - 1 : spec.groupBy.length;
      const sets = groupingSets(rowCount, args.totals!.columnGroup);
      groupBy = sql`GROUP BY GROUPING SETS (${sql.join(sets.map((set) => (set.length ? sql`(${sql.join(set.map((i) => sql.ref(`s.g${i}`)))})` : sql`()`)))})`;
    } else {
      groupBy = sql`GROUP BY ${sql.join(spec.groupBy.map((_, i) => sql.ref(`s.g${i}`)))}`;
    }
  }
  const having = spec.having.length
    ? sql`HAVING ${sql.join(spec.having.map((h) => sql`${aggregates[spec.measures.indexOf(h.measure)]} ${HAVING_OPS[h.op]} ${String(h.value)}::numeric`), sql` AND `)}`
    : sql``;
  const orderKeys = spec.sort.length ? spec.sort : spec.groupBy.map((g) => ({ key: g.key, desc: false }));
  const order = orderKeys.map((s) => {
    const g = spec.groupBy.findIndex((x) => x.key === s.key);
    const expression = g >= 0 ? sql.ref(`s.g${g}`) : aggregates[spec.measures.findIndex((m) => m.key === s.key)]!;
    return sql`${expression} ${s.desc ? sql`DESC NULLS LAST` : sql`ASC NULLS LAST`}`;
  });
  // Subtotal rows sort after the rows they total (GROUPING bits grow as groupings roll up).
  const orderBy = order.length ? sql`ORDER BY ${sql.join(grouping ? [...order, sql`grp`] : order)}` : sql``;
  const query = sql<Record<string, unknown>>`SELECT ${sql.join(outer)} FROM (${from}) s ${groupBy} ${having} ${orderBy} LIMIT ${args.limit + 1}`;
  return { query, grouping, converting };
}
