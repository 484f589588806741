import { sql } from 'kysely';
import type { BeforeSaveArgs } from '../../../platform/records/hooks.ts';
import { documentLineRules, isBlank, isRealDate, refuse, tableOf } from '../../billing/index.ts';
import { assertOrderCan } from '../status.ts';
import { ORDER } from '../kind.ts';
import type { OrderStatus } from '../objects.ts';

/**
 * Order lines follow billing's shared line rules (documents/lineRules.ts): they change only while
 * the order is received or confirmed, unless a command writes; each save is priced and the order
 * re-totalled. On top: a requested date must be a date, and a line without a team gets one.
 */
export const orderLineRules = documentLineRules(ORDER, (status) => assertOrderCan('edit', status as OrderStatus));

export async function saveOrderLine(args: BeforeSaveArgs): Promise<void> {
  const { merged } = args;
  if (!isBlank(merged.requested_date) && !isRealDate(String(merged.requested_date))) refuse('requested_date', 'invalid_date', 'Must be a date (YYYY-MM-DD)');
  await orderLineRules.save(args);
  if (isBlank(merged.team) && (args.operation === 'create' || 'product' in args.data || 'product_spec' in args.data)) {
    const team = await teamFor(args);
    if (team) args.data.team = team;
  }
}

/**
 * Seed 004 "Teams": the team whose rule fits the line — the account, the product's type and the
 * spec, an empty rule field fitting anything — the most specific rule first (account, then spec,
 * then type), ties by the oldest rule, so the same line always goes to the same team.
 */
async function teamFor({ ctx, merged }: BeforeSaveArgs): Promise<string | undefined> {
  const r = await sql<{ team_id: string }>`SELECT r.team_id FROM ${tableOf(ctx, 'production_team_rule')} r
      JOIN ${tableOf(ctx, 'production_team')} t ON t.id = r.team_id AND t.deleted_at IS NULL AND t.active IS NOT FALSE
      JOIN ${tableOf(ctx, 'product')} p ON p.id = ${String(merged.product)}
      JOIN ${tableOf(ctx, 'order')} o ON o.id = ${String(merged.order)}
    WHERE r.deleted_at IS NULL
      AND (r.account_id IS NULL OR r.account_id = o.account_id)
      AND (r.product_type IS NULL OR r.product_type = p.type)
      AND (r.product_spec_id IS NULL OR r.product_spec_id = ${isBlank(merged.product_spec) ? null : String(merged.product_spec)})
    ORDER BY (r.account_id IS NOT NULL) DESC, (r.product_spec_id IS NOT NULL) DESC, (r.product_type IS NOT NULL) DESC, r.created_at, r.id
    LIMIT 1`.execute(ctx.trx);
  return r.rows[0]?.team_id;
}
