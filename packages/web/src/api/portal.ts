import { ApiError, api } from './client';
import type { BodyOf, ResponseOf } from './types';

/**
 * The customer portal's API (/api/v1/portal). The portal session is an HttpOnly cookie the
 * browser sends only to /api/v1/portal; every write also carries the session's CSRF token
 * (X-CSRF-Token), kept here in memory from sign-in or /me. A 401 never opens the staff sign-in dialog.
 */
export type PortalMe = ResponseOf<'getPortalMe'>;
export type PortalSummary = ResponseOf<'getPortalSummary'>;
export type PortalInvoice = ResponseOf<'listPortalInvoices'>['data'][number];
export type PortalInvoiceDetail = ResponseOf<'getPortalInvoice'>;
export type PortalPayments = ResponseOf<'listPortalPayments'>;
export type PortalStatement = ResponseOf<'getPortalStatement'>;
export type PortalQuote = ResponseOf<'listPortalQuotes'>['data'][number];
export type PortalQuoteDetail = ResponseOf<'getPortalQuote'>;
export type PortalOrder = ResponseOf<'listPortalOrders'>['data'][number];
export type PortalOrderDetail = ResponseOf<'getPortalOrder'>;
export type PortalProfile = ResponseOf<'getPortalProfile'>;
export type PortalProfileChange = BodyOf<'updatePortalProfile'>;
export type PortalLinkItem = ResponseOf<'listPortalLinks'>['data'][number];

let csrf = '';
const open = { noReauth: true } as const;
const write = () => ({ noReauth: true, headers: { 'x-csrf-token': csrf } });
const P = '/portal';

export const isSignedOut = (error: unknown) => error instanceof ApiError && error.status === 401;

export const portalApi = {
  requestLink: (email: string) => api.post<{ message: string }>(`${P}/auth/link`, { email }, open),
  signIn: async (token: string) => {
    const r = await api.post<{ csrfToken: string; expiresAt: string }>(`${P}/auth/session`, { token }, open);
    csrf = r.csrfToken;
    return r;
  },
  signOut: () => api.post<void>(`${P}/auth/sign-out`, undefined, write()),
  me: async () => {
    const me = await api.get<PortalMe>(`${P}/me`, open);
    csrf = me.csrfToken;
    return me;
  },
  summary: () => api.get<PortalSummary>(`${P}/summary`, open),
  invoices: (state: 'open' | 'paid' | 'all', cursor?: string | null) => api.get<{ data: PortalInvoice[]; nextCursor: string | null }>(`${P}/invoices?state=${state}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`, open),
  invoice: (id: string) => api.get<PortalInvoiceDetail>(`${P}/invoices/${encodeURIComponent(id)}`, open),
  invoicePdfUrl: (id: string) => `/api/v1${P}/invoices/${encodeURIComponent(id)}/pdf`,
  pay: (invoiceIds: string[]) => api.post<{ redirectUrl: string }>(`${P}/invoices/pay`, { invoiceIds }, write()),
  payments: () => api.get<PortalPayments>(`${P}/payments`, open),
  statement: (q: { account?: string; from?: string; to?: string }) => api.get<PortalStatement>(`${P}/statement?${new URLSearchParams(Object.entries(q).filter(([, v]) => v) as [string, string][])}`, open),
  statementPdfUrl: (q: { account?: string; from?: string; to?: string; currency?: string }) => `/api/v1${P}/statement/pdf?${new URLSearchParams([...(Object.entries(q).filter(([, v]) => v) as [string, string][]), ['locale', navigator.language.match(/^[a-z]{2}(-[A-Z]{2})?$/) ? navigator.language : 'en-US']])}`,
  quotes: () => api.get<{ data: PortalQuote[] }>(`${P}/quotes`, open),
  quote: (id: string) => api.get<PortalQuoteDetail>(`${P}/quotes/${encodeURIComponent(id)}`, open),
  quotePdfUrl: (id: string) => `/api/v1${P}/quotes/${encodeURIComponent(id)}/pdf`,
  accept: (id: string, optionalLines: string[]) => api.post<PortalQuoteDetail>(`${P}/quotes/${encodeURIComponent(id)}/accept`, { consent: true, optionalLines }, write()),
  decline: (id: string, reason: string) => api.post<PortalQuoteDetail>(`${P}/quotes/${encodeURIComponent(id)}/decline`, { reason }, write()),
  orders: () => api.get<{ data: PortalOrder[] }>(`${P}/orders`, open),
  order: (id: string) => api.get<PortalOrderDetail>(`${P}/orders/${encodeURIComponent(id)}`, open),
  profile: () => api.get<PortalProfile>(`${P}/profile`, open),
  updateProfile: (change: PortalProfileChange) => api.patch<PortalProfile>(`${P}/profile`, change, write()),
  links: () => api.get<{ data: PortalLinkItem[] }>(`${P}/links`, open),
};
