import { api, ApiError } from '../../api/client';
import type { ResponseOf } from '../../api/types';

export type Balance = ResponseOf<'getAccountBalance'>;
export type AccountDso = ResponseOf<'getAccountDso'>;
/** What the header reads of the credit module's answer (GET /accounts/{id}/credit), when it is there. */
export interface CreditStanding { limit: number | null; available: number | null; currency: string }

const enc = encodeURIComponent;

export const balanceApi = {
  balance: (id: string) => api.get<Balance>(`/accounts/${enc(id)}/balance`),
  dso: (id: string) => api.get<AccountDso>(`/accounts/${enc(id)}/dso`),
  /** null when this Meridian has no credit limits (404) or the reader may not see them (403): the header shows "—". */
  credit: async (id: string): Promise<CreditStanding | null> => {
    try {
      return await api.get<CreditStanding>(`/accounts/${enc(id)}/credit`);
    } catch (error) {
      if (error instanceof ApiError && (error.status === 404 || error.status === 403)) return null;
      throw error;
    }
  },
};
