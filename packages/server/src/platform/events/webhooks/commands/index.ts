/**
 * Webhook subscription commands (docs/webhooks.md), one per file; events/routes.ts calls them.
 */
export { EVENT_ACTIONS } from './input.ts';
export { listSubscriptions } from './listSubscriptions.ts';
export { getSubscription } from './getSubscription.ts';
export { createSubscription } from './createSubscription.ts';
export { updateSubscription } from './updateSubscription.ts';
export { deleteSubscription } from './deleteSubscription.ts';
export { listDeliveries } from './listDeliveries.ts';
export { replayDelivery } from './replayDelivery.ts';
export { replayRange } from './replayRange.ts';
