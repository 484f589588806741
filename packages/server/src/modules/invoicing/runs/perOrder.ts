import { eventHandler } from '../../../platform/events/index.ts';
import { asSystem, type TxContext } from '../../../platform/records/context.ts';
import type { ApiRecord } from '../../../platform/records/hooks.ts';
import { asDocumentCommand, isBlank, readRecord } from '../../billing/index.ts';
import { invoiceOrders } from '../commands/invoiceOrders.ts';
import { postLocked } from '../commands/post.ts';

/**
 * An order's invoice when it is completed (seed 004 "invoicing options", the account's
 * `invoicing_option`): *per PO* — one invoice for the order (with its PO), posted at once, and
 * e-mailed, from the queue, when the account sends automatically (seed 001: "on completion an
 * invoice PDF is created and e-mailed automatically with a link to pay"); *manual* — a draft for
 * a person to review and post; *per month* — nothing now: the monthly run takes it (monthly.ts).
 * An order invoiced already (by hand, or a redelivered event) is left alone.
 */
export async function invoiceCompletedOrder(args: { ctx: TxContext; orderId: string }): Promise<ApiRecord | null> {
  const ctx = asSystem(args.ctx);
  const order = await readRecord(ctx, 'order', args.orderId, ['status', 'account', 'invoice']);
  if (order.status !== 'completed' || !isBlank(order.invoice)) return null;
  const account = await readRecord(ctx, 'account', String(order.account), ['invoicing_option']);
  const option = isBlank(account.invoicing_option) ? 'per_po' : String(account.invoicing_option);
  if (option === 'per_month') return null;
  const { invoice, lineCount } = await invoiceOrders({ ctx, input: { orderIds: [args.orderId] }, readLines: false });
  if (option === 'manual') return invoice;
  return asDocumentCommand(ctx, invoice.id, () => postLocked(ctx, invoice, { madeHere: { lines: lineCount } }));
}

/**
 * `order.completed` → invoiceCompletedOrder, in the dispatcher's transaction (platform
 * eventHandler: the invoice commits exactly when the event counts as handled; an order that
 * cannot be invoiced — a product deleted since — is logged and left for a person).
 */
export const invoicesFromOrders = eventHandler({
  name: 'invoicing.per_order',
  types: ['order.completed'],
  run: (ctx, event) => invoiceCompletedOrder({ ctx, orderId: event.recordId }),
});
