import { sql } from 'kysely';
import type { EventSubscriber } from '../../platform/events/index.ts';
import { systemActor, UnitOfWork } from '../../platform/records/context.ts';
import { createOrderFromQuote } from './commands/fromQuote.ts';

/**
 * `quote.accepted` → a confirmed order, in the dispatcher's transaction: the order commits exactly
 * when the event counts as handled. Each quote runs under a savepoint, so one quote that cannot
 * become an order (its account deleted since) is logged and skipped instead of stopping the
 * outbox for every other subscriber; a redelivered event finds the order and does nothing.
 */
export const ordersFromQuotes: EventSubscriber = {
  name: 'orders.from-quotes',
  async handle({ platform, trx, events, afterCommit }) {
    for (const event of events) {
      if (event.type !== 'quote.accepted') continue;
      const uow = new UnitOfWork();
      await sql`SAVEPOINT orders_from_quote`.execute(trx);
      try {
        await createOrderFromQuote({ ctx: { platform, actor: systemActor('workflow'), trx, uow }, quoteId: event.recordId });
        await sql`RELEASE SAVEPOINT orders_from_quote`.execute(trx);
        afterCommit(() => void uow.flush((error) => platform.logger.error({ err: error }, 'after-commit work of an order from a quote failed')));
      } catch (error) {
        await sql`ROLLBACK TO SAVEPOINT orders_from_quote`.execute(trx);
        platform.logger.error({ err: error, quote: event.recordId }, 'an accepted quote could not become an order');
      }
    }
  },
};
