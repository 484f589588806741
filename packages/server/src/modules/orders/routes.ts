import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Platform } from '../../platform/kernel.ts';
import { recordContext } from '../../platform/http/context.ts';
import { DataList, PathId, RecordSchema, T, routeSchema } from '../../platform/http/schema/common.ts';
import { withIdempotency } from '../../platform/http/idempotency.ts';
import { commandRoutes } from '../../platform/http/commandRoutes.ts';
import { createOrder, readOrderWithLines, type CreateOrderInput } from './commands/createOrder.ts';
import { cancelOrder, completeOrder, confirmOrder, moveOrder, startProduction } from './commands/changeStatus.ts';
import { holdOrder, releaseOrder } from './commands/holds.ts';
import { ORDER_STATUSES, type OrderStatus } from './objects.ts';
import { openOrdersOf } from './queries/openOrders.ts';
import { JobTicketSchema, orderJobTickets, renderJobTicket, reprintJobTicket } from './jobTicket/index.ts';
import { registerOrderBoardRoutes } from './boardRoutes.ts';

const tags = ['orders'];
const IdParams = T.Object({ id: PathId });
const Fields = T.Record(T.String(), T.Unknown(), { description: 'Fields of the object, as for the generic record API' });
const OrderWithLines = T.Object({ order: RecordSchema, lines: T.Array(RecordSchema) });

type P = { id: string };

/**
 * Order routes (docs/orders.md): creating an order with its lines, reading it with its lines, and
 * one route per named command. Header fields and lines are also edited through the generic
 * record routes (/api/v1/order/:id, /api/v1/order_line), where the same rules hold.
 */
export function registerOrderRoutes(app: FastifyInstance, platform: Platform): void {
  const ctxOf = (request: FastifyRequest) => recordContext(platform, request);
  registerOrderBoardRoutes(app, platform);
  const fresh = () => platform.registry.ensureFresh();

  app.post('/api/v1/orders', {
    schema: routeSchema({
      tags, operationId: 'createOrderWithLines', summary: 'Create an order with its lines in one step',
      body: T.Object({ order: Fields, lines: T.Optional(T.Array(Fields, { maxItems: 1000 })) }, { additionalProperties: false }),
      response: { 201: OrderWithLines },
    }),
  }, async (request, reply) => {
    await fresh();
    return withIdempotency({ request, reply, ctx: ctxOf(request), status: 201, run: (ctx) => createOrder({ ctx, input: request.body as CreateOrderInput }) });
  });

  app.get('/api/v1/orders/:id', {
    schema: routeSchema({ tags, operationId: 'getOrderWithLines', summary: 'An order with its lines in order', params: IdParams, response: { 200: OrderWithLines } }),
  }, async (request) => {
    await fresh();
    return readOrderWithLines(ctxOf(request), (request.params as P).id);
  });

  const command = commandRoutes(app, platform, '/api/v1/orders', tags);

  app.get('/api/v1/accounts/:id/open-orders', {
    schema: routeSchema({
      tags, operationId: 'getAccountOpenOrders', summary: "An account's open orders: how many, how many held, totals per currency (what the reader may list)", params: IdParams,
      response: { 200: T.Object({ count: T.Integer(), held: T.Integer(), totals: T.Array(T.Object({ currency: T.String(), count: T.Integer(), total: T.Number() })) }) },
    }),
  }, async (request) => {
    await fresh();
    return openOrdersOf({ ctx: ctxOf(request), account: (request.params as P).id });
  });

  const Reason = T.Object({ reason: T.Optional(T.String({ maxLength: 10_000 })) }, { additionalProperties: false });
  command('confirm', { operationId: 'confirmOrder', summary: 'Confirm a received order (it must have lines and no holds); sends the job ticket' }, (args) => confirmOrder(args));
  command('start-production', { operationId: 'startOrderProduction', summary: 'Move a confirmed order into production' }, (args) => startProduction(args));
  command('complete', { operationId: 'completeOrder', summary: 'Complete an order (invoicing follows the account’s invoicing option)' }, (args) => completeOrder(args));
  command<{ reason?: string }>('cancel', { operationId: 'cancelOrder', summary: 'Cancel an order that is not completed', body: Reason }, (args, body) => cancelOrder({ ...args, reason: body.reason }));
  command<{ status: string; reason?: string }>('move', {
    operationId: 'moveOrder', summary: "Move an order to a status (the production board's drag): runs the command that leads there",
    body: T.Object({ status: T.String({ enum: [...ORDER_STATUSES] }), reason: T.Optional(T.String({ maxLength: 10_000 })) }, { additionalProperties: false }),
  }, (args, body) => moveOrder({ ...args, status: body.status as OrderStatus, reason: body.reason }));
  command<{ reason: string }>('hold', {
    operationId: 'holdOrder', summary: 'Put an order on hold with a reason',
    body: T.Object({ reason: T.String({ minLength: 1, maxLength: 2000 }) }, { additionalProperties: false }),
  }, (args, body) => holdOrder({ ...args, reasons: [{ code: 'manual', message: body.reason, by: 'user' }] }));
  command<{ comment: string }>('release', {
    operationId: 'releaseOrder', summary: "Release a held order, saying why it may go ahead",
    body: T.Object({ comment: T.String({ minLength: 1, maxLength: 10_000 }) }, { additionalProperties: false }),
  }, (args, body) => releaseOrder({ ...args, comment: body.comment }));

  // Job tickets (docs/orders.md, "Job tickets"): reprint through the order's production channel, the PDF, and what was sent.
  command('job-ticket', { operationId: 'reprintOrderJobTicket', summary: "Send the order's job ticket again through its production channel (confirmed, in production or completed orders)" }, (args) => reprintJobTicket(args));
  app.get('/api/v1/orders/:id/job-ticket.pdf', {
    schema: routeSchema({
      tags, operationId: 'getOrderJobTicketPdf', summary: "The order's job ticket as a PDF (docs/orders.md, \"Job tickets\")", params: IdParams,
      response: { 200: T.Unsafe({ description: 'The job ticket as a PDF document', content: { 'application/pdf': { schema: { type: 'string', format: 'binary' } } } }) },
    }),
  }, async (request, reply) => {
    await fresh();
    const { pdf, filename } = await renderJobTicket({ ctx: ctxOf(request), orderId: (request.params as P).id });
    return reply.header('content-type', 'application/pdf').header('cache-control', 'private, no-store')
      .header('content-disposition', `inline; filename="${filename}"`).send(pdf);
  });
  app.get('/api/v1/orders/:id/job-tickets', {
    schema: routeSchema({ tags, operationId: 'listOrderJobTickets', summary: "The order's job tickets, newest first: channel, pending/sent/failed, attempts, the last error", params: IdParams, response: { 200: DataList(JobTicketSchema) } }),
  }, async (request) => {
    await fresh();
    return { data: await orderJobTickets(ctxOf(request), (request.params as P).id) };
  });
}
