import type { FastifyInstance } from 'fastify';
import type { Platform } from '../../../../platform/kernel.ts';
import { recordContext } from '../../../../platform/http/context.ts';
import { T, Uuid, PathId, routeSchema } from '../../../../platform/http/schema/common.ts';
import { createQuoteLink, listQuoteLinks, revokeQuoteLink } from './links.ts';
import { acceptPublicQuote, declinePublicQuote, previewPublicQuote, publicQuotePdf, viewPublicQuote } from './answer.ts';

const tags = ['quotes'];
const Nullable = <S extends ReturnType<typeof T.String>>(s: S) => T.Union([s, T.Null()]);
const LinkInfo = T.Object({
  id: Uuid, contact: T.Union([Uuid, T.Null()]), createdAt: T.String(), expiresAt: T.String(), revokedAt: Nullable(T.String()),
  firstOpenedAt: Nullable(T.String()), lastOpenedAt: Nullable(T.String()), openCount: T.Integer(), active: T.Boolean(),
});
const NumOrNull = T.Union([T.Number(), T.Null()]);
const PublicQuoteSchema = T.Object({
  seller: T.String(),
  number: T.String(), revision: T.Integer(), name: T.String(), title: Nullable(T.String()), currency: T.String(), fractionDigits: T.Integer(),
  locale: T.String(), validUntil: Nullable(T.String()), taxInclusive: T.Boolean(),
  subtotal: T.Number(), discountTotal: T.Number(), taxable: T.Number(), taxTotal: T.Number(), total: T.Number(), terms: Nullable(T.String()),
  customer: T.Object({ account: T.String(), contact: Nullable(T.String()) }),
  preparedBy: T.Union([T.Object({ name: T.String(), email: Nullable(T.String()) }), T.Null()]),
  lines: T.Array(T.Object({
    id: Uuid, name: T.String(), description: Nullable(T.String()), quantity: T.Number(), unit: Nullable(T.String()), unitPrice: NumOrNull,
    discountPercent: NumOrNull, discountAmount: NumOrNull, net: NumOrNull, total: NumOrNull, optional: T.Boolean(), selected: T.Boolean(),
  })),
  answer: T.Object({
    state: T.String({ enum: ['open', 'accepted', 'declined', 'expired', 'superseded'] }), at: Nullable(T.String()), signerName: Nullable(T.String()),
    acceptedTotal: NumOrNull, sealed: T.Boolean(),
  }),
  consentText: T.String(),
});
const Token = T.Object({ token: T.String({ maxLength: 64 }) });
type Tk = { token: string };

/**
 * Links to the online quote (staff, with the quote's access) and the public endpoints behind
 * them (no session: /api/v1/public/ is open in http/app.ts; the token is the only key). See
 * docs/billing.md "The online quote".
 */
export function registerQuoteLinkRoutes(app: FastifyInstance, platform: Platform): void {
  const fresh = () => platform.registry.ensureFresh();
  const IdParams = T.Object({ id: PathId });

  app.post('/api/v1/quotes/:id/links', {
    schema: routeSchema({
      tags, operationId: 'createQuoteLink', summary: 'A link to the online quote for a contact; the URL is shown only in this answer',
      params: IdParams,
      body: T.Object({ contact: T.Optional(T.Union([Uuid, T.Null()])), expiresInDays: T.Optional(T.Integer({ minimum: 1, maximum: 365 })) }, { additionalProperties: false }),
      response: { 201: T.Composite([LinkInfo, T.Object({ url: T.String() })]) },
    }),
  }, async (request, reply) => {
    await fresh();
    const body = (request.body ?? {}) as { contact?: string | null; expiresInDays?: number };
    const link = await createQuoteLink({ ctx: recordContext(platform, request), id: (request.params as { id: string }).id, ...body });
    return reply.status(201).send(link);
  });

  app.get('/api/v1/quotes/:id/links', {
    schema: routeSchema({ tags, operationId: 'listQuoteLinks', summary: "The quote's links, newest first (without their URLs)", params: IdParams, response: { 200: T.Object({ data: T.Array(LinkInfo) }) } }),
  }, async (request) => {
    await fresh();
    return { data: await listQuoteLinks({ ctx: recordContext(platform, request), id: (request.params as { id: string }).id }) };
  });

  app.delete('/api/v1/quotes/:id/links/:linkId', {
    schema: routeSchema({ tags, operationId: 'revokeQuoteLink', summary: 'Revoke a link at once', params: T.Object({ id: PathId, linkId: PathId }), response: { 200: LinkInfo } }),
  }, async (request) => {
    await fresh();
    const p = request.params as { id: string; linkId: string };
    return revokeQuoteLink({ ctx: recordContext(platform, request), id: p.id, linkId: p.linkId });
  });

  app.get('/api/v1/public/quotes/:token', {
    schema: routeSchema({ tags, operationId: 'getPublicQuote', summary: 'Public: the quote behind a link (the first open marks it viewed)', security: [], params: Token, response: { 200: PublicQuoteSchema } }),
  }, async (request, reply) => {
    reply.header('cache-control', 'no-store');
    return viewPublicQuote({ platform, token: (request.params as Tk).token });
  });

  app.get('/api/v1/public/quotes/:token/pdf', {
    schema: routeSchema({ tags, operationId: 'getPublicQuotePdf', summary: 'Public: the PDF (the sealed one once accepted)', security: [], params: Token,
      response: { 200: T.Unsafe({ description: 'The quote as a PDF document', content: { 'application/pdf': { schema: { type: 'string', format: 'binary' } } } }) },
    }),
  }, async (request, reply) => {
    const { pdf, filename } = await publicQuotePdf({ platform, token: (request.params as Tk).token });
    return reply.header('content-type', 'application/pdf').header('cache-control', 'no-store')
      .header('content-disposition', `inline; filename="${filename}"`).send(pdf);
  });

  app.post('/api/v1/public/quotes/:token/accept', {
    schema: routeSchema({
      tags, operationId: 'acceptPublicQuote', summary: 'Public: accept with a typed signature and consent; 409 when already answered, expired or superseded',
      security: [], params: Token,
      body: T.Object({
        signerName: T.String({ minLength: 1, maxLength: 200 }),
        consent: T.Boolean(),
        optionalLines: T.Optional(T.Array(Uuid, { maxItems: 1000, uniqueItems: true })),
      }, { additionalProperties: false }),
      response: { 200: PublicQuoteSchema },
    }),
  }, async (request) => {
    const body = request.body as { signerName: string; consent: boolean; optionalLines?: string[] };
    return acceptPublicQuote({ platform, token: (request.params as Tk).token, input: { ...body, ip: request.ip, userAgent: request.headers['user-agent'] ?? null } });
  });

  app.post('/api/v1/public/quotes/:token/preview', {
    schema: routeSchema({
      tags, operationId: 'previewPublicQuote', summary: 'Public: the totals with a choice of optional lines (nothing is saved)', security: [], params: Token,
      body: T.Object({ optionalLines: T.Array(Uuid, { maxItems: 1000, uniqueItems: true }) }, { additionalProperties: false }),
      response: { 200: T.Object({ subtotal: T.Number(), discountTotal: T.Number(), taxTotal: T.Number(), total: T.Number() }) },
    }),
  }, async (request) => previewPublicQuote({ platform, token: (request.params as Tk).token, optionalLines: (request.body as { optionalLines: string[] }).optionalLines }));

  app.post('/api/v1/public/quotes/:token/decline', {
    schema: routeSchema({
      tags, operationId: 'declinePublicQuote', summary: 'Public: decline with a reason', security: [], params: Token,
      body: T.Object({ reason: T.String({ minLength: 1, maxLength: 2000 }) }, { additionalProperties: false }),
      response: { 200: PublicQuoteSchema },
    }),
  }, async (request) => declinePublicQuote({ platform, token: (request.params as Tk).token, reason: (request.body as { reason: string }).reason }));
}
