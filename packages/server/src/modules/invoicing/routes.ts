import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Platform } from '../../platform/kernel.ts';
import { recordContext } from '../../platform/http/context.ts';
import { PathId, RecordSchema, T, Uuid, routeSchema } from '../../platform/http/schema/common.ts';
import { withIdempotency } from '../../platform/http/idempotency.ts';
import { commandRoutes } from '../../platform/http/commandRoutes.ts';
import { getRecord } from '../../platform/records/read.ts';
import { inTransaction } from '../../platform/records/context.ts';
import { createInvoice, type CreateInvoiceInput } from './commands/create.ts';
import { postInvoice } from './commands/post.ts';
import { invoiceOrders, type InvoiceOrdersInput } from './commands/invoiceOrders.ts';
import { creditInvoice, type CreditInput } from './commands/credit.ts';
import { sendInvoice, type SendInvoiceInput } from './commands/send.ts';
import { readInvoiceLines } from './commands/common.ts';
import { renderInvoicePdf } from './document/render.ts';

const tags = ['invoices'];
const IdParams = T.Object({ id: PathId });
const Fields = T.Record(T.String(), T.Unknown(), { description: 'Fields of the object, as for the generic record API' });
const InvoiceWithLines = T.Object({ invoice: RecordSchema, lines: T.Array(RecordSchema) });
const Addresses = T.Array(T.String({ maxLength: 254 }), { maxItems: 50 });
const Quantity = T.Union([T.Number(), T.String({ maxLength: 40 })]);
const Reason = T.Optional(T.String({ maxLength: 10_000 }));
const CreditResult = T.Object({ invoice: RecordSchema, creditNote: T.Union([RecordSchema, T.Null()]), lines: T.Array(RecordSchema) });
const Pdf = T.Unsafe({ description: 'The invoice as a PDF document', content: { 'application/pdf': { schema: { type: 'string', format: 'binary' } } } });

type P = { id: string };

/**
 * Invoice routes (docs/invoicing.md): creating a draft with its lines, reading it with its
 * lines, and one route per command. Drafts and their lines are also edited through the generic
 * record routes (/api/v1/invoice/:id, /api/v1/invoice_line), where the same rules hold.
 */
export function registerInvoicingRoutes(app: FastifyInstance, platform: Platform): void {
  const ctxOf = (request: FastifyRequest) => recordContext(platform, request);
  const fresh = () => platform.registry.ensureFresh();

  app.post('/api/v1/invoices', {
    schema: routeSchema({
      tags, operationId: 'createInvoiceWithLines', summary: 'Create a draft invoice with its lines in one step',
      body: T.Object({ invoice: Fields, lines: T.Optional(T.Array(Fields, { maxItems: 1000 })) }, { additionalProperties: false }),
      response: { 201: InvoiceWithLines },
    }),
  }, async (request, reply) => {
    await fresh();
    return withIdempotency({ request, reply, ctx: ctxOf(request), status: 201, run: (ctx) => createInvoice({ ctx, input: request.body as CreateInvoiceInput }) });
  });

  app.post('/api/v1/invoices/from-orders', {
    schema: routeSchema({
      tags, operationId: 'invoiceOrders', summary: 'One draft invoice from completed orders of one account and currency, at the prices they were sold at; each order is invoiced once',
      body: T.Object({ orderIds: T.Array(Uuid, { minItems: 1, maxItems: 200 }), invoice: T.Optional(Fields) }, { additionalProperties: false }),
      response: { 201: InvoiceWithLines },
    }),
  }, async (request, reply) => {
    await fresh();
    return withIdempotency({ request, reply, ctx: ctxOf(request), status: 201, run: async (ctx) => {
      const { invoice, lines } = await invoiceOrders({ ctx, input: request.body as InvoiceOrdersInput });
      return { invoice, lines };
    } });
  });

  app.get('/api/v1/invoices/:id', {
    schema: routeSchema({ tags, operationId: 'getInvoiceWithLines', summary: 'An invoice or credit note with its lines in order', params: IdParams, response: { 200: InvoiceWithLines } }),
  }, async (request) => {
    await fresh();
    return inTransaction(ctxOf(request), async (tx) => {
      const invoice = await getRecord({ ctx: tx, object: platform.registry.requireObject('invoice'), id: (request.params as P).id });
      return { invoice, lines: await readInvoiceLines(tx, invoice.id) };
    });
  });

  app.get('/api/v1/invoices/:id/pdf', {
    schema: routeSchema({ tags, operationId: 'getInvoicePdf', summary: "The invoice or credit note as a PDF in the customer's locale, with the pay link as a QR code", params: IdParams, response: { 200: Pdf } }),
  }, async (request, reply) => {
    await fresh();
    const { pdf, filename } = await renderInvoicePdf({ ctx: ctxOf(request), id: (request.params as P).id });
    return reply.header('content-type', 'application/pdf').header('cache-control', 'private, no-store')
      .header('content-disposition', `inline; filename="${filename}"`).send(pdf);
  });

  /** A command route: If-Match, Idempotency-Key, one command. */
  const command = commandRoutes(app, platform, '/api/v1/invoices', tags);

  command('post', { operationId: 'postInvoice', summary: 'Post a draft: its number (gapless per series and year), date and due date; it never changes again', response: { 200: RecordSchema } }, (args) => postInvoice(args));
  command<SendInvoiceInput>('send', {
    operationId: 'sendInvoice', summary: "E-mail a posted invoice or credit note with its PDF and pay link to the account's e-mail; logged on the timeline. 503 when SMTP is not set up or refuses (nothing changes)",
    body: T.Object({ to: T.Optional(Addresses), cc: T.Optional(Addresses) }, { additionalProperties: false }),
    response: { 200: T.Object({ invoice: RecordSchema, emailed: T.Boolean(), emailLog: T.Union([Uuid, T.Null()]) }) },
  }, (args, body) => sendInvoice({ ...args, input: body }));
  command<CreditInput>('credit', {
    operationId: 'creditInvoice', summary: 'Credit a posted invoice in full or by lines and quantities: a posted credit note referencing it',
    body: T.Object({
      lines: T.Optional(T.Array(T.Object({ invoiceLine: Uuid, quantity: Quantity }, { additionalProperties: false }), { maxItems: 1000 })),
      full: T.Optional(T.Boolean()),
      reason: Reason,
    }, { additionalProperties: false }),
    response: { 200: CreditResult },
  }, (args, body) => creditInvoice({ ...args, input: body }));
  command<{ reason?: string }>('void', {
    operationId: 'voidInvoice', summary: 'Void a posted invoice: what is not credited yet is credited by a credit note, and the invoice becomes void',
    body: T.Object({ reason: Reason }, { additionalProperties: false }),
    response: { 200: CreditResult },
  }, (args, body) => creditInvoice({ ...args, input: { full: true, ...(body.reason ? { reason: body.reason } : {}) }, voiding: true }));
}
