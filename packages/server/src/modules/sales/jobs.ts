import type { JobDefinition } from '../../platform/jobs/boss.ts';
import { flagStalledOpportunities } from './commands/flagStalledOpportunities.ts';

export function salesJobs(): JobDefinition[] {
  return [
    {
      name: 'sales.flag-stalled-opportunities',
      cron: '15 2 * * *', // daily, 02:15 UTC
      async run(platform) {
        const { flagged } = await flagStalledOpportunities({ platform });
        platform.logger.info({ flagged }, 'stalled opportunities flagged');
      },
    },
  ];
}
