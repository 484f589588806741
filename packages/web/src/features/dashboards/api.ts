import { api, request } from '../../api/client';
import type { BodyOf, Condition, ResponseOf } from '../../api/types';
import type { Answer } from '../analytics/api';

/** Dashboards' routes (docs/analytics.md#dashboards). */
export const DASHBOARDS_PATH = '/dashboards';

/*
 * Dashboards' shapes are generated from the server's OpenAPI document (api/openapi.gen.ts); a KPI's
 * drill and a widget's report answer hold conditions, read as Condition (see analytics/api.ts).
 */
export type Dashboard = ResponseOf<'getDashboard'>;
export type Widget = Dashboard['widgets'][number];
export type WidgetKind = Widget['kind'];
export type FilterName = Dashboard['filters']['offered'][number];
export type DateRange = NonNullable<Dashboard['filters']['defaultDateRange']>;
export type DashboardInput = BodyOf<'createDashboard'>;
export type RunFilters = NonNullable<BodyOf<'runDashboard'>['filters']>;

type GeneratedRun = ResponseOf<'runDashboard'>;
type GeneratedWidgetAnswer = GeneratedRun['widgets'][number];
export type KpiAnswer = Omit<NonNullable<GeneratedWidgetAnswer['kpi']>, 'drill'> & { drill: Condition };
export type WidgetAnswer = Omit<GeneratedWidgetAnswer, 'answer' | 'kpi'> & { answer?: Answer; kpi?: KpiAnswer };
/** Every widget's answer; `asOf` says when the numbers were computed, `cached` whether a slow answer kept for this viewer was returned. */
export type DashboardAnswer = Omit<GeneratedRun, 'widgets'> & { widgets: WidgetAnswer[] };

const enc = encodeURIComponent;

export const dashboardsApi = {
  list: (folder?: string) => api.get<ResponseOf<'listDashboards'>>(`/dashboards${folder ? `?folder=${enc(folder)}` : ''}`).then((r) => r.data),
  get: (id: string) => api.get<Dashboard>(`/dashboards/${enc(id)}`),
  create: (body: DashboardInput) => api.post<Dashboard>('/dashboards', body),
  replace: (id: string, body: DashboardInput) => request<Dashboard>(`/dashboards/${enc(id)}`, { method: 'PUT', body }),
  remove: (id: string) => request<unknown>(`/dashboards/${enc(id)}`, { method: 'DELETE' }),
  run: (id: string, filters: RunFilters, options: { signal?: AbortSignal; refresh?: boolean } = {}) =>
    api.post<DashboardAnswer>(`/dashboards/${enc(id)}/run`, { filters, ...(options.refresh ? { refresh: true } : {}) }, { signal: options.signal }),
  home: () => api.get<ResponseOf<'getHomeDashboard'>>('/dashboards/home'),
  homes: () => api.get<ResponseOf<'listHomeDashboards'>>('/dashboards/home/profiles').then((r) => r.data),
  setHome: (profile: string, dashboardId: string | null) => request<ResponseOf<'setHomeDashboard'>>('/dashboards/home', { method: 'PUT', body: { profile, dashboardId } satisfies BodyOf<'setHomeDashboard'> }),
};

/** The key the server gives a report measure ({fn: 'sum', field: 'amount'} → sum:amount). */
export const measureKey = (m: { fn: string; field?: string | null }) => (m.field ? `${m.fn}:${m.field}` : m.fn);
