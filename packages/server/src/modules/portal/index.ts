import { defineModule } from '../../platform/module.ts';
import { accountFields, portalLink } from './objects.ts';
import { portalMigrations } from './migrations.ts';
import { portalSettings } from './settings.ts';
import { registerPortalRoutes } from './routes.ts';
import { portalJobs } from './jobs.ts';

/**
 * The customer portal (docs/portal.md, FIN-6): an account's contacts sign in by magic link and
 * see their account (and its child accounts when it allows): invoices with PDFs, payments,
 * statements, quotes to accept or decline, orders, their billing details and the account's
 * portal links. Portal sessions are the portal's own (table, cookie, hook) and reach only
 * /api/v1/portal/; every read is constrained to the contact's accounts in scope.ts.
 */
export const portalModule = defineModule({
  name: 'portal',
  objects: [portalLink],
  fieldsFor: { account: accountFields },
  routes: registerPortalRoutes,
  jobs: portalJobs,
  migrations: portalMigrations,
  settings: portalSettings,
  factories: {
    portal_link: async ({ parent }) => ({ account: await parent('account'), label: `Order site ${Math.random().toString(36).slice(2, 8)}`, url: 'https://po.example.com/' }),
  },
});

export { portalScope, scopeCondition, type PortalScope } from './scope.ts';
