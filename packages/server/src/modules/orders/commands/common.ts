import type { ApiRecord } from '../../../platform/records/hooks.ts';
import type { RecordContext, TxContext } from '../../../platform/records/context.ts';
import { recordEvent, recordEvents } from '../../../platform/records/history.ts';
import { runDocumentCommand, setDocumentValues } from '../../billing/index.ts';
import { assertOrderCan, type OrderCommand } from '../status.ts';
import type { OrderStatus } from '../objects.ts';

export interface OrderCommandArgs {
  ctx: RecordContext;
  id: string;
  /** The version the caller read (If-Match); an order changed since is a 409 version_conflict. */
  expectedVersion?: number;
}

/** Runs one named command on an order (billing's runDocumentCommand), its status rule from status.ts. */
export function runOrderCommand<T>(args: OrderCommandArgs & { command: OrderCommand; mode?: 'read' | 'edit'; run: (ctx: TxContext, order: ApiRecord) => Promise<T> }): Promise<T> {
  return runDocumentCommand({ ...args, object: 'order', assertStatus: (status) => assertOrderCan(args.command, status as OrderStatus) });
}

/** A command's change of the order's read-only fields (status, stamps, holds), through the record pipeline (history, record events). */
export function setOrderValues(ctx: TxContext, id: string, values: Record<string, unknown>): Promise<ApiRecord> {
  return setDocumentValues(ctx, 'order', id, values);
}

/** A domain event of an order (`order.confirmed`, …) in the outbox, in the command's transaction. */
export function orderEvent(ctx: TxContext, type: string, order: ApiRecord, data: Record<string, unknown> = {}): Promise<void> {
  return recordEvent({ ctx, type, object: ctx.platform.registry.requireObject('order'), recordId: order.id, data: orderEventData(order, data) });
}

/** orderEvent of many orders, one statement. */
export function orderEvents(ctx: TxContext, type: string, orders: ApiRecord[], data: Record<string, unknown> = {}): Promise<void> {
  return recordEvents({ ctx, type, object: ctx.platform.registry.requireObject('order'), events: orders.map((order) => ({ recordId: order.id, data: orderEventData(order, data) })) });
}

const orderEventData = (order: ApiRecord, data: Record<string, unknown>) => ({
  number: order.number, status: order.status, account: order.account, po_number: order.po_number ?? null, currency: order.currency, total: order.total, ...data,
});

export const now = () => new Date().toISOString();
