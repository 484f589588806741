import { AppError } from '../../../platform/errors.ts';
import type { Platform } from '../../../platform/kernel.ts';
import { asSystem, type RecordContext } from '../../../platform/records/context.ts';
import { billingSettings, findExchangeRate, minorUnits } from '../../billing/index.ts';

/**
 * Rates into the corporate currency for currency sums (issue 16 item 1), through billing's
 * exported findExchangeRate (the latest rate on or before today, the reverse pair inverted):
 * exchange rates are reference data, read without record sharing like billing does. Kept a
 * minute per process so a dashboard's widgets do not ask again; a currency without a rate is
 * left out and the answer says how many records could not be converted.
 */
export interface CorporateRates {
  currency: string;
  minorUnits: number;
  /** currency → rate into the corporate currency (decimal text); the corporate currency maps to '1'. */
  rates: Map<string, string>;
}

const TTL_MS = 60_000;
const cache = new WeakMap<Platform, { at: number; day: string; value: CorporateRates }>();

export async function corporateRates(ctx: RecordContext, currencies: readonly string[]): Promise<CorporateRates> {
  const corporate = billingSettings.of(ctx.platform).corporateCurrency;
  const day = new Date().toISOString().slice(0, 10);
  const hit = cache.get(ctx.platform);
  if (hit && hit.day === day && Date.now() - hit.at < TTL_MS && currencies.every((c) => hit.value.rates.has(c) || hit.value.rates.has(`!${c}`))) return hit.value;
  const rates = new Map<string, string>([[corporate, '1']]);
  const system = asSystem(ctx);
  for (const currency of currencies) {
    if (currency === corporate) continue;
    try {
      rates.set(currency, (await findExchangeRate({ ctx: system, from: currency, to: corporate, date: day })).rate);
    } catch (error) {
      if (!(error instanceof AppError)) throw error;
      // Remembered as missing ('!' prefix) so the cache knows it asked.
      rates.set(`!${currency}`, '');
    }
  }
  const value = { currency: corporate, minorUnits: minorUnits(corporate), rates };
  cache.set(ctx.platform, { at: Date.now(), day, value });
  return value;
}

/** The convertible pairs only (without the cache's "asked, missing" marks). */
export function knownRates(rates: CorporateRates): Array<[string, string]> {
  return [...rates.rates].filter(([c]) => !c.startsWith('!'));
}

/** Forget cached rates (a test that enters a rate and asks again at once). */
export function forgetRates(platform: Platform): void {
  cache.delete(platform);
}
