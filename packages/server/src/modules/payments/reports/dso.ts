import { sql } from 'kysely';
import { getRecord } from '../../../platform/records/read.ts';
import { inTransaction, type RecordContext, type TxContext } from '../../../platform/records/context.ts';
import { refuse, today } from '../../billing/index.ts';
import { accountTree } from '../queries/balance.ts';
import {
  accountNames, addDays, addMonths, checkDay, checkMonth, daysInMonth, dec, dsoOf, firstOfMonth, lastOfMonth, monthsBetween, readable, table, text, visibleWhere,
} from './common.ts';

/**
 * Days sales outstanding (docs/cash-reports.md, seed 001's headline figure), the simple formula:
 *
 *   DSO = receivables at the period's end ÷ credit sales in the period × days in the period
 *
 * - receivables at a day D: the invoices posted (invoice date) up to D, less the credit notes
 *   posted up to D, less the payments allocated to those invoices up to D (allocation date) and
 *   not reversed by D. Unapplied customer credit is not deducted (gross receivables).
 * - credit sales in the period: invoices less credit notes with their invoice date in the period.
 * - no credit sales in the period: no DSO (null), not infinity.
 * Per currency, never across currencies. Only invoices the reader can list count, and only the
 * allocations to those invoices.
 */
export const DSO_FORMULA = 'DSO = receivables at the end of the period ÷ credit sales in the period × days in the period. Receivables: invoices posted up to that day − credit notes − payments allocated to them up to that day (not reversed by then). Credit sales: invoices − credit notes dated in the period.';

export const MAX_DSO_MONTHS = 60;

export interface DsoFigures { currency: string; receivables: string; invoiced: string; credited: string; creditSales: string; days: number; dso: number | null }

/**
 * The figures of one period per currency (optionally per account): receivables at `end`, credit
 * sales in [start, end]. One statement: invoices and credit notes to the end, joined with the
 * allocations to those invoices, each side aggregated first.
 */
async function periodFigures(ctx: TxContext, args: { start: string; end: string; accounts?: string[]; byAccount?: boolean; limit?: number }) {
  const invoice = readable(ctx, 'invoice');
  const allocation = ctx.platform.registry.requireObject('payment_allocation');
  const inAccounts = args.accounts ? sql`AND t0.account_id IN (${sql.join(args.accounts.map((id) => sql`${id}::uuid`))})` : sql``;
  const where = visibleWhere(ctx, invoice, sql`t0.status <> 'draft' AND t0.invoice_date <= ${args.end}::date ${inAccounts}`);
  const key = args.byAccount ? sql`t0.account_id, t0.currency` : sql`t0.currency`;
  const using = args.byAccount ? sql`USING (account_id, currency)` : sql`USING (currency)`;
  const accountCol = args.byAccount ? sql`inv.account_id` : sql`NULL::uuid`;
  const r = await sql<{ account_id: string | null; currency: string; billed: string; invoiced: string; credited: string; allocated: string; receivables: string }>`WITH
      inv AS (SELECT ${key},
        sum(CASE WHEN t0.kind = 'credit_note' THEN -t0.total ELSE t0.total END) AS billed,
        coalesce(sum(t0.total) FILTER (WHERE t0.kind = 'invoice' AND t0.invoice_date >= ${args.start}::date), 0) AS invoiced,
        coalesce(sum(t0.total) FILTER (WHERE t0.kind = 'credit_note' AND t0.invoice_date >= ${args.start}::date), 0) AS credited
        FROM ${table(invoice)} AS t0 WHERE ${where} GROUP BY ${key}),
      al AS (SELECT ${key}, sum(a.amount) AS allocated FROM ${table(allocation)} a JOIN ${table(invoice)} AS t0 ON t0.id = a.invoice_id
        WHERE ${where} AND a.deleted_at IS NULL AND coalesce(a.allocated_on, a.created_at::date) <= ${args.end}::date
          AND (a.reversed_at IS NULL OR (a.reversed_at AT TIME ZONE 'UTC')::date > ${args.end}::date) GROUP BY ${key})
    SELECT ${accountCol} AS account_id, inv.currency, inv.billed::text, inv.invoiced::text, inv.credited::text, coalesce(al.allocated, 0)::text AS allocated,
      (inv.billed - coalesce(al.allocated, 0))::text AS receivables
    FROM inv LEFT JOIN al ${using}
    ORDER BY inv.billed - coalesce(al.allocated, 0) DESC, 1, 2 ${args.limit ? sql`LIMIT ${args.limit}` : sql``}`.execute(ctx.trx);
  const days = Math.round((Date.parse(args.end) - Date.parse(args.start)) / 86_400_000) + 1;
  return r.rows.map((row) => {
    const receivables = dec(row.receivables);
    const creditSales = dec(row.invoiced).minus(dec(row.credited));
    return {
      account: row.account_id,
      figures: { currency: row.currency, receivables: text(receivables), invoiced: text(dec(row.invoiced)), credited: text(dec(row.credited)), creditSales: text(creditSales), days, dso: dsoOf(receivables, creditSales, days) } satisfies DsoFigures,
    };
  });
}

export interface AccountDso { account: string; includeChildren: boolean; from: string; to: string; days: number; formula: string; currencies: DsoFigures[] }

/** An account's DSO over the last `days` days to `asOf` (default: 90 days to today), per currency. */
export function accountDso(args: { ctx: RecordContext; account: string; includeChildren?: boolean; days?: number; asOf?: string }): Promise<AccountDso> {
  return inTransaction(args.ctx, async (ctx) => {
    await getRecord({ ctx, object: ctx.platform.registry.requireObject('account'), id: args.account, fields: ['id'] });
    const to = args.asOf ? checkDay('asOf', args.asOf) : today(ctx);
    const days = args.days ?? 90;
    if (!Number.isInteger(days) || days < 1 || days > 366) refuse('days', 'out_of_range', 'Between 1 and 366 days');
    const from = addDays(to, -(days - 1));
    const ids = await accountTree(ctx, args.account, args.includeChildren ?? false);
    const rows = await periodFigures(ctx, { start: from, end: to, accounts: ids });
    return { account: args.account, includeChildren: args.includeChildren ?? false, from, to, days, formula: DSO_FORMULA, currencies: rows.map((r) => r.figures) };
  });
}

export interface DsoAccountRow extends DsoFigures { account: string; name: string | null }

/** Accounts with the most receivables at `asOf` and their DSO over the last `days` days (top `limit`, per currency). */
export function dsoByAccount(args: { ctx: RecordContext; days?: number; asOf?: string; limit?: number }): Promise<{ from: string; to: string; days: number; formula: string; rows: DsoAccountRow[] }> {
  return inTransaction(args.ctx, async (ctx) => {
    const to = args.asOf ? checkDay('asOf', args.asOf) : today(ctx);
    const days = args.days ?? 90;
    if (!Number.isInteger(days) || days < 1 || days > 366) refuse('days', 'out_of_range', 'Between 1 and 366 days');
    const from = addDays(to, -(days - 1));
    const rows = await periodFigures(ctx, { start: from, end: to, byAccount: true, limit: Math.min(Math.max(args.limit ?? 50, 1), 500) });
    const names = await accountNames(ctx, rows.map((r) => r.account!));
    return { from, to, days, formula: DSO_FORMULA, rows: rows.map((r) => ({ account: r.account!, name: names.get(r.account!) ?? null, ...r.figures })) };
  });
}

export interface DsoMonth {
  month: string; days: number; receivables: string; invoiced: string; credited: string; creditSales: string;
  dso: number | null;
  /** Receivables at the month's end ÷ credit sales of this and the two months before × their days. */
  dso3: number | null;
}
export interface DsoTrend { from: string; to: string; formula: string; currencies: Array<{ currency: string; months: DsoMonth[] }> }

/**
 * The monthly DSO trend from `from` to `to` (YYYY-MM, at most 60 months), per currency: for each
 * month the receivables at its last day, its credit sales, DSO over the month and over the
 * trailing three months. Three grouped statements (invoices, allocations, their reversals by
 * month); the running receivables are summed here, exactly.
 */
export function dsoTrend(args: { ctx: RecordContext; from?: string; to?: string }): Promise<DsoTrend> {
  return inTransaction(args.ctx, async (ctx) => {
    const invoice = readable(ctx, 'invoice');
    const allocation = ctx.platform.registry.requireObject('payment_allocation');
    const to = args.to ? checkMonth('to', args.to) : today(ctx).slice(0, 7);
    const from = args.from ? checkMonth('from', args.from) : addMonths(to, -11);
    if (monthsBetween(from, to) < 0) refuse('from', 'after_to', 'The first month comes before the last');
    if (monthsBetween(from, to) >= MAX_DSO_MONTHS) refuse('from', 'out_of_range', `At most ${MAX_DSO_MONTHS} months`);
    const start = addMonths(from, -2); // the trailing three months of the first month
    const end = lastOfMonth(to);
    const month = (col: ReturnType<typeof sql>) => sql`CASE WHEN ${col} < ${firstOfMonth(start)}::date THEN 'opening' ELSE to_char(${col}, 'YYYY-MM') END`;
    const where = visibleWhere(ctx, invoice, sql`t0.status <> 'draft' AND t0.invoice_date <= ${end}::date`);
    const inv = await sql<{ currency: string; m: string; invoiced: string; credited: string }>`SELECT t0.currency, ${month(sql`t0.invoice_date`)} AS m,
        coalesce(sum(t0.total) FILTER (WHERE t0.kind = 'invoice'), 0)::text AS invoiced, coalesce(sum(t0.total) FILTER (WHERE t0.kind = 'credit_note'), 0)::text AS credited
      FROM ${table(invoice)} AS t0 WHERE ${where} GROUP BY 1, 2`.execute(ctx.trx);
    const allocatedOn = sql`coalesce(a.allocated_on, a.created_at::date)`;
    const reversedOn = sql`(a.reversed_at AT TIME ZONE 'UTC')::date`;
    const al = await sql<{ currency: string; m: string; amount: string }>`SELECT t0.currency, ${month(allocatedOn)} AS m, sum(a.amount)::text AS amount
      FROM ${table(allocation)} a JOIN ${table(invoice)} AS t0 ON t0.id = a.invoice_id
      WHERE ${where} AND a.deleted_at IS NULL AND ${allocatedOn} <= ${end}::date GROUP BY 1, 2`.execute(ctx.trx);
    const rev = await sql<{ currency: string; m: string; amount: string }>`SELECT t0.currency, ${month(reversedOn)} AS m, sum(a.amount)::text AS amount
      FROM ${table(allocation)} a JOIN ${table(invoice)} AS t0 ON t0.id = a.invoice_id
      WHERE ${where} AND a.deleted_at IS NULL AND a.reversed_at IS NOT NULL AND ${reversedOn} <= ${end}::date GROUP BY 1, 2`.execute(ctx.trx);
    const currencies = [...new Set(inv.rows.map((r) => r.currency))].sort();
    const months: string[] = [];
    for (let m = start; monthsBetween(m, to) >= 0; m = addMonths(m, 1)) months.push(m);
    const find = <R extends { currency: string; m: string }>(rows: R[], c: string, m: string) => rows.find((r) => r.currency === c && r.m === m);
    return {
      from, to, formula: DSO_FORMULA,
      currencies: currencies.map((currency) => {
        const change = (m: string) => {
          const i = find(inv.rows, currency, m);
          return dec(i?.invoiced).minus(dec(i?.credited)).minus(dec(find(al.rows, currency, m)?.amount)).plus(dec(find(rev.rows, currency, m)?.amount));
        };
        let receivables = change('opening');
        const all = months.map((m) => {
          receivables = receivables.plus(change(m));
          const i = find(inv.rows, currency, m);
          const creditSales = dec(i?.invoiced).minus(dec(i?.credited));
          return { month: m, days: daysInMonth(m), receivables, invoiced: dec(i?.invoiced), credited: dec(i?.credited), creditSales };
        });
        return {
          currency,
          months: all.slice(2).map((x, k) => {
            const three = all.slice(k, k + 3);
            const sales3 = three.reduce((s, y) => s.plus(y.creditSales), dec(0));
            const days3 = three.reduce((s, y) => s + y.days, 0);
            return {
              month: x.month, days: x.days, receivables: text(x.receivables), invoiced: text(x.invoiced), credited: text(x.credited), creditSales: text(x.creditSales),
              dso: dsoOf(x.receivables, x.creditSales, x.days), dso3: dsoOf(x.receivables, sales3, days3),
            };
          }),
        };
      }),
    };
  });
}
