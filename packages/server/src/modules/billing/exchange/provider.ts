import type { RecordContext } from '../../../platform/records/context.ts';
import { saveExchangeRates, type RateInput } from './save.ts';

/**
 * Where exchange rates come from besides people: a provider answers the rates of a date from a
 * base currency. Meridian ships only the manual provider (no network calls); an installation
 * plugs in its bank's or central bank's feed by implementing this interface and calling
 * refreshExchangeRates (from a job, say).
 */
export interface ExchangeRateProvider {
  readonly name: string;
  /** Rates on `date`: 1 `base` = rate units of each currency (as decimal strings). */
  fetchRates(args: { date: string; base: string; currencies: readonly string[] }): Promise<Array<{ currency: string; rate: string }>>;
}

/** The default: rates are entered by hand or imported from CSV, so there is nothing to fetch. */
export const manualRateProvider: ExchangeRateProvider = {
  name: 'manual',
  async fetchRates() {
    return [];
  },
};

/** Fetches a date's rates from the provider and saves them (one transaction; an existing rate of the date and pair is replaced). */
export async function refreshExchangeRates(args: { ctx: RecordContext; provider: ExchangeRateProvider; date: string; base: string; currencies: readonly string[] }) {
  const { ctx, provider, date, base } = args;
  const fetched = await provider.fetchRates({ date, base, currencies: args.currencies });
  const rows: RateInput[] = fetched.map((r, i) => ({ at: `rates[${i}]`, date, from: base, to: r.currency, rate: r.rate }));
  return saveExchangeRates({ ctx, rows, source: 'provider' });
}
