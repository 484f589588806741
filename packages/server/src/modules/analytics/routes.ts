import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Platform } from '../../platform/kernel.ts';
import { recordContext } from '../../platform/http/context.ts';
import { T, routeSchema } from '../../platform/http/schema/common.ts';
import { aggregateRecords } from './aggregate/run.ts';
import { AggregateAnswerSchema, AggregateBody } from './aggregate/schema.ts';
import { registerReportRoutes } from './reports/routes.ts';
import { registerDashboardRoutes } from './dashboards/routes.ts';
import { registerScheduleRoutes } from './schedules/routes.ts';
import { registerQualityRoutes } from './quality/routes.ts';

const tags = ['analytics'];

/** Analytics (docs/analytics.md): the aggregate API and reports. Thin: parse, one command, answer. */
export function registerAnalyticsRoutes(app: FastifyInstance, platform: Platform): void {
  const objectOf = async (request: FastifyRequest) => {
    await platform.registry.ensureFresh();
    return platform.registry.requireObject((request.params as { object: string }).object);
  };

  app.post('/api/v1/:object/aggregate', {
    schema: routeSchema({
      tags, operationId: 'aggregateRecords',
      summary: 'Group and measure the records the caller may see (count, count distinct, sum, avg, min, max) in one SQL statement',
      params: T.Object({ object: T.String({ maxLength: 64 }) }), body: AggregateBody, response: { 200: AggregateAnswerSchema },
    }),
  }, async (request) => aggregateRecords({ ctx: recordContext(platform, request), object: await objectOf(request), input: request.body ?? {} }));

  registerReportRoutes(app, platform);
  registerDashboardRoutes(app, platform);
  registerScheduleRoutes(app, platform);
  registerQualityRoutes(app, platform);
}
