import { sql } from 'kysely';
import { AppError, validationFailed, type FieldError } from '../../../platform/errors.ts';
import type { ObjectDefinition } from '../../../platform/metadata/types.ts';
import { asSystem, type RecordContext } from '../../../platform/records/context.ts';
import { listRecords } from '../../../platform/records/read.ts';
import { UUID_RE } from '../../../platform/records/values.ts';
import { resolvePeriod } from '../../../platform/query/index.ts';
import { parseRelativeDate } from '../../../platform/query/relative-dates.ts';
import { runAggregateSpec } from '../aggregate/run.ts';
import { analyticsSettings } from '../settings.ts';
import { reportAggregateSpec, type ReportDefinition } from '../reports/definition.ts';
import { runDefinition, type GroupedAnswer, type TabularAnswer } from '../reports/run.ts';
import { loadReport, type SavedReport } from '../reports/store.ts';
import { readDateRange, type DashboardFilterName, type DateRange, type Widget } from './definition.ts';
import { loadDashboard, type Dashboard } from './store.ts';

/**
 * Runs a dashboard as the viewer (issue 16 item 4): every widget's report through the reports
 * runner with the viewer's own access, the dashboard-wide filters ANDed into the report's filter
 * on the fields of the report's object that match them. A widget whose report is broken,
 * deleted or not readable by the viewer answers its own error; the others still answer.
 */
export interface RunFilters {
  dateRange?: DateRange;
  /** A user id, or "me" for the viewer. */
  ownerId?: string;
  /** A group name: records owned by its members. */
  teamId?: string;
  pipeline?: string;
}

export interface Period {
  from: string;
  to: string;
}

export interface KpiAnswer {
  measure: string;
  label: string;
  type: string;
  currency?: string;
  value: unknown;
  previous: unknown;
  /** (value − previous) / |previous|, null when there is no previous number to compare with. */
  change: number | null;
  previousPeriod: Period | null;
  /** The records behind the number (the report's filter and the dashboard's). */
  drill: unknown;
}

export interface WidgetAnswer {
  id: string;
  kind: Widget['kind'];
  title: string;
  report: { id: string; name: string; object: string; chart: ReportDefinition['chart'] } | null;
  /** Dashboard filters that do not apply to this widget's object (it has no such field). */
  ignoredFilters: DashboardFilterName[];
  /** The date field the date range applied to, if one did. */
  dateField: string | null;
  answer?: TabularAnswer | GroupedAnswer;
  kpi?: KpiAnswer;
  error?: { code: string; message: string };
}

export interface DashboardAnswer {
  dashboard: Dashboard;
  period: Period | null;
  widgets: WidgetAnswer[];
}

/** Rows a table or list widget shows; the drill-down and the report page show the rest. */
const WIDGET_PAGE = 25;
/** Widgets run at once per dashboard run (each on its own pooled connection on PostgreSQL). */
const WIDGETS_AT_ONCE = 4;

function addDays(day: string, days: number): string {
  const d = new Date(`${day}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + days);
  return d.toISOString().slice(0, 10);
}

/** A range as calendar days in the viewer's zone (a relative one resolved now). */
export function resolveRange(range: DateRange, timeZone: string, now = new Date()): Period {
  if ('from' in range) return range;
  const period = parseRelativeDate(range.relative)!;
  const { start, end } = resolvePeriod({ period, kind: 'date', context: { now, timeZone } });
  return { from: start, to: addDays(end, -1) };
}

/** The period of the same number of days just before. */
export function previousPeriod(p: Period): Period {
  const days = Math.round((Date.parse(`${p.to}T00:00:00Z`) - Date.parse(`${p.from}T00:00:00Z`)) / 86_400_000) + 1;
  return { from: addDays(p.from, -days), to: addDays(p.from, -1) };
}

function readRunFilters(dashboard: Dashboard, input: unknown): RunFilters {
  const errors: FieldError[] = [];
  const f = (typeof input === 'object' && input !== null && !Array.isArray(input) ? input : {}) as Record<string, unknown>;
  const offered = new Set(dashboard.filters.offered);
  const names: Record<string, DashboardFilterName> = { dateRange: 'dateRange', ownerId: 'owner', teamId: 'team', pipeline: 'pipeline' };
  for (const k of Object.keys(f)) {
    if (!names[k]) errors.push({ field: `filters.${k.slice(0, 32)}`, code: 'unknown_property', message: 'One of dateRange, ownerId, teamId, pipeline' });
    else if (f[k] !== undefined && f[k] !== null && !offered.has(names[k]!)) errors.push({ field: `filters.${k}`, code: 'not_offered', message: 'This dashboard does not offer that filter' });
  }
  const dateRange = readDateRange(f.dateRange, 'filters.dateRange', errors);
  const ownerId = f.ownerId ?? undefined;
  if (ownerId !== undefined && (typeof ownerId !== 'string' || (ownerId !== 'me' && !UUID_RE.test(ownerId)))) errors.push({ field: 'filters.ownerId', code: 'type', message: 'A user id or "me"' });
  const teamId = f.teamId ?? undefined;
  if (teamId !== undefined && (typeof teamId !== 'string' || !teamId || teamId.length > 100)) errors.push({ field: 'filters.teamId', code: 'type', message: 'A group name' });
  const pipeline = f.pipeline ?? undefined;
  if (pipeline !== undefined && (typeof pipeline !== 'string' || !UUID_RE.test(pipeline))) errors.push({ field: 'filters.pipeline', code: 'type', message: 'A pipeline id' });
  if (errors.length) throw validationFailed(errors);
  return { ...(dateRange ? { dateRange } : {}), ...(ownerId ? { ownerId: ownerId as string } : {}), ...(teamId ? { teamId: teamId as string } : {}), ...(pipeline ? { pipeline: pipeline as string } : {}) };
}

/** What the non-date filters resolve to once per run: the team's members, whether the pipeline is the default one. */
interface Resolved {
  ownerId?: string;
  teamMembers?: string[];
  pipeline?: { id: string; isDefault: boolean };
}

async function resolveFilters(ctx: RecordContext, filters: RunFilters): Promise<Resolved> {
  const out: Resolved = {};
  if (filters.ownerId) out.ownerId = filters.ownerId === 'me' ? ctx.actor.userId ?? undefined : filters.ownerId;
  if (filters.teamId) {
    const r = await sql<{ user_id: string }>`SELECT user_id FROM access_group_member WHERE group_name = ${filters.teamId} ORDER BY user_id`.execute(ctx.trx ?? ctx.platform.db);
    out.teamMembers = r.rows.map((m) => m.user_id);
  }
  if (filters.pipeline) {
    // Opportunities with no pipeline belong to the default one; whether this is it is not a secret, so read it as the system.
    const object = ctx.platform.registry.getObject('pipeline');
    const found = object ? (await listRecords({ ctx: asSystem(ctx), object, filter: { field: 'id', op: 'eq', value: filters.pipeline }, fields: ['is_default'], limit: 1 })).data[0] : undefined;
    out.pipeline = { id: filters.pipeline, isDefault: found?.is_default === true };
  }
  return out;
}

/** The date field a widget's date range applies to: its own choice, else close_date, else created_at. */
function dateFieldOf(ctx: RecordContext, object: ObjectDefinition, widget: Widget): string | null {
  const registry = ctx.platform.registry;
  for (const name of [widget.dateField, 'close_date', 'created_at']) {
    if (!name) continue;
    const field = registry.getField(object, name);
    if (field && ['date', 'datetime'].includes(field.type)) return name;
  }
  return null;
}

/** The dashboard's conditions on this object's fields, and the filters it has no field for. */
function dashboardConditions(ctx: RecordContext, object: ObjectDefinition, resolved: Resolved, period: Period | null, dateField: string | null): { parts: unknown[]; ignored: DashboardFilterName[] } {
  const registry = ctx.platform.registry;
  const parts: unknown[] = [];
  const ignored: DashboardFilterName[] = [];
  if (period) {
    if (dateField) parts.push({ field: dateField, op: 'between', value: [period.from, period.to] });
    else ignored.push('dateRange');
  }
  const hasOwner = !!registry.getField(object, 'owner');
  if (resolved.ownerId) {
    if (hasOwner) parts.push({ field: 'owner', op: 'eq', value: resolved.ownerId });
    else ignored.push('owner');
  }
  if (resolved.teamMembers) {
    // An empty team owns nothing: a condition no record meets.
    if (hasOwner) parts.push(resolved.teamMembers.length ? { field: 'owner', op: 'in', value: resolved.teamMembers } : { field: 'id', op: 'isNull', value: true });
    else ignored.push('team');
  }
  if (resolved.pipeline) {
    if (registry.getField(object, 'pipeline')?.lookup?.object === 'pipeline') {
      const eq = { field: 'pipeline', op: 'eq', value: resolved.pipeline.id };
      parts.push(resolved.pipeline.isDefault ? { or: [eq, { field: 'pipeline', op: 'isNull', value: true }] } : eq);
    } else ignored.push('pipeline');
  }
  return { parts, ignored };
}

function withFilter(def: ReportDefinition, parts: unknown[]): ReportDefinition {
  if (!parts.length) return def;
  const own = def.filter !== undefined && def.filter !== null ? [def.filter] : [];
  return { ...def, filter: { and: [...own, ...parts] } };
}

function toNumber(v: unknown): number | null {
  if (v === null || v === undefined || v === '') return null;
  const n = Number(v);
  return Number.isFinite(n) ? n : null;
}

async function runKpi(ctx: RecordContext, object: ObjectDefinition, def: ReportDefinition, widget: Widget, previousDef: ReportDefinition | null, period: Period | null): Promise<KpiAnswer> {
  const { maxGroups } = analyticsSettings.of(ctx.platform);
  const measureOf = async (d: ReportDefinition) => {
    const spec = reportAggregateSpec(ctx.actor, ctx.platform.registry, object, { ...d, groupings: { rows: [], column: null } }, maxGroups);
    const measure = spec.measures.find((m) => m.key === widget.kpi!.measure);
    if (!measure) throw validationFailed([{ field: 'kpi.measure', code: 'unknown_key', message: `The report no longer has the measure '${widget.kpi!.measure}'` }]);
    const answer = await runAggregateSpec({ ctx, spec: { ...spec, measures: [measure] } });
    const column = answer.columns.find((c) => c.key === measure.key)!;
    return { value: answer.rows[0]?.[measure.key] ?? null, column };
  };
  const current = await measureOf(def);
  const compare = widget.kpi!.compare === 'previous_period' && previousDef && period;
  const previous = compare ? await measureOf(previousDef) : null;
  const now = toNumber(current.value);
  const before = previous ? toNumber(previous.value) : null;
  return {
    measure: widget.kpi!.measure, label: current.column.label, type: current.column.type, ...(current.column.currency ? { currency: current.column.currency } : {}),
    value: current.value, previous: previous?.value ?? null,
    change: now !== null && before !== null && before !== 0 ? (now - before) / Math.abs(before) : null,
    previousPeriod: compare ? previousPeriod(period) : null,
    drill: def.filter ?? { and: [] },
  };
}

function widgetError(error: unknown, ctx: RecordContext, widget: Widget): { code: string; message: string } {
  if (error instanceof AppError) {
    const detail = error.errors.map((e) => e.message).filter((m) => m && m !== error.message);
    return { code: error.code === 'not_found' ? 'report_not_found' : error.code, message: error.code === 'not_found' ? 'The report was deleted or is not shared with you' : [error.message, ...detail].join('; ') };
  }
  ctx.platform.logger.error({ err: error, widget: widget.id }, 'dashboard widget failed');
  return { code: 'internal', message: 'This widget could not be run' };
}

async function runWidget(ctx: RecordContext, widget: Widget, resolved: Resolved, period: Period | null): Promise<WidgetAnswer> {
  const base: WidgetAnswer = { id: widget.id, kind: widget.kind, title: widget.title ?? '', report: null, ignoredFilters: [], dateField: null };
  let report: SavedReport | undefined;
  try {
    report = await loadReport(ctx, widget.reportId);
    base.report = { id: report.id, name: report.name, object: report.object, chart: report.definition.chart };
    base.title ||= report.name;
    if (report.broken) throw new AppError('rule_violation', `This report cannot run: ${report.broken}`);
    const object = ctx.platform.registry.requireObject(report.object);
    const dateField = period ? dateFieldOf(ctx, object, widget) : null;
    const { parts, ignored } = dashboardConditions(ctx, object, resolved, period, dateField);
    base.ignoredFilters = ignored;
    base.dateField = dateField && period ? dateField : null;
    const def = withFilter(report.definition, parts);
    if (widget.kind === 'kpi') {
      const previous = period && dateField ? withFilter(report.definition, dashboardConditions(ctx, object, resolved, previousPeriod(period), dateField).parts) : null;
      return { ...base, kpi: await runKpi(ctx, object, def, widget, previous, period) };
    }
    // A list widget shows the records behind the report, whatever its grouping.
    const shown = widget.kind === 'list' ? { ...def, groupings: { rows: [], column: null }, measures: [], children: undefined } : def;
    return { ...base, answer: await runDefinition({ ctx, object, definition: shown, limit: WIDGET_PAGE }) };
  } catch (error) {
    base.title ||= 'Widget';
    return { ...base, error: widgetError(error, ctx, widget) };
  }
}

/** Runs every widget of a dashboard the viewer may open, as the viewer, with the dashboard-wide filters. */
export async function runDashboard(args: { ctx: RecordContext; id: string; filters?: unknown; dashboard?: Dashboard }): Promise<DashboardAnswer> {
  const { ctx } = args;
  await ctx.platform.registry.ensureFresh();
  // A caller that already opened it (with the viewer's access) passes it in rather than reading it twice.
  const dashboard = args.dashboard ?? (await loadDashboard(ctx, args.id));
  const filters = readRunFilters(dashboard, args.filters);
  const range = filters.dateRange ?? dashboard.filters.defaultDateRange;
  const period = range ? resolveRange(range, ctx.actor.timeZone) : null;
  const resolved = await resolveFilters(ctx, filters);
  // A few at a time: each widget is one to three statements; in parallel they paint sooner, but a
  // dashboard of 20 must not take 20 of the pool's connections.
  const widgets: WidgetAnswer[] = new Array(dashboard.widgets.length);
  let next = 0;
  const worker = async () => {
    for (let i = next++; i < dashboard.widgets.length; i = next++) widgets[i] = await runWidget(ctx, dashboard.widgets[i]!, resolved, period);
  };
  await Promise.all(Array.from({ length: Math.min(WIDGETS_AT_ONCE, dashboard.widgets.length) }, worker));
  return { dashboard, period, widgets };
}
