import { defineModule } from '../../platform/module.ts';
import { activityObjects } from './objects.ts';
import { registerActivityHooks } from './hooks.ts';
import { registerActivityRoutes } from './routes.ts';
import { activityJobs } from './jobs.ts';
import { activityMigrations, startActivities } from './startup.ts';
import { activitySettings } from './settings.ts';
import { activityFactories } from './factories.ts';

/** Activities: tasks, meetings, calls, e-mails, notes, attachments, timeline, reminders, calendar, scheduling links (docs/activities.md). */
export const activitiesModule = defineModule({
  name: 'activities',
  objects: activityObjects,
  hooks: registerActivityHooks,
  routes: registerActivityRoutes,
  jobs: activityJobs(),
  migrations: activityMigrations,
  settings: activitySettings,
  startup: startActivities,
  factories: activityFactories,
});

/** The attachment blobs as a backup file source (registered by the privacy module's start-up). */
export { attachmentBackupSource } from './attachments/backup.ts';
