import { api, request } from '../../api/client';
import type { Condition } from '../../api/types';
import type { Answer, ChartType } from '../analytics/api';

/** Dashboards' routes (docs/analytics.md#dashboards). */
export const DASHBOARDS_PATH = '/dashboards';

export type WidgetKind = 'chart' | 'kpi' | 'table' | 'list';
export type FilterName = 'dateRange' | 'owner' | 'team' | 'pipeline';
export type DateRange = { from: string; to: string } | { relative: string };

export interface Widget {
  id: string;
  reportId: string;
  kind: WidgetKind;
  title?: string;
  x: number;
  y: number;
  w: number;
  h: number;
  dateField?: string;
  kpi?: { measure: string; compare: 'previous_period' | null };
}

export interface Dashboard {
  id: string;
  name: string;
  description: string | null;
  folder: string | null;
  ownerId: string;
  sharing: { groups: string[]; roles: string[] };
  filters: { offered: FilterName[]; defaultDateRange?: DateRange };
  widgets: Widget[];
  updatedAt: string;
}

export interface DashboardInput {
  name: string;
  description?: string | null;
  folder?: string | null;
  sharing?: { groups: string[]; roles: string[] };
  filters?: Dashboard['filters'];
  widgets: Widget[];
}

export interface RunFilters {
  dateRange?: DateRange;
  ownerId?: string;
  teamId?: string;
  pipeline?: string;
}

export interface KpiAnswer {
  measure: string;
  label: string;
  type: string;
  currency?: string;
  value: unknown;
  previous: unknown;
  change: number | null;
  previousPeriod: { from: string; to: string } | null;
  drill: Condition;
}

export interface WidgetAnswer {
  id: string;
  kind: WidgetKind;
  title: string;
  report: { id: string; name: string; object: string; chart: { type: ChartType; measure: string | null } } | null;
  ignoredFilters: FilterName[];
  dateField: string | null;
  answer?: Answer;
  kpi?: KpiAnswer;
  error?: { code: string; message: string };
}

export interface DashboardAnswer {
  dashboard: Dashboard;
  period: { from: string; to: string } | null;
  widgets: WidgetAnswer[];
  /** When the numbers were computed; `cached` when a slow answer kept for this viewer was returned. */
  asOf: string;
  cached: boolean;
}

const enc = encodeURIComponent;

export const dashboardsApi = {
  list: (folder?: string) => api.get<{ data: Dashboard[] }>(`/dashboards${folder ? `?folder=${enc(folder)}` : ''}`).then((r) => r.data),
  get: (id: string) => api.get<Dashboard>(`/dashboards/${enc(id)}`),
  create: (body: DashboardInput) => api.post<Dashboard>('/dashboards', body),
  replace: (id: string, body: DashboardInput) => request<Dashboard>(`/dashboards/${enc(id)}`, { method: 'PUT', body }),
  remove: (id: string) => request<unknown>(`/dashboards/${enc(id)}`, { method: 'DELETE' }),
  run: (id: string, filters: RunFilters, options: { signal?: AbortSignal; refresh?: boolean } = {}) =>
    api.post<DashboardAnswer>(`/dashboards/${enc(id)}/run`, { filters, ...(options.refresh ? { refresh: true } : {}) }, { signal: options.signal }),
  home: () => api.get<{ profile: string | null; dashboard: Dashboard | null }>('/dashboards/home'),
  homes: () => api.get<{ data: Array<{ profile: string; dashboardId: string }> }>('/dashboards/home/profiles').then((r) => r.data),
  setHome: (profile: string, dashboardId: string | null) => request<unknown>('/dashboards/home', { method: 'PUT', body: { profile, dashboardId } }),
};

/** The key the server gives a report measure ({fn: 'sum', field: 'amount'} → sum:amount). */
export const measureKey = (m: { fn: string; field?: string }) => (m.field ? `${m.fn}:${m.field}` : m.fn);
