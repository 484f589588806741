import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getTestServer, type TestServer, type TestUser } from '../server.ts';
import { buildAccount, buildRecord } from '../factories.ts';
import { startEventBackbone, type EventBackbone } from '../../src/platform/events/index.ts';
import { fastSettings, startReceiver, verifyStandardWebhook, waitFor } from '../events/helpers.ts';

/**
 * quote.accepted is a domain event billing declares (module `events`): a webhook subscribes to it
 * by name and a real HTTP receiver gets it, signed, once the acceptance commits.
 */
let server: TestServer;
let admin: TestUser;
let backbone: EventBackbone;
let receiver: Awaited<ReturnType<typeof startReceiver>>;

beforeAll(async () => {
  server = await getTestServer();
  admin = server.admin;
  backbone = await startEventBackbone(server.platform, { settings: fastSettings() });
  receiver = await startReceiver();
});
afterAll(async () => {
  await backbone?.stop();
  await receiver?.close();
  await server?.close();
});

describe('quote.accepted', () => {
  it('reaches a webhook subscribed to it by name, and only that event', async () => {
    const sub = await admin.request('POST', '/api/v1/webhooks', { body: { url: receiver.url, events: ['quote.accepted'] } });
    expect(sub.status, sub.text).toBe(201);
    const unknown = await admin.request('POST', '/api/v1/webhooks', { body: { url: receiver.url, events: ['quote.signed'] } });
    expect([unknown.status, unknown.body.errors[0].field, unknown.body.errors[0].code]).toEqual([400, 'events[0]', 'unknown_event']);

    const each = (await admin.request('GET', `/api/v1/unit_of_measure?filter=${encodeURIComponent(JSON.stringify({ field: 'code', op: 'eq', value: 'each' }))}`)).body.data[0].id;
    const product = await buildRecord(admin, 'product', { code: 'PRT-1', name: 'Part', type: 'part', unit_of_measure: each });
    const book = await buildRecord(admin, 'price_book', { name: 'Standard USD', currency: 'USD', is_standard: true });
    await buildRecord(admin, 'price_book_entry', { price_book: book.id, product: product.id, unit_price: '40.00' });
    const account = await buildAccount(admin, { currency: 'USD' });
    const created = await admin.request('POST', '/api/v1/quotes', { body: { quote: { account: account.id }, lines: [{ product: product.id, quantity: 2 }] } });
    const quote = created.body.quote;
    expect((await admin.request('POST', `/api/v1/quotes/${quote.id}/send`, { body: {} })).status).toBe(200);
    expect((await admin.request('POST', `/api/v1/quotes/${quote.id}/accept-internal`, { body: { signerName: 'Dana Buyer' } })).status).toBe(200);

    const [r] = await waitFor(() => (receiver.received.length ? receiver.received : null), 'the quote.accepted delivery');
    expect(verifyStandardWebhook(sub.body.secret, r!)).toBe(true);
    expect(r!.json).toMatchObject({
      type: 'quote.accepted',
      data: {
        object: 'quote', recordId: quote.id,
        changes: { number: { new: quote.number }, total: { new: 80 }, signerName: { new: 'Dana Buyer' }, optionalLines: { new: [] } },
        actor: { userId: admin.id },
      },
    });
    // The quote's own record events (created, updated) were not sent to this subscription.
    await waitFor(async () => ((await admin.request('GET', `/api/v1/webhooks/${sub.body.id}/deliveries`)).body.data.length ? true : null), 'the delivery log');
    expect(receiver.received.map((x) => x.json.type)).toEqual(['quote.accepted']);
  });
});
