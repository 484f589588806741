import { sql, type RawBuilder } from 'kysely';
import { AppError } from '../../../platform/errors.ts';
import type { Platform } from '../../../platform/kernel.ts';
import { asSystem, type RecordContext } from '../../../platform/records/context.ts';
import { minorUnits, roundMoney, type Decimal } from '../money/index.ts';
import { billingSettings } from '../settings.ts';
import { findExchangeRate } from './convert.ts';

/**
 * Rates into the corporate currency for figures summed over many records (analytics' aggregate,
 * forecasting's forecast and pillars): findExchangeRate's latest rate on or before today, the
 * reverse pair inverted — today's figures at today's rates. Exchange rates are reference data, read
 * without record sharing like billing does. Kept a minute per process so a dashboard's widgets or a
 * forecast's queries do not ask again; a currency without a rate is not guessed (never 1:1): the
 * caller leaves its records out and says how many.
 */
export interface CorporateRates {
  currency: string;
  minorUnits: number;
  /** currency → rate into the corporate currency (decimal text); the corporate currency maps to '1'. */
  rates: Map<string, string>;
}

const TTL_MS = 60_000;
const cache = new WeakMap<Platform, { at: number; day: string; value: CorporateRates }>();

export async function corporateRatesFor(args: { ctx: RecordContext; currencies: readonly string[] }): Promise<CorporateRates> {
  const { ctx, currencies } = args;
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

/** The values of an object's `currency` picklist: the currencies its amounts may be in. */
export function currencyChoices(object: { fields: ReadonlyArray<{ apiName: string; type: string; picklist?: { values: Array<{ value: string }> } }> }): string[] {
  return (object.fields.find((f) => f.apiName === 'currency' && f.type === 'picklist')?.picklist?.values ?? []).map((v) => v.value);
}

/**
 * `CASE <currency> WHEN 'EUR' THEN 1.1 … END`: the rate of a currency expression, the rates bound as
 * parameters; NULL for a currency without a rate. The expression must not be NULL (see inCorporate).
 */
export function rateCase(currency: RawBuilder<unknown>, rates: CorporateRates): RawBuilder<unknown> {
  const known = knownRates(rates);
  return sql`(CASE ${currency} ${sql.join(known.map(([c, r]) => sql`WHEN ${c}::text THEN ${r}::numeric`), sql` `)} END)`;
}

/** A record's currency, a missing one read as the corporate currency (the picklist's default is the organisation's). */
export function inCorporate(currency: RawBuilder<unknown>, rates: CorporateRates): RawBuilder<unknown> {
  return sql`coalesce(${currency}, ${rates.currency}::text)`;
}

/**
 * An amount converted into the corporate currency and rounded to its minor unit, per record (so sums
 * of sums stay exact): NULL when its currency has no rate, which sum() skips.
 */
export function convertedAmount(amount: RawBuilder<unknown>, currency: RawBuilder<unknown>, rates: CorporateRates): RawBuilder<unknown> {
  return sql`round(${amount} * ${rateCase(inCorporate(currency, rates), rates)}, ${sql.lit(rates.minorUnits)})`;
}

/** The same conversion in Node, for amounts already read one by one: null when the currency has no rate. */
export function toCorporate(amount: Decimal, currency: string | null, rates: CorporateRates): Decimal | null {
  const rate = rates.rates.get(currency ?? rates.currency);
  if (rate === undefined || rate === '') return null;
  return roundMoney(amount.times(rate), rates.currency, 'half_up');
}

/** Whether a record's currency has no rate (its amounts are left out of converted figures). */
export function unconvertible(currency: RawBuilder<unknown>, rates: CorporateRates): RawBuilder<boolean> {
  return sql<boolean>`(${rateCase(inCorporate(currency, rates), rates)} IS NULL)`;
}

/** The words of the warning an answer carries when records could not be converted (the aggregate's too). */
export function unconvertedWarning(count: number, into: Pick<CorporateRates, 'currency'>): string {
  return `${count} record(s) have a currency without an exchange rate into ${into.currency}; their amounts are left out of converted sums`;
}
