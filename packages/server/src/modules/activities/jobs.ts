import type { JobDefinition } from '../../platform/jobs/boss.ts';
import { sendDueReminders } from './commands/sendReminders.ts';

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
  ];
}
