import { sql } from 'kysely';
import { AppError } from '../../../platform/errors.ts';
import type { RecordContext } from '../../../platform/records/context.ts';
import { Decimal, InputCheck, formatMoney, roundMoney, type DecimalInput } from '../money/index.ts';
import { billingSettings } from '../settings.ts';
import { db, tableOf } from '../context.ts';

/** The rate a conversion used: 1 `from` = `rate` `to`, from the table row of `rateDate` (inverted when only the reverse pair was there). */
export interface AppliedRate {
  id: string;
  from: string;
  to: string;
  rate: string;
  rateDate: string;
  inverted: boolean;
}

export interface Conversion {
  amount: string;
  currency: string;
  rate: AppliedRate | null;
}

/** 422 naming the field, the pair and the date: a missing rate is never taken as 1. */
function missingRate(args: { field: string; from: string; to: string; date: string }) {
  const { field, from, to, date } = args;
  return new AppError('rule_violation', `There is no exchange rate from ${from} to ${to} on or before ${date}`, {
    errors: [{ field, code: 'missing_exchange_rate', message: `No ${from}→${to} rate (nor ${to}→${from}) on or before ${date}; enter or import one` }],
    extra: { pair: `${from}/${to}`, date },
  });
}

async function latestRate(ctx: RecordContext, from: string, to: string, date: string) {
  const r = await sql<{ id: string; rate: string; rate_date: string }>`SELECT id, rate::text AS rate, rate_date::text AS rate_date FROM ${tableOf(ctx, 'exchange_rate')}
    WHERE deleted_at IS NULL AND from_currency = ${from} AND to_currency = ${to} AND rate_date <= ${date}::date
    ORDER BY rate_date DESC LIMIT 1`.execute(db(ctx));
  return r.rows[0];
}

/**
 * The rate from one currency to another on a date: the latest rate on or before it. When the
 * table holds only the reverse pair (USD→EUR for an EUR→USD question), its inverse is used —
 * the direct pair wins whenever it has a rate on or before the date, even an older one.
 * Exchange rates are reference data: they are read without record sharing, like a price list.
 */
export async function findExchangeRate(args: { ctx: RecordContext; from: string; to: string; date: string; field?: string }): Promise<AppliedRate> {
  const { ctx, from, to, date } = args;
  const direct = await latestRate(ctx, from, to, date);
  if (direct) return { id: direct.id, from, to, rate: new Decimal(direct.rate).toString(), rateDate: direct.rate_date, inverted: false };
  const reverse = await latestRate(ctx, to, from, date);
  if (reverse) return { id: reverse.id, from, to, rate: new Decimal(1).dividedBy(reverse.rate).toSignificantDigits(15).toString(), rateDate: reverse.rate_date, inverted: true };
  throw missingRate({ field: args.field ?? 'currency', from, to, date });
}

/**
 * An amount in another currency at the date's rate, rounded to that currency's minor unit with
 * the organisation's rounding mode. The same currency converts to itself without a rate.
 */
export async function convertAmount(args: { ctx: RecordContext; amount: DecimalInput; from: string; to: string; date: string; field?: string }): Promise<Conversion> {
  const { ctx, from, to, date } = args;
  const check = new InputCheck();
  const source = check.currency('from', from);
  const target = check.currency('to', to);
  const amount = check.decimal('amount', args.amount, { min: new Decimal('-9999999999999'), max: new Decimal('9999999999999') });
  check.throwIfAny();
  const mode = billingSettings.of(ctx.platform).roundingMode;
  if (source === target) return { amount: formatMoney(roundMoney(amount!, target!, mode), target!), currency: target!, rate: null };
  const rate = await findExchangeRate({ ctx, from: source!, to: target!, date, field: args.field });
  return { amount: formatMoney(roundMoney(amount!.times(rate.rate), target!, mode), target!), currency: target!, rate };
}
