import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Platform } from '../../../platform/kernel.ts';
import { recordContext } from '../../../platform/http/context.ts';
import { PathId, RecordSchema, T, Uuid, routeSchema } from '../../../platform/http/schema/common.ts';
import { withIdempotency } from '../../../platform/http/idempotency.ts';
import { parseIfMatch } from '../../../platform/http/routes/records.ts';
import { commandRoutes } from '../../../platform/http/commandRoutes.ts';
import { getRecord } from '../../../platform/records/read.ts';
import { inTransaction } from '../../../platform/records/context.ts';
import { createQuote, readQuoteLines, type CreateQuoteInput } from './commands/create.ts';
import { sendQuote } from './commands/send.ts';
import { approveQuote, rejectQuote } from './commands/approve.ts';
import { declineQuote, expireQuote, markQuoteViewed } from './commands/answer.ts';
import { acceptQuote, type AcceptInput } from './commands/accept.ts';
import { reviseQuote } from './commands/revise.ts';
import { renderQuotePdf } from './document/render.ts';

const tags = ['quotes'];
const IdParams = T.Object({ id: PathId });
const Fields = T.Record(T.String(), T.Unknown(), { description: "Fields of the object, as for the generic record API" });
const QuoteWithLines = T.Object({ quote: RecordSchema, lines: T.Array(RecordSchema) });
const Comment = T.Object({ comment: T.Optional(T.String({ maxLength: 10_000 })) }, { additionalProperties: false });

type P = { id: string };

/**
 * Quote routes (docs/billing.md, "Quotes"): creating a quote with its lines, reading it with its
 * lines, and one route per named command. Lines and header fields are also edited through the
 * generic record routes (/api/v1/quote/:id, /api/v1/quote_line), where the same rules hold.
 */
export function registerQuoteRoutes(app: FastifyInstance, platform: Platform): void {
  const ctxOf = (request: FastifyRequest) => recordContext(platform, request);
  const fresh = () => platform.registry.ensureFresh();

  app.post('/api/v1/quotes', {
    schema: routeSchema({
      tags,
      operationId: 'createQuoteWithLines',
      summary: "Create a quote with its lines in one step (from an opportunity: its products when no lines are given)",
      body: T.Object({ quote: Fields, lines: T.Optional(T.Array(Fields, { maxItems: 1000 })) }, { additionalProperties: false }),
      response: { 201: QuoteWithLines },
    }),
  }, async (request, reply) => {
    await fresh();
    return withIdempotency({ request, reply, ctx: ctxOf(request), status: 201, run: (ctx) => createQuote({ ctx, input: request.body as CreateQuoteInput }) });
  });

  app.get('/api/v1/quotes/:id', {
    schema: routeSchema({ tags, operationId: 'getQuoteWithLines', summary: 'A quote with its lines in order', params: IdParams, response: { 200: QuoteWithLines } }),
  }, async (request) => {
    await fresh();
    const ctx = ctxOf(request);
    return inTransaction(ctx, async (tx) => {
      const quote = await getRecord({ ctx: tx, object: platform.registry.requireObject('quote'), id: (request.params as P).id });
      return { quote, lines: await readQuoteLines(tx, quote.id) };
    });
  });

  app.get('/api/v1/quotes/:id/pdf', {
    schema: routeSchema({
      tags, operationId: 'getQuotePdf', summary: "The quote as a PDF in the customer's locale (docs/billing.md, \"Quote PDF\")", params: IdParams,
      response: { 200: T.Unsafe({ description: 'The quote as a PDF document', content: { 'application/pdf': { schema: { type: 'string', format: 'binary' } } } }) },
    }),
  }, async (request, reply) => {
    await fresh();
    const { pdf, filename } = await renderQuotePdf({ ctx: ctxOf(request), id: (request.params as P).id });
    return reply.header('content-type', 'application/pdf').header('cache-control', 'private, no-store')
      .header('content-disposition', `inline; filename="${filename}"`).send(pdf);
  });

  const command = commandRoutes(app, platform, '/api/v1/quotes', tags);

  command('send', { operationId: 'sendQuote', summary: 'Send a quote (held for approval when its discount is above the limit)' }, (args) => sendQuote(args));
  command<{ comment?: string }>('approve', { operationId: 'approveQuote', summary: "Approve a quote's discount (the owner's manager)", body: Comment }, (args, body) => approveQuote({ ...args, comment: body.comment }));
  command<{ comment?: string }>('reject', { operationId: 'rejectQuote', summary: "Reject a quote's discount back to draft (the owner's manager)", body: Comment }, (args, body) => rejectQuote({ ...args, comment: body.comment }));
  command('mark-viewed', { operationId: 'markQuoteViewed', summary: 'Record that the customer opened the quote' }, (args) => markQuoteViewed(args));
  command<{ reason?: string }>('decline', {
    operationId: 'declineQuote', summary: 'Record that the customer declined the quote',
    body: T.Object({ reason: T.Optional(T.String({ maxLength: 10_000 })) }, { additionalProperties: false }),
  }, (args, body) => declineQuote({ ...args, reason: body.reason }));
  command('expire', { operationId: 'expireQuote', summary: 'Expire a sent quote now' }, (args) => expireQuote(args));
  command('revise', { operationId: 'reviseQuote', summary: 'Make a new version of a sent quote (the old one is superseded); answers the new draft' }, (args) => reviseQuote(args));

  app.post('/api/v1/quotes/:id/accept-internal', {
    schema: routeSchema({
      tags,
      operationId: 'acceptQuoteInternal',
      summary: "Record the customer's acceptance (signer, chosen optional lines); closes the opportunity as won or partially won",
      params: IdParams,
      body: T.Object({
        signerName: T.String({ minLength: 1, maxLength: 200 }),
        optionalLines: T.Optional(T.Array(Uuid, { maxItems: 1000, uniqueItems: true })),
        ip: T.Optional(T.String({ maxLength: 64 })),
        userAgent: T.Optional(T.String({ maxLength: 1000 })),
      }, { additionalProperties: false }),
      response: {
        200: T.Object({
          quote: RecordSchema,
          opportunity: T.Union([T.Object({ id: Uuid, outcome: T.String({ enum: ['won', 'partially_won'] }), wonAmount: T.Number() }), T.Null()]),
        }),
      },
    }),
  }, async (request, reply) => {
    await fresh();
    const expectedVersion = parseIfMatch(request);
    const body = request.body as AcceptInput;
    const input: AcceptInput = { ...body, ip: body.ip ?? request.ip, userAgent: body.userAgent ?? request.headers['user-agent'] ?? null };
    return withIdempotency({
      request, reply, ctx: ctxOf(request), status: 200,
      run: (ctx) => acceptQuote({ ctx, id: (request.params as P).id, input, ...(expectedVersion === undefined ? {} : { expectedVersion }) }),
    });
  });
}
