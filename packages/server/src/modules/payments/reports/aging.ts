import { UUID_RE } from '../../../platform/records/values.ts';
import { sql } from 'kysely';
import { inTransaction, type RecordContext } from '../../../platform/records/context.ts';
import { today } from '../../billing/index.ts';
import { accountNames, checkDay, dec, decodeCursor, encodeCursor, readable, table, text, visibleWhere } from './common.ts';

export const AGING_BUCKETS = ['current', 'days_1_30', 'days_31_60', 'days_61_90', 'over_90'] as const;
export type AgingBucket = (typeof AGING_BUCKETS)[number];
export type Buckets = Record<AgingBucket, string>;

export interface AgingRow { account: string; name: string | null; currency: string; invoices: number; total: string; buckets: Buckets }
export interface AgingReport {
  asOf: string;
  /** true: open amounts rebuilt from history (asOf before today); false: the invoices' open amounts now. */
  historical: boolean;
  currencies: Array<{ currency: string; accounts: number; invoices: number; total: string; buckets: Buckets }>;
  rows: AgingRow[];
  nextCursor: string | null;
}

const cmp = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
export const MAX_AGING_ROWS = 500;
type Cursor = { t: string; a: string; c: string };

/**
 * Aging of receivables (docs/cash-reports.md): what invoices still have open as of a day, by days
 * past their due date — current (not yet due, or no due date), 1–30, 31–60, 61–90, over 90 —
 * per currency (never added across currencies) and per account and currency, largest first,
 * paged by keyset. Only invoices the reader can list count (listConditions on invoice).
 *
 * As of today or later the open amounts are the invoices' own (`open_amount`, what payments and
 * credit notes left). Before today they are rebuilt: the invoice's total − its credit notes dated
 * up to the day − its allocations dated up to the day and not reversed by then.
 */
export function agingReport(args: { ctx: RecordContext; asOf?: string; currency?: string; limit?: number; cursor?: string }): Promise<AgingReport> {
  return inTransaction(args.ctx, async (ctx) => {
    const invoice = readable(ctx, 'invoice');
    const now = today(ctx);
    const asOf = args.asOf ? checkDay('asOf', args.asOf) : now;
    const historical = asOf < now;
    const limit = Math.min(Math.max(args.limit ?? 50, 1), MAX_AGING_ROWS);
    const after = decodeCursor<Cursor>('cursor', args.cursor, (v) => v && typeof v.t === 'string' && /^-?\d+(\.\d+)?$/.test(v.t) && typeof v.a === 'string' && UUID_RE.test(v.a) && typeof v.c === 'string');
    const byCurrency = args.currency ? sql`AND t0.currency = ${args.currency}` : sql``;
    let source;
    if (!historical) {
      source = sql`SELECT t0.account_id, t0.currency, t0.due_date, t0.open_amount AS open FROM ${table(invoice)} AS t0
        WHERE ${visibleWhere(ctx, invoice, sql`t0.kind = 'invoice' AND t0.status IN ('posted', 'partially_paid') AND t0.open_amount <> 0 ${byCurrency}`)}`;
    } else {
      const allocation = ctx.platform.registry.requireObject('payment_allocation');
      source = sql`SELECT x.* FROM (SELECT t0.account_id, t0.currency, t0.due_date, t0.total - coalesce(cn.amount, 0) - coalesce(al.amount, 0) AS open
          FROM ${table(invoice)} AS t0
          LEFT JOIN (SELECT c.credited_invoice_id AS id, sum(c.total) AS amount FROM ${table(invoice)} c
            WHERE c.deleted_at IS NULL AND c.kind = 'credit_note' AND c.status <> 'draft' AND c.invoice_date <= ${asOf}::date GROUP BY 1) cn ON cn.id = t0.id
          LEFT JOIN (SELECT a.invoice_id AS id, sum(a.amount) AS amount FROM ${table(allocation)} a
            WHERE a.deleted_at IS NULL AND coalesce(a.allocated_on, a.created_at::date) <= ${asOf}::date AND (a.reversed_at IS NULL OR (a.reversed_at AT TIME ZONE 'UTC')::date > ${asOf}::date) GROUP BY 1) al ON al.id = t0.id
          WHERE ${visibleWhere(ctx, invoice, sql`t0.kind = 'invoice' AND t0.status <> 'draft' AND t0.invoice_date <= ${asOf}::date ${byCurrency}`)}) x
        WHERE x.open <> 0`;
    }
    const late = sql`(${asOf}::date - s.due_date)`;
    const bucket = (cond: ReturnType<typeof sql>) => sql`coalesce(sum(s.open) FILTER (WHERE ${cond}), 0)`;
    const keyset = after ? sql`WHERE (p.total < ${after.t}::numeric OR (p.total = ${after.t}::numeric AND (p.account_id, p.currency) > (${after.a}::uuid, ${after.c})))` : sql``;
    const r = await sql<{ kind: 'total' | 'row'; account_id: string | null; currency: string; n: number; invoices: number; total: string } & Buckets>`WITH per AS MATERIALIZED (
        SELECT s.account_id, s.currency, count(*)::int AS invoices, sum(s.open) AS total,
          ${bucket(sql`s.due_date IS NULL OR ${late} <= 0`)} AS current,
          ${bucket(sql`${late} BETWEEN 1 AND 30`)} AS days_1_30,
          ${bucket(sql`${late} BETWEEN 31 AND 60`)} AS days_31_60,
          ${bucket(sql`${late} BETWEEN 61 AND 90`)} AS days_61_90,
          ${bucket(sql`${late} > 90`)} AS over_90
        FROM (${source}) s GROUP BY s.account_id, s.currency),
      page AS (SELECT * FROM per p ${keyset} ORDER BY p.total DESC, p.account_id, p.currency LIMIT ${limit + 1})
      SELECT 'total' AS kind, NULL::uuid AS account_id, currency, count(*)::int AS n, sum(invoices)::int AS invoices, sum(total)::text AS total,
        sum(current)::text AS current, sum(days_1_30)::text AS days_1_30, sum(days_31_60)::text AS days_31_60, sum(days_61_90)::text AS days_61_90, sum(over_90)::text AS over_90
        FROM per GROUP BY currency
      UNION ALL
      SELECT * FROM (SELECT 'row', account_id, currency, 1, invoices, total::text, current::text, days_1_30::text, days_31_60::text, days_61_90::text, over_90::text
        FROM page ORDER BY page.total DESC, page.account_id, page.currency) pr`.execute(ctx.trx);
    const buckets = (row: Buckets) => Object.fromEntries(AGING_BUCKETS.map((b) => [b, text(dec(row[b]))])) as Buckets;
    const totals = r.rows.filter((row) => row.kind === 'total').sort((a, b) => cmp(a.currency, b.currency));
    let rows = r.rows.filter((row) => row.kind === 'row').sort((a, b) => dec(b.total).cmp(dec(a.total)) || cmp(a.account_id!, b.account_id!) || cmp(a.currency, b.currency));
    const more = rows.length > limit;
    rows = rows.slice(0, limit);
    const names = await accountNames(ctx, rows.map((row) => row.account_id!));
    const last = rows[rows.length - 1];
    return {
      asOf, historical,
      currencies: totals.map((t) => ({ currency: t.currency, accounts: t.n, invoices: t.invoices, total: text(dec(t.total)), buckets: buckets(t) })),
      rows: rows.map((row) => ({ account: row.account_id!, name: names.get(row.account_id!) ?? null, currency: row.currency, invoices: row.invoices, total: text(dec(row.total)), buckets: buckets(row) })),
      nextCursor: more && last ? encodeCursor({ t: dec(last.total).toFixed(), a: last.account_id, c: last.currency }) : null,
    };
  });
}
