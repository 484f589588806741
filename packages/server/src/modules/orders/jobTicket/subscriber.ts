import { sql } from 'kysely';
import type { EventSubscriber } from '../../../platform/events/index.ts';
import { systemActor, UnitOfWork, type TxContext } from '../../../platform/records/context.ts';
import { readRecord } from '../../billing/index.ts';
import { queueJobTicket } from './ticket.ts';

/**
 * `order.confirmed` → the order's job ticket, in the dispatcher's transaction (the ticket row and
 * the event commit exactly when the event counts as handled; a redelivered event finds its row
 * and adds nothing). Each order runs under a savepoint, so one that cannot be read is logged and
 * skipped rather than stopping the outbox. Sending happens after the commit (queue.ts).
 */
export const jobTicketSubscriber: EventSubscriber = {
  name: 'orders.job-tickets',
  async handle({ platform, trx, events, afterCommit }) {
    for (const event of events) {
      if (event.type !== 'order.confirmed') continue;
      const uow = new UnitOfWork();
      const ctx: TxContext = { platform, actor: systemActor('workflow'), trx, uow };
      await sql`SAVEPOINT orders_job_ticket`.execute(trx);
      try {
        const order = await readRecord(ctx, 'order', event.recordId);
        await queueJobTicket(ctx, order, 'confirmed', event.id);
        await sql`RELEASE SAVEPOINT orders_job_ticket`.execute(trx);
        afterCommit(() => void uow.flush((error) => platform.logger.error({ err: error }, 'after-commit work of a job ticket failed')));
      } catch (error) {
        await sql`ROLLBACK TO SAVEPOINT orders_job_ticket`.execute(trx);
        platform.logger.error({ err: error, order: event.recordId }, 'the job ticket of a confirmed order could not be queued');
      }
    }
  },
};
