import { eventHandler } from '../../platform/events/index.ts';
import { createOrderFromQuote } from './commands/fromQuote.ts';

/**
 * `quote.accepted` → a confirmed order, in the dispatcher's transaction (platform eventHandler:
 * the order commits exactly when the event counts as handled; a quote that cannot become an order
 * — its account deleted since — is logged and skipped). A redelivered event finds the order and
 * does nothing.
 */
export const ordersFromQuotes = eventHandler({
  name: 'orders.from_quotes',
  types: ['quote.accepted'],
  run: (ctx, event) => createOrderFromQuote({ ctx, quoteId: event.recordId }),
});
