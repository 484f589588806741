import { useQuery, useQueryClient } from '@tanstack/react-query';
import { authApi } from '../api/auth';
import { api, ApiError } from '../api/client';
import type { Me } from '../api/types';
import { setLocaleSettings } from './format';

export const meKey = ['me'] as const;

/**
 * The signed-in user; `null` when nobody is signed in. Only the first load may answer "signed
 * out": once someone was signed in, a 401 means the session expired and opens the sign-in dialog.
 */
export function useMe() {
  const qc = useQueryClient();
  return useQuery({
    queryKey: meKey,
    queryFn: async () => {
      const known = qc.getQueryData<Me | null>(meKey);
      try {
        const me = known ? await api.get<Me>('/me') : await authApi.me();
        setLocaleSettings({ locale: me.locale ?? undefined, timeZone: me.time_zone ?? undefined });
        return me;
      } catch (error) {
        if (error instanceof ApiError && error.status === 401) return null;
        throw error;
      }
    },
    staleTime: 5 * 60_000,
  });
}
