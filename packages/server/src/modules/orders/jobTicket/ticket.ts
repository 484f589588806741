import { AppError } from '../../../platform/errors.ts';
import { asSystem, inTransaction, type RecordContext, type TxContext } from '../../../platform/records/context.ts';
import type { ApiRecord } from '../../../platform/records/hooks.ts';
import { readDocumentLines, readRecord } from '../../billing/index.ts';
import { runOrderCommand, type OrderCommandArgs } from '../commands/common.ts';
import { ORDER } from '../kind.ts';
import { jobTicketEvent } from './channels.ts';
import { wakeJobTickets } from './queue.ts';
import { jobTicketRoute } from './route.ts';
import { insertJobTicket, listJobTickets, type JobTicketRow } from './store.ts';

/**
 * Decides an order's job ticket in the caller's transaction: nothing when the order has no
 * production channel; the `order.job_ticket` event (sent when written: webhooks deliver it) for
 * the webhook channel; else a pending row that is e-mailed or printed once the transaction has
 * committed (network I/O never runs inside it). Answers the ticket row's id, or null.
 */
export async function queueJobTicket(ctx: TxContext, order: ApiRecord, reason: 'confirmed' | 'reprint', eventId?: string): Promise<string | null> {
  const route = await jobTicketRoute(ctx, order);
  if (!route) return null;
  const base = { orderId: order.id, channel: route.channel, target: route.target, reason, createdBy: ctx.actor.userId, ...(eventId ? { eventId } : {}) };
  if (route.channel === 'webhook') {
    const id = await insertJobTicket(ctx.trx, { ...base, status: 'sent' });
    if (id) await jobTicketEvent(ctx, order, await readDocumentLines(asSystem(ctx), ORDER, order.id), reason);
    return id;
  }
  const id = await insertJobTicket(ctx.trx, { ...base, status: 'pending' });
  if (id) ctx.uow.afterCommit(() => void wakeJobTickets(ctx.platform));
  return id;
}

/**
 * Reprint from the order page: the ticket again through the order's channel. The order must be
 * confirmed, in production or completed (409 otherwise) and visible to the caller (404); an
 * order with no production channel is a 422 `no_production_channel`. Answers the order.
 */
export function reprintJobTicket(args: OrderCommandArgs): Promise<ApiRecord> {
  return runOrderCommand({
    ...args,
    command: 'reprint',
    mode: 'read',
    async run(ctx, order) {
      const id = await queueJobTicket(ctx, order, 'reprint');
      if (!id) {
        throw new AppError('rule_violation', 'This order has no production channel: set one on its order source, or MERIDIAN_JOB_TICKET_EMAIL', {
          errors: [{ field: 'production_channel', code: 'no_production_channel', message: 'Job tickets of this order go nowhere' }],
        });
      }
      return readRecord(ctx, 'order', order.id);
    },
  });
}

/** An order's job tickets, newest first, for a caller who may see the order (404 otherwise). */
export function orderJobTickets(ctx: RecordContext, orderId: string): Promise<JobTicketRow[]> {
  return inTransaction(ctx, async (tx) => {
    const order = await readRecord(tx, 'order', orderId, ['number']);
    return listJobTickets(tx.trx, order.id);
  });
}
