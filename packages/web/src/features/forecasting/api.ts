import { api, request } from '../../api/client';
import type { ResponseOf } from '../../api/types';

/** Forecasting's routes (docs/forecasting.md): the forecast grid, quotas, adjustments, the three-pillar plan, account behaviour. */
export type Forecast = ResponseOf<'getForecast'>;
export type ForecastCell = Forecast['cells'][number];
export type Adjustment = ResponseOf<'adjustForecast', 201>;
export type PillarGrid = ResponseOf<'getPillarForecast'>;
export type PillarRow = PillarGrid['rows'][number];
export type Behaviour = ResponseOf<'getAccountBehaviour'>;

export const PILLARS = [
  { value: 'new_sales', label: 'New sales' },
  { value: 'account_management', label: 'Account management' },
  { value: 'upselling', label: 'Upselling' },
] as const;
export type Pillar = (typeof PILLARS)[number]['value'];
export interface PillarCell { account: string; month: number; pillar: Pillar; amount: string | null }

const enc = encodeURIComponent;

export const forecastingApi = {
  forecast: (from: string, count: number, signal?: AbortSignal) => api.get<Forecast>(`/forecasting/forecast?from=${enc(from)}&count=${count}`, { signal }),
  setQuota: (body: { user: string; period: string; amount: string | null }) => request<unknown>('/forecasting/quotas', { method: 'PUT', body }),
  adjust: (body: { user: string; period: string; amount: string; reason: string }) => api.post<Adjustment>('/forecasting/adjustments', body),
  adjustments: (user: string, period: string) => api.get<{ data: Adjustment[] }>(`/forecasting/adjustments?user=${enc(user)}&period=${enc(period)}`),
  pillars: (year: number, mine: boolean, signal?: AbortSignal) => api.get<PillarGrid>(`/forecasting/pillars?year=${year}&mine=${mine}`, { signal }),
  savePillars: (year: number, cells: PillarCell[]) => request<{ saved: number }>('/forecasting/pillars', { method: 'PUT', body: { year, cells } }),
  behaviour: (account: string, signal?: AbortSignal) => api.get<Behaviour>(`/forecasting/behaviour/${enc(account)}?weeks=26`, { signal }),
};

export const FORECAST_PATH = '/forecast';
export const PILLARS_PATH = '/forecast/pillars';
