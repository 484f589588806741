import type { JobDefinition } from '../../platform/jobs/boss.ts';
import { flagStalledOpportunities } from './commands/flagStalledOpportunities.ts';
import { compactBoardTotals, rebuildBoardTotals } from './queries/boardTotals.ts';

export function salesJobs(): JobDefinition[] {
  return [
    {
      // Every write of a deal appends delta rows; folding them keeps the board's read a few rows.
      name: 'sales.compact-board-totals',
      cron: '*/5 * * * *',
      async run(platform) {
        await compactBoardTotals(platform.db);
      },
    },
    {
      // A guard: the totals are recounted from the deals, and drift (a write around the record
      // pipeline) is logged so it can be traced.
      name: 'sales.rebuild-board-totals',
      cron: '45 2 * * *',
      async run(platform) {
        const { drifted } = await rebuildBoardTotals(platform.db, platform.registry.requireObject('opportunity').table);
        if (drifted) platform.logger.warn('board stage totals had drifted from the deals; recounted');
      },
    },
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
