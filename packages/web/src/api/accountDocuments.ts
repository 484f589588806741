import { api } from './client';
import type { ResponseOf } from './types';

/** An account's open orders and invoices, as its page shows them (docs/orders.md, docs/invoicing.md). */
export type OpenOrders = ResponseOf<'getAccountOpenOrders'>;
export type OpenInvoices = ResponseOf<'getAccountOpenInvoices'>;

const enc = encodeURIComponent;

export const accountDocumentsApi = {
  openOrders: (id: string) => api.get<OpenOrders>(`/accounts/${enc(id)}/open-orders`),
  openInvoices: (id: string) => api.get<OpenInvoices>(`/accounts/${enc(id)}/open-invoices`),
};
