import type { Platform } from '../../platform/kernel.ts';
import { registerJobSource, type JobOverview } from '../../platform/jobs/overview.ts';
import { listAutomationSchedules } from '../automation/index.ts';

/**
 * The rules' schedules on the jobs page (issue 14 item 5: "Meridian's own … and the rules'"):
 * automation fires scheduled rules from its own minute job and table, not from pg-boss schedules,
 * and exports listAutomationSchedules for this page. Registered here, with the page's other
 * work; the line can move to automation's start-up unchanged. A scheduled rule's failures are per
 * record in automation's run log, so the row counts none.
 */
export async function registerRuleSchedules(platform: Platform): Promise<void> {
  if (!platform.modules.some((m) => m.name === 'automation')) return;
  registerJobSource(platform, async (p): Promise<JobOverview[]> => (await listAutomationSchedules(p)).map((s) => ({
    name: s.name, key: s.key, source: s.source, cron: s.cron, timeZone: s.timeZone, nextRun: s.nextRun,
    lastRun: s.lastRun ? { state: 'completed', startedAt: s.lastRun.at, completedAt: null, durationMs: s.lastRun.durationMs, error: null } : null,
    failures24h: 0, lastFailure: null, queued: 0, active: 0,
  })));
}
