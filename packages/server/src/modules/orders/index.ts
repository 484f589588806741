import { defineModule } from '../../platform/module.ts';
import { orderObjects } from './objects.ts';
import { registerOrderHooks } from './hooks.ts';
import { registerOrderRoutes } from './routes.ts';
import { registerIntakeRoutes } from './intakeRoutes.ts';
import { orderMigrations, startOrders } from './startup.ts';
import { orderSettings } from './settings.ts';
import { orderFactories } from './factories.ts';
import { jobTicketJobs } from './jobTicket/index.ts';

/**
 * Orders (docs/orders.md): orders with lines priced by billing's kernel, from accepted quotes,
 * shops (intake/), the API and the web app; holds; the production statuses. Invoicing builds on
 * the `order.completed` event and what this file exports.
 */
export const ordersModule = defineModule({
  name: 'orders',
  objects: orderObjects,
  hooks: registerOrderHooks,
  routes: (app, platform) => {
    registerOrderRoutes(app, platform);
    registerIntakeRoutes(app, platform);
  },
  migrations: orderMigrations,
  settings: orderSettings,
  startup: startOrders,
  jobs: jobTicketJobs,
  factories: orderFactories,
  events: [
    { type: 'order.confirmed', description: 'An order was confirmed (by a user, or from an accepted quote): production may start; the job ticket goes out' },
    { type: 'order.status_changed', description: "An order's production status changed (from, to)" },
    { type: 'order.completed', description: 'An order was completed: invoicing follows the account’s invoicing option' },
    { type: 'order.cancelled', description: 'An order was cancelled' },
    { type: 'order.held', description: 'An order was put on hold, with the reasons' },
    { type: 'order.released', description: "A held order was released, with the user's comment" },
    { type: 'order.job_ticket', description: "An order's job ticket for a source whose production channel is the webhook: number, lines with specs and quantities, and the URL of the ticket's PDF" },
  ],
});

export { ORDER_STATUSES, type OrderStatus } from './objects.ts';
export { ORDER } from './kind.ts';
export { createOrder, readOrderWithLines, writeOrder, type CreateOrderInput, type OrderWithLines } from './commands/createOrder.ts';
export { confirmOrder, startProduction, completeOrder, cancelOrder, moveOrder } from './commands/changeStatus.ts';
export { holdOrder, releaseOrder, parseHoldReasons, type HoldReason } from './commands/holds.ts';
export { registerConfirmCheck, registerReleaseGuard, type ConfirmCheck, type ReleaseGuard } from './commands/checks.ts';
export { openOrdersOf, type OpenOrders } from './queries/openOrders.ts';
export { createOrderFromQuote } from './commands/fromQuote.ts';
export { canRunOrder, assertOrderCan } from './status.ts';
export { renderJobTicket, reprintJobTicket, orderJobTickets, sendDueJobTickets, jobTicketRoute, type JobTicket, type JobTicketRoute } from './jobTicket/index.ts';
