import { api, ApiError } from '../../api/client';
import type { BodyOf, Problem, ResponseOf } from '../../api/types';

/** An import with its options and progress (GET /api/v1/imports/{id}). */
export type ImportView = ResponseOf<'getImport'>;
export type ImportSetup = ResponseOf<'getImportSetup'>;
/** A whole-file dry run: its status and progress while it runs, then its counts and the first 100 outcomes. */
export type DryRun = ResponseOf<'getImportDryRun'>;
export type ImportPatch = BodyOf<'configureImport'>;
export type ColumnChoice = ImportView['options']['columns'][number];

export const importsApi = {
  list: () => api.get<{ data: ImportView[] }>('/imports?limit=100'),
  get: (id: string) => api.get<ImportView>(`/imports/${id}`),
  setup: (id: string) => api.get<ImportSetup>(`/imports/${id}/setup`),
  configure: (id: string, body: ImportPatch) => api.patch<ImportView>(`/imports/${id}`, body),
  /** Starts a dry run of the whole file: 200 with the result for a short file, else 202 and it goes on in the background. */
  dryRun: (id: string) => api.post<DryRun>(`/imports/${id}/dry-run`),
  /** The latest dry run, or null when the import has none yet. */
  getDryRun: (id: string) => api.get<DryRun>(`/imports/${id}/dry-run`).catch((e: unknown) => {
    if (e instanceof ApiError && e.status === 404) return null;
    throw e;
  }),
  cancelDryRun: (id: string) => api.post<DryRun>(`/imports/${id}/dry-run/cancel`),
  start: (id: string) => api.post<ImportView>(`/imports/${id}/start`),
  cancel: (id: string) => api.post<ImportView>(`/imports/${id}/cancel`),
  undo: (id: string) => api.post<ImportView>(`/imports/${id}/undo`),
  errorsUrl: (id: string) => `/api/v1/imports/${id}/errors.csv`,
  /** multipart/form-data (the object first, then the file): the JSON client does not send files. */
  async upload(object: string, file: File): Promise<ImportView> {
    const form = new FormData();
    form.append('object', object);
    form.append('file', file, file.name);
    const res = await fetch('/api/v1/imports', { method: 'POST', body: form, credentials: 'same-origin', headers: { accept: 'application/json' } });
    const body = (await res.json().catch(() => ({}))) as unknown;
    if (!res.ok) {
      const p = (body && typeof body === 'object' ? body : {}) as Partial<Problem>;
      throw new ApiError({ ...p, status: res.status, code: p.code ?? `http_${res.status}`, detail: p.detail ?? res.statusText } as Problem, res.headers);
    }
    return body as ImportView;
  },
};

export const STATUS_COLORS: Record<string, string> = { draft: 'gray', queued: 'blue', running: 'blue', completed: 'green', failed: 'red', cancelled: 'orange', undoing: 'grape', undone: 'gray' };
export const STATUS_LABELS: Record<string, string> = { draft: 'Draft', queued: 'Queued', running: 'Running', completed: 'Completed', failed: 'Failed', cancelled: 'Cancelled', undoing: 'Undoing', undone: 'Undone' };
