import { sql } from 'kysely';
import { inTransaction, type RecordContext } from '../../../platform/records/context.ts';
import { getRecord, listConditions } from '../../../platform/records/read.ts';
import { assertObjectPermission } from '../../../platform/access/policy.ts';
import { today } from '../../billing/index.ts';

export interface OpenInvoices {
  count: number;
  overdue: number;
  /** Per currency: what is still owed, and the part past its due date (in the reader's zone). */
  totals: Array<{ currency: string; count: number; open: number; overdueCount: number; overdue: number }>;
}

/**
 * An account's open invoices (posted or partly paid) for its page — seed 001's "remind customers
 * when invoices are overdue" starts with a rep seeing them — under the list's own conditions, so
 * a reader sums exactly the invoices they could list. 404 for an account they cannot see.
 */
export function openInvoicesOf(args: { ctx: RecordContext; account: string }): Promise<OpenInvoices> {
  return inTransaction(args.ctx, async (ctx) => {
    await getRecord({ ctx, object: ctx.platform.registry.requireObject('account'), id: args.account, fields: ['id'] });
    const object = ctx.platform.registry.requireObject('invoice');
    assertObjectPermission(ctx.actor, object, 'read');
    const where = sql.join(listConditions(ctx, object, undefined, sql<boolean>`t0.account_id = ${args.account}::uuid AND t0.kind = 'invoice' AND t0.status IN ('posted', 'partially_paid') AND t0.open_amount > 0`), sql` AND `);
    const day = today(ctx);
    const r = await sql<{ currency: string; n: number; open: string; late: number; late_open: string }>`SELECT t0.currency, count(*)::int AS n, coalesce(sum(t0.open_amount), 0)::text AS open,
        count(*) FILTER (WHERE t0.due_date < ${day}::date)::int AS late, coalesce(sum(t0.open_amount) FILTER (WHERE t0.due_date < ${day}::date), 0)::text AS late_open
      FROM ${sql.table(object.table)} AS t0 WHERE ${where} GROUP BY t0.currency ORDER BY t0.currency`.execute(ctx.trx);
    return {
      count: r.rows.reduce((n, x) => n + x.n, 0),
      overdue: r.rows.reduce((n, x) => n + x.late, 0),
      totals: r.rows.map((x) => ({ currency: x.currency, count: x.n, open: Number(x.open), overdueCount: x.late, overdue: Number(x.late_open) })),
    };
  });
}
