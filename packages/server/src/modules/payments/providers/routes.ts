import type { FastifyInstance, FastifyReply } from 'fastify';
import type { Platform } from '../../../platform/kernel.ts';
import { AppError, notFound } from '../../../platform/errors.ts';
import { recordContext } from '../../../platform/http/context.ts';
import { PathId, T, routeSchema } from '../../../platform/http/schema/common.ts';
import { asSystem, systemActor } from '../../../platform/records/context.ts';
import type { ApiRecord } from '../../../platform/records/hooks.ts';
import { listRecords } from '../../../platform/records/read.ts';
import { Decimal, billingSettings, documentFormat, minorUnits, readRecord } from '../../billing/index.ts';
import { invoiceOfToken, setPayPageAction } from '../../invoicing/index.ts';
import { refundThroughProvider } from './refund.ts';
import { activeProvider, providerNamed } from './registry.ts';
import { REQUEST, requestedInvoices } from './requests.ts';
import { startPayment } from './start.ts';
import { TEST_SIGNATURE_HEADER, TestProvider, testEvent, type TestEventBody } from './testProvider.ts';
import { receiveWebhook } from './webhook.ts';

const tags = ['payments'];
/** Webhook bodies are small; Stripe's events are a few KB. */
const WEBHOOK_LIMIT_BYTES = 512 * 1024;
const Html = (description: string) => T.Unsafe({ description, content: { 'text/html': { schema: { type: 'string' } } } });
const Redirect = (description: string) => T.Unsafe({ description });
const EventResult = T.Object({ eventId: T.String(), type: T.String(), outcome: T.String(), detail: T.Optional(T.String()) });
const esc = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/**
 * The providers' routes: the webhook every provider delivers to, the test provider's hosted page,
 * "Pay now" on an invoice's pay link (the pay page is invoicing's: it shows the button through
 * invoicing's setPayPageAction, so invoicing never imports payments), staff starting a payment
 * link, and refunds through the provider.
 */
export function registerProviderRoutes(app: FastifyInstance, platform: Platform): void {
  setPayPageAction(platform, (invoice) => (activeProvider(platform) && ['posted', 'partially_paid'].includes(invoice.status) && invoice.kind === 'invoice'
    ? { label: 'Pay now', action: `/pay/${invoice.token}/start` }
    : null));

  // Raw bodies: a provider signs the exact bytes it sends.
  void app.register(async (scope) => {
    scope.removeAllContentTypeParsers();
    scope.addContentTypeParser('*', { parseAs: 'buffer', bodyLimit: WEBHOOK_LIMIT_BYTES }, (_request, body, done) => done(null, body));
    scope.post('/api/v1/payment-webhooks/:provider', {
      bodyLimit: WEBHOOK_LIMIT_BYTES,
      config: { public: true },
      schema: routeSchema({
        tags, operationId: 'receivePaymentWebhook', security: [],
        summary: "A payment provider's webhook (stripe, test), verified by the provider's signature over the raw body",
        description: '200: the events were applied, or had been before (outcome duplicate). 400: the signature is missing or wrong, or the body is not an event — nothing is recorded. 404: the provider is not set up. 5xx: nothing was recorded; the provider retries.',
        params: T.Object({ provider: T.String({ maxLength: 32, pattern: '^[a-z0-9_-]+$' }) }),
        response: { 200: T.Object({ received: T.Integer(), results: T.Array(EventResult) }) },
      }),
    }, async (request) => {
      await platform.registry.ensureFresh();
      const body = Buffer.isBuffer(request.body) ? request.body : Buffer.alloc(0);
      return receiveWebhook({ platform, provider: (request.params as { provider: string }).provider, rawBody: body, headers: request.headers });
    });
  });

  // HTML forms (Pay now, the test page's buttons) post application/x-www-form-urlencoded with nothing in it that is read.
  void app.register(async (scope) => {
    scope.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string', bodyLimit: 4096 }, (_request, body, done) => done(null, body));

    scope.post('/pay/:token/start', {
      schema: routeSchema({
        tags, operationId: 'startPayLinkPayment', security: [], summary: "Public: pay a pay link's invoice online (redirects to the provider's page)",
        params: T.Object({ token: T.String({ maxLength: 64 }) }),
        response: { 303: Redirect("To the provider's payment page"), 404: Html('Unknown link'), 409: Html('Nothing to pay, or online payment is not set up'), 503: Html('The provider cannot be reached') },
      }),
    }, async (request, reply) => {
      const token = (request.params as { token: string }).token;
      reply.header('cache-control', 'no-store').header('referrer-policy', 'no-referrer');
      await platform.registry.ensureFresh();
      const invoiceId = await invoiceOfToken(platform, token);
      if (!invoiceId) return htmlPage(reply, 404, 'Not found', 'This link does not work. Please ask the sender for a new one.');
      const invoice = await readRecord({ platform, actor: systemActor() }, 'invoice', invoiceId, ['account', 'contact']);
      try {
        const { redirectUrl } = await startPayment({ platform, accountId: String(invoice.account), invoiceIds: [invoiceId], returnUrl: `${platform.config.publicUrl}/pay/${token}`, payer: {} });
        return reply.status(303).header('location', redirectUrl).send();
      } catch (error) {
        if (!(error instanceof AppError)) throw error;
        return htmlPage(reply, error.status === 503 ? 503 : 409, 'Payment not started', `<p>${esc(error.errors[0]?.message ?? error.message)}.</p><p><a href="/pay/${esc(token)}">Back to the invoice</a></p>`, true);
      }
    });

    scope.get('/payments/test/:session', {
      schema: routeSchema({
        tags, operationId: 'getTestPaymentPage', security: [], summary: "The test provider's hosted payment page (HTML; MERIDIAN_PAYMENT_PROVIDER=test)",
        params: T.Object({ session: T.String({ maxLength: 64 }) }), response: { 200: Html('The page'), 404: Html('Unknown session') },
      }),
    }, async (request, reply) => {
      const found = await testSession(platform, (request.params as { session: string }).session);
      if (!found) return htmlPage(reply, 404, 'Not found', 'There is no such payment.');
      return htmlPage(reply, 200, 'Test payment', testPageBody(platform, found.request), true);
    });

    for (const action of ['pay', 'decline'] as const) {
      scope.post(`/payments/test/:session/${action}`, {
        schema: routeSchema({
          tags, operationId: action === 'pay' ? 'payTestPayment' : 'declineTestPayment', security: [],
          summary: action === 'pay' ? 'The test page\'s "Pay" button: the test provider delivers a signed payment.succeeded webhook, then sends the payer back' : 'The test page\'s "Decline" button: a payment.failed webhook',
          params: T.Object({ session: T.String({ maxLength: 64 }) }),
          response: { 303: Redirect('Back to the return URL'), 200: Html('The page with the outcome'), 404: Html('Unknown session') },
        }),
      }, async (request, reply) => {
        const session = (request.params as { session: string }).session;
        const found = await testSession(platform, session);
        if (!found) return htmlPage(reply, 404, 'Not found', 'There is no such payment.');
        const { request: pr, provider } = found;
        if (pr.status !== 'open') return htmlPage(reply, 200, 'Test payment', testPageBody(platform, pr), true);
        const currency = String(pr.currency);
        const event: TestEventBody = action === 'pay'
          ? testEvent('payment.succeeded', { request: pr.id, session, payment_id: `tpay_${pr.id.replaceAll('-', '').slice(-16)}`, amount: new Decimal(String(pr.amount)).toFixed(minorUnits(currency)), currency })
          : testEvent('payment.failed', { request: pr.id, session, reason: 'Declined on the test page' });
        const body = JSON.stringify(event);
        // The same path a real provider takes: a signed delivery to Meridian's webhook route.
        const delivered = await app.inject({ method: 'POST', url: '/api/v1/payment-webhooks/test', headers: { 'content-type': 'application/json', [TEST_SIGNATURE_HEADER]: provider.sign(body) }, payload: body });
        if (delivered.statusCode !== 200) {
          platform.logger.warn({ status: delivered.statusCode, request: pr.id }, 'the test provider could not deliver its webhook');
          return htmlPage(reply, 200, 'Test payment', `<p class="note">The payment could not be confirmed (${delivered.statusCode}). Try again.</p>`, true);
        }
        const back = new URL(String(pr.return_url ?? platform.config.publicUrl));
        back.searchParams.set('payment', action === 'pay' ? 'done' : 'cancelled');
        return reply.status(303).header('location', back.toString()).send();
      });
    }
  });

  app.post('/api/v1/payment-requests', {
    schema: routeSchema({
      tags, operationId: 'startPaymentRequest',
      summary: "Start an online payment for invoices of one account (the payment link to send the customer): the provider's page and the request",
      body: T.Object({
        account: T.String({ format: 'uuid' }),
        invoices: T.Array(T.String({ format: 'uuid' }), { minItems: 1, maxItems: 50 }),
        returnUrl: T.Optional(T.String({ maxLength: 2000 })),
      }, { additionalProperties: false }),
      response: { 201: T.Object({ redirectUrl: T.String(), requestId: T.String() }) },
    }),
  }, async (request, reply) => {
    await platform.registry.ensureFresh();
    const ctx = recordContext(platform, request);
    const body = request.body as { account: string; invoices: string[]; returnUrl?: string };
    // The caller must see the account and every invoice.
    await readRecord(ctx, 'account', body.account, ['id']);
    for (const id of body.invoices) await readRecord(ctx, 'invoice', id, ['id']);
    const started = await startPayment({ platform, accountId: body.account, invoiceIds: body.invoices, returnUrl: body.returnUrl ?? `${platform.config.publicUrl}/`, payer: { ...(ctx.actor.userId ? { userId: ctx.actor.userId } : {}) } });
    return reply.status(201).send(started);
  });

  app.post('/api/v1/payments/:id/provider-refund', {
    schema: routeSchema({
      tags, operationId: 'refundPaymentThroughProvider',
      summary: 'Refund part or all of an online payment through its provider, and record the refund',
      params: T.Object({ id: PathId }),
      body: T.Object({ amount: T.Union([T.String({ maxLength: 40 }), T.Number()]), reason: T.Optional(T.String({ maxLength: 1000 })) }, { additionalProperties: false }),
      response: { 200: T.Object({ payment: T.Record(T.String(), T.Unknown()), refund: T.Record(T.String(), T.Unknown()), providerRefundId: T.String() }) },
    }),
  }, async (request) => {
    await platform.registry.ensureFresh();
    const body = request.body as { amount: string | number; reason?: string };
    return refundThroughProvider({ ctx: recordContext(platform, request), id: (request.params as { id: string }).id, input: { amount: body.amount, ...(body.reason ? { reason: body.reason } : {}) } });
  });
}

async function testSession(platform: Platform, session: string): Promise<{ request: ApiRecord; provider: TestProvider } | null> {
  const provider = providerNamed(platform, 'test');
  if (!(provider instanceof TestProvider) || !/^tps_[A-Za-z0-9_-]{1,60}$/.test(session)) return null;
  const ctx = asSystem({ platform, actor: systemActor() });
  const found = await listRecords({ ctx, object: platform.registry.requireObject(REQUEST), filter: { and: [{ field: 'provider', op: 'eq', value: 'test' }, { field: 'provider_session_id', op: 'eq', value: session }] }, limit: 1 });
  const request = found.data[0];
  return request ? { request, provider } : null;
}

function testPageBody(platform: Platform, request: ApiRecord): string {
  const fmt = documentFormat('en-US', String(request.currency));
  const invoices = requestedInvoices(request).map((i) => `<li>${esc(i.number)} — ${esc(fmt.money(i.amount))}</li>`).join('');
  const status = String(request.status);
  const buttons = status === 'open'
    ? `<form method="post" action="${esc(`/payments/test/${String(request.provider_session_id)}/pay`)}"><button type="submit">Pay ${esc(fmt.money(request.amount))}</button></form>
<form method="post" action="${esc(`/payments/test/${String(request.provider_session_id)}/decline`)}"><button type="submit" class="secondary">Decline</button></form>${request.last_error ? `<p class="note">Last attempt: ${esc(String(request.last_error))}</p>` : ''}`
    : `<p class="note">This payment is ${esc(status.replaceAll('_', ' '))}.</p>`;
  return `<p>Test payment provider — no money moves. To ${esc(billingSettings.of(platform).companyName)}</p>
<h1>${esc(fmt.money(request.amount))}</h1><ul>${invoices}</ul>${buttons}`;
}

function htmlPage(reply: FastifyReply, status: number, title: string, body: string, bodyIsHtml = false): FastifyReply {
  const content = bodyIsHtml ? body : `<p>${esc(body)}</p>`;
  return reply.status(status).header('cache-control', 'no-store').header('x-robots-tag', 'noindex').type('text/html; charset=utf-8').send(`<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><meta name="robots" content="noindex"><title>${esc(title)}</title>
<style>body{font-family:system-ui,sans-serif;max-width:30rem;margin:2rem auto;padding:0 1rem;color:#111}button{font-size:1.1rem;padding:.6rem 1.2rem;margin:.3rem 0;width:100%;border-radius:.4rem;border:0;background:#1d4ed8;color:#fff}button.secondary{background:#e5e7eb;color:#111}.note{background:#f3f4f6;padding:.75rem;border-radius:.4rem}</style></head><body><main>${content}</main></body></html>`);
}
