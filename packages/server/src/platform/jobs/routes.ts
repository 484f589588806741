import type { FastifyInstance } from 'fastify';
import type { Platform } from '../kernel.ts';
import { adminsOnly } from '../http/context.ts';
import { DataList, T, routeSchema } from '../http/schema/common.ts';
import { listJobs } from './overview.ts';

const Nullable = T.Union([T.String(), T.Null()]);
export const JobOverviewSchema = T.Object({
  name: T.String(), key: T.String(), source: T.String({ description: "The module that declares it, 'platform', or 'schedule' for one created at run time" }),
  cron: Nullable, timeZone: T.String(), nextRun: Nullable,
  lastRun: T.Union([T.Object({ state: T.String(), startedAt: Nullable, completedAt: Nullable, durationMs: T.Union([T.Number(), T.Null()]), error: Nullable }), T.Null()]),
  failures24h: T.Integer(), lastFailure: T.Union([T.Object({ at: Nullable, error: Nullable }), T.Null()]),
  queued: T.Integer(), active: T.Integer(),
});

/** The jobs page's data (admins): every job and schedule with last and next run, duration, result and failures. */
export function registerJobRoutes(app: FastifyInstance, platform: Platform): void {
  app.get('/api/v1/jobs', {
    ...adminsOnly,
    schema: routeSchema({ tags: ['jobs'], operationId: 'listJobs', summary: 'Every background job and schedule: last run, next run, duration, result, failures of the last 24 hours (admins)', response: { 200: DataList(JobOverviewSchema) } }),
  }, async () => ({ data: await listJobs(platform) }));
}
