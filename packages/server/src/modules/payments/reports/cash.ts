import { sql } from 'kysely';
import { inTransaction, type RecordContext } from '../../../platform/records/context.ts';
import { refuse, today } from '../../billing/index.ts';
import { addDays, addMonths, checkDay, dec, mondayOf, readable, table, text, visibleWhere } from './common.ts';

export interface CashPeriod { period: string; start: string; end: string; received: string; refunded: string; reversed: string; net: string; payments: number }
export interface CashCollected { from: string; to: string; period: 'month' | 'week'; currencies: Array<{ currency: string; received: string; refunded: string; reversed: string; net: string; periods: CashPeriod[] }> }

export const MAX_CASH_PERIODS = 120;

/**
 * Cash collected per month or ISO week (Monday first) and currency (docs/cash-reports.md):
 * payments received (by payment date, whatever became of them) − refunds (by refund date) −
 * reversals (by the day the payment was reversed, UTC) = net. Only payments the reader can list
 * count, and only the refunds of those payments. Every period in the range is listed, empty ones
 * with zeros, so charts have no gaps.
 */
export function cashCollected(args: { ctx: RecordContext; from?: string; to?: string; period?: 'month' | 'week'; currency?: string }): Promise<CashCollected> {
  return inTransaction(args.ctx, async (ctx) => {
    const payment = readable(ctx, 'payment');
    const refund = ctx.platform.registry.requireObject('payment_refund');
    const unit = args.period ?? 'month';
    const to = args.to ? checkDay('to', args.to) : today(ctx);
    const from = args.from ? checkDay('from', args.from) : `${addMonths(to.slice(0, 7), -11)}-01`;
    if (from > to) refuse('from', 'after_to', 'The first day comes before the last');
    const starts: string[] = [];
    if (unit === 'month') for (let m = from.slice(0, 7); m <= to.slice(0, 7); m = addMonths(m, 1)) starts.push(`${m}-01`);
    else for (let w = mondayOf(from); w <= to; w = addDays(w, 7)) starts.push(w);
    if (starts.length > MAX_CASH_PERIODS) refuse('from', 'out_of_range', `At most ${MAX_CASH_PERIODS} ${unit}s`);
    const trunc = (col: ReturnType<typeof sql>) => (unit === 'month' ? sql`date_trunc('month', ${col})::date::text` : sql`date_trunc('week', ${col})::date::text`);
    const byCurrency = args.currency ? sql`AND t0.currency = ${args.currency}` : sql``;
    const reversedOn = sql`(t0.reversed_at AT TIME ZONE 'UTC')::date`;
    const refundOn = sql`coalesce(r.refund_date, r.created_at::date)`;
    const rows = await sql<{ what: 'received' | 'reversed' | 'refunded'; currency: string; p: string; amount: string; n: number }>`
      SELECT 'received' AS what, t0.currency, ${trunc(sql`t0.payment_date`)} AS p, sum(t0.amount)::text AS amount, count(*)::int AS n FROM ${table(payment)} AS t0
        WHERE ${visibleWhere(ctx, payment, sql`t0.payment_date BETWEEN ${from}::date AND ${to}::date ${byCurrency}`)} GROUP BY 2, 3
      UNION ALL
      SELECT 'reversed', t0.currency, ${trunc(reversedOn)}, sum(t0.amount)::text, count(*)::int FROM ${table(payment)} AS t0
        WHERE ${visibleWhere(ctx, payment, sql`t0.status = 'reversed' AND t0.reversed_at IS NOT NULL AND ${reversedOn} BETWEEN ${from}::date AND ${to}::date ${byCurrency}`)} GROUP BY 2, 3
      UNION ALL
      SELECT 'refunded', t0.currency, ${trunc(refundOn)}, sum(r.amount)::text, count(*)::int FROM ${table(refund)} r JOIN ${table(payment)} AS t0 ON t0.id = r.payment_id
        WHERE ${visibleWhere(ctx, payment, sql`r.deleted_at IS NULL AND ${refundOn} BETWEEN ${from}::date AND ${to}::date ${byCurrency}`)} GROUP BY 2, 3`.execute(ctx.trx);
    const currencies = [...new Set(rows.rows.map((r) => r.currency))].sort();
    return {
      from, to, period: unit,
      currencies: currencies.map((currency) => {
        const of = (what: string, p: string) => rows.rows.find((r) => r.what === what && r.currency === currency && r.p === p);
        const periods = starts.map((start, i) => {
          const received = dec(of('received', start)?.amount);
          const refunded = dec(of('refunded', start)?.amount);
          const reversed = dec(of('reversed', start)?.amount);
          const end = i + 1 < starts.length ? addDays(starts[i + 1]!, -1) : unit === 'month' ? addDays(`${addMonths(start.slice(0, 7), 1)}-01`, -1) : addDays(start, 6);
          return {
            period: unit === 'month' ? start.slice(0, 7) : start, start: start < from ? from : start, end: end > to ? to : end,
            received: text(received), refunded: text(refunded), reversed: text(reversed), net: text(received.minus(refunded).minus(reversed)), payments: of('received', start)?.n ?? 0,
          };
        });
        const sum = (k: 'received' | 'refunded' | 'reversed' | 'net') => text(periods.reduce((s, p) => s.plus(dec(p[k])), dec(0)));
        return { currency, received: sum('received'), refunded: sum('refunded'), reversed: sum('reversed'), net: sum('net'), periods };
      }),
    };
  });
}
