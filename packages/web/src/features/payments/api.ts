import { api } from '../../api/client';
import { queryRecords } from '../../api/records';
import type { RecordData } from '../../api/types';

const enc = encodeURIComponent;

export interface Allocation {
  invoice: string;
  amount: string;
}

export interface RecordPaymentBody {
  account: string;
  amount: string;
  currency?: string;
  payment_date?: string;
  method: string;
  reference?: string;
  notes?: string;
  allocations?: Allocation[];
  allocate?: 'oldest_first' | 'none';
}

export interface PaymentDetail {
  payment: RecordData;
  allocations: RecordData[];
  refunds: RecordData[];
  display: Record<string, Record<string, string>>;
}

/** The payment commands (docs/payments.md); the server decides what is allowed and names the field it refuses. */
export const paymentsApi = {
  record: (body: RecordPaymentBody) => api.post<{ payment: RecordData; allocations: RecordData[]; duplicate: boolean }>('/payments', body),
  get: (id: string) => api.get<PaymentDetail>(`/payments/${enc(id)}`),
  allocate: (id: string, allocations?: Allocation[]) => api.post<{ payment: RecordData; allocations: RecordData[] }>(`/payments/${enc(id)}/allocate`, allocations ? { allocations } : {}),
  refund: (id: string, body: { amount: string; reason?: string }) => api.post<{ payment: RecordData; refund: RecordData }>(`/payments/${enc(id)}/refund`, body),
  reverse: (id: string, body: { reason?: string }) => api.post<{ payment: RecordData; allocations: RecordData[] }>(`/payments/${enc(id)}/reverse`, body),
  /** The account's invoices still open in a currency, oldest due first: what an allocation can go to. */
  openInvoices: async (account: string, currency: string) => (await queryRecords('invoice', {
    filter: { and: [{ field: 'account', op: 'eq', value: account }, { field: 'kind', op: 'eq', value: 'invoice' }, { field: 'currency', op: 'eq', value: currency }, { field: 'status', op: 'in', value: ['posted', 'partially_paid'] }] },
    sort: 'due_date,invoice_date,number', fields: ['name', 'number', 'due_date', 'open_amount', 'total', 'currency'], limit: 200, display: false,
  })).data,
};

export const paymentKey = (id: string) => ['records', 'payment', id, 'detail'] as const;
