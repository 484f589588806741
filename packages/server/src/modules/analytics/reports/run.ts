import { AppError } from '../../../platform/errors.ts';
import type { ObjectDefinition } from '../../../platform/metadata/types.ts';
import type { RecordContext } from '../../../platform/records/context.ts';
import { listRecords, resolveDisplayNames } from '../../../platform/records/read.ts';
import type { ApiRecord } from '../../../platform/records/hooks.ts';
import { runAggregateSpec, type AggregateAnswer, type AggregateRow } from '../aggregate/run.ts';
import type { AggregateSpec, GroupSpec } from '../aggregate/spec.ts';
import { resolveReadablePath } from '../aggregate/spec.ts';
import { analyticsSettings } from '../settings.ts';
import { brokenReason, childKey, childSpec, reportAggregateSpec, type ReportDefinition } from './definition.ts';
import { loadReport, type SavedReport } from './store.ts';

/**
 * Runs a report as the person asking (never as its author): tabular reports are a page of the
 * list read (keyset cursor, the runner's visibility and fields) with parent fields read through
 * the record service; summary and matrix reports are one aggregate statement with subtotals.
 * Each group row carries `drill`: the condition that lists exactly the records behind it.
 */
export interface TabularAnswer {
  shape: 'tabular';
  columns: Array<{ key: string; label: string; type: string }>;
  rows: ApiRecord[];
  nextCursor: string | null;
  display: Record<string, Record<string, string>>;
}

export type GroupedAnswer = AggregateAnswer & { shape: 'summary' | 'matrix'; rows: Array<AggregateRow & { drill: unknown }> };

function addDays(date: string, days: number): string {
  const d = new Date(`${date}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + days);
  return d.toISOString().slice(0, 10);
}

function addMonths(date: string, months: number): string {
  const d = new Date(`${date}T00:00:00Z`);
  d.setUTCMonth(d.getUTCMonth() + months);
  return d.toISOString().slice(0, 10);
}

/** The last day of the bucket starting on `start`. */
export function bucketEnd(start: string, bucket: NonNullable<GroupSpec['bucket']>): string {
  switch (bucket) {
    case 'day':
      return start;
    case 'week':
      return addDays(start, 6);
    case 'month':
      return addDays(addMonths(start, 1), -1);
    case 'quarter':
      return addDays(addMonths(start, 3), -1);
    case 'year':
      return addDays(addMonths(start, 12), -1);
  }
}

/** The condition for one group's value (a bucket is its whole days, in the runner's zone for date-times). */
function groupCondition(group: GroupSpec, value: unknown): unknown {
  if (value === null || value === undefined) return { field: group.path, op: 'isNull', value: true };
  if (group.bucket) return { field: group.path, op: 'between', value: [value, bucketEnd(String(value), group.bucket)] };
  if (['number', 'currency', 'percent'].includes(group.field.type)) return { field: group.path, op: 'eq', value: Number(value) };
  return { field: group.path, op: 'eq', value };
}

/** The records behind one answer row: the report's filter and every grouping it was not rolled up over. */
export function drillCondition(spec: AggregateSpec, row: AggregateRow): unknown {
  const parts: unknown[] = spec.filter !== undefined && spec.filter !== null ? [spec.filter] : [];
  for (const g of spec.groupBy) if (!row.rolledUp?.includes(g.key)) parts.push(groupCondition(g, row[g.key]));
  return { and: parts };
}

function broken(reason: string): AppError {
  return new AppError('rule_violation', `This report cannot run: ${reason}`, { errors: [{ field: 'definition', code: 'report_broken', message: reason }] });
}

async function runTabular(ctx: RecordContext, object: ObjectDefinition, def: ReportDefinition, page: { cursor?: string; limit?: number; maxLimit?: number }): Promise<TabularAnswer> {
  const registry = ctx.platform.registry;
  const columns = def.columns.length ? def.columns : [object.nameField];
  const paths = columns.map((c, i) => ({ key: c, steps: resolveReadablePath({ actor: ctx.actor, registry, object, path: c, source: `columns[${i}]` }) }));
  const direct = new Set<string>([object.nameField]);
  for (const p of paths) direct.add(p.steps[0]!.field.apiName);
  const list = await listRecords({ ctx, object, filter: def.filter ?? undefined, sort: def.sort ?? undefined, fields: [...direct], limit: page.limit ?? 50, maxLimit: page.maxLimit, cursor: page.cursor });
  // Parent fields: one list read per lookup, with the runner's access to the parent records.
  const parents = new Map<string, Map<string, ApiRecord>>();
  for (const p of paths.filter((x) => x.steps.length === 2)) {
    const lookup = p.steps[0]!.field;
    if (parents.has(lookup.apiName)) continue;
    const target = p.steps[1]!.object;
    const ids = [...new Set(list.data.map((r) => r[lookup.apiName]).filter((v): v is string => typeof v === 'string'))];
    const fields = [...new Set(paths.filter((x) => x.steps.length === 2 && x.steps[0]!.field.apiName === lookup.apiName).map((x) => x.steps[1]!.field.apiName))];
    const found = ids.length ? (await listRecords({ ctx, object: target, filter: { field: 'id', op: 'in', value: ids }, fields, limit: Math.min(200, ids.length) })).data : [];
    parents.set(lookup.apiName, new Map(found.map((r) => [r.id as string, r])));
  }
  // Child aggregates: one aggregate statement per child column over this page's records, with the
  // runner's access to the children (a child they may not see is not counted).
  const childValues = new Map<string, Map<string, unknown>>();
  const ids = list.data.map((r) => r.id as string);
  const { maxGroups } = analyticsSettings.of(ctx.platform);
  for (const [i, child] of (def.children ?? []).entries()) {
    const values = new Map<string, unknown>();
    if (ids.length) {
      const spec = childSpec(ctx.actor, registry, object, child, i, maxGroups, ids);
      const answer = await runAggregateSpec({ ctx, spec });
      for (const r of answer.rows) values.set(String(r[spec.groupBy[0]!.key]), r[spec.measures[0]!.key]);
    }
    childValues.set(childKey(child), values);
  }
  const rows = list.data.map((record) => {
    const row: ApiRecord = { id: record.id };
    for (const child of def.children ?? []) {
      const v = childValues.get(childKey(child))?.get(record.id as string);
      row[childKey(child)] = v ?? (child.fn === 'count' || child.fn === 'count_distinct' ? 0 : null);
    }
    for (const p of paths) {
      if (p.steps.length === 1) row[p.key] = record[p.key] ?? null;
      else row[p.key] = parents.get(p.steps[0]!.field.apiName)?.get(record[p.steps[0]!.field.apiName] as string)?.[p.steps[1]!.field.apiName] ?? null;
    }
    return row;
  });
  return {
    shape: 'tabular',
    columns: [
      ...paths.map((p) => ({ key: p.key, label: p.steps.map((s) => s.field.label).join(' › '), type: p.steps[p.steps.length - 1]!.field.type })),
      ...(def.children ?? []).map((c) => {
        const target = registry.requireObject(c.object);
        const field = c.field ? registry.getField(target, c.field) : undefined;
        return { key: childKey(c), label: `${target.pluralLabel}: ${c.fn}${field ? ` of ${field.label}` : ''}`, type: c.fn === 'count' || c.fn === 'count_distinct' ? 'number' : field?.type ?? 'number' };
      }),
    ],
    rows, nextCursor: list.nextCursor, display: await resolveDisplayNames(ctx, object, list.data),
  };
}

/** Runs a definition (saved or the builder's unsaved preview) as the caller. */
export async function runDefinition(args: { ctx: RecordContext; object: ObjectDefinition; definition: ReportDefinition; cursor?: string; limit?: number; maxLimit?: number }): Promise<TabularAnswer | GroupedAnswer> {
  const { ctx, object, definition: def } = args;
  const { maxGroups } = analyticsSettings.of(ctx.platform);
  const reason = brokenReason(ctx.actor, ctx.platform.registry, object.apiName, def, maxGroups);
  if (reason) throw broken(reason);
  if (!def.groupings.rows.length) return runTabular(ctx, object, def, args);
  const spec = reportAggregateSpec(ctx.actor, ctx.platform.registry, object, def, maxGroups);
  const answer = await runAggregateSpec({ ctx, spec, totals: def.totals ? { columnGroup: !!def.groupings.column } : undefined });
  return { ...answer, shape: def.groupings.column ? 'matrix' : 'summary', rows: answer.rows.map((row) => ({ ...row, drill: drillCondition(spec, row) })) };
}

export async function runReport(args: { ctx: RecordContext; id: string; cursor?: string; limit?: number }): Promise<{ report: SavedReport; answer: TabularAnswer | GroupedAnswer }> {
  const report = await loadReport(args.ctx, args.id);
  if (report.broken) throw broken(report.broken);
  const object = args.ctx.platform.registry.requireObject(report.object);
  return { report, answer: await runDefinition({ ctx: args.ctx, object, definition: report.definition, cursor: args.cursor, limit: args.limit }) };
}
