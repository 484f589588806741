import { defineModule } from '../../platform/module.ts';
import { accountFields, creditObjects, orderFields } from './objects.ts';
import { registerCreditRoutes } from './routes.ts';
import { creditJobs, creditMigrations, startCredit } from './startup.ts';
import { creditSettings } from './settings.ts';
import { creditCapabilities } from './capabilities.ts';

/**
 * Credit (docs/credit.md; FIN-5, SAL-3's payment behaviour): each account's credit limit computed
 * nightly from its payment behaviour and spending over the last 12 months (formula.ts, shown with
 * its inputs), the override with a reason, and orders held at confirmation when they would take
 * the account over its limit — through orders' confirm check and release guard hook points, so
 * orders never imports this module.
 */
export const creditModule = defineModule({
  name: 'credit',
  objects: creditObjects,
  // After sales, orders, invoicing and payments in the composition root: it adds to account and order and reads their figures.
  fieldsFor: { account: accountFields, order: orderFields },
  routes: registerCreditRoutes,
  jobs: creditJobs,
  migrations: creditMigrations,
  settings: creditSettings,
  startup: startCredit,
  capabilities: creditCapabilities,
});

export { creditStanding, type CreditStanding } from './queries/standing.ts';
export { computeCredit, runNightlyCredit, type ComputeSummary } from './commands/compute.ts';
export { overrideCreditLimit } from './commands/override.ts';
export { computeCreditLimit, rateBehaviour, type CreditInputs, type CreditPolicy, type CreditResult, type Behaviour } from './formula.ts';
export { creditSettings } from './settings.ts';
export { OVERRIDE_CREDIT_LIMIT, RELEASE_CREDIT_HOLDS, RECOMPUTE_CREDIT } from './capabilities.ts';
export { CreditStandingSchema } from './routes.ts';
export { creditHoldsToApproval, ORDER_CREDIT_PROCESS } from './approval.ts';
