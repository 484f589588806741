import { sql } from 'kysely';
import { AppError } from '../../../platform/errors.ts';
import { inTransaction, type RecordContext } from '../../../platform/records/context.ts';
import { createRecord, updateRecord } from '../../../platform/records/write.ts';
import { Decimal } from '../money/index.ts';
import { db, tableOf } from '../context.ts';

export interface RateInput {
  /** Where the row came from, prefixed to its errors (`rows[4]`). */
  at: string;
  date: string;
  from: string;
  to: string;
  rate: string;
}

/** Field names of exchange_rate → the names the input used, so errors name what the user sent. */
const INPUT_NAMES: Record<string, string> = { rate_date: 'date', from_currency: 'from', to_currency: 'to', rate: 'rate' };

/**
 * Saves rates in one transaction through the record service (history, events, access): a rate
 * for a date and pair that exists is replaced, an equal one left alone. Any refused row rolls
 * back all of them, and its error names the row.
 */
export async function saveExchangeRates(args: { ctx: RecordContext; rows: RateInput[]; source: 'import' | 'provider' | 'manual' }): Promise<{ created: number; updated: number; unchanged: number }> {
  const object = args.ctx.platform.registry.requireObject('exchange_rate');
  return inTransaction(args.ctx, async (ctx) => {
    const counts = { created: 0, updated: 0, unchanged: 0 };
    for (const row of args.rows) {
      try {
        const existing = await sql<{ id: string; rate: string }>`SELECT id, rate::text AS rate FROM ${tableOf(ctx, 'exchange_rate')}
          WHERE deleted_at IS NULL AND rate_date = ${row.date}::date AND from_currency = ${row.from} AND to_currency = ${row.to}`.execute(db(ctx));
        const found = existing.rows[0];
        if (!found) {
          await createRecord({ ctx, object, input: { rate_date: row.date, from_currency: row.from, to_currency: row.to, rate: row.rate, source: args.source } });
          counts.created += 1;
        } else if (new Decimal(found.rate).equals(row.rate)) {
          counts.unchanged += 1;
        } else {
          await updateRecord({ ctx, object, id: found.id, input: { rate: row.rate, source: args.source } });
          counts.updated += 1;
        }
      } catch (error) {
        if (!(error instanceof AppError)) throw error;
        throw new AppError(error.code, `${row.at}: ${error.message}`, {
          errors: error.errors.map((e) => ({ ...e, field: `${row.at}.${INPUT_NAMES[e.field] ?? e.field}` })),
          extra: error.extra,
        });
      }
    }
    return counts;
  });
}
