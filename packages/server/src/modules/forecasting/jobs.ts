import type { JobDefinition } from '../../platform/jobs/boss.ts';
import { takeSnapshots } from './snapshots/take.ts';

export const forecastingJobs: JobDefinition[] = [
  {
    // Mondays after midnight UTC: the week that just ended. A retry or a second worker overwrites the same rows.
    name: 'forecasting.account_snapshots',
    cron: '30 2 * * 1',
    async run(platform) {
      const { week, accounts } = await takeSnapshots(platform);
      platform.logger.info({ week, accounts }, 'account behaviour snapshots taken');
    },
  },
];
