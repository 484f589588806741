import { AppError } from '../../../platform/errors.ts';
import { assertObjectPermission } from '../../../platform/access/policy.ts';
import type { ObjectDefinition } from '../../../platform/metadata/types.ts';
import type { RecordContext } from '../../../platform/records/context.ts';
import { resolveDisplayNames } from '../../../platform/records/read.ts';
import { analyticsSettings } from '../settings.ts';
import { compileAggregate, convertsCurrency } from './compile.ts';
import { currencyChoices, unconvertedWarning } from '../../billing/index.ts';
import { corporateRates } from './rates.ts';
import { planSummary } from '../summaries/plan.ts';
import { parseAggregateSpec, type AggregateSpec, type GroupSpec, type MeasureSpec } from './spec.ts';

export interface AggregateColumn {
  key: string;
  kind: 'group' | 'measure';
  label: string;
  /** The field type of the value (a bucket is a 'date': the first day of the period). */
  type: string;
  bucket?: string;
  fn?: string;
  /** Money converted to this currency (the corporate one). */
  currency?: string;
}

export type AggregateRow = Record<string, unknown> & { rolledUp?: string[] };

export interface AggregateAnswer {
  columns: AggregateColumn[];
  rows: AggregateRow[];
  /** An explicit limit cut the answer short. */
  truncated: boolean;
  /** Names of the records lookup groups point to (only records the caller may see): `{ "account": { "<id>": "Acme" } }`. */
  display: Record<string, Record<string, string>>;
  warnings: string[];
}

function labelOf(steps: GroupSpec['steps']): string {
  return steps.map((s) => s.field.label).join(' › ');
}

const FN_LABELS: Record<MeasureSpec['fn'], string> = { count: 'Count', count_distinct: 'Distinct', sum: 'Sum', avg: 'Average', min: 'Min', max: 'Max' };

function columnsOf(spec: AggregateSpec, currency: string | undefined): AggregateColumn[] {
  return [
    ...spec.groupBy.map((g): AggregateColumn => ({ key: g.key, kind: 'group', label: labelOf(g.steps) + (g.bucket ? ` (${g.bucket})` : ''), type: g.bucket ? 'date' : g.field.type, ...(g.bucket ? { bucket: g.bucket } : {}) })),
    ...spec.measures.map((m): AggregateColumn => ({
      key: m.key, kind: 'measure', fn: m.fn,
      label: m.steps ? `${FN_LABELS[m.fn]} of ${labelOf(m.steps)}` : 'Count',
      type: m.fn === 'count' || m.fn === 'count_distinct' ? 'number' : m.field!.type,
      ...(currency && convertsCurrency(m) ? { currency } : {}),
    })),
  ];
}

/** Runs a checked spec (reports call this too); `totals` adds subtotal rows marked with `rolledUp`. */
export async function runAggregateSpec(args: {
  ctx: RecordContext;
  spec: AggregateSpec;
  totals?: { columnGroup: boolean };
  /** Read the records even where a summary could answer (tests and benchmarks compare both). */
  records?: boolean;
}): Promise<AggregateAnswer> {
  const { ctx, spec } = args;
  assertObjectPermission(ctx.actor, spec.object, 'read');
  const { maxGroups } = analyticsSettings.of(ctx.platform);
  const needsRates = spec.measures.some(convertsCurrency);
  const rates = needsRates ? await corporateRates(ctx, currenciesOf(spec)) : undefined;
  const limit = spec.limit ?? maxGroups;
  const summary = args.records ? undefined : await planSummary({ ctx, spec, rates });
  const compiled = compileAggregate({ ctx, spec, rates, limit, totals: args.totals, summary });
  const result = await compiled.query.execute(ctx.trx ?? ctx.platform.db);
  if (result.rows.length > limit && spec.limit === undefined) {
    throw new AppError('rule_violation', `The question has more than ${maxGroups.toLocaleString('en-US')} groups; filter it, group by fewer fields or a coarser date bucket, or pass a limit`, {
      errors: [{ field: 'groupBy', code: 'too_many_groups', message: `More than ${maxGroups} groups; at most ${maxGroups} are answered` }],
      extra: { maxGroups },
    });
  }
  const truncated = result.rows.length > limit;
  const raw = truncated ? result.rows.slice(0, limit) : result.rows;
  let unconverted = 0;
  const rows = raw.map((r) => {
    const row: AggregateRow = {};
    spec.groupBy.forEach((g, i) => (row[g.key] = r[`g${i}`] ?? null));
    spec.measures.forEach((m, i) => (row[m.key] = r[`m${i}`] ?? null));
    if (compiled.grouping) {
      const bits = Number(r.grp ?? 0);
      const n = spec.groupBy.length;
      const rolled = spec.groupBy.filter((_, i) => bits & (1 << (n - 1 - i))).map((g) => g.key);
      if (rolled.length) row.rolledUp = rolled;
    }
    if (compiled.converting && !(compiled.grouping && row.rolledUp)) unconverted += Number(r.unconverted ?? 0);
    return row;
  });
  const warnings: string[] = [];
  if (unconverted > 0) warnings.push(unconvertedWarning(unconverted, rates!));
  return { columns: columnsOf(spec, rates?.currency), rows, truncated, display: await displayNames(ctx, spec, rows), warnings };
}

function currenciesOf(spec: AggregateSpec): string[] {
  const values = new Set<string>();
  for (const m of spec.measures.filter(convertsCurrency)) {
    const holder = m.steps![m.steps!.length - 1]!.object;
    for (const v of currencyChoices(holder)) values.add(v);
  }
  return [...values];
}

/** Display names for lookup groupings, through the record service's resolver (one query per target, caller's access). */
async function displayNames(ctx: RecordContext, spec: AggregateSpec, rows: AggregateRow[]): Promise<Record<string, Record<string, string>>> {
  const out: Record<string, Record<string, string>> = {};
  for (const g of spec.groupBy) {
    if (!g.field.lookup && g.field.type !== 'user') continue;
    const holder = g.steps[g.steps.length - 1]!.object;
    const records = rows.filter((r) => typeof r[g.key] === 'string').map((r) => ({ [g.field.apiName]: r[g.key] }));
    if (!records.length) continue;
    const names = await resolveDisplayNames(ctx, holder, records as never);
    const target = g.field.lookup?.object ?? 'user';
    out[g.key] = names[target] ?? {};
  }
  return out;
}

/** `POST /api/v1/{object}/aggregate`: checks the body and answers it in one statement. */
export async function aggregateRecords(args: { ctx: RecordContext; object: ObjectDefinition; input: unknown }): Promise<AggregateAnswer> {
  const { ctx, object } = args;
  assertObjectPermission(ctx.actor, object, 'read');
  const spec = parseAggregateSpec({ actor: ctx.actor, registry: ctx.platform.registry, object, input: args.input, maxGroups: analyticsSettings.of(ctx.platform).maxGroups });
  return runAggregateSpec({ ctx, spec });
}
