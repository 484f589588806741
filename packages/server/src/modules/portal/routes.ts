import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { AppError, unauthenticated } from '../../platform/errors.ts';
import type { Platform } from '../../platform/kernel.ts';
import { NoContent, PathId, T, routeSchema } from '../../platform/http/schema/common.ts';
import { requireActor } from '../../platform/http/context.ts';
import { billingSettings, renderQuotePdf } from '../billing/index.ts';
import { renderInvoicePdf } from '../invoicing/index.ts';
import * as S from './schemas.ts';
import { accessStatus, checkLinkLimits, contactOfSession, inviteContact, requestSignInLink, revokeAccess, signInWithLink, signOut, tooManyLinks, type RequestMeta } from './signin.ts';
import { csrfMatches, csrfTokenOf } from './tokens.ts';
import { portalContext, portalScope, type PortalScope } from './scope.ts';
import { logPortalAccess, readAccessLog } from './log.ts';
import { getContact, getInvoice, getOrder, invoiceIdInScope, listInvoices, listOrders, listQuotes, quoteIdInScope } from './queries/documents.ts';
import { getPayment, listPayments, paymentsInstalled } from './queries/payments.ts';
import { buildStatement, statementPdf } from './queries/statement.ts';
import { readProfile, updateProfile, type ProfileChange } from './queries/profile.ts';
import { balances, listLinks } from './queries/overview.ts';
import { accountsOf } from './queries/common.ts';
import { acceptQuoteInPortal, declineQuoteInPortal, payInvoices, paymentStarter, viewQuote } from './actions.ts';

/**
 * The portal's HTTP surface (docs/portal.md). Everything under /api/v1/portal/ is declared
 * `public` so the staff authentication hook never looks at it (no staff session or token is
 * accepted here); the portal's own hook below authenticates the portal session cookie instead,
 * and refuses an Authorization header outright. The cookie is HttpOnly, SameSite=Strict and
 * scoped to /api/v1/portal, so the browser never sends it to staff routes; writes also need the
 * session's CSRF token in X-CSRF-Token.
 */
export const PORTAL_COOKIE = 'meridian_portal';
const PREFIX = '/api/v1/portal';
const tags = ['portal'];

interface PortalRequestState {
  contactId: string;
  contactName: string;
  sessionId: string;
  sessionHash: string;
  scope: PortalScope;
}

declare module 'fastify' {
  interface FastifyRequest {
    portal?: PortalRequestState;
  }
  interface FastifyContextConfig {
    /** A portal route that needs no portal session (asking for a link, signing in with it). */
    portalOpen?: boolean;
    /** What the access log records when a contact opens this route ("invoices"); absent: not logged (or logged by the action). */
    portalLog?: string;
  }
}

const meta = (request: FastifyRequest): RequestMeta => ({ ip: request.ip, userAgent: request.headers['user-agent'] ?? null });
const state = (request: FastifyRequest): PortalRequestState => {
  if (!request.portal) throw unauthenticated();
  return request.portal;
};
const Id = T.Object({ id: PathId });
type IdP = { id: string };
const sendPdf = (reply: FastifyReply, pdf: Buffer, filename: string) =>
  reply.header('content-type', 'application/pdf').header('cache-control', 'no-store').header('content-disposition', `inline; filename="${filename.replace(/["\\\r\n]/g, '')}"`).send(pdf);
const READS = new Set(['GET', 'HEAD', 'OPTIONS']);

export function registerPortalRoutes(app: FastifyInstance, platform: Platform): void {
  void app.register(async (portal) => {
    // The portal's own authentication: the portal session cookie, never a staff credential.
    portal.addHook('onRequest', async (request) => {
      const config = request.routeOptions.config;
      if (config?.portalOpen) return;
      if (request.headers.authorization) throw unauthenticated('Portal routes take a portal session, not an API token');
      const sessionId = request.cookies[PORTAL_COOKIE];
      const { contactId, sessionHash } = await contactOfSession(platform, sessionId);
      // CSRF: a write must carry the session's token, which another site cannot read.
      if (!READS.has(request.method) && !csrfMatches(platform.signingKey, sessionId!, request.headers['x-csrf-token'] as string | undefined)) {
        throw new AppError('forbidden', 'This change needs the X-CSRF-Token header of your portal session; reload the page and try again');
      }
      await platform.registry.ensureFresh();
      const scope = await portalScope(platform, contactId).catch(() => {
        throw unauthenticated('Your portal session has ended; ask for a new sign-in link');
      });
      request.portal = { contactId, sessionId: sessionId!, sessionHash, scope, contactName: await contactName(platform, scope) };
    });
    // The access log: the pages a contact opened (actions log themselves, in their transaction).
    portal.addHook('onResponse', async (request, reply) => {
      const what = request.routeOptions.config?.portalLog;
      if (!what || !request.portal || reply.statusCode >= 400) return;
      const id = (request.params as { id?: string } | undefined)?.id;
      await logPortalAccess(platform.db, request.portal.contactId, { action: 'viewed', detail: id ? `${what} ${id}` : what, ...meta(request) }).catch((error: unknown) => request.log.error({ err: error }, 'portal: access log'));
    });

    // ——— signing in ———
    portal.post(`${PREFIX}/auth/link`, {
      config: { public: true, portalOpen: true },
      schema: routeSchema({
        tags, operationId: 'requestPortalLink', security: [], summary: 'Portal: e-mail me a sign-in link (the same answer for every address)',
        body: T.Object({ email: T.String({ minLength: 3, maxLength: 320 }) }, { additionalProperties: false }),
        response: { 202: T.Object({ message: T.String() }) },
      }),
    }, async (request, reply) => {
      const { email } = request.body as { email: string };
      const limit = await checkLinkLimits(platform, email.trim().toLowerCase(), request.ip);
      if (limit) {
        reply.header('retry-after', limit.retryAfterSeconds);
        throw tooManyLinks(limit);
      }
      await requestSignInLink({ platform, email, meta: meta(request) });
      return reply.status(202).send({ message: 'If this address belongs to a customer contact with portal access, a sign-in link is on its way. It works once and for a short time.' });
    });

    portal.post(`${PREFIX}/auth/session`, {
      config: { public: true, portalOpen: true },
      schema: routeSchema({
        tags, operationId: 'signInToPortal', security: [], summary: 'Portal: sign in with the token of a sign-in link (works once)',
        body: T.Object({ token: T.String({ maxLength: 100 }) }, { additionalProperties: false }),
        response: { 200: T.Object({ csrfToken: T.String(), expiresAt: T.String() }) },
      }),
    }, async (request, reply) => {
      const { sessionId, expiresAt } = await signInWithLink({ platform, token: (request.body as { token: string }).token, meta: meta(request) });
      reply.setCookie(PORTAL_COOKIE, sessionId, { path: PREFIX, httpOnly: true, sameSite: 'strict', secure: platform.config.publicUrl.startsWith('https://'), expires: expiresAt });
      return { csrfToken: csrfTokenOf(platform.signingKey, sessionId), expiresAt: expiresAt.toISOString() };
    });

    portal.post(`${PREFIX}/auth/sign-out`, {
      config: { public: true },
      schema: routeSchema({ tags, operationId: 'signOutOfPortal', security: [], summary: 'Portal: sign out (ends this session)', response: { 204: NoContent } }),
    }, async (request, reply) => {
      const s = state(request);
      await signOut(platform, s.sessionHash, s.contactId, meta(request));
      reply.clearCookie(PORTAL_COOKIE, { path: PREFIX });
      return reply.status(204).send();
    });

    // ——— who, and the dashboard ———
    portal.get(`${PREFIX}/me`, {
      config: { public: true },
      schema: routeSchema({ tags, operationId: 'getPortalMe', security: [], summary: 'Portal: the signed-in contact, their accounts and what the portal offers', response: { 200: S.Me } }),
    }, async (request) => {
      const s = state(request);
      const accounts = await accountsOf(platform, s.scope);
      const profile = await readProfile(platform, s.scope);
      return {
        contact: { id: s.contactId, name: s.contactName, email: profile.contact.email }, account: accounts.find((a) => a.id === s.scope.accountId) ?? { id: s.scope.accountId, name: profile.billing.accountName },
        accounts, company: billingSettings.of(platform).companyName, csrfToken: csrfTokenOf(platform.signingKey, s.sessionId),
        onlinePayment: (await paymentStarter(platform)) !== null, paymentsAvailable: paymentsInstalled(platform),
      };
    });

    portal.get(`${PREFIX}/summary`, {
      config: { public: true, portalLog: 'dashboard' },
      schema: routeSchema({ tags, operationId: 'getPortalSummary', security: [], summary: 'Portal: balance due and overdue, open quotes and orders', response: { 200: S.Summary } }),
    }, async (request) => {
      const s = state(request);
      const [b, quotes, orders] = await Promise.all([balances(platform, s.scope), listQuotes(platform, s.scope), listOrders(platform, s.scope)]);
      return { balances: b, openQuotes: quotes.filter((q) => q.canAnswer).length, openOrders: orders.filter((o) => !['completed', 'cancelled'].includes(o.status)).length };
    });

    // ——— invoices ———
    portal.get(`${PREFIX}/invoices`, {
      config: { public: true, portalLog: 'invoices' },
      schema: routeSchema({
        tags, operationId: 'listPortalInvoices', security: [], summary: 'Portal: invoices and credit notes (open, paid or all)',
        querystring: T.Object({
          state: T.Optional(T.Union([T.Literal('open'), T.Literal('paid'), T.Literal('all')])),
          limit: T.Optional(T.Integer({ minimum: 1, maximum: 200, default: 50 })),
          cursor: T.Optional(T.String({ maxLength: 2000, description: 'nextCursor of the previous page' })),
        }),
        response: { 200: T.Object({ data: T.Array(S.Invoice), nextCursor: T.Union([T.String(), T.Null()]) }) },
      }),
    }, async (request) => {
      const q = request.query as { state?: 'open' | 'paid' | 'all'; limit?: number; cursor?: string };
      return listInvoices(platform, state(request).scope, q.state ?? 'all', { ...(q.limit ? { limit: q.limit } : {}), ...(q.cursor ? { cursor: q.cursor } : {}) });
    });

    portal.get(`${PREFIX}/invoices/:id`, {
      config: { public: true, portalLog: 'invoice' },
      schema: routeSchema({ tags, operationId: 'getPortalInvoice', security: [], summary: 'Portal: one invoice with its lines', params: Id, response: { 200: S.InvoiceDetail } }),
    }, async (request) => getInvoice(platform, state(request).scope, (request.params as IdP).id));

    portal.get(`${PREFIX}/invoices/:id/pdf`, {
      config: { public: true, portalLog: 'invoice PDF' },
      schema: routeSchema({ tags, operationId: 'getPortalInvoicePdf', security: [], summary: 'Portal: the invoice PDF', params: Id, response: { 200: S.Pdf } }),
    }, async (request, reply) => {
      const id = await invoiceIdInScope(platform, state(request).scope, (request.params as IdP).id);
      const { pdf, filename } = await renderInvoicePdf({ ctx: portalContext(platform), id });
      return sendPdf(reply, pdf, filename);
    });

    portal.post(`${PREFIX}/invoices/pay`, {
      config: { public: true },
      schema: routeSchema({
        tags, operationId: 'payPortalInvoices', security: [], summary: 'Portal: pay one or several open invoices online (answers the payment page to go to)',
        body: T.Object({ invoiceIds: T.Array(T.String({ maxLength: 64 }), { minItems: 1, maxItems: 100 }) }, { additionalProperties: false }),
        response: { 200: T.Object({ redirectUrl: T.String() }) },
      }),
    }, async (request) => {
      const s = state(request);
      return payInvoices(platform, s.scope, (request.body as { invoiceIds: string[] }).invoiceIds, `${platform.config.publicUrl}/portal/invoices?payment=returned`, { ...meta(request), contactName: s.contactName });
    });

    // ——— payments and statements ———
    portal.get(`${PREFIX}/payments`, {
      config: { public: true, portalLog: 'payments' },
      schema: routeSchema({ tags, operationId: 'listPortalPayments', security: [], summary: 'Portal: payment history (available: false when payments are not kept)', response: { 200: T.Object({ available: T.Boolean(), data: T.Array(S.Payment) }) } }),
    }, async (request) => listPayments(platform, state(request).scope));

    portal.get(`${PREFIX}/payments/:id`, {
      config: { public: true, portalLog: 'payment' },
      schema: routeSchema({ tags, operationId: 'getPortalPayment', security: [], summary: 'Portal: one payment and the invoices it paid', params: Id, response: { 200: S.Payment } }),
    }, async (request) => getPayment(platform, state(request).scope, (request.params as IdP).id));

    const StatementQuery = T.Object({
      account: T.Optional(T.String({ maxLength: 64 })),
      from: T.Optional(T.String({ pattern: '^\\d{4}-\\d{2}-\\d{2}$' })),
      to: T.Optional(T.String({ pattern: '^\\d{4}-\\d{2}-\\d{2}$' })),
      currency: T.Optional(T.String({ pattern: '^[A-Z]{3}$' })),
    });
    type SQ = { account?: string; from?: string; to?: string; currency?: string };
    const statementOf = (request: FastifyRequest) => {
      const q = request.query as SQ;
      return buildStatement(platform, state(request).scope, { ...(q.account ? { accountId: q.account } : {}), ...(q.from ? { from: q.from } : {}), ...(q.to ? { to: q.to } : {}), ...(q.currency ? { currency: q.currency } : {}) });
    };
    portal.get(`${PREFIX}/statement`, {
      config: { public: true, portalLog: 'statement' },
      schema: routeSchema({ tags, operationId: 'getPortalStatement', security: [], summary: 'Portal: account statement over a date range (opening balance, documents, payments, closing balance)', querystring: StatementQuery, response: { 200: S.Statement } }),
    }, async (request) => statementOf(request));

    portal.get(`${PREFIX}/statement/pdf`, {
      config: { public: true, portalLog: 'statement PDF' },
      schema: routeSchema({ tags, operationId: 'getPortalStatementPdf', security: [], summary: 'Portal: the account statement as a PDF', querystring: T.Composite([StatementQuery, T.Object({ locale: T.Optional(T.String({ pattern: '^[a-z]{2}(-[A-Z]{2})?$' })) })]), response: { 200: S.Pdf } }),
    }, async (request, reply) => {
      const s = await statementOf(request);
      const locale = (request.query as { locale?: string }).locale ?? 'en-US';
      return sendPdf(reply, await statementPdf(platform, s, locale), `statement-${s.from}-${s.to}.pdf`);
    });

    // ——— quotes ———
    portal.get(`${PREFIX}/quotes`, {
      config: { public: true, portalLog: 'quotes' },
      schema: routeSchema({ tags, operationId: 'listPortalQuotes', security: [], summary: 'Portal: quotes sent to the customer', response: { 200: T.Object({ data: T.Array(S.Quote) }) } }),
    }, async (request) => ({ data: await listQuotes(platform, state(request).scope) }));

    portal.get(`${PREFIX}/quotes/:id`, {
      config: { public: true, portalLog: 'quote' },
      schema: routeSchema({ tags, operationId: 'getPortalQuote', security: [], summary: 'Portal: one quote with its lines (opening a sent quote marks it viewed)', params: Id, response: { 200: S.QuoteDetail } }),
    }, async (request) => viewQuote(platform, state(request).scope, (request.params as IdP).id));

    portal.get(`${PREFIX}/quotes/:id/pdf`, {
      config: { public: true, portalLog: 'quote PDF' },
      schema: routeSchema({ tags, operationId: 'getPortalQuotePdf', security: [], summary: 'Portal: the quote PDF', params: Id, response: { 200: S.Pdf } }),
    }, async (request, reply) => {
      const id = await quoteIdInScope(platform, state(request).scope, (request.params as IdP).id);
      const { pdf, filename } = await renderQuotePdf({ ctx: portalContext(platform), id });
      return sendPdf(reply, pdf, filename);
    });

    portal.post(`${PREFIX}/quotes/:id/accept`, {
      config: { public: true },
      schema: routeSchema({
        tags, operationId: 'acceptPortalQuote', security: [], summary: 'Portal: accept a quote (signed with the contact\'s name)', params: Id,
        body: T.Object({ consent: T.Boolean(), optionalLines: T.Optional(T.Array(T.String({ maxLength: 64 }), { maxItems: 500 })) }, { additionalProperties: false }),
        response: { 200: S.QuoteDetail },
      }),
    }, async (request) => {
      const s = state(request);
      const body = request.body as { consent: boolean; optionalLines?: string[] };
      return acceptQuoteInPortal(platform, s.scope, (request.params as IdP).id, body, { ...meta(request), contactName: s.contactName });
    });

    portal.post(`${PREFIX}/quotes/:id/decline`, {
      config: { public: true },
      schema: routeSchema({
        tags, operationId: 'declinePortalQuote', security: [], summary: 'Portal: decline a quote, with a reason', params: Id,
        body: T.Object({ reason: T.String({ maxLength: 2000 }) }, { additionalProperties: false }),
        response: { 200: S.QuoteDetail },
      }),
    }, async (request) => {
      const s = state(request);
      return declineQuoteInPortal(platform, s.scope, (request.params as IdP).id, (request.body as { reason: string }).reason, { ...meta(request), contactName: s.contactName });
    });

    // ——— orders, contacts, profile, links ———
    portal.get(`${PREFIX}/orders`, {
      config: { public: true, portalLog: 'orders' },
      schema: routeSchema({ tags, operationId: 'listPortalOrders', security: [], summary: 'Portal: orders and their status', response: { 200: T.Object({ data: T.Array(S.Order) }) } }),
    }, async (request) => ({ data: await listOrders(platform, state(request).scope) }));

    portal.get(`${PREFIX}/orders/:id`, {
      config: { public: true, portalLog: 'order' },
      schema: routeSchema({ tags, operationId: 'getPortalOrder', security: [], summary: 'Portal: one order with its lines', params: Id, response: { 200: S.OrderDetail } }),
    }, async (request) => getOrder(platform, state(request).scope, (request.params as IdP).id));

    portal.get(`${PREFIX}/contacts/:id`, {
      config: { public: true, portalLog: 'contact' },
      schema: routeSchema({ tags, operationId: 'getPortalContact', security: [], summary: "Portal: a contact of the customer's accounts", params: Id, response: { 200: S.PortalContact } }),
    }, async (request) => getContact(platform, state(request).scope, (request.params as IdP).id));

    portal.get(`${PREFIX}/profile`, {
      config: { public: true, portalLog: 'profile' },
      schema: routeSchema({ tags, operationId: 'getPortalProfile', security: [], summary: "Portal: the contact's details and the account's billing contact details", response: { 200: S.Profile } }),
    }, async (request) => readProfile(platform, state(request).scope));

    portal.patch(`${PREFIX}/profile`, {
      config: { public: true },
      schema: routeSchema({ tags, operationId: 'updatePortalProfile', security: [], summary: 'Portal: change the contact\'s details and the billing contact details (recorded in history)', body: S.ProfileChange, response: { 200: S.Profile } }),
    }, async (request) => {
      const s = state(request);
      return updateProfile(platform, s.scope, request.body as ProfileChange, { ...meta(request), contactName: s.contactName });
    });

    portal.get(`${PREFIX}/links`, {
      config: { public: true, portalLog: 'links' },
      schema: routeSchema({ tags, operationId: 'listPortalLinks', security: [], summary: "Portal: the customer's portal links (PO portal, files portal …)", response: { 200: T.Object({ data: T.Array(S.PortalLink) }) } }),
    }, async (request) => ({ data: await listLinks(platform, state(request).scope) }));
  });

  // ——— staff: a contact's portal access (the staff authentication applies) ———
  const staffTags = ['contacts'];
  const withLog = async (status: Awaited<ReturnType<typeof accessStatus>>) => ({ ...status, log: await readAccessLog(platform, status.contactId) });
  app.get('/api/v1/contact/:id/portal-access', {
    schema: routeSchema({ tags: staffTags, operationId: 'getContactPortalAccess', summary: "A contact's portal access and access log", params: Id, response: { 200: S.AccessStatus } }),
  }, async (request) => withLog(await accessStatus({ platform, actor: requireActor(request) }, (request.params as IdP).id)));
  app.post('/api/v1/contact/:id/portal-access/invite', {
    schema: routeSchema({ tags: staffTags, operationId: 'inviteContactToPortal', summary: 'Grant a contact portal access and e-mail them a sign-in link', params: Id, response: { 200: S.AccessStatus } }),
  }, async (request) => withLog(await inviteContact({ ctx: { platform, actor: requireActor(request) }, contactId: (request.params as IdP).id, meta: meta(request) })));
  app.post('/api/v1/contact/:id/portal-access/revoke', {
    schema: routeSchema({ tags: staffTags, operationId: 'revokeContactPortalAccess', summary: "Revoke a contact's portal access: every sign-in link and session ends", params: Id, response: { 200: S.AccessStatus } }),
  }, async (request) => withLog(await revokeAccess({ ctx: { platform, actor: requireActor(request) }, contactId: (request.params as IdP).id, meta: meta(request) })));
}

async function contactName(platform: Platform, scope: PortalScope): Promise<string> {
  const profile = await readProfile(platform, scope);
  return [profile.contact.firstName, profile.contact.lastName].filter(Boolean).join(' ') || profile.contact.email || 'Customer contact';
}
