import type { JobDefinition } from '../../platform/jobs/boss.ts';
import { sendDueReminders } from './commands/sendReminders.ts';
import { sendDailyDigests } from './notifications/digest.ts';
import { sweepOrphanBlobs } from './attachments/sweep.ts';

export function activityJobs(): JobDefinition[] {
  return [
    {
      name: 'activities.reminders',
      cron: '* * * * *', // every minute
      async run(platform) {
        const { created, emailed } = await sendDueReminders(platform);
        if (created) platform.logger.info({ created, emailed }, 'activity reminders sent');
      },
    },
    {
      // Digest hours are whole local hours; a quarter-hour check sends each within 15 minutes of it.
      name: 'activities.digest',
      cron: '*/15 * * * *',
      async run(platform) {
        const { sent } = await sendDailyDigests(platform);
        if (sent) platform.logger.info({ sent }, 'daily digests sent');
      },
    },
    {
      // Files a crash left in the disk store without a record (attachments/sweep.ts).
      name: 'activities.attachments.sweep',
      cron: '17 3 * * *',
      async run(platform) {
        const { removed } = await sweepOrphanBlobs(platform);
        if (removed) platform.logger.info({ removed }, 'orphaned attachment files removed');
      },
    },
  ];
}
