import { api, ApiError } from './client';
import type { BodyOf, Known, Problem, RecordData, ResponseOf } from './types';

/** GET /{object}/{id}/timeline (docs/activities.md, "Timeline"). */
export type TimelinePage = ResponseOf<'getTimeline'>;
/** One entry: kind is task, meeting, call, email_log, note, attachment — or change for a history entry. */
export type TimelineItem = Known<TimelinePage['data'][number]>;

export type ActivityType = 'task' | 'meeting' | 'call' | 'email_log' | 'note';

export type FollowUpInput = BodyOf<'createFollowUp'>;

/** POST /activities/meetings: a meeting with its invitees (colleagues, contacts) and the records it is about. */
export type ScheduleMeetingInput = BodyOf<'scheduleMeeting'>;

const enc = encodeURIComponent;
const base = (object: string, id: string) => `/${enc(object)}/${enc(id)}`;
const idempotent = (key?: string) => (key ? { headers: { 'idempotency-key': key } } : undefined);

export const timelineKey = (object: string, id: string) => ['timeline', object, id] as const;

export const activitiesApi = {
  timeline: (object: string, id: string, cursor?: string | null, limit = 50) =>
    api.get<TimelinePage>(`${base(object, id)}/timeline?limit=${limit}${cursor ? `&cursor=${enc(cursor)}` : ''}`),

  /** Creates an activity already linked to the record (POST /{object}/{id}/activities). */
  log: (object: string, id: string, type: ActivityType, values: Record<string, unknown>, idempotencyKey?: string) =>
    api.post<RecordData>(`${base(object, id)}/activities`, { type, values }, idempotent(idempotencyKey)),

  followUp: (object: string, id: string, input: FollowUpInput, idempotencyKey?: string) =>
    api.post<RecordData>(`${base(object, id)}/follow-ups`, input, idempotent(idempotencyKey)),

  scheduleMeeting: (input: ScheduleMeetingInput, idempotencyKey?: string) => api.post<RecordData>('/activities/meetings', input, idempotent(idempotencyKey)),

  setTaskStatus: (id: string, status: string) => api.patch<RecordData>(`/task/${enc(id)}`, { status }),
};

export const attachmentContentUrl = (id: string) => `/api/v1/attachment/${enc(id)}/content`;

/**
 * Uploads one file as multipart field `file`. XMLHttpRequest rather than fetch: only it reports
 * upload progress. Errors come back as ApiError, like every other call.
 */
export function uploadAttachment(object: string, id: string, file: File, onProgress: (fraction: number) => void): { done: Promise<RecordData>; abort: () => void } {
  const xhr = new XMLHttpRequest();
  const done = new Promise<RecordData>((resolve, reject) => {
    xhr.open('POST', `/api/v1${base(object, id)}/attachments`);
    xhr.withCredentials = true;
    xhr.setRequestHeader('accept', 'application/json');
    xhr.upload.onprogress = (e) => {
      if (e.lengthComputable && e.total > 0) onProgress(e.loaded / e.total);
    };
    xhr.onload = () => {
      let body: unknown;
      try {
        body = xhr.responseText ? JSON.parse(xhr.responseText) : undefined;
      } catch {
        body = undefined;
      }
      if (xhr.status >= 200 && xhr.status < 300) {
        onProgress(1);
        resolve(body as RecordData);
        return;
      }
      const p = (body && typeof body === 'object' ? body : {}) as Partial<Problem>;
      reject(new ApiError({ ...p, status: xhr.status, code: p.code ?? `http_${xhr.status}`, detail: p.detail ?? uploadFailure(xhr.status) } as Problem));
    };
    xhr.onerror = () => reject(new ApiError({ status: 0, code: 'network_error', detail: 'Meridian cannot be reached. Check your connection and try again.' }));
    xhr.onabort = () => reject(new ApiError({ status: 0, code: 'aborted', detail: 'The upload was cancelled.' }));
    const form = new FormData();
    form.append('file', file, file.name);
    xhr.send(form);
  });
  return { done, abort: () => xhr.abort() };
}

function uploadFailure(status: number): string {
  if (status === 413) return 'The file is too large.';
  if (status === 415) return 'Files of this type are not allowed.';
  if (status === 404) return 'This record does not take attachments.';
  return `The upload failed (${status}).`;
}
