import { api } from '../../api/client';
import type { ResponseOf } from '../../api/types';

/** The cash reports' routes (docs/cash-reports.md). */
export type Aging = ResponseOf<'getAgingReport'>;
export type DsoTrend = ResponseOf<'getDsoTrend'>;
export type DsoAccounts = ResponseOf<'getDsoByAccount'>;
export type CashCollected = ResponseOf<'getCashCollected'>;
export type RevenueTree = ResponseOf<'getRevenueByAccountTree'>;

const qs = (params: Record<string, string | number | undefined>) => {
  const p = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== '') p.set(k, String(v));
  const s = p.toString();
  return s ? `?${s}` : '';
};

export const cashApi = {
  aging: (q: { asOf?: string; cursor?: string; limit?: number }) => api.get<Aging>(`/reports/aging${qs(q)}`),
  dso: (q: { from?: string; to?: string }) => api.get<DsoTrend>(`/reports/dso${qs(q)}`),
  dsoAccounts: (q: { days?: number; limit?: number }) => api.get<DsoAccounts>(`/reports/dso/accounts${qs(q)}`),
  cash: (q: { from?: string; to?: string; period?: 'month' | 'week' }) => api.get<CashCollected>(`/reports/cash-collected${qs(q)}`),
  revenue: (q: { from?: string; to?: string; parent?: string }) => api.get<RevenueTree>(`/reports/revenue-by-account-tree${qs(q)}`),
};
