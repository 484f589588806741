import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { randomBytes } from 'node:crypto';
import Stripe from 'stripe';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getTestServer, type TestServer } from '../server.ts';
import { centProduct, invoiceOf, pay, payer, postedInvoice } from './setup.ts';
import { eventRows, notificationsAbout, paymentsOf, requestOf, useProviders } from './providers-helpers.ts';

/**
 * The Stripe adapter against a local stand-in for the Stripe endpoints it calls (Checkout Sessions
 * and Refunds, form-encoded like the real API), with webhook events signed by the SDK's own
 * test-signature helper.
 */
const WEBHOOK_SECRET = `whsec_${randomBytes(24).toString('base64')}`;
const stripe = new Stripe('sk_test_standin');

interface Call { method: string; path: string; params: URLSearchParams; idempotencyKey: string | undefined; authorization: string | undefined }
const calls: Call[] = [];
const sessions = new Map<string, Record<string, unknown>>();
let refundFails = false;

const standIn = http.createServer((req, res) => {
  let raw = '';
  req.on('data', (c) => (raw += c));
  req.on('end', () => {
    const params = new URLSearchParams(raw);
    const call = { method: req.method!, path: req.url!, params, idempotencyKey: req.headers['idempotency-key'] as string | undefined, authorization: req.headers.authorization };
    calls.push(call);
    const send = (status: number, body: unknown) => {
      res.writeHead(status, { 'content-type': 'application/json', 'request-id': `req_${randomBytes(6).toString('hex')}` });
      res.end(JSON.stringify(body));
    };
    if (req.method === 'POST' && req.url === '/v1/checkout/sessions') {
      const replay = call.idempotencyKey ? sessions.get(call.idempotencyKey) : undefined;
      if (replay) return send(200, replay);
      const id = `cs_test_${randomBytes(12).toString('hex')}`;
      const session = {
        id, object: 'checkout.session', mode: 'payment', status: 'open', payment_status: 'unpaid', url: `https://checkout.stripe.test/c/pay/${id}`,
        amount_total: Number(params.get('line_items[0][price_data][unit_amount]')), currency: params.get('line_items[0][price_data][currency]'),
        client_reference_id: params.get('client_reference_id'), metadata: { meridian_request: params.get('metadata[meridian_request]') },
        payment_intent: null, expires_at: Number(params.get('expires_at')), success_url: params.get('success_url'),
      };
      if (call.idempotencyKey) sessions.set(call.idempotencyKey, session);
      return send(200, session);
    }
    if (req.method === 'POST' && req.url === '/v1/refunds') {
      if (refundFails) return send(402, { error: { type: 'invalid_request_error', code: 'charge_already_refunded', message: 'Charge has already been refunded.' } });
      return send(200, { id: `re_${randomBytes(10).toString('hex')}`, object: 'refund', amount: Number(params.get('amount')), currency: 'usd', payment_intent: params.get('payment_intent'), status: 'succeeded', metadata: {} });
    }
    send(404, { error: { type: 'invalid_request_error', message: `No stand-in for ${req.method} ${req.url}` } });
  });
});

let server: TestServer;
let product: string;

beforeAll(async () => {
  await new Promise<void>((resolve) => standIn.listen(0, '127.0.0.1', resolve));
  server = await getTestServer();
  product = await centProduct(server);
  useProviders(server, { paymentProvider: 'stripe', stripeSecretKey: 'sk_test_standin', stripeWebhookSecret: WEBHOOK_SECRET, stripeApiBase: `http://127.0.0.1:${(standIn.address() as AddressInfo).port}` });
});
afterAll(async () => {
  await server?.close();
  await new Promise((resolve) => standIn.close(resolve));
});

function stripeEvent(type: string, object: Record<string, unknown>, id = `evt_${randomBytes(12).toString('hex')}`) {
  return { id, object: 'event', type, api_version: '2025-01-01', created: Math.floor(Date.now() / 1000), livemode: false, pending_webhooks: 1, request: { id: null, idempotency_key: null }, data: { object } };
}

function deliver(event: unknown, options: { secret?: string; header?: string | null } = {}) {
  const payload = JSON.stringify(event);
  const header = options.header === null ? undefined : options.header ?? stripe.webhooks.generateTestHeaderString({ payload, secret: options.secret ?? WEBHOOK_SECRET });
  return server.app.inject({ method: 'POST', url: '/api/v1/payment-webhooks/stripe', payload, headers: { 'content-type': 'application/json; charset=utf-8', ...(header ? { 'stripe-signature': header } : {}) } });
}
const outcome = (res: { body: string }) => JSON.parse(res.body).results?.[0]?.outcome;

/** A posted invoice and a Stripe Checkout payment started for it by staff. */
async function started(cents: number) {
  const account = await payer(server.admin);
  const invoice = await postedInvoice(server, server.admin, { product, account, cents });
  const res = await server.admin.request('POST', '/api/v1/payment-requests', { body: { account, invoices: [invoice.id], returnUrl: 'http://localhost:3000/thanks' } });
  expect(res.status, res.text).toBe(201);
  const request = await requestOf(server, res.body.requestId);
  const pi = `pi_${randomBytes(10).toString('hex')}`;
  const session = (over: Record<string, unknown> = {}) => ({ ...sessions.get(`meridian-request-${request.id}`), status: 'complete', payment_status: 'paid', payment_intent: pi, payment_method_types: ['card'], ...over });
  const intent = (over: Record<string, unknown> = {}) => ({ id: pi, object: 'payment_intent', amount: cents, amount_received: cents, currency: 'usd', status: 'succeeded', metadata: { meridian_request: request.id }, payment_method_types: ['card'], ...over });
  const charge = (refundedCents: number) => ({ id: `ch_${pi.slice(3)}`, object: 'charge', amount: cents, amount_refunded: refundedCents, refunded: refundedCents === cents, currency: 'usd', payment_intent: pi });
  return { account, invoice, request, res: res.body, pi, session, intent, charge };
}

describe('Stripe Checkout through the SDK, against a local stand-in', () => {
  it('starts a Checkout Session for the open amount, in minor units, naming the request, idempotently', async () => {
    const s = await started(11550);
    const call = calls.findLast((c) => c.path === '/v1/checkout/sessions')!;
    expect(call.authorization).toBe('Bearer sk_test_standin');
    expect(call.idempotencyKey).toBe(`meridian-request-${s.request.id}`);
    expect(call.params.get('mode')).toBe('payment');
    expect(call.params.get('line_items[0][price_data][unit_amount]')).toBe('11550');
    expect(call.params.get('line_items[0][price_data][currency]')).toBe('usd');
    expect(call.params.get('client_reference_id')).toBe(s.request.id);
    expect(call.params.get('payment_intent_data[metadata][meridian_request]')).toBe(s.request.id);
    expect(call.params.get('success_url')).toBe('http://localhost:3000/thanks?payment=done');
    expect(s.res.redirectUrl).toMatch(/^https:\/\/checkout\.stripe\.test\/c\/pay\/cs_test_/);
    expect(s.request).toMatchObject({ status: 'open', provider: 'stripe', provider_session_id: expect.stringMatching(/^cs_test_/), amount: 115.5 });
  });

  it('a webhook delivered three times (one after another, then at once) records one payment', async () => {
    const s = await started(11550);
    const event = stripeEvent('checkout.session.completed', s.session());
    expect(outcome(await deliver(event))).toBe('recorded');
    expect(outcome(await deliver(event))).toBe('duplicate');
    expect(outcome(await deliver(event))).toBe('duplicate');
    expect(await paymentsOf(server, 'stripe', s.pi)).toHaveLength(1);
    expect(await invoiceOf(server.admin, s.invoice.id)).toMatchObject({ status: 'paid', open_amount: 0 });
    expect(await requestOf(server, s.request.id)).toMatchObject({ status: 'paid', provider_payment_id: s.pi });
    // payment_intent.succeeded for the same payment, after the session: nothing more.
    expect(outcome(await deliver(stripeEvent('payment_intent.succeeded', s.intent())))).toBe('already_recorded');
    // A late expiry never undoes the payment.
    expect(outcome(await deliver(stripeEvent('checkout.session.expired', s.session({ status: 'expired', payment_status: 'unpaid' }))))).toBe('already_recorded');
    expect((await requestOf(server, s.request.id)).status).toBe('paid');

    const t = await started(2500);
    const burst = stripeEvent('checkout.session.completed', t.session());
    const answers = await Promise.all([deliver(burst), deliver(burst), deliver(burst)]);
    expect(answers.map((a) => a.statusCode)).toEqual([200, 200, 200]);
    expect(answers.map(outcome).sort()).toEqual(['duplicate', 'duplicate', 'recorded']);
    expect(await paymentsOf(server, 'stripe', t.pi)).toHaveLength(1);
  });

  it('payment_intent.succeeded before checkout.session.completed: one payment either way', async () => {
    const s = await started(990);
    expect(outcome(await deliver(stripeEvent('payment_intent.succeeded', s.intent())))).toBe('recorded');
    expect(outcome(await deliver(stripeEvent('checkout.session.completed', s.session())))).toBe('already_recorded');
    expect(await paymentsOf(server, 'stripe', s.pi)).toHaveLength(1);
    expect((await invoiceOf(server.admin, s.invoice.id)).status).toBe('paid');
  });

  it('a session completed but not paid yet (delayed method) records nothing until it is', async () => {
    const s = await started(1200);
    expect(outcome(await deliver(stripeEvent('checkout.session.completed', s.session({ payment_status: 'unpaid' }))))).toBe('ignored');
    expect(await paymentsOf(server, 'stripe', s.pi)).toEqual([]);
    expect(outcome(await deliver(stripeEvent('checkout.session.async_payment_succeeded', s.session())))).toBe('recorded');
  });

  it('wrong or missing signatures are a 400 and record nothing', async () => {
    const s = await started(700);
    const event = stripeEvent('checkout.session.completed', s.session());
    const wrong = await deliver(event, { secret: 'whsec_someoneelse' });
    expect(wrong.statusCode).toBe(400);
    expect(JSON.parse(wrong.body).errors[0].code).toBe('invalid_signature');
    expect((await deliver(event, { header: null })).statusCode).toBe(400);
    expect((await deliver(event, { header: 't=1,v1=deadbeef' })).statusCode).toBe(400);
    const old = stripe.webhooks.generateTestHeaderString({ payload: JSON.stringify(event), secret: WEBHOOK_SECRET, timestamp: Math.floor(Date.now() / 1000) - 3600 });
    expect((await deliver(event, { header: old })).statusCode).toBe(400);
    // Signed, then changed: the amount is not what was signed.
    const payload = JSON.stringify(event);
    const header = stripe.webhooks.generateTestHeaderString({ payload, secret: WEBHOOK_SECRET });
    const tampered = await server.app.inject({ method: 'POST', url: '/api/v1/payment-webhooks/stripe', payload: payload.replace('"amount_total":700', '"amount_total":1'), headers: { 'content-type': 'application/json', 'stripe-signature': header } });
    expect(tampered.statusCode).toBe(400);
    expect(await eventRows(server, 'stripe', event.id)).toEqual([]);
    expect(await paymentsOf(server, 'stripe', s.pi)).toEqual([]);
    expect((await requestOf(server, s.request.id)).status).toBe('open');
    // The real one still works afterwards.
    expect(outcome(await deliver(event))).toBe('recorded');
  });

  it('an amount in the wrong currency, or another amount, is held for review — never applied', async () => {
    const s = await started(5000);
    const eur = await deliver(stripeEvent('checkout.session.completed', s.session({ currency: 'eur' })));
    expect(outcome(eur)).toBe('held');
    const held = await requestOf(server, s.request.id);
    expect(held).toMatchObject({ status: 'held_for_review', payment: null });
    expect(held.review_reason).toContain('Received 50.00 EUR, but 50 USD was asked: the currency differs.');
    expect(await paymentsOf(server, 'stripe', s.pi)).toEqual([]);
    expect((await invoiceOf(server.admin, s.invoice.id)).status).toBe('posted');
    expect((await notificationsAbout(server, s.request.id)).length).toBeGreaterThan(0);
    // The PaymentIntent's own event for that payment stays held too.
    expect(outcome(await deliver(stripeEvent('payment_intent.succeeded', s.intent({ currency: 'eur' }))))).toBe('already_recorded');
    expect(await paymentsOf(server, 'stripe', s.pi)).toEqual([]);

    const t = await started(5000);
    expect(outcome(await deliver(stripeEvent('checkout.session.completed', t.session({ amount_total: 4999 }))))).toBe('held');
    expect((await requestOf(server, t.request.id)).review_reason).toContain('Received 49.99 USD, but 50 USD was asked');
    expect(await paymentsOf(server, 'stripe', t.pi)).toEqual([]);
  });

  it('a refund reported before its payment waits and is applied once the payment is recorded', async () => {
    const s = await started(8000);
    // Paid by hand meanwhile, so the card payment is credit (refundable).
    expect((await pay(server.admin, { account: s.account, amount: '80.00', allocations: [{ invoice: s.invoice.id, amount: '80.00' }] })).status).toBe(201);
    const refunded = stripeEvent('charge.refunded', s.charge(3000));
    expect(outcome(await deliver(refunded))).toBe('deferred');
    expect(outcome(await deliver(stripeEvent('checkout.session.completed', s.session())))).toBe('recorded');
    const [payment] = await paymentsOf(server, 'stripe', s.pi);
    expect(payment).toMatchObject({ amount: 80, allocated_amount: 0, refunded_amount: 30, unallocated_amount: 50 });
    expect((await eventRows(server, 'stripe', refunded.id))[0]!.outcome).toBe('refunded');
    // The same refund reported again, and a later total that includes it: only the difference.
    expect(outcome(await deliver(refunded))).toBe('duplicate');
    expect(outcome(await deliver(stripeEvent('charge.refunded', s.charge(3000))))).toBe('already_recorded');
    expect(outcome(await deliver(stripeEvent('charge.refunded', s.charge(5000))))).toBe('refunded');
    expect((await paymentsOf(server, 'stripe', s.pi))[0]).toMatchObject({ refunded_amount: 50, unallocated_amount: 30 });
  });

  it('refunds through Stripe from Meridian: the API call, the record, and Stripe\'s report of it counted once', async () => {
    const s = await started(6000);
    expect((await pay(server.admin, { account: s.account, amount: '60.00', allocations: [{ invoice: s.invoice.id, amount: '60.00' }] })).status).toBe(201);
    expect(outcome(await deliver(stripeEvent('checkout.session.completed', s.session())))).toBe('recorded');
    const [payment] = await paymentsOf(server, 'stripe', s.pi);
    const res = await server.admin.request('POST', `/api/v1/payments/${payment!.id}/provider-refund`, { body: { amount: '25.00', reason: 'Paid twice' } });
    expect(res.status, res.text).toBe(200);
    const call = calls.findLast((c) => c.path === '/v1/refunds')!;
    expect(call.params.get('payment_intent')).toBe(s.pi);
    expect(call.params.get('amount')).toBe('2500');
    expect(call.idempotencyKey).toMatch(/^meridian-/);
    expect(res.body.providerRefundId).toMatch(/^re_/);
    expect(res.body.refund).toMatchObject({ amount: 25, provider_refund_id: res.body.providerRefundId });
    expect(outcome(await deliver(stripeEvent('charge.refunded', s.charge(2500))))).toBe('already_recorded');
    expect((await paymentsOf(server, 'stripe', s.pi))[0]).toMatchObject({ refunded_amount: 25, unallocated_amount: 35 });

    refundFails = true;
    try {
      const refused = await server.admin.request('POST', `/api/v1/payments/${payment!.id}/provider-refund`, { body: { amount: '5.00' } });
      expect(refused.status).toBe(503);
      expect((await paymentsOf(server, 'stripe', s.pi))[0]).toMatchObject({ refunded_amount: 25 });
    } finally {
      refundFails = false;
    }
    // A refund of money allocated to an invoice: Stripe refunded it, Meridian holds it for review.
    const t = await started(4000);
    expect(outcome(await deliver(stripeEvent('checkout.session.completed', t.session())))).toBe('recorded');
    expect(outcome(await deliver(stripeEvent('charge.refunded', t.charge(4000))))).toBe('held');
    expect((await requestOf(server, t.request.id)).review_reason).toContain('could not record');
  });

  it('a worker dying while settling a payment leaves nothing; the redelivery records it exactly once', async () => {
    const s = await started(3300);
    let crash = true;
    server.platform.hooks.register('afterSave', {
      name: 'test.crashWhileSettling', object: 'payment', operations: ['create'],
      run: () => {
        if (!crash) return;
        crash = false;
        throw new Error('worker killed while settling');
      },
    });
    const event = stripeEvent('checkout.session.completed', s.session());
    const failed = await deliver(event);
    expect(failed.statusCode).toBe(500);
    expect(await eventRows(server, 'stripe', event.id)).toEqual([]);
    expect(await paymentsOf(server, 'stripe', s.pi)).toEqual([]);
    expect(await requestOf(server, s.request.id)).toMatchObject({ status: 'open', payment: null });
    expect((await invoiceOf(server.admin, s.invoice.id)).status).toBe('posted');
    // Stripe retries the same event.
    expect(outcome(await deliver(event))).toBe('recorded');
    expect(outcome(await deliver(event))).toBe('duplicate');
    expect(await paymentsOf(server, 'stripe', s.pi)).toHaveLength(1);
    expect((await invoiceOf(server.admin, s.invoice.id)).status).toBe('paid');
  });

  it.runIf(Boolean(process.env.DATABASE_URL))('PostgreSQL: the settling connection killed mid-transaction (pg_terminate_backend) — the redelivery records once', async () => {
    const s = await started(4100);
    let kill = true;
    server.platform.hooks.register('afterSave', {
      name: 'test.killWhileSettling', object: 'payment', operations: ['create'],
      run: async ({ ctx }) => {
        if (!kill) return;
        kill = false;
        // The server process's own connection dies with the payment row written, not committed.
        await sql`SELECT pg_terminate_backend(pg_backend_pid())`.execute(ctx.trx);
      },
    });
    const event = stripeEvent('checkout.session.completed', s.session());
    const failed = await deliver(event);
    expect(failed.statusCode).toBeGreaterThanOrEqual(500);
    expect(await eventRows(server, 'stripe', event.id)).toEqual([]);
    expect(await paymentsOf(server, 'stripe', s.pi)).toEqual([]);
    expect(outcome(await deliver(event))).toBe('recorded');
    expect(outcome(await deliver(event))).toBe('duplicate');
    expect(await paymentsOf(server, 'stripe', s.pi)).toHaveLength(1);
    expect((await invoiceOf(server.admin, s.invoice.id)).status).toBe('paid');
  });

  it('an expired session closes an open request; events of other systems on the account are ignored', async () => {
    const s = await started(100);
    expect(outcome(await deliver(stripeEvent('checkout.session.expired', s.session({ status: 'expired', payment_status: 'unpaid' }))))).toBe('expired');
    expect((await requestOf(server, s.request.id)).status).toBe('expired');
    expect(outcome(await deliver(stripeEvent('payment_intent.succeeded', { id: 'pi_other', object: 'payment_intent', amount_received: 100, currency: 'usd', metadata: {} })))).toBe('ignored');
    expect(outcome(await deliver(stripeEvent('customer.created', { id: 'cus_1', object: 'customer' })))).toBe('ignored');
  });
});
