import { api, request } from '../../api/client';
import type { Condition, RecordData, BodyOf, ResponseOf } from '../../api/types';

/** Analytics' routes (docs/analytics.md): reports, folders, the builder's preview, drill-down through the list read. */
export const REPORTS_PATH = '/reports';

export type Bucket = 'day' | 'week' | 'month' | 'quarter' | 'year';
export type Grouping = string | { field: string; bucket?: Bucket };
export interface Measure { fn: 'count' | 'count_distinct' | 'sum' | 'avg' | 'min' | 'max'; field?: string }
export type ChartType = 'none' | 'bar' | 'stacked_bar' | 'line' | 'area' | 'donut' | 'funnel' | 'kpi';

export interface ReportDefinition {
  columns: string[];
  filter: Condition | null;
  sort: string | null;
  groupings: { rows: Grouping[]; column: Grouping | null };
  measures: Measure[];
  totals: boolean;
  chart: { type: ChartType; measure: string | null };
}

export interface Report {
  id: string;
  name: string;
  description: string | null;
  folder: string | null;
  object: string;
  ownerId: string;
  shape: 'tabular' | 'summary' | 'matrix';
  definition: ReportDefinition;
  sharing: { groups: string[]; roles: string[] };
  broken: string | null;
  /** Shipped with Meridian: everyone may open it, admins change it. */
  standard: boolean;
  updatedAt: string;
}

export interface Folder { id: string; name: string; ownerId: string; shared: boolean }

export interface AnswerColumn { key: string; label: string; type: string; kind?: 'group' | 'measure'; bucket?: string; fn?: string; currency?: string }
export type AnswerRow = Record<string, unknown> & { rolledUp?: string[]; drill?: Condition };

export interface Answer {
  shape: 'tabular' | 'summary' | 'matrix';
  columns: AnswerColumn[];
  rows: AnswerRow[];
  nextCursor?: string | null;
  truncated?: boolean;
  display: Record<string, Record<string, string>>;
  warnings?: string[];
}

export interface ReportInput { name: string; object?: string; folder: string | null; definition: ReportDefinition; sharing: { groups: string[]; roles: string[] } }

export const emptyDefinition = (): ReportDefinition => ({ columns: [], filter: null, sort: null, groupings: { rows: [], column: null }, measures: [{ fn: 'count' }], totals: true, chart: { type: 'bar', measure: null } });

export const analyticsApi = {
  reports: (folder?: string) => api.get<{ data: Report[] }>(`/reports${folder ? `?folder=${encodeURIComponent(folder)}` : ''}`).then((r) => r.data),
  report: (id: string) => api.get<Report>(`/reports/${encodeURIComponent(id)}`),
  create: (body: ReportInput) => api.post<Report>('/reports', body),
  replace: (id: string, body: ReportInput) => request<Report>(`/reports/${encodeURIComponent(id)}`, { method: 'PUT', body }),
  remove: (id: string) => request<unknown>(`/reports/${encodeURIComponent(id)}`, { method: 'DELETE' }),
  run: (id: string, page: { cursor?: string } = {}) => api.post<Answer>(`/reports/${encodeURIComponent(id)}/run`, page),
  preview: (object: string, definition: ReportDefinition, signal?: AbortSignal) => api.post<Answer>('/reports/preview', { object, definition }, { signal }),
  folders: () => api.get<{ data: Folder[] }>('/report-folders').then((r) => r.data),
  createFolder: (body: { name: string; shared: boolean }) => api.post<Folder>('/report-folders', body),
  drill: (object: string, filter: Condition, cursor?: string) =>
    api.post<{ data: RecordData[]; nextCursor: string | null }>(`/${encodeURIComponent(object)}/query`, { filter, limit: 50, ...(cursor ? { cursor } : {}) }),
};

/** A report schedule as the server answers it (docs/analytics.md#schedules). */
export type Schedule = ResponseOf<'createReportSchedule', 201>;
export type ScheduleInput = BodyOf<'createReportSchedule'>;

/** What a schedule sends: a saved report or a dashboard. */
export interface ScheduleTarget { kind: 'report' | 'dashboard'; id: string; name: string; ownerId: string }
const schedulesPath = (t: Pick<ScheduleTarget, 'kind' | 'id'>) => `/${t.kind}s/${encodeURIComponent(t.id)}/schedules`;

export const scheduleApi = {
  list: (target: ScheduleTarget) => api.get<{ data: Schedule[] }>(schedulesPath(target)).then((r) => r.data),
  create: (target: ScheduleTarget, body: ScheduleInput) => api.post<Schedule>(schedulesPath(target), body),
  remove: (id: string) => request<unknown>(`/report-schedules/${encodeURIComponent(id)}`, { method: 'DELETE' }),
  sendNow: (id: string) => api.post<ResponseOf<'sendReportScheduleNow'>>(`/report-schedules/${encodeURIComponent(id)}/send`, {}),
  users: () => api.post<{ data: RecordData[] }>('/user/query', { limit: 200, sort: 'full_name', fields: ['full_name', 'email'] }).then((r) => r.data),
};

/** The report as a file, run as the signed-in user; the browser downloads it (content-disposition: attachment). */
export const reportExportUrl = (id: string, format: 'csv' | 'xlsx') => `/api/v1/reports/${encodeURIComponent(id)}/export?format=${format}`;

export const DATA_QUALITY_PATH = '/data-quality';
export type QualityAnswer = ResponseOf<'measureDataQuality'>;
export const qualityApi = {
  measure: (object: string) => api.get<QualityAnswer>(`/data-quality/${encodeURIComponent(object)}`),
  records: (object: string, check: string, owner: string | null) =>
    api.get<ResponseOf<'listDataQualityRecords'>>(`/data-quality/${encodeURIComponent(object)}/records?check=${encodeURIComponent(check)}${owner ? `&owner=${encodeURIComponent(owner)}` : ''}`),
};
