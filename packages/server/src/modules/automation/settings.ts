import { defineSettings, setting } from '../../platform/settings.ts';

/** Automation's settings (docs/automation.md, docs/operations.md). */
export const automationSettings = defineSettings('automation', {
  logRetentionDays: setting.integer('MERIDIAN_AUTOMATION_LOG_DAYS', 30, 'days the workflow rules’ execution log is kept (older runs are deleted nightly)', { min: 1 }),
  maxAttempts: setting.integer('MERIDIAN_AUTOMATION_MAX_ATTEMPTS', 5, 'attempts of a failing after-save run before it is shown as failed and the rule’s owner is notified', { min: 1, max: 20 }),
  retrySeconds: setting.number('MERIDIAN_AUTOMATION_RETRY_SECONDS', 30, 'wait before the first retry of a failed run; each further retry waits four times longer (at most an hour)', { min: 0 }),
  maxDepth: setting.integer('MERIDIAN_AUTOMATION_MAX_DEPTH', 5, 'how deep rules may trigger rules (a rule’s action triggering another rule) before the chain is stopped and logged', { min: 1, max: 20 }),
});
