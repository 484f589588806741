import { api } from '../../api/client';
import type { RecordData, ResponseOf } from '../../api/types';

/** An account's credit standing (GET /api/v1/accounts/{id}/credit, docs/credit.md). */
export type CreditStanding = ResponseOf<'getAccountCredit'>;

const enc = encodeURIComponent;

export const creditApi = {
  standing: (id: string) => api.get<CreditStanding>(`/accounts/${enc(id)}/credit`),
  recompute: (id: string) => api.post<CreditStanding>(`/accounts/${enc(id)}/credit/recompute`, {}),
  override: (id: string, body: { amount: number | null; reason: string }) => api.post<RecordData>(`/accounts/${enc(id)}/credit/override`, body),
};
