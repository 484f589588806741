import type { ApiRecord } from '../../../platform/records/hooks.ts';
import { inTransaction, type RecordContext, type TxContext } from '../../../platform/records/context.ts';
import { assertVersion, loadForUpdate, updateRecord } from '../../../platform/records/write.ts';
import { recordEvent } from '../../../platform/records/history.ts';
import { asDocumentCommand } from '../../billing/index.ts';
import { assertOrderCan, type OrderCommand } from '../status.ts';
import type { OrderStatus } from '../objects.ts';

export interface OrderCommandArgs {
  ctx: RecordContext;
  id: string;
  /** The version the caller read (If-Match); an order changed since is a 409 version_conflict. */
  expectedVersion?: number;
}

/**
 * Runs one named command on an order in one transaction: the order is locked and loaded with the
 * caller's edit access (404 for an order they cannot see, forged ids included), the version is
 * checked, the status must allow the command (status.ts), then `run` writes through the record
 * pipeline as a document command (billing/documents/scope.ts).
 */
export async function runOrderCommand<T>(args: OrderCommandArgs & { command: OrderCommand; mode?: 'read' | 'edit'; run: (ctx: TxContext, order: ApiRecord) => Promise<T> }): Promise<T> {
  return inTransaction(args.ctx, async (ctx) => {
    const object = ctx.platform.registry.requireObject('order');
    const order = await loadForUpdate(ctx, object, args.id, { mode: args.mode ?? 'edit' });
    assertVersion(object, order, args.expectedVersion);
    assertOrderCan(args.command, order.status as OrderStatus);
    return asDocumentCommand(ctx, order.id, () => args.run(ctx, order));
  });
}

/** A command's change of the order's read-only fields (status, stamps, holds), through the record pipeline (history, record events). */
export function setOrderValues(ctx: TxContext, id: string, values: Record<string, unknown>): Promise<ApiRecord> {
  return updateRecord({ ctx, object: ctx.platform.registry.requireObject('order'), id, input: {}, options: { systemValues: values } });
}

/** A domain event of an order (`order.confirmed`, …) in the outbox, in the command's transaction. */
export function orderEvent(ctx: TxContext, type: string, order: ApiRecord, data: Record<string, unknown> = {}): Promise<void> {
  return recordEvent({
    ctx, type, object: ctx.platform.registry.requireObject('order'), recordId: order.id,
    data: { number: order.number, status: order.status, account: order.account, po_number: order.po_number ?? null, currency: order.currency, total: order.total, ...data },
  });
}

export const now = () => new Date().toISOString();
