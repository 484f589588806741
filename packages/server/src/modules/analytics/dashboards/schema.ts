import { T } from '../../../platform/http/schema/common.ts';
import { ReportAnswerSchema, ReportChartSchema, SharingSchema } from '../reports/schema.ts';
import { DASHBOARD_FILTERS, WIDGET_KINDS } from './definition.ts';

/**
 * What the dashboard routes answer, declared exactly (as reports/schema.ts): the test servers
 * check every answer against these and the web app's types are generated from them. Input is
 * declared loosely in routes.ts, since definition.ts checks it and names each field it refuses.
 */
const Nullable = T.Union([T.String(), T.Null()]);
const Day = T.String({ pattern: '^\\d{4}-\\d{2}-\\d{2}$' });
export const WidgetKindSchema = T.Union(WIDGET_KINDS.map((k) => T.Literal(k)));
export const FilterNameSchema = T.Union(DASHBOARD_FILTERS.map((f) => T.Literal(f)));
export const DateRangeSchema = T.Union([T.Object({ from: Day, to: Day }, { additionalProperties: false }), T.Object({ relative: T.String({ maxLength: 40 }) }, { additionalProperties: false })], { description: 'Calendar days in your zone, both included, or a relative date (this_quarter, last_n_days:30)' });
const PeriodSchema = T.Object({ from: Day, to: Day }, { additionalProperties: false });

export const WidgetSchema = T.Object({
  id: T.String(), reportId: T.String(), kind: WidgetKindSchema, title: T.Optional(T.String()),
  x: T.Integer(), y: T.Integer(), w: T.Integer(), h: T.Integer(),
  dateField: T.Optional(T.String({ description: 'The date field the date range applies to; default close_date, else created_at' })),
  kpi: T.Optional(T.Object({ measure: T.String({ description: 'A measure key of the report (`sum:amount`)' }), compare: T.Union([T.Literal('previous_period'), T.Null()]) }, { additionalProperties: false })),
}, { additionalProperties: false, description: 'A widget on the 12-column grid showing a saved report' });

export const DashboardSchema = T.Object({
  id: T.String({ format: 'uuid' }), name: T.String(), description: Nullable, folder: Nullable, ownerId: T.String(), sharing: SharingSchema,
  filters: T.Object({ offered: T.Array(FilterNameSchema), defaultDateRange: T.Optional(DateRangeSchema) }, { additionalProperties: false, description: 'The dashboard-wide filters the filter bar offers and the date range used until the viewer picks one' }),
  widgets: T.Array(WidgetSchema), updatedAt: T.String(),
}, { additionalProperties: false, description: 'A dashboard: a layout of widgets over saved reports; sharing shares the layout, never the answers' });

export const KpiAnswerSchema = T.Object({
  measure: T.String(), label: T.String(), type: T.String({ description: 'The field type of the value' }), currency: T.Optional(T.String()),
  value: T.Union([T.String(), T.Number(), T.Null()], { description: 'Sums and averages as decimal strings, counts as integers, a date for min/max of dates' }),
  previous: T.Union([T.String(), T.Number(), T.Null()], { description: 'The same measure over the previous period' }),
  change: T.Union([T.Number(), T.Null()], { description: '(value − previous) / |previous|; null with nothing to compare with' }),
  previousPeriod: T.Union([PeriodSchema, T.Null()]),
  drill: T.Unknown({ description: 'The condition (components.schemas.Condition) listing the records behind the number' }),
}, { additionalProperties: false });

export const WidgetAnswerSchema = T.Object({
  id: T.String(), kind: WidgetKindSchema, title: T.String(),
  report: T.Union([T.Object({ id: T.String(), name: T.String(), object: T.String(), chart: ReportChartSchema }, { additionalProperties: false }), T.Null()]),
  ignoredFilters: T.Array(FilterNameSchema, { description: 'Dashboard filters this widget\'s object has no field for' }),
  dateField: T.Union([T.String(), T.Null()], { description: 'The date field the date range applied to' }),
  answer: T.Optional(ReportAnswerSchema), kpi: T.Optional(KpiAnswerSchema),
  error: T.Optional(T.Object({ code: T.String(), message: T.String() }, { additionalProperties: false })),
}, { additionalProperties: false, description: 'A widget\'s answer: the report\'s (chart, table, list), a KPI with its previous period, or its own error' });

export const DashboardRunSchema = T.Object({
  dashboard: DashboardSchema, period: T.Union([PeriodSchema, T.Null()]), widgets: T.Array(WidgetAnswerSchema),
  asOf: T.String({ format: 'date-time', description: 'When these numbers were computed' }),
  cached: T.Boolean({ description: 'Whether a slow answer kept for this viewer was returned (MERIDIAN_DASHBOARD_CACHE_SECONDS) rather than run for this request' }),
}, { additionalProperties: false });

export const HomeDashboardSchema = T.Object({ profile: Nullable, dashboard: T.Union([DashboardSchema, T.Null()]) }, { additionalProperties: false });
export const ProfileHomeSchema = T.Object({ profile: T.String(), dashboardId: T.String() }, { additionalProperties: false });
export const SetHomeSchema = T.Object({ profile: T.String(), dashboardId: Nullable }, { additionalProperties: false });
