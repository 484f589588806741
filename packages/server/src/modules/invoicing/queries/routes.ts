import type { FastifyInstance } from 'fastify';
import type { Platform } from '../../../platform/kernel.ts';
import { recordContext } from '../../../platform/http/context.ts';
import { PathId, T, routeSchema } from '../../../platform/http/schema/common.ts';
import { openInvoicesOf } from './openInvoices.ts';

/** What the account page shows of its invoices (docs/invoicing.md). */
export function registerInvoiceQueryRoutes(app: FastifyInstance, platform: Platform): void {
  app.get('/api/v1/accounts/:id/open-invoices', {
    schema: routeSchema({
      tags: ['invoices'], operationId: 'getAccountOpenInvoices',
      summary: "An account's open invoices: how many, what is owed and what is overdue, per currency (what the reader may list)",
      params: T.Object({ id: PathId }),
      response: {
        200: T.Object({
          count: T.Integer(), overdue: T.Integer(),
          totals: T.Array(T.Object({ currency: T.String(), count: T.Integer(), open: T.Number(), overdueCount: T.Integer(), overdue: T.Number() })),
        }),
      },
    }),
  }, async (request) => {
    await platform.registry.ensureFresh();
    return openInvoicesOf({ ctx: recordContext(platform, request), account: (request.params as { id: string }).id });
  });
}
