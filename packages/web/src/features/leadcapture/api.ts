import { api } from '../../api/client';
import type { ResponseOf } from '../../api/types';

/** Lead capture's routes (docs/automation.md "Lead capture"): a form's snippets and counters, the builder's preview, the speed-to-lead report. */
export type FormSummary = ResponseOf<'getWebFormSummary'>;
export type PreviewField = ResponseOf<'previewWebFormFields'>['fields'][number];
export type SpeedReport = ResponseOf<'getSpeedToLead'>;
export type SpeedRow = SpeedReport['rows'][number];
export type SpeedGrouping = 'owner' | 'source' | 'week';

const enc = encodeURIComponent;

export const leadCaptureApi = {
  summary: (id: string, signal?: AbortSignal) => api.get<FormSummary>(`/leadcapture/forms/${enc(id)}/summary`, { signal }),
  preview: (fields: string, signal?: AbortSignal) => api.post<{ fields: PreviewField[] }>('/leadcapture/form-preview', { fields }, { signal }),
  speed: (q: { groupBy: SpeedGrouping; from: string; to: string }, signal?: AbortSignal) =>
    api.get<SpeedReport>(`/leadcapture/speed?groupBy=${q.groupBy}&from=${q.from}&to=${q.to}`, { signal }),
};

/** What a blocked attempt's reason means, in words. */
export const BLOCK_REASONS: Record<string, string> = {
  honeypot: 'Filled the hidden field (a bot)',
  too_fast: 'Sent faster than the minimum time',
  expired: 'Form loaded too long ago',
  invalid_token: 'Forged or foreign token',
  replay: 'Same form sent twice',
  pow: 'Browser check not solved',
  rate_limit: 'Too many from one address',
};
