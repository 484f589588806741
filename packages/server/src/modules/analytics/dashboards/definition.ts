import { validationFailed, type FieldError } from '../../../platform/errors.ts';
import { parseRelativeDate } from '../../../platform/query/relative-dates.ts';

/**
 * A dashboard's layout and the filters it offers (issue 16 item 4). Widgets sit on a 12-column
 * grid; each points at a saved report and says how to show it. Checked on save with errors naming
 * the field (`widgets[2].w`), so a bad layout is never stored.
 */
export const WIDGET_KINDS = ['chart', 'kpi', 'table', 'list'] as const;
export type WidgetKind = (typeof WIDGET_KINDS)[number];
export const GRID_COLUMNS = 12;
export const MAX_WIDGETS = 20;
/** Tall enough for any sensible widget; keeps a stored layout from describing a mile-long page. */
export const MAX_ROWS = 200;
export const DASHBOARD_FILTERS = ['dateRange', 'owner', 'team', 'pipeline'] as const;
export type DashboardFilterName = (typeof DASHBOARD_FILTERS)[number];

export interface Widget {
  id: string;
  reportId: string;
  kind: WidgetKind;
  title?: string;
  x: number;
  y: number;
  w: number;
  h: number;
  /** The date field the dashboard's date range applies to; default close_date, else created_at. */
  dateField?: string;
  kpi?: { measure: string; compare: 'previous_period' | null };
}

export type DateRange = { from: string; to: string } | { relative: string };

export interface DashboardFilters {
  /** Which dashboard-wide filters the filter bar offers. */
  offered: DashboardFilterName[];
  /** The date range used until the viewer picks another (e.g. this quarter). */
  defaultDateRange?: DateRange;
}

const DAY_RE = /^\d{4}-\d{2}-\d{2}$/;
const WIDGET_ID_RE = /^[A-Za-z0-9_-]{1,40}$/;

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

const isInt = (v: unknown, min: number, max: number): v is number => Number.isInteger(v) && (v as number) >= min && (v as number) <= max;

/** A date range from untrusted input, or an error naming `field`. */
export function readDateRange(input: unknown, field: string, errors: FieldError[]): DateRange | undefined {
  if (input === undefined || input === null) return undefined;
  if (isObject(input) && typeof input.relative === 'string' && Object.keys(input).length === 1) {
    if (parseRelativeDate(input.relative)) return { relative: input.relative };
    errors.push({ field: `${field}.relative`, code: 'invalid_choice', message: 'A relative date such as this_quarter, last_month or last_n_days:30' });
    return undefined;
  }
  if (isObject(input) && typeof input.from === 'string' && typeof input.to === 'string' && DAY_RE.test(input.from) && DAY_RE.test(input.to)
    && !Number.isNaN(Date.parse(`${input.from}T00:00:00Z`)) && !Number.isNaN(Date.parse(`${input.to}T00:00:00Z`))) {
    if (input.from > input.to) {
      errors.push({ field: `${field}.to`, code: 'invalid', message: 'The end of the range is before its start' });
      return undefined;
    }
    return { from: input.from, to: input.to };
  }
  errors.push({ field, code: 'type', message: '{from: "YYYY-MM-DD", to: "YYYY-MM-DD"} or {relative: "this_quarter"}' });
  return undefined;
}

export function readFilters(input: unknown, errors: FieldError[]): DashboardFilters {
  if (input === undefined || input === null) return { offered: [...DASHBOARD_FILTERS] };
  if (!isObject(input)) {
    errors.push({ field: 'filters', code: 'type', message: '{offered: [dateRange, owner, team, pipeline], defaultDateRange}' });
    return { offered: [] };
  }
  const offered = input.offered ?? [...DASHBOARD_FILTERS];
  if (!Array.isArray(offered) || offered.some((f) => !DASHBOARD_FILTERS.includes(f as DashboardFilterName))) {
    errors.push({ field: 'filters.offered', code: 'invalid_choice', message: `Some of ${DASHBOARD_FILTERS.join(', ')}` });
  }
  const defaultDateRange = readDateRange(input.defaultDateRange, 'filters.defaultDateRange', errors);
  return { offered: Array.isArray(offered) ? [...new Set(offered as DashboardFilterName[])].filter((f) => DASHBOARD_FILTERS.includes(f)) : [], ...(defaultDateRange ? { defaultDateRange } : {}) };
}

/** Shape and grid checks of the widgets; whether each report exists for the saver is checked by the store. */
export function readWidgets(input: unknown, errors: FieldError[]): Widget[] {
  if (input === undefined || input === null) return [];
  if (!Array.isArray(input)) {
    errors.push({ field: 'widgets', code: 'type', message: 'An array of widgets' });
    return [];
  }
  if (input.length > MAX_WIDGETS) {
    errors.push({ field: 'widgets', code: 'too_many', message: `At most ${MAX_WIDGETS} widgets on a dashboard` });
    return [];
  }
  const ids = new Set<string>();
  return input.flatMap((w, i): Widget[] => {
    const at = `widgets[${i}]`;
    const before = errors.length;
    if (!isObject(w)) {
      errors.push({ field: at, code: 'type', message: '{id, reportId, kind, title, x, y, w, h, kpi}' });
      return [];
    }
    const allowed = ['id', 'reportId', 'kind', 'title', 'x', 'y', 'w', 'h', 'dateField', 'kpi'];
    for (const k of Object.keys(w)) if (!allowed.includes(k)) errors.push({ field: `${at}.${k.slice(0, 32)}`, code: 'unknown_property', message: `Unknown property '${k.slice(0, 32)}'` });
    if (typeof w.id !== 'string' || !WIDGET_ID_RE.test(w.id)) errors.push({ field: `${at}.id`, code: 'type', message: 'Letters, digits, - and _ (at most 40)' });
    else if (ids.has(w.id)) errors.push({ field: `${at}.id`, code: 'duplicate', message: 'Each widget id once' });
    else ids.add(w.id);
    if (typeof w.reportId !== 'string') errors.push({ field: `${at}.reportId`, code: 'required', message: 'The saved report the widget shows' });
    if (!WIDGET_KINDS.includes(w.kind as WidgetKind)) errors.push({ field: `${at}.kind`, code: 'invalid_choice', message: `One of ${WIDGET_KINDS.join(', ')}` });
    if (w.title !== undefined && w.title !== null && (typeof w.title !== 'string' || w.title.length > 120)) errors.push({ field: `${at}.title`, code: 'type', message: 'At most 120 characters' });
    if (!isInt(w.x, 0, GRID_COLUMNS - 1)) errors.push({ field: `${at}.x`, code: 'out_of_grid', message: `A column from 0 to ${GRID_COLUMNS - 1}` });
    if (!isInt(w.w, 1, GRID_COLUMNS)) errors.push({ field: `${at}.w`, code: 'out_of_grid', message: `A width of 1 to ${GRID_COLUMNS} columns` });
    else if (isInt(w.x, 0, GRID_COLUMNS - 1) && w.x + w.w > GRID_COLUMNS) errors.push({ field: `${at}.w`, code: 'out_of_grid', message: `The widget runs past column ${GRID_COLUMNS}: x + w must be at most ${GRID_COLUMNS}` });
    if (!isInt(w.y, 0, MAX_ROWS - 1)) errors.push({ field: `${at}.y`, code: 'out_of_grid', message: `A row from 0 to ${MAX_ROWS - 1}` });
    if (!isInt(w.h, 1, 12)) errors.push({ field: `${at}.h`, code: 'out_of_grid', message: 'A height of 1 to 12 rows' });
    if (w.dateField !== undefined && w.dateField !== null && (typeof w.dateField !== 'string' || w.dateField.length > 64)) errors.push({ field: `${at}.dateField`, code: 'type', message: 'A date or date-time field of the report’s object' });
    let kpi: Widget['kpi'];
    if (w.kind === 'kpi') {
      const k = isObject(w.kpi) ? w.kpi : {};
      if (typeof k.measure !== 'string' || !k.measure) errors.push({ field: `${at}.kpi.measure`, code: 'required', message: 'The measure the KPI shows (a key of the report’s measures, e.g. sum:amount or count)' });
      if (k.compare !== undefined && k.compare !== null && k.compare !== 'previous_period') errors.push({ field: `${at}.kpi.compare`, code: 'invalid_choice', message: 'previous_period or null' });
      kpi = { measure: String(k.measure), compare: k.compare === 'previous_period' ? 'previous_period' : null };
    } else if (w.kpi !== undefined && w.kpi !== null) errors.push({ field: `${at}.kpi`, code: 'invalid', message: 'Only a KPI widget has kpi settings' });
    if (errors.length > before) return [];
    return [{
      id: w.id as string, reportId: w.reportId as string, kind: w.kind as WidgetKind, x: w.x as number, y: w.y as number, w: w.w as number, h: w.h as number,
      ...(typeof w.title === 'string' && w.title.trim() ? { title: w.title.trim() } : {}),
      ...(typeof w.dateField === 'string' ? { dateField: w.dateField } : {}),
      ...(kpi ? { kpi } : {}),
    }];
  });
}

export function assertNoErrors(errors: FieldError[]): void {
  if (errors.length) throw validationFailed(errors);
}
