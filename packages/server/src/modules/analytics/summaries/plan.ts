import { sql, type RawBuilder } from 'kysely';
import { visibilityByOwner } from '../../../platform/access/policy.ts';
import { conditionFields } from '../../../platform/query/index.ts';
import type { RecordContext } from '../../../platform/records/context.ts';
import { filterCondition } from '../../../platform/records/read.ts';
import { unconvertible, type CorporateRates } from '../../billing/index.ts';
import { convertsCurrency } from '../aggregate/compile.ts';
import type { AggregateSpec, MeasureSpec } from '../aggregate/spec.ts';
import { summaryOf, type Summary } from './declared.ts';
import { countColumn, sumColumn } from './store.ts';

/**
 * Whether an aggregate question can read its object's summary instead of its records, and the
 * summary's part of the answer (docs/analytics.md, "Summaries"): the partial figures per raw group
 * value, in the same columns the records' first level gives (compile.ts), so the rest of the
 * statement cannot tell the two apart.
 *
 * It can when every grouping and every filtered field is a kept dimension (date buckets of a
 * kept date included), every measure is a count, or a sum or average of a kept measure, and the
 * reader's visibility is "everything" or splits by owner: the owners seen whole (the reader and
 * their subordinates) come from the summary, and the records visible another way (record team,
 * sharing rules) from the records themselves, unioned (`records` below). Money is exact only where
 * each record's conversion is the identity (rate 1, a corporate currency with cents or finer): a
 * summary holding amounts that convert at another rate is not used, because each record's amount
 * is rounded after conversion and a kept sum cannot be.
 */
export interface SummaryPlan {
  summary: Summary;
  /** The summary's first-level select (alias t0): r0…, the measures' partials, uc. */
  summaryPart: RawBuilder<unknown>;
  /** For a restricted reader: the records visible other than by owner, to add from the table (alias t0). */
  records?: RawBuilder<boolean>;
}

const SUMMED = new Set<MeasureSpec['fn']>(['count', 'sum', 'avg']);

export async function planSummary(args: { ctx: RecordContext; spec: AggregateSpec; rates?: CorporateRates }): Promise<SummaryPlan | undefined> {
  const { ctx, spec, rates } = args;
  const summary = summaryOf(ctx.platform.registry, spec.object);
  if (!summary) return undefined;
  const dims = new Map(summary.dimensions.map((d) => [d.apiName, d]));
  const kept = new Set(summary.measures.map((m) => m.apiName));
  for (const g of spec.groupBy) {
    if (g.steps.length !== 1 || !dims.has(g.field.apiName)) return undefined;
    if (g.bucket && g.field.type !== 'date') return undefined;
  }
  for (const m of spec.measures) {
    if (!SUMMED.has(m.fn)) return undefined;
    if (m.steps && (m.steps.length !== 1 || !kept.has(m.field!.apiName))) return undefined;
  }
  const filter = filterCondition(ctx, spec.object, spec.filter, 't0');
  if (filter && conditionFields(filter.parsed).some((path) => path.includes('.') || !dims.has(path))) return undefined;
  const visibility = visibilityByOwner(ctx.actor, spec.object, 't0');
  if (visibility !== 'all' && ('condition' in visibility || !dims.has('owner'))) return undefined;
  const money = spec.measures.some(convertsCurrency);
  if (money && !(await moneyIsExact(ctx, summary, rates!))) return undefined;

  const where: RawBuilder<unknown>[] = [];
  if (filter) where.push(filter.sql);
  let records: RawBuilder<boolean> | undefined;
  if (visibility !== 'all') {
    const owners = [...(visibility.me ? [visibility.me] : []), ...visibility.subordinates];
    const owned = sql<boolean>`t0.owner_id = ANY(${owners}::uuid[])`;
    where.push(owned);
    // IS NOT TRUE: a record without an owner, visible through its team, is not in the owned part.
    records = visibility.others.length ? sql<boolean>`(${owned}) IS NOT TRUE AND (${sql.join(visibility.others, sql` OR `)})` : undefined;
  }
  const currency = sql.ref('t0.currency');
  const usable = money ? sql`NOT ${unconvertible(currency, rates!)}` : undefined;
  const select: RawBuilder<unknown>[] = spec.groupBy.map((g, i) => sql`${sql.ref(`t0.${g.field.column}`)} AS ${sql.id(`r${i}`)}`);
  spec.measures.forEach((m, i) => select.push(...partialsFromSummary(m, i, convertsCurrency(m) ? usable : undefined)));
  if (money) select.push(sql`coalesce(sum(t0.n) FILTER (WHERE ${unconvertible(currency, rates!)}), 0) AS uc`);
  const positions = spec.groupBy.map((_, i) => sql.raw(String(i + 1)));
  const summaryPart = sql`SELECT ${sql.join(select)} FROM ${sql.table(summary.table)} AS t0
    ${where.length ? sql`WHERE ${sql.join(where, sql` AND `)}` : sql``}
    ${positions.length ? sql`GROUP BY ${sql.join(positions)}` : sql``} HAVING sum(t0.n) <> 0`;
  return { summary, summaryPart, records };
}

/** A measure's partials from summary rows, in compile.ts partialsOf's columns; `only` keeps the rows whose money converts. */
function partialsFromSummary(measure: MeasureSpec, index: number, only: RawBuilder<unknown> | undefined): RawBuilder<unknown>[] {
  const n = sql.id(`n${index}`);
  const p = sql.id(`p${index}`);
  const filtered = (e: RawBuilder<unknown>) => (only ? sql`${e} FILTER (WHERE ${only})` : e);
  if (!measure.steps) return [sql`sum(t0.n) AS ${n}`];
  const count = filtered(sql`sum(${sql.ref(`t0.${countColumn(measure.field!)}`)})`);
  const total = sql`CASE WHEN coalesce(${count}, 0) = 0 THEN NULL ELSE ${filtered(sql`sum(${sql.ref(`t0.${sumColumn(measure.field!)}`)})`)} END`;
  if (measure.fn === 'count') return [sql`coalesce(sum(${sql.ref(`t0.${countColumn(measure.field!)}`)}), 0) AS ${n}`];
  if (measure.fn === 'sum') return [sql`${total} AS ${p}`];
  return [sql`${total} AS ${p}`, sql`coalesce(${count}, 0) AS ${n}`];
}

/**
 * Whether every kept amount converts by the identity: the corporate currency has cents or finer
 * (the columns hold cents), and no currency converting at another rate holds an amount.
 */
async function moneyIsExact(ctx: RecordContext, summary: Summary, rates: CorporateRates): Promise<boolean> {
  if (rates.minorUnits < 2 || !summary.dimensions.some((d) => d.apiName === 'currency')) return false;
  const converting = [...rates.rates].filter(([, rate]) => rate !== '' && Number(rate) !== 1).map(([c]) => c);
  if (!converting.length) return true;
  const measures = summary.measures.map((m) => sql`sum(${sql.id(countColumn(m))}) <> 0`);
  const r = await sql`SELECT 1 FROM ${sql.table(summary.table)} WHERE coalesce(currency, ${rates.currency}) = ANY(${converting}::text[])
    GROUP BY currency HAVING ${sql.join(measures, sql` OR `)} LIMIT 1`.execute(ctx.trx ?? ctx.platform.db);
  return r.rows.length === 0;
}
