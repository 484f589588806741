import { defineModule } from '../../platform/module.ts';
import { registerAnalyticsRoutes } from './routes.ts';
import { analyticsSettings } from './settings.ts';
import { analyticsMigrations } from './migrations.ts';
import { runDueSchedules } from './schedules/run.ts';
import { seedStandardReports } from './reports/standard.ts';
import { registerSummaryHooks } from './summaries/hooks.ts';
import { compactSummary, rebuildSummary } from './summaries/store.ts';
import { resolveSummaries } from './summaries/declared.ts';

/**
 * Analytics (docs/analytics.md; issue 16, ANL-1): the aggregate API — groups and measures over
 * any object compiled to one SQL statement with the caller's visibility and field security — and
 * saved reports (tabular, summary, matrix; charts) in folders, private or shared with groups and
 * roles, each run as the person running it.
 */
export const analyticsModule = defineModule({
  name: 'analytics',
  routes: registerAnalyticsRoutes,
  settings: analyticsSettings,
  migrations: analyticsMigrations,
  hooks: registerSummaryHooks,
  startup: async (platform) => {
    await seedStandardReports(platform);
  },
  jobs: [
    {
      // Every minute: schedules are set to a local minute, and a claim is one indexed query.
      name: 'analytics.report_schedules',
      cron: '* * * * *',
      async run(platform) {
        const { schedules } = await runDueSchedules(platform);
        if (schedules) platform.logger.info({ schedules }, 'scheduled reports sent');
      },
    },
    {
      // Every write appends delta rows to a summary; folding them keeps its reads small.
      name: 'analytics.compact_summaries',
      cron: '*/5 * * * *',
      async run(platform) {
        for (const summary of resolveSummaries(platform.registry)) await compactSummary(platform.db, summary);
      },
    },
    {
      // A guard: each summary is recounted from its records, and drift (a write around the record
      // pipeline, such as a bulk load in SQL) is logged so it can be traced.
      name: 'analytics.rebuild_summaries',
      cron: '50 2 * * *',
      async run(platform) {
        for (const summary of resolveSummaries(platform.registry)) {
          const { drifted } = await rebuildSummary(platform.db, summary);
          if (drifted) platform.logger.warn({ summary: summary.table }, 'a summary had drifted from its records; recounted');
        }
      },
    },
  ],
});

export { aggregateRecords, runAggregateSpec, type AggregateAnswer } from './aggregate/run.ts';
export { parseAggregateSpec, type AggregateSpec } from './aggregate/spec.ts';
export { rebuildSummaries } from './summaries/rebuild.ts';
