export { activityObjects } from './objects.ts';
