import { defineModule } from '../../platform/module.ts';
import { approvalObjects } from './objects.ts';
import { approvalMigrations } from './migrations.ts';
import { registerLockHooks } from './lock.ts';
import { registerApprovalRoutes } from './routes.ts';
import { approvalSettings } from './settings.ts';
import { registerRuleSchedules } from './jobSources.ts';

/**
 * Approvals (docs/automation.md#approvals; AUT-3, issue 14 item 6): approval processes per
 * object — entry criteria, submitters, ordered steps with criteria and approvers (a user, the
 * submitter's or the record owner's manager, a role, a group, a capability's holders; first
 * response or unanimous), field updates on submit, approval, rejection and recall — requests and
 * step results as records only its commands write, the record locked while pending, answers from
 * the web app or a single-use e-mail link. Modules seed processes for their own objects and act on
 * the outcome through onApprovalOutcome (billing's quote discount, credit's holds).
 */
export const approvalsModule = defineModule({
  name: 'approvals',
  objects: approvalObjects,
  hooks: registerLockHooks,
  routes: registerApprovalRoutes,
  migrations: approvalMigrations,
  settings: approvalSettings,
  startup: registerRuleSchedules,
});

export { submitForApproval, submitIfApplicable } from './commands/submit.ts';
export { decideApproval, decideByLink } from './commands/decide.ts';
export { recallApproval } from './commands/recall.ts';
export { saveApprovalProcess, deleteApprovalProcess, seedApprovalProcess } from './commands/processes.ts';
export { onApprovalOutcome, type ApprovalOutcome, type ApprovalOutcomeHandler } from './outcomes.ts';
export { pendingRequestOf as pendingApprovalOf } from './lock.ts';
export { approvalHistory, approvalInbox } from './queries.ts';
export type { Process, ProcessInput } from './process.ts';
