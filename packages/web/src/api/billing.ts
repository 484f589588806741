import { useQuery } from '@tanstack/react-query';
import { api } from './client';
import type { Known, ResponseOf } from './types';

export type BillingSettings = Known<ResponseOf<'getBillingSettings'>>;

/** The corporate currency, the rounding rules and each currency's minor unit; they change only with a restart. */
export function useBillingSettings() {
  return useQuery({ queryKey: ['billing', 'settings'], queryFn: () => api.get<BillingSettings>('/billing/settings'), staleTime: Infinity });
}

/** Digits after the decimal point in a currency (JPY 0, USD 2, KWD 3): the server's list, else the browser's. */
export function minorUnitsOf(currency: string, settings: BillingSettings | undefined): number {
  const known = settings?.currencies.find((c) => c.code === currency)?.minorUnits;
  if (known !== undefined) return known;
  try {
    return new Intl.NumberFormat('en', { style: 'currency', currency }).resolvedOptions().maximumFractionDigits ?? 2;
  } catch {
    return 2;
  }
}
