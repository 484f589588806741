import { sql } from 'kysely';
import type { BeforeSaveArgs } from '../../../platform/records/hooks.ts';
import { InputCheck, significantDigits } from '../money/index.ts';
import { db, refuse, tableOf } from '../context.ts';

/**
 * An exchange rate: two different currencies, a rate > 0 that travels exactly as a JSON number
 * (at most 15 significant digits, 12 decimals), and one rate per date and pair.
 */
export async function checkExchangeRate({ ctx, data, merged, previous }: BeforeSaveArgs): Promise<void> {
  const check = new InputCheck();
  if (merged.from_currency === merged.to_currency) check.fail('to_currency', 'same_currency', 'Must differ from the From currency');
  const rate = check.decimal('rate', merged.rate, { min: 0, minExclusive: true, places: 12 });
  if (rate && significantDigits(rate) > 15) check.fail('rate', 'precision', 'At most 15 significant digits');
  check.throwIfAny();
  data.name = `${String(merged.from_currency)}→${String(merged.to_currency)} ${String(merged.rate_date)}`;
  // Concurrent writers of one date and pair take turns, so the second gets this check's answer, not the unique index's.
  await sql`SELECT pg_advisory_xact_lock(hashtext(${`billing.rate:${String(merged.from_currency)}:${String(merged.to_currency)}:${String(merged.rate_date)}`}))`.execute(db(ctx));
  const t = tableOf(ctx, 'exchange_rate');
  const clash = await sql<{ id: string }>`SELECT id FROM ${t} WHERE deleted_at IS NULL AND rate_date = ${merged.rate_date}::date
    AND from_currency = ${merged.from_currency} AND to_currency = ${merged.to_currency} ${previous ? sql`AND id <> ${previous.id}` : sql``} LIMIT 1`.execute(db(ctx));
  if (clash.rows[0]) refuse('rate_date', 'duplicate_rate', `There is already a ${String(merged.from_currency)}→${String(merged.to_currency)} rate on ${String(merged.rate_date)} (${clash.rows[0].id}); change that one`);
}
