import { sql } from 'kysely';
import { getRecord } from '../../../platform/records/read.ts';
import { inTransaction, type RecordContext } from '../../../platform/records/context.ts';
import { refuse, today } from '../../billing/index.ts';
import { accountNames, addMonths, checkDay, dec, readable, table, text, visibleWhere } from './common.ts';

export interface RevenueRow { account: string; name: string | null; currency: string; invoiced: string; credited: string; revenue: string; accounts: number; hasChildren: boolean; own: boolean }
export interface RevenueByTree { from: string; to: string; parent: string | null; totals: Array<{ currency: string; invoiced: string; credited: string; revenue: string }>; rows: RevenueRow[]; more: boolean }

export const MAX_REVENUE_ROWS = 500;

/**
 * Revenue by account tree (docs/cash-reports.md): invoices − credit notes with their invoice date
 * in [from, to], per top-level account with every account below it rolled up (parent_account,
 * recursively, 20 levels at most) and per currency. With `parent`, the same one level down: the
 * parent's own invoices (own: true) and each child with its subtree — how the page expands a row.
 * Only invoices the reader can list count; the tree itself is walked whole, so a rep's figures for
 * a group count their own invoices of its accounts. Names of accounts the reader cannot see are null.
 */
export function revenueByAccountTree(args: { ctx: RecordContext; from?: string; to?: string; parent?: string; currency?: string; limit?: number }): Promise<RevenueByTree> {
  return inTransaction(args.ctx, async (ctx) => {
    const invoice = readable(ctx, 'invoice');
    const account = ctx.platform.registry.requireObject('account');
    const to = args.to ? checkDay('to', args.to) : today(ctx);
    const from = args.from ? checkDay('from', args.from) : `${addMonths(to.slice(0, 7), -11)}-01`;
    if (from > to) refuse('from', 'after_to', 'The first day comes before the last');
    if (args.parent) await getRecord({ ctx, object: account, id: args.parent, fields: ['id'] });
    const limit = Math.min(Math.max(args.limit ?? 100, 1), MAX_REVENUE_ROWS);
    const accounts = table(account);
    const seeds = args.parent
      ? sql`SELECT id, id AS top, 1 AS depth FROM ${accounts} WHERE deleted_at IS NULL AND parent_account_id = ${args.parent}::uuid
          UNION ALL SELECT ${args.parent}::uuid, ${args.parent}::uuid, 20`
      : sql`SELECT id, id AS top, 0 AS depth FROM ${accounts} WHERE deleted_at IS NULL AND parent_account_id IS NULL`;
    const byCurrency = args.currency ? sql`AND t0.currency = ${args.currency}` : sql``;
    const where = visibleWhere(ctx, invoice, sql`t0.status <> 'draft' AND t0.invoice_date BETWEEN ${from}::date AND ${to}::date ${byCurrency}`);
    const r = await sql<{ top: string; currency: string; invoiced: string; credited: string; revenue: string; accounts: number; has_children: boolean }>`WITH RECURSIVE tree(id, top, depth) AS (
        ${seeds}
        UNION ALL SELECT a.id, t.top, t.depth + 1 FROM ${accounts} a JOIN tree t ON a.parent_account_id = t.id WHERE a.deleted_at IS NULL AND t.depth < 20),
      sums AS (SELECT tree.top, t0.currency,
          coalesce(sum(t0.total) FILTER (WHERE t0.kind = 'invoice'), 0) AS invoiced, coalesce(sum(t0.total) FILTER (WHERE t0.kind = 'credit_note'), 0) AS credited,
          count(DISTINCT t0.account_id)::int AS accounts
        FROM ${table(invoice)} AS t0 JOIN tree ON tree.id = t0.account_id WHERE ${where} GROUP BY 1, 2)
      SELECT top, currency, invoiced::text, credited::text, (invoiced - credited)::text AS revenue, accounts,
        ${args.parent ? sql`top <> ${args.parent}::uuid AND ` : sql``}EXISTS (SELECT 1 FROM ${accounts} c WHERE c.parent_account_id = sums.top AND c.deleted_at IS NULL) AS has_children
      FROM sums ORDER BY invoiced - credited DESC, top, currency LIMIT ${limit + 1}`.execute(ctx.trx);
    const totals = await sql<{ currency: string; invoiced: string; credited: string }>`SELECT t0.currency,
        coalesce(sum(t0.total) FILTER (WHERE t0.kind = 'invoice'), 0)::text AS invoiced, coalesce(sum(t0.total) FILTER (WHERE t0.kind = 'credit_note'), 0)::text AS credited
      FROM ${table(invoice)} AS t0 WHERE ${where}
        ${args.parent ? sql`AND t0.account_id IN (WITH RECURSIVE sub(id, depth) AS (SELECT ${args.parent}::uuid, 0 UNION ALL SELECT a.id, s.depth + 1 FROM ${accounts} a JOIN sub s ON a.parent_account_id = s.id WHERE a.deleted_at IS NULL AND s.depth < 20) SELECT id FROM sub)` : sql``}
      GROUP BY 1 ORDER BY 1`.execute(ctx.trx);
    const rows = r.rows.slice(0, limit);
    const names = await accountNames(ctx, rows.map((row) => row.top));
    return {
      from, to, parent: args.parent ?? null,
      totals: totals.rows.map((t) => ({ currency: t.currency, invoiced: text(dec(t.invoiced)), credited: text(dec(t.credited)), revenue: text(dec(t.invoiced).minus(dec(t.credited))) })),
      rows: rows.map((row) => ({
        account: row.top, name: names.get(row.top) ?? null, currency: row.currency, invoiced: text(dec(row.invoiced)), credited: text(dec(row.credited)), revenue: text(dec(row.revenue)),
        accounts: row.accounts, hasChildren: row.has_children, own: args.parent !== undefined && row.top === args.parent,
      })),
      more: r.rows.length > limit,
    };
  });
}
