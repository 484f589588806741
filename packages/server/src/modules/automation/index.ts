import { defineModule } from '../../platform/module.ts';
import type { JobDefinition } from '../../platform/jobs/boss.ts';
import { systemActor } from '../../platform/records/context.ts';
import './actions/records.ts';
import './actions/messages.ts';
import './actions/assign.ts';
import './actions/webhook.ts';
import './actions/sms.ts';
import { automationObjects } from './objects.ts';
import { MANAGE_RULES, registerAutomationHooks } from './hooks.ts';
import { registerAutomationRoutes } from './routes.ts';
import { automationMigrations } from './migrations.ts';
import { automationSettings } from './settings.ts';
import { nextDueRun, runDueRuns } from './engine/worker.ts';
import { purgeRuns } from './commands/log.ts';
import { runScheduledRules } from './engine/scheduled.ts';

/**
 * pg-boss jobs: the runs' queue is swept every minute (runs are also started in-process right
 * after the commit that queued them; this picks up retries and anything a stopped process left),
 * and the log is trimmed to its retention nightly. Time-based runs and retries start when they
 * fall due: the platform's due timer (jobs/boss.ts startDueTimers) reads nextDueRun.
 */
const automationJobs: JobDefinition[] = [
  {
    name: 'automation.runs',
    cron: '* * * * *',
    nextDueAt: nextDueRun,
    async run(platform) {
      const counts = await runDueRuns(platform);
      if (counts.succeeded + counts.failed + counts.retry + counts.skipped) platform.logger.info(counts, 'workflow rule runs');
    },
  },
  {
    name: 'automation.scheduled',
    cron: '* * * * *',
    async run(platform) {
      const result = await runScheduledRules(platform);
      if (result.fired) platform.logger.info(result, 'scheduled workflow rules fired');
    },
  },
  {
    name: 'automation.log-cleanup',
    cron: '40 3 * * *',
    async run(platform) {
      const deleted = await purgeRuns({ platform, actor: systemActor('system') }, automationSettings.of(platform).logRetentionDays);
      if (deleted) platform.logger.info({ deleted }, 'workflow rule log trimmed');
    },
  },
];

/**
 * Automation (docs/automation.md; AUT-1, AUT-4): workflow rules on any object — triggers,
 * entry conditions, before-save changes in the same write, after-save actions run after the
 * commit with retries, loop protection, the execution log and dry runs.
 */
export const automationModule = defineModule({
  name: 'automation',
  objects: automationObjects,
  hooks: registerAutomationHooks,
  routes: registerAutomationRoutes,
  jobs: automationJobs,
  migrations: automationMigrations,
  settings: automationSettings,
  events: [{ type: 'automation_rule.webhook', description: "A workflow rule's webhook action ran: data.name, the rule, the object, the record id and the record's values" }],
  capabilities: [{ name: MANAGE_RULES, label: 'Manage workflow rules', description: 'Create, change and delete workflow rules (they act as the system), read their execution log, retry failed runs and dry-run rules' }],
  factories: {
    automation_rule: ({ unique }) => ({
      name: `Rule ${unique()}`, target_object: 'account', trigger: 'created', phase: 'after_save', active: false,
      actions: JSON.stringify([{ type: 'notify', to: 'owner', title: `Rule ${unique()}` }]),
    }),
  },
});

export { registerAutomationAction, type AutomationAction, type ActionRun, type ActionCheck } from './actions/registry.ts';
export { runDueRuns, wakeRuns } from './engine/worker.ts';
export { runScheduledRules, listAutomationSchedules, type AutomationSchedule } from './engine/scheduled.ts';
export { dryRunRule } from './commands/dryRun.ts';
export { listRuns, getRun, retryRun, purgeRuns } from './commands/log.ts';
export { compileRule, type CompiledRule } from './spec.ts';
export { automationSettings } from './settings.ts';
export { setSmsProvider, configuredSmsProvider, loggingSmsProvider, type SmsProvider } from './actions/sms.ts';
export { MANAGE_RULES } from './hooks.ts';
