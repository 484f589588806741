import type { FastifyInstance } from 'fastify';
import type { Platform } from '../../../../platform/kernel.ts';
import type { HookRegistry } from '../../../../platform/records/hooks.ts';
import { recordContext } from '../../../../platform/http/context.ts';
import { PathId, RecordSchema, T, Uuid, routeSchema } from '../../../../platform/http/schema/common.ts';
import { withIdempotency } from '../../../../platform/http/idempotency.ts';
import { parseIfMatch } from '../../../../platform/http/routes/records.ts';
import { emailQuote, previewQuoteEmail, type QuoteEmailInput } from './send.ts';
import { checkTemplate } from './template.ts';

const tags = ['quotes'];
const Addresses = T.Array(T.String({ maxLength: 254 }), { maxItems: 50 });
const EmailInput = T.Object({
  template: T.Optional(Uuid),
  subject: T.Optional(T.String({ maxLength: 2000 })),
  body: T.Optional(T.String({ maxLength: 50_000 })),
  to: T.Optional(Addresses),
  cc: T.Optional(Addresses),
}, { additionalProperties: false });

/** Sending a quote by e-mail, with a preview of exactly what goes out (docs/billing.md "Sending a quote"). */
export function registerQuoteEmailRoutes(app: FastifyInstance, platform: Platform): void {
  const IdParams = T.Object({ id: PathId });

  app.post('/api/v1/quotes/:id/email/preview', {
    schema: routeSchema({
      tags, operationId: 'previewQuoteEmail', summary: 'The e-mail a send would produce: recipients, subject, text and HTML (nothing is saved)',
      params: IdParams, body: EmailInput,
      response: { 200: T.Object({ link: T.String(), to: T.Array(T.String()), cc: T.Array(T.String()), subject: T.String(), text: T.String(), html: T.String(), attachment: T.String() }) },
    }),
  }, async (request) => {
    await platform.registry.ensureFresh();
    return previewQuoteEmail({ ctx: recordContext(platform, request), id: (request.params as { id: string }).id, input: request.body as QuoteEmailInput });
  });

  app.post('/api/v1/quotes/:id/email', {
    schema: routeSchema({
      tags, operationId: 'emailQuote',
      summary: 'Send the quote (if still a draft) and e-mail it with its PDF and a link to the online quote; logged on the timeline. 503 when SMTP is not set up or refuses (nothing changes)',
      params: IdParams, body: EmailInput,
      response: { 200: T.Object({ quote: RecordSchema, held: T.Boolean(), emailed: T.Boolean(), emailLog: T.Union([Uuid, T.Null()]) }) },
    }),
  }, async (request, reply) => {
    await platform.registry.ensureFresh();
    const expectedVersion = parseIfMatch(request);
    return withIdempotency({
      request, reply, ctx: recordContext(platform, request), status: 200,
      run: (ctx) => emailQuote({ ctx, id: (request.params as { id: string }).id, input: request.body as QuoteEmailInput, ...(expectedVersion === undefined ? {} : { expectedVersion }) }),
    });
  });
}

/** A template that does not parse is refused when saved, naming the field. */
export function registerEmailTemplateHooks(hooks: HookRegistry): void {
  hooks.register('beforeSave', { name: 'billing.emailTemplate', object: 'email_template', operations: ['create', 'update'], run: ({ data }) => checkTemplate(data) });
}
