export { activityObjects } from './objects.ts';
export { registerActivityHooks } from './hooks.ts';
export { registerActivityRoutes } from './routes.ts';
export { startActivities } from './startup.ts';
export { activityJobs } from './jobs.ts';
