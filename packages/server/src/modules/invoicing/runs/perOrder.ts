import { sql } from 'kysely';
import type { EventSubscriber } from '../../../platform/events/index.ts';
import { asSystem, systemActor, UnitOfWork, type TxContext } from '../../../platform/records/context.ts';
import type { ApiRecord } from '../../../platform/records/hooks.ts';
import { isBlank, readRecord } from '../../billing/index.ts';
import { invoiceOrders } from '../commands/invoiceOrders.ts';
import { postLocked } from '../commands/post.ts';
import { asDocumentCommand } from '../../billing/index.ts';

/**
 * An order's invoice when it is completed (seed 004 "invoicing options", the account's
 * `invoicing_option`): *per PO* — one invoice for the order (with its PO), posted at once, and
 * e-mailed when the account sends automatically (seed 001: "on completion an invoice PDF is
 * created and e-mailed automatically with a link to pay"); *manual* — a draft for a person to
 * review and post; *per month* — nothing now: the monthly run takes it (monthly.ts).
 * An order invoiced already (by hand, or a redelivered event) is left alone.
 */
export async function invoiceCompletedOrder(args: { ctx: TxContext; orderId: string }): Promise<ApiRecord | null> {
  const ctx = asSystem(args.ctx);
  const order = await readRecord(ctx, 'order', args.orderId, ['status', 'account', 'invoice']);
  if (order.status !== 'completed' || !isBlank(order.invoice)) return null;
  const account = await readRecord(ctx, 'account', String(order.account), ['invoicing_option']);
  const option = isBlank(account.invoicing_option) ? 'per_po' : String(account.invoicing_option);
  if (option === 'per_month') return null;
  const { invoice } = await invoiceOrders({ ctx, input: { orderIds: [args.orderId] } });
  if (option === 'manual') return invoice;
  return asDocumentCommand(ctx, invoice.id, () => postLocked(ctx, invoice));
}

/**
 * `order.completed` → invoiceCompletedOrder, in the dispatcher's transaction (the invoice commits
 * exactly when the event counts as handled), each order under a savepoint: one that cannot be
 * invoiced (a product deleted since) is logged and left for a person, without stopping the outbox.
 */
export const invoicesFromOrders: EventSubscriber = {
  name: 'invoicing.per-order',
  async handle({ platform, trx, events, afterCommit }) {
    for (const event of events) {
      if (event.type !== 'order.completed') continue;
      const uow = new UnitOfWork();
      await sql`SAVEPOINT invoice_completed_order`.execute(trx);
      try {
        await invoiceCompletedOrder({ ctx: { platform, actor: systemActor('workflow'), trx, uow }, orderId: event.recordId });
        await sql`RELEASE SAVEPOINT invoice_completed_order`.execute(trx);
        afterCommit(() => void uow.flush((error) => platform.logger.error({ err: error }, 'after-commit work of an invoice from an order failed')));
      } catch (error) {
        await sql`ROLLBACK TO SAVEPOINT invoice_completed_order`.execute(trx);
        platform.logger.error({ err: error, order: event.recordId }, 'a completed order could not be invoiced');
      }
    }
  },
};
