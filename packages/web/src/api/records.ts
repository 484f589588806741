import { api, requestFull } from './client';
import type { BulkResult, Condition, DisplayMap, HistoryEntry, ListResult, RecordData } from './types';

export interface ListQuery {
  filter?: Condition | null;
  sort?: string;
  fields?: string[];
  limit?: number;
  cursor?: string | null;
  display?: boolean;
}

const enc = encodeURIComponent;

/** One keyset page; POST /query keeps long filters out of the URL. */
export function queryRecords(object: string, q: ListQuery, signal?: AbortSignal): Promise<ListResult> {
  const body: Record<string, unknown> = { limit: q.limit ?? 50, display: q.display ?? true };
  if (q.filter) body.filter = q.filter;
  if (q.sort) body.sort = q.sort;
  if (q.fields?.length) body.fields = q.fields;
  if (q.cursor) body.cursor = q.cursor;
  return api.post<ListResult>(`/${enc(object)}/query`, body, { signal });
}

/** Every page of a query (keyset pages of 200), with the display names of all pages merged. */
export async function queryAllRecords(object: string, q: Omit<ListQuery, 'cursor' | 'limit' | 'display'>, signal?: AbortSignal): Promise<{ data: RecordData[]; display: DisplayMap }> {
  const data: RecordData[] = [];
  let display: DisplayMap = {};
  let cursor: string | null = null;
  do {
    const page: ListResult = await queryRecords(object, { ...q, limit: 200, display: true, cursor }, signal);
    data.push(...page.data);
    display = mergeDisplay(display, page.display);
    cursor = page.nextCursor;
  } while (cursor);
  return { data, display };
}

/** Two maps of display names as one (the second's names win). */
export function mergeDisplay(a: DisplayMap, b: DisplayMap | undefined): DisplayMap {
  const out: DisplayMap = { ...a };
  for (const [object, names] of Object.entries(b ?? {})) out[object] = { ...out[object], ...names };
  return out;
}

export async function getRecord(object: string, id: string): Promise<RecordData & { _display?: Record<string, Record<string, string>> }> {
  const res = await requestFull<RecordData & { _display?: Record<string, Record<string, string>> }>(`/${enc(object)}/${enc(id)}?display=true`);
  return res.data;
}

export function createRecord(object: string, values: Record<string, unknown>, options: { allowDuplicate?: boolean; idempotencyKey?: string } = {}) {
  return api.post<RecordData>(`/${enc(object)}${options.allowDuplicate ? '?allowDuplicate=true' : ''}`, values, {
    headers: options.idempotencyKey ? { 'idempotency-key': options.idempotencyKey } : undefined,
  });
}

/** PATCH with If-Match: a stale version answers 409 version_conflict. */
export function updateRecord(object: string, id: string, values: Record<string, unknown>, version?: number, options: { allowDuplicate?: boolean } = {}) {
  return api.patch<RecordData>(`/${enc(object)}/${enc(id)}${options.allowDuplicate ? '?allowDuplicate=true' : ''}`, values, { headers: version !== undefined ? { 'if-match': `"${version}"` } : undefined });
}

export function deleteRecord(object: string, id: string) {
  return api.del(`/${enc(object)}/${enc(id)}`);
}

export function restoreRecord(object: string, id: string) {
  return api.post<RecordData>(`/${enc(object)}/${enc(id)}/restore`);
}

export function bulkWrite(object: string, operation: 'create' | 'update' | 'upsert', records: Record<string, unknown>[]) {
  return api.post<BulkResult>(`/${enc(object)}/bulk`, { operation, records });
}

export function getHistory(object: string, id: string, cursor?: string | null) {
  return api.get<{ data: HistoryEntry[]; nextCursor: string | null }>(`/${enc(object)}/${enc(id)}/history?limit=100${cursor ? `&cursor=${enc(cursor)}` : ''}`);
}

/** The size of each related list of a record (every lookup pointing at it), under the caller's access. */
export interface RelatedCount {
  object: string;
  field: string;
  count: number;
  /** false: the planner's estimate (more than 10,000). */
  exact: boolean;
}
export function getRelatedCounts(object: string, id: string) {
  return api.get<{ data: RelatedCount[] }>(`/${enc(object)}/${enc(id)}/related-counts`).then((r) => r.data);
}

/** How many records a filter matches (exact up to 10,000, else "about"). */
export function countRecords(object: string, filter?: unknown) {
  return api.post<{ count: number; exact: boolean }>(`/${enc(object)}/count`, filter === undefined ? {} : { filter });
}
