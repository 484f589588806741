import { defineModule } from '../../platform/module.ts';
import {
  account, accountContactRole, accountTeamMember, contact, lead, lostReasonRoute, opportunity, opportunityStageHistory, pipeline, pipelineStage, project,
} from './objects.ts';
import { registerSalesHooks } from './hooks.ts';
import { registerSalesRoutes } from './routes.ts';
import { salesJobs } from './jobs.ts';
import { salesMigrations, startSales } from './startup.ts';
import { SKIP_STAGES } from './rules/stageOrder.ts';
import { salesFactories } from './factories.ts';

/** Sales: accounts, contacts, leads and conversion, opportunities and pipelines, duplicates and merge (docs/sales.md). */
export const salesModule = defineModule({
  name: 'sales',
  objects: [account, contact, lead, opportunity, pipeline, pipelineStage, opportunityStageHistory, lostReasonRoute, project, accountTeamMember, accountContactRole],
  hooks: registerSalesHooks,
  routes: registerSalesRoutes,
  jobs: salesJobs(),
  migrations: salesMigrations,
  startup: startSales,
  factories: salesFactories,
  capabilities: [
    { name: SKIP_STAGES, label: 'Skip pipeline stages', description: 'Move a deal past stages of a pipeline that requires them in order, giving a reason' },
  ],
});
export { closeOpportunity, type CloseInput, type CloseResult } from './commands/closeOpportunity.ts';
export { normalizeCompanyName, emailDomain } from './domain/normalize.ts';
export { companyNameSql, webDomainSql, lowerSql } from './duplicates/sql.ts';
export { carryOnLeadConversion } from './commands/leadMapping.ts';
