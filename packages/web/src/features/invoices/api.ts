import { api } from '../../api/client';
import type { RecordData } from '../../api/types';

const enc = encodeURIComponent;

export interface CreditResult {
  invoice: RecordData;
  creditNote: RecordData | null;
  lines: RecordData[];
}

export interface CreditBody {
  full?: boolean;
  lines?: Array<{ invoiceLine: string; quantity: string }>;
  reason?: string;
}

const ifMatch = (version?: number) => (version === undefined ? {} : { headers: { 'if-match': `"${version}"` } });

/** The invoice commands (docs/invoicing.md); the server decides what the status allows. */
export const invoicesApi = {
  post: (id: string, version?: number) => api.post<RecordData>(`/invoices/${enc(id)}/post`, {}, ifMatch(version)),
  send: (id: string) => api.post<{ invoice: RecordData; emailed: boolean }>(`/invoices/${enc(id)}/send`, {}),
  credit: (id: string, body: CreditBody, version?: number) => api.post<CreditResult>(`/invoices/${enc(id)}/credit`, body, ifMatch(version)),
  void: (id: string, body: { reason?: string }, version?: number) => api.post<CreditResult>(`/invoices/${enc(id)}/void`, body, ifMatch(version)),
  fromOrders: (orderIds: string[]) => api.post<{ invoice: RecordData; lines: RecordData[] }>('/invoices/from-orders', { orderIds }),
  pdfUrl: (id: string) => `/api/v1/invoices/${enc(id)}/pdf`,
};
