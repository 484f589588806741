import { api } from '../../api/client';
import type { BodyOf, RecordData, ResponseOf } from '../../api/types';

/** Dunning's routes (docs/dunning.md): the dry run, run now, a template's preview, an invoice's dispute. */
export type DunningPreview = ResponseOf<'previewDunning'>;
export type DunningMail = DunningPreview['mails'][number];
export type DunningRunResult = ResponseOf<'runDunning'>;
export type RenderedTemplate = ResponseOf<'previewDunningTemplate'>;
export type TemplatePreviewBody = BodyOf<'previewDunningTemplate'>;

const enc = encodeURIComponent;

export const dunningApi = {
  preview: (q: { date?: string; limit?: number }, signal?: AbortSignal) => {
    const p = new URLSearchParams();
    if (q.date) p.set('date', q.date);
    if (q.limit) p.set('limit', String(q.limit));
    const s = p.toString();
    return api.get<DunningPreview>(`/dunning/preview${s ? `?${s}` : ''}`, { signal });
  },
  run: () => api.post<DunningRunResult>('/dunning/run', {}),
  templatePreview: (body: TemplatePreviewBody, signal?: AbortSignal) => api.post<RenderedTemplate>('/dunning/template-preview', body, { signal }),
  dispute: (id: string, body: { disputed: boolean; reason?: string | null }) => api.post<RecordData>(`/invoices/${enc(id)}/dispute`, body),
};

/** Why an account got nothing (the dry run's `skipped`), in words. */
export const SKIP_REASONS: Record<string, string> = {
  excluded: 'Marked "No payment reminders"',
  no_email: 'No e-mail address on the account',
  no_schedule: 'No active reminder schedule with levels',
};
