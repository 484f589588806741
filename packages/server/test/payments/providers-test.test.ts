import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getTestServer, type TestServer } from '../server.ts';
import { centProduct, invoiceOf, pay, payer, postedInvoice } from './setup.ts';
import { eventRows, formPost, notificationsAbout, payToken, paymentsOf, requestOf, useProviders } from './providers-helpers.ts';
import { providerNamed } from '../../src/modules/payments/providers/registry.ts';
import { TestProvider, signTestDelivery, testEvent } from '../../src/modules/payments/providers/testProvider.ts';

let server: TestServer;
let product: string;

beforeAll(async () => {
  server = await getTestServer();
  product = await centProduct(server);
  useProviders(server, { paymentProvider: 'test' });
});
afterAll(() => server?.close());

/** Posts an invoice and follows its pay link to the test provider's page: the session and the request. */
async function startFromPayLink(cents: number) {
  const account = await payer(server.admin);
  const invoice = await postedInvoice(server, server.admin, { product, account, cents });
  const token = await payToken(server, invoice.id);
  const page = await server.app.inject({ method: 'GET', url: `/pay/${token}` });
  expect(page.statusCode).toBe(200);
  expect(page.body).toContain(`action="/pay/${token}/start"`);
  const started = await formPost(server, `/pay/${token}/start`);
  expect(started.statusCode, started.body).toBe(303);
  const location = String(started.headers.location);
  const session = /^http:\/\/localhost:3000\/payments\/test\/(tps_[A-Za-z0-9_-]+)$/.exec(location)?.[1];
  expect(session, location).toBeTruthy();
  const requests = await server.admin.request('GET', `/api/v1/payment_request?filter=${encodeURIComponent(JSON.stringify({ field: 'provider_session_id', op: 'eq', value: session }))}`);
  return { account, invoice, token, session: session!, request: requests.body.data[0] as Record<string, any> };
}

const deliver = (body: string, signature?: string) => server.app.inject({
  method: 'POST', url: '/api/v1/payment-webhooks/test', payload: body,
  headers: { 'content-type': 'application/json', ...(signature ? { 'meridian-test-signature': signature } : {}) },
});
const provider = () => providerNamed(server.platform, 'test') as TestProvider;

describe('the test provider, end to end over HTTP', () => {
  it('pay link → Pay now → the hosted page → Pay → signed webhook → the invoice is paid, once', async () => {
    const { invoice, token, session, request } = await startFromPayLink(11550);
    expect(request).toMatchObject({ status: 'open', amount: 115.5, currency: 'USD', provider: 'test' });
    const hosted = await server.app.inject({ method: 'GET', url: `/payments/test/${session}` });
    expect(hosted.statusCode).toBe(200);
    expect(hosted.body).toContain('$115.50');
    expect(hosted.body).toContain(invoice.number);

    const paid = await formPost(server, `/payments/test/${session}/pay`);
    expect(paid.statusCode, paid.body).toBe(303);
    expect(paid.headers.location).toBe(`http://localhost:3000/pay/${token}?payment=done`);
    const back = await server.app.inject({ method: 'GET', url: `/pay/${token}?payment=done` });
    expect(back.body).toContain('your payment is being confirmed');
    expect(back.body).toContain('This invoice is paid');
    expect(back.body).not.toContain('/start"');

    expect(await invoiceOf(server.admin, invoice.id)).toMatchObject({ status: 'paid', open_amount: 0 });
    const after = await requestOf(server, request.id);
    expect(after).toMatchObject({ status: 'paid', provider_payment_id: expect.stringMatching(/^tpay_/) });
    const payments = await paymentsOf(server, 'test', after.provider_payment_id);
    expect(payments).toHaveLength(1);
    expect(payments[0]).toMatchObject({ id: after.payment, amount: 115.5, currency: 'USD', method: 'card', allocated_amount: 115.5, unallocated_amount: 0 });

    // Pressing Pay again (back button, double click) shows the outcome and records nothing more.
    const again = await formPost(server, `/payments/test/${session}/pay`);
    expect(again.statusCode).toBe(200);
    expect(again.body).toContain('This payment is paid');
    expect(await paymentsOf(server, 'test', after.provider_payment_id)).toHaveLength(1);
    // Starting again from the pay link: nothing is open any more.
    const restart = await formPost(server, `/pay/${token}/start`);
    expect(restart.statusCode).toBe(409);
  });

  it('Decline keeps the request open with the reason; paying afterwards works', async () => {
    const { invoice, session, request } = await startFromPayLink(2000);
    const declined = await formPost(server, `/payments/test/${session}/decline`);
    expect(declined.statusCode).toBe(303);
    expect(declined.headers.location).toContain('payment=cancelled');
    expect(await requestOf(server, request.id)).toMatchObject({ status: 'open', last_error: 'Declined on the test page', payment: null });
    expect((await invoiceOf(server.admin, invoice.id)).status).toBe('posted');
    expect((await formPost(server, `/payments/test/${session}/pay`)).statusCode).toBe(303);
    expect((await invoiceOf(server.admin, invoice.id)).status).toBe('paid');
  });

  it('refuses deliveries without, with a wrong or with an old signature (400), recording nothing', async () => {
    const { request, session } = await startFromPayLink(500);
    const event = testEvent('payment.succeeded', { request: request.id, session, payment_id: 'tpay_forged', amount: '5.00', currency: 'USD' });
    const body = JSON.stringify(event);
    const missing = await deliver(body);
    expect(missing.statusCode).toBe(400);
    expect(JSON.parse(missing.body).errors[0].code).toBe('invalid_signature');
    expect((await deliver(body, signTestDelivery(Buffer.from('not the secret'), body))).statusCode).toBe(400);
    expect((await deliver(body, provider().sign(body).replace(/v1=(.)/, (_, c: string) => `v1=${c === '0' ? '1' : '0'}`))).statusCode).toBe(400);
    expect((await deliver(body, signTestDelivery(Buffer.from('x'), body, 12))).statusCode).toBe(400);
    // A signature of other bytes (the amount changed after signing).
    expect((await deliver(body.replace('5.00', '0.01'), provider().sign(body))).statusCode).toBe(400);
    expect(await eventRows(server, 'test', event.id)).toEqual([]);
    expect(await paymentsOf(server, 'test', 'tpay_forged')).toEqual([]);
    expect((await requestOf(server, request.id)).status).toBe('open');
  });

  it('holds a payment of another amount or currency for review, notifies staff, applies nothing', async () => {
    const { invoice, request, session, account } = await startFromPayLink(3000);
    const owner = (await server.admin.request('GET', `/api/v1/account/${account}`)).body.owner;
    const event = testEvent('payment.succeeded', { request: request.id, session, payment_id: 'tpay_short', amount: '29.99', currency: 'USD' });
    const body = JSON.stringify(event);
    const res = await deliver(body, provider().sign(body));
    expect(res.statusCode, res.body).toBe(200);
    expect(JSON.parse(res.body).results[0]).toMatchObject({ outcome: 'held' });
    const held = await requestOf(server, request.id);
    expect(held).toMatchObject({ status: 'held_for_review', provider_payment_id: 'tpay_short', payment: null });
    expect(held.review_reason).toContain('Received 29.99 USD, but 30 USD was asked');
    expect(await paymentsOf(server, 'test', 'tpay_short')).toEqual([]);
    expect((await invoiceOf(server.admin, invoice.id)).status).toBe('posted');
    const notes = await notificationsAbout(server, request.id);
    expect(notes.map((n) => n.user_id)).toContain(owner);
    expect(notes[0]!.title).toContain('held for review');
    // The same event again changes nothing; the page no longer offers Pay.
    expect(JSON.parse((await deliver(body, provider().sign(body))).body).results[0].outcome).toBe('duplicate');
    expect((await server.app.inject({ method: 'GET', url: `/payments/test/${session}` })).body).toContain('held for review');

    const other = await startFromPayLink(3000);
    const eur = testEvent('payment.succeeded', { request: other.request.id, session: other.session, payment_id: 'tpay_eur', amount: '30.00', currency: 'EUR' });
    const eurBody = JSON.stringify(eur);
    expect(JSON.parse((await deliver(eurBody, provider().sign(eurBody))).body).results[0].outcome).toBe('held');
    expect((await requestOf(server, other.request.id)).review_reason).toContain('the currency differs');
    expect(await paymentsOf(server, 'test', 'tpay_eur')).toEqual([]);
  });

  it('an invoice paid meanwhile leaves the online payment as credit, refunded through the provider', async () => {
    const { invoice, session, request, account } = await startFromPayLink(4000);
    // The customer also paid by bank transfer before completing the online payment.
    expect((await pay(server.admin, { account, amount: '40.00', allocations: [{ invoice: invoice.id, amount: '40.00' }] })).status).toBe(201);
    expect((await formPost(server, `/payments/test/${session}/pay`)).statusCode).toBe(303);
    const done = await requestOf(server, request.id);
    expect(done.status).toBe('paid');
    const payment = (await server.admin.request('GET', `/api/v1/payment/${done.payment}`)).body;
    expect(payment).toMatchObject({ amount: 40, allocated_amount: 0, unallocated_amount: 40 });

    const refunded = await server.admin.request('POST', `/api/v1/payments/${payment.id}/provider-refund`, { body: { amount: '15.00', reason: 'Paid twice' } });
    expect(refunded.status, refunded.text).toBe(200);
    expect(refunded.body.providerRefundId).toMatch(/^tre_/);
    expect(refunded.body.payment).toMatchObject({ refunded_amount: 15, unallocated_amount: 25 });
    expect(refunded.body.refund).toMatchObject({ amount: 15, provider_refund_id: refunded.body.providerRefundId });
    // The provider reporting that refund (refund.succeeded with its id) records nothing more.
    const report = testEvent('refund.succeeded', { payment_id: done.provider_payment_id, refund_id: refunded.body.providerRefundId, amount: '15.00', currency: 'USD' });
    const reportBody = JSON.stringify(report);
    expect(JSON.parse((await deliver(reportBody, provider().sign(reportBody))).body).results[0].outcome).toBe('already_recorded');
    // A refund made at the provider itself is recorded, once.
    const other = testEvent('refund.succeeded', { payment_id: done.provider_payment_id, refund_id: 'tre_dashboard', amount: '5.00', currency: 'USD' });
    const otherBody = JSON.stringify(other);
    expect(JSON.parse((await deliver(otherBody, provider().sign(otherBody))).body).results[0].outcome).toBe('refunded');
    const again = testEvent('refund.succeeded', { payment_id: done.provider_payment_id, refund_id: 'tre_dashboard', amount: '5.00', currency: 'USD' });
    const againBody = JSON.stringify(again);
    expect(JSON.parse((await deliver(againBody, provider().sign(againBody))).body).results[0].outcome).toBe('already_recorded');
    expect((await server.admin.request('GET', `/api/v1/payment/${payment.id}`)).body).toMatchObject({ refunded_amount: 20, unallocated_amount: 20 });
    const tooMuch = await server.admin.request('POST', `/api/v1/payments/${payment.id}/provider-refund`, { body: { amount: '20.01' } });
    expect(tooMuch.status).toBe(422);
    expect(tooMuch.body.errors[0].code).toBe('exceeds_credit');
  });

  it('a payment not made online cannot be refunded through a provider', async () => {
    const account = await payer(server.admin);
    const made = await pay(server.admin, { account, amount: '10.00', allocate: 'none' });
    const res = await server.admin.request('POST', `/api/v1/payments/${made.body.payment.id}/provider-refund`, { body: { amount: '1.00' } });
    expect(res.status).toBe(409);
    expect(res.body.errors[0].code).toBe('not_a_provider_payment');
  });

  it('staff start a payment link for several invoices of one account in one currency', async () => {
    const account = await payer(server.admin);
    const a = await postedInvoice(server, server.admin, { product, account, cents: 1000 });
    const b = await postedInvoice(server, server.admin, { product, account, cents: 2550 });
    const res = await server.admin.request('POST', '/api/v1/payment-requests', { body: { account, invoices: [a.id, b.id] } });
    expect(res.status, res.text).toBe(201);
    const request = await requestOf(server, res.body.requestId);
    expect(request).toMatchObject({ amount: 35.5, currency: 'USD', status: 'open', requested_by: server.admin.id });
    expect(JSON.parse(request.invoices)).toEqual([{ invoice: a.id, number: a.number, amount: '10' }, { invoice: b.id, number: b.number, amount: '25.5' }]);
    const session = /\/payments\/test\/(.+)$/.exec(res.body.redirectUrl)![1]!;
    expect((await formPost(server, `/payments/test/${session}/pay`)).statusCode).toBe(303);
    expect((await invoiceOf(server.admin, a.id)).status).toBe('paid');
    expect((await invoiceOf(server.admin, b.id)).status).toBe('paid');

    const elsewhere = await payer(server.admin);
    const c = await postedInvoice(server, server.admin, { product, account: elsewhere, cents: 100 });
    const mixed = await server.admin.request('POST', '/api/v1/payment-requests', { body: { account, invoices: [a.id, c.id] } });
    expect(mixed.status).toBe(422);
    const notMine = await server.admin.request('POST', '/api/v1/payment-requests', { body: { account, invoices: [c.id] } });
    expect(notMine.status).toBe(400);
    const paidAlready = await server.admin.request('POST', '/api/v1/payment-requests', { body: { account, invoices: [a.id] } });
    expect(paidAlready.status).toBe(422);
    expect(paidAlready.body.errors[0].code).toBe('not_open');
    const offSite = await server.admin.request('POST', '/api/v1/payment-requests', { body: { account: elsewhere, invoices: [c.id], returnUrl: 'https://evil.example/' } });
    expect(offSite.status).toBe(400);
    expect(offSite.body.errors[0].code).toBe('other_origin');
  });

  it('without a provider: no Pay now button, no start, and the test webhook is a 404', async () => {
    useProviders(server, { paymentProvider: 'none' });
    try {
      const account = await payer(server.admin);
      const invoice = await postedInvoice(server, server.admin, { product, account, cents: 100 });
      const token = await payToken(server, invoice.id);
      const page = await server.app.inject({ method: 'GET', url: `/pay/${token}` });
      expect(page.body).not.toContain('/start"');
      expect((await formPost(server, `/pay/${token}/start`)).statusCode).toBe(409);
      expect((await deliver('{}', 't=1,v1=00')).statusCode).toBe(404);
    } finally {
      useProviders(server, { paymentProvider: 'test' });
    }
  });
});
