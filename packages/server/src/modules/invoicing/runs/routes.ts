import type { FastifyInstance } from 'fastify';
import type { Platform } from '../../../platform/kernel.ts';
import { recordContext } from '../../../platform/http/context.ts';
import { RecordSchema, T, routeSchema } from '../../../platform/http/schema/common.ts';
import { hasCapability } from '../../../platform/access/policy.ts';
import { forbidden } from '../../../platform/errors.ts';
import { runMonthlyInvoicing } from './monthly.ts';

export const RUN_INVOICES = 'invoicing.run_invoices';

/** Starting the monthly run by hand (finance: after fixing what the last run refused, or a month the schedule missed). */
export function registerRunRoutes(app: FastifyInstance, platform: Platform): void {
  app.post('/api/v1/invoice-runs', {
    schema: routeSchema({
      tags: ['invoices'], operationId: 'runMonthlyInvoicing',
      summary: "Run the monthly invoicing now for a month (default: last month): completed, uninvoiced orders of accounts invoiced per month on posted invoices; answers the run",
      body: T.Object({ period: T.Optional(T.String({ pattern: '^\\d{4}-(0[1-9]|1[0-2])$', description: 'YYYY-MM' })) }, { additionalProperties: false }),
      response: { 200: RecordSchema },
    }),
  }, async (request) => {
    await platform.registry.ensureFresh();
    const ctx = recordContext(platform, request);
    if (!hasCapability(ctx.actor, RUN_INVOICES)) throw forbidden('Running the invoicing needs the "Run invoicing" permission');
    const body = (request.body ?? {}) as { period?: string };
    return runMonthlyInvoicing({ platform, actor: ctx.actor, trigger: 'user', ...(body.period ? { period: body.period } : {}) });
  });
}
