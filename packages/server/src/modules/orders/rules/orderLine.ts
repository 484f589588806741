import { sql } from 'kysely';
import type { AfterSaveArgs, BeforeDeleteArgs, BeforeLockArgs, BeforeSaveArgs } from '../../../platform/records/hooks.ts';
import { inDocumentCommand, isDocumentDeleting, isRealDate, isBlank, lockDocument, recalculateDocument, refuse, retotalDocument, saveDocumentLine, storeDocumentTotals, tableOf, totalsOf } from '../../billing/index.ts';
import { assertOrderCan } from '../status.ts';
import { ORDER } from '../kind.ts';
import type { OrderStatus } from '../objects.ts';

/** An order line's save: the order must still be editable (received or confirmed) unless a command writes; then billing's shared line rule prices it and re-totals the order. */
export async function saveOrderLine(args: BeforeSaveArgs): Promise<void> {
  const { ctx, merged } = args;
  const order = await lockDocument(ctx, ORDER, String(merged.order));
  if (!order) refuse('order', 'not_found', 'No such order');
  if (!inDocumentCommand(ctx, order.id)) assertOrderCan('edit', order.status as OrderStatus);
  if (!isBlank(merged.requested_date) && !isRealDate(String(merged.requested_date))) refuse('requested_date', 'invalid_date', 'Must be a date (YYYY-MM-DD)');
  await saveDocumentLine(args, ORDER, order);
  if (isBlank(merged.team) && (args.operation === 'create' || 'product' in args.data || 'product_spec' in args.data)) {
    const team = await teamFor(args, order.account_id);
    if (team) args.data.team = team;
  }
}

/**
 * Seed 004 "Teams": the team whose rule fits the line — the account, the product's type and the
 * spec, an empty rule field fitting anything — the most specific rule first (account, then spec,
 * then type), ties by the oldest rule, so the same line always goes to the same team.
 */
async function teamFor({ ctx, merged }: BeforeSaveArgs, accountId: string): Promise<string | undefined> {
  const r = await sql<{ team_id: string }>`SELECT r.team_id FROM ${tableOf(ctx, 'production_team_rule')} r
      JOIN ${tableOf(ctx, 'production_team')} t ON t.id = r.team_id AND t.deleted_at IS NULL AND t.active IS NOT FALSE
      JOIN ${tableOf(ctx, 'product')} p ON p.id = ${String(merged.product)}
    WHERE r.deleted_at IS NULL
      AND (r.account_id IS NULL OR r.account_id = ${accountId})
      AND (r.product_type IS NULL OR r.product_type = p.type)
      AND (r.product_spec_id IS NULL OR r.product_spec_id = ${isBlank(merged.product_spec) ? null : String(merged.product_spec)})
    ORDER BY (r.account_id IS NOT NULL) DESC, (r.product_spec_id IS NOT NULL) DESC, (r.product_type IS NOT NULL) DESC, r.created_at, r.id
    LIMIT 1`.execute(ctx.trx);
  return r.rows[0]?.team_id;
}

/** A line deleted from an editable order re-totals it; lines of an order being deleted just go. */
export async function deleteOrderLine({ ctx, record }: BeforeDeleteArgs): Promise<void> {
  const orderId = String(record.order);
  if (isDocumentDeleting(ctx, orderId)) return;
  const order = await lockDocument(ctx, ORDER, orderId);
  if (!order || order.deleted_at) return;
  if (!inDocumentCommand(ctx, orderId)) assertOrderCan('edit', order.status as OrderStatus);
  const figures = await recalculateDocument({ ctx, kind: ORDER, header: order, without: record.id });
  await storeDocumentTotals(ctx, ORDER, orderId, totalsOf(ctx, ORDER, figures));
}

/** A line (or an order with its lines) back from the recycle bin re-totals the order; not into an order in production. */
export async function restoreOrderLine({ ctx, record }: AfterSaveArgs): Promise<void> {
  const order = await lockDocument(ctx, ORDER, String(record.order));
  if (!order || order.deleted_at) return;
  if (!inDocumentCommand(ctx, order.id)) assertOrderCan('edit', order.status as OrderStatus);
  await retotalDocument(ctx, ORDER, order.id);
}

export async function restoreOrder({ ctx, record }: AfterSaveArgs): Promise<void> {
  await retotalDocument(ctx, ORDER, record.id);
}

/** A line's write locks its order first: the same order as the order's own writes, so concurrent edits queue instead of deadlocking. */
export async function lockOrderFirst({ ctx, id }: BeforeLockArgs): Promise<void> {
  const r = await sql<{ order_id: string }>`SELECT order_id FROM ${tableOf(ctx, 'order_line')} WHERE id = ${id}`.execute(ctx.trx);
  if (r.rows[0]) await lockDocument(ctx, ORDER, r.rows[0].order_id);
}
