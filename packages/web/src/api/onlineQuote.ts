import { api } from './client';
import type { BodyOf, ResponseOf } from './types';

/** The online quote behind a link (no sign-in): view, totals with optional lines, accept, decline. */
export type PublicQuote = ResponseOf<'getPublicQuote'>;
export type PublicQuoteLine = PublicQuote['lines'][number];
export type QuotePreview = ResponseOf<'previewPublicQuote'>;
export type AcceptQuoteInput = BodyOf<'acceptPublicQuote'>;

const base = (token: string) => `/public/quotes/${encodeURIComponent(token)}`;
// A customer has no session: a 401 must not open the sign-in dialog.
const open = { noReauth: true } as const;

export const onlineQuoteApi = {
  get: (token: string) => api.get<PublicQuote>(base(token), open),
  preview: (token: string, optionalLines: string[]) => api.post<QuotePreview>(`${base(token)}/preview`, { optionalLines }, open),
  accept: (token: string, input: AcceptQuoteInput) => api.post<PublicQuote>(`${base(token)}/accept`, input, open),
  decline: (token: string, reason: string) => api.post<PublicQuote>(`${base(token)}/decline`, { reason }, open),
  pdfUrl: (token: string) => `/api/v1${base(token)}/pdf`,
};
