import { sql } from 'kysely';
import { inTransaction, type RecordContext } from '../../../platform/records/context.ts';
import { getRecord, listConditions } from '../../../platform/records/read.ts';
import { assertObjectPermission } from '../../../platform/access/policy.ts';

export interface OpenOrders {
  count: number;
  held: number;
  /** Per currency: the open orders' total (the figures stored on the orders). */
  totals: Array<{ currency: string; count: number; total: number }>;
}

/**
 * An account's open orders (received, confirmed, in production) for its page: how many, how many
 * held, and their totals per currency — with the list's own conditions (listConditions), so a
 * reader counts exactly the orders they could list. 404 for an account they cannot see.
 */
export function openOrdersOf(args: { ctx: RecordContext; account: string }): Promise<OpenOrders> {
  return inTransaction(args.ctx, async (ctx) => {
    await getRecord({ ctx, object: ctx.platform.registry.requireObject('account'), id: args.account, fields: ['id'] });
    const object = ctx.platform.registry.requireObject('order');
    assertObjectPermission(ctx.actor, object, 'read');
    const where = sql.join(listConditions(ctx, object, undefined, sql<boolean>`t0.account_id = ${args.account}::uuid AND t0.status IN ('received', 'confirmed', 'in_production')`), sql` AND `);
    const r = await sql<{ currency: string; n: number; held: number; total: string }>`SELECT t0.currency, count(*)::int AS n, count(*) FILTER (WHERE t0.on_hold)::int AS held, coalesce(sum(t0.total), 0)::text AS total
      FROM ${sql.table(object.table)} AS t0 WHERE ${where} GROUP BY t0.currency ORDER BY t0.currency`.execute(ctx.trx);
    return {
      count: r.rows.reduce((n, x) => n + x.n, 0),
      held: r.rows.reduce((n, x) => n + x.held, 0),
      totals: r.rows.map((x) => ({ currency: x.currency, count: x.n, total: Number(x.total) })),
    };
  });
}
