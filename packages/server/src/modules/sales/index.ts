import {
  account, accountContactRole, accountTeamMember, contact, lead, lostReasonRoute, opportunity, opportunityStageHistory, pipeline, pipelineStage, project,
} from './objects.ts';

export const salesObjects = [account, contact, lead, opportunity, pipeline, pipelineStage, opportunityStageHistory, lostReasonRoute, project, accountTeamMember, accountContactRole];
export { registerSalesHooks } from './hooks.ts';
export { registerSalesRoutes } from './routes.ts';
export { salesJobs } from './jobs.ts';
export { startSales } from './startup.ts';
