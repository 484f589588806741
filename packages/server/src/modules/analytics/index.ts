import { defineModule } from '../../platform/module.ts';
import { registerAnalyticsRoutes } from './routes.ts';
import { analyticsSettings } from './settings.ts';
import { analyticsMigrations } from './migrations.ts';
import { runDueSchedules } from './schedules/run.ts';
import { seedStandardReports } from './reports/standard.ts';

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
  ],
});

export { aggregateRecords, runAggregateSpec, type AggregateAnswer } from './aggregate/run.ts';
export { parseAggregateSpec, type AggregateSpec } from './aggregate/spec.ts';
