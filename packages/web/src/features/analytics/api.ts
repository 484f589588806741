import { api, request } from '../../api/client';
import type { BodyOf, Condition, Known, RecordData, ResponseOf } from '../../api/types';

/** Analytics' routes (docs/analytics.md): reports, folders, the builder's preview, drill-down through the list read. */
export const REPORTS_PATH = '/reports';

/*
 * Reports' shapes are generated from the server's OpenAPI document (api/openapi.gen.ts). Conditions
 * are published loosely there (a route's schema cannot point at components.schemas.Condition), so
 * the members that hold one — a definition's filter, a row's drill — are read as Condition here.
 */
type GeneratedReport = ResponseOf<'getReport'>;
type GeneratedAnswer = ResponseOf<'runReport'>;

export type ReportDefinition = Omit<GeneratedReport['definition'], 'filter'> & { filter: Condition | null };
export type Grouping = ReportDefinition['groupings']['rows'][number];
export type Bucket = NonNullable<Extract<Grouping, { field: string }>['bucket']>;
export type Measure = ReportDefinition['measures'][number];
export type ChartType = ReportDefinition['chart']['type'];

export type Report = Omit<GeneratedReport, 'definition'> & { definition: ReportDefinition };
export type Folder = ResponseOf<'createReportFolder', 201>;

export type AnswerColumn = GeneratedAnswer['columns'][number];
/** A row: its values under the column keys; a grouped row also says what it rolls up and the records behind it (drill). */
export type AnswerRow = Omit<Known<GeneratedAnswer['rows'][number]>, 'drill'> & { drill?: Condition } & Record<string, unknown>;
export type Answer = Omit<GeneratedAnswer, 'rows'> & { rows: AnswerRow[] };

export type ReportInput = Omit<BodyOf<'createReport'>, 'definition'> & { definition: ReportDefinition };

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
