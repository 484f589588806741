import { api } from './client';
import type { BodyOf, ResponseOf } from './types';

/** Sending a quote by e-mail and its links to the online quote (docs/billing.md). */
export type QuoteEmailPreview = ResponseOf<'previewQuoteEmail'>;
export type QuoteEmailInput = BodyOf<'emailQuote'>;
export type QuoteEmailResult = ResponseOf<'emailQuote'>;
export type QuoteLink = ResponseOf<'listQuoteLinks'>['data'][number];
export type NewQuoteLink = ResponseOf<'createQuoteLink', 201>;

const enc = encodeURIComponent;

export const quoteMailApi = {
  preview: (id: string, input: QuoteEmailInput) => api.post<QuoteEmailPreview>(`/quotes/${enc(id)}/email/preview`, input),
  send: (id: string, input: QuoteEmailInput, idempotencyKey: string) => api.post<QuoteEmailResult>(`/quotes/${enc(id)}/email`, input, { headers: { 'idempotency-key': idempotencyKey } }),
  links: (id: string) => api.get<{ data: QuoteLink[] }>(`/quotes/${enc(id)}/links`).then((r) => r.data),
  createLink: (id: string, expiresInDays?: number) => api.post<NewQuoteLink>(`/quotes/${enc(id)}/links`, expiresInDays ? { expiresInDays } : {}),
  revokeLink: (id: string, linkId: string) => api.del(`/quotes/${enc(id)}/links/${enc(linkId)}`),
};
