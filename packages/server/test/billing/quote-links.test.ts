import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHash } from 'node:crypto';
import { sql } from 'kysely';
import { anonymous, getTestServer, type TestServer, type TestUser } from '../server.ts';
import { buildAccount, buildOpportunity, buildRecord } from '../factories.ts';
import { startTestSmtp, type TestSmtp } from '../smtp.ts';

/**
 * The online quote (issue 11 item 10): unguessable, expiring, revocable links; the first open
 * marks the quote viewed and tells the owner; acceptance with consent, optional lines and a
 * sealed PDF; declines with a reason; and the refusals — forged, revoked and expired links,
 * superseded and already-answered quotes, a double click.
 */
let server: TestServer;
let admin: TestUser;
let rep: TestUser;
let smtp: TestSmtp;
let publicReq: ReturnType<typeof anonymous>;
const ids: Record<string, string> = {};

const tokenOf = (url: string) => url.split('/q/')[1]!;

async function sentQuote(user: TestUser, withOptional = true) {
  const opp = await buildOpportunity(user, { account: ids.account, name: `Deal ${Math.random()}` });
  const res = await user.request('POST', '/api/v1/quotes', {
    body: {
      quote: { account: ids.account, contact: ids.contact, opportunity: opp.id, title: 'Standby generator service', terms_text: 'Payment within 30 days.' },
      lines: [{ product: ids.service, quantity: 2 }, ...(withOptional ? [{ product: ids.part, quantity: 4, optional: true }] : [])],
    },
  });
  expect(res.status, res.text).toBe(201);
  const sent = await user.request('POST', `/api/v1/quotes/${res.body.quote.id}/send`, { body: {} });
  expect(sent.body.status, sent.text).toBe('sent');
  return { quote: res.body.quote, lines: res.body.lines as Array<{ id: string; optional: boolean }>, opportunity: opp.id };
}

async function linkFor(user: TestUser, quoteId: string, body: Record<string, unknown> = {}) {
  const res = await user.request('POST', `/api/v1/quotes/${quoteId}/links`, { body });
  expect(res.status, res.text).toBe(201);
  return res.body as { id: string; url: string; expiresAt: string };
}

beforeAll(async () => {
  server = await getTestServer();
  admin = server.admin;
  rep = await server.createUser({ email: `rep.${Date.now()}@example.com` });
  smtp = await startTestSmtp();
  server.platform.config.smtpUrl = smtp.url;
  publicReq = anonymous(server);
  const unit = (await admin.request('GET', `/api/v1/unit_of_measure?filter=${encodeURIComponent(JSON.stringify({ field: 'code', op: 'eq', value: 'each' }))}`)).body.data[0].id;
  ids.service = (await buildRecord(admin, 'product', { code: 'SVC-LINK', name: 'Annual service', unit_of_measure: unit, cost: 80 })).id;
  ids.part = (await buildRecord(admin, 'product', { code: 'PRT-LINK', name: 'Spark plug', unit_of_measure: unit, cost: 2 })).id;
  const book = (await buildRecord(admin, 'price_book', { name: 'Links USD', currency: 'USD', is_standard: true })).id;
  await buildRecord(admin, 'price_book_entry', { price_book: book, product: ids.service, unit_price: '250.00' });
  await buildRecord(admin, 'price_book_entry', { price_book: book, product: ids.part, unit_price: '7.25' });
  ids.account = (await buildAccount(rep, { name: 'Zoë Ångström Farms', currency: 'USD' })).id;
  ids.contact = (await buildRecord(rep, 'contact', { first_name: 'Dana', last_name: 'Buyer', email: 'dana@example.com', account: ids.account })).id;
});
afterAll(async () => {
  await server?.close();
  await smtp?.close();
});

describe('links to the online quote', () => {
  it('opens the quote for the customer without internal fields; the first open marks it viewed and tells the owner in-app and by e-mail', async () => {
    const { quote } = await sentQuote(rep);
    const link = await linkFor(rep, quote.id);
    expect(link.url).toMatch(/^http:\/\/localhost:3000\/q\/[A-Za-z0-9_-]{32}$/);
    expect(new Date(link.expiresAt).getTime()).toBeGreaterThan(Date.now() + 59 * 86_400_000);

    const seen = await publicReq('GET', `/api/v1/public/quotes/${tokenOf(link.url)}`);
    expect(seen.status, seen.text).toBe(200);
    expect(seen.headers['cache-control']).toBe('no-store');
    expect(seen.body).toMatchObject({ number: quote.number, currency: 'USD', fractionDigits: 2, total: 500, customer: { account: 'Zoë Ångström Farms', contact: 'Dana Buyer' }, answer: { state: 'open' } });
    expect(seen.body.lines.map((l: any) => [l.name, l.quantity, l.unitPrice, l.optional, l.selected])).toEqual([['Annual service', 2, 250, false, true], ['Spark plug', 4, 7.25, true, false]]);
    for (const secret of ['cost', 'list_price', 'price_explanation', 'owner', '"80"', 'effective_discount']) expect(seen.text).not.toContain(secret);

    expect((await rep.request('GET', `/api/v1/quote/${quote.id}`)).body).toMatchObject({ status: 'viewed' });
    await publicReq('GET', `/api/v1/public/quotes/${tokenOf(link.url)}`);
    const notes = (await rep.request('GET', '/api/v1/me/notifications')).body.data.filter((n: any) => n.kind === 'quote.viewed' && n.recordId === quote.id);
    expect(notes).toHaveLength(1);
    expect(notes[0].title).toBe(`Dana Buyer opened quote ${quote.name}`);
    await expect.poll(() => smtp.inbox.filter((m) => m.to.includes(rep.email) && m.raw.includes(`opened quote ${quote.name}`)).length).toBe(1);
    const listed = (await rep.request('GET', `/api/v1/quotes/${quote.id}/links`)).body.data;
    expect(listed[0]).toMatchObject({ id: link.id, openCount: 2, active: true });
    expect(JSON.stringify(listed)).not.toContain(tokenOf(link.url));
  });

  it('accepts with consent and a typed name, chosen optional lines, a sealed PDF; the deal is won; a double click accepts once', async () => {
    const { quote, lines, opportunity } = await sentQuote(rep);
    const token = tokenOf((await linkFor(rep, quote.id)).url);
    const optional = lines.find((l) => l.optional)!.id;

    const noConsent = await publicReq('POST', `/api/v1/public/quotes/${token}/accept`, { signerName: 'Dana Buyer', consent: false });
    expect([noConsent.status, noConsent.body.errors[0].field]).toEqual([422, 'consent']);
    const forgedLine = await publicReq('POST', `/api/v1/public/quotes/${token}/accept`, { signerName: 'Dana Buyer', consent: true, optionalLines: [quote.id] });
    expect([forgedLine.status, forgedLine.body.errors[0].field]).toEqual([422, 'optionalLines[0]']);
    expect((await rep.request('GET', `/api/v1/quote/${quote.id}`)).body.status).not.toBe('accepted');

    const preview = await publicReq('POST', `/api/v1/public/quotes/${token}/preview`, { optionalLines: [optional] });
    expect(preview.body, preview.text).toEqual({ subtotal: 529, discountTotal: 0, taxTotal: 0, total: 529 });
    expect((await publicReq('POST', `/api/v1/public/quotes/${token}/preview`, { optionalLines: [] })).body.total).toBe(500);

    const [a, b] = await Promise.all([
      publicReq('POST', `/api/v1/public/quotes/${token}/accept`, { signerName: 'Dana Buyer', consent: true, optionalLines: [optional] }),
      publicReq('POST', `/api/v1/public/quotes/${token}/accept`, { signerName: 'Dana Buyer', consent: true, optionalLines: [optional] }),
    ]);
    expect([a.status, b.status].sort()).toEqual([200, 409]);
    const ok = a.status === 200 ? a : b;
    expect(ok.body.answer).toMatchObject({ state: 'accepted', signerName: 'Dana Buyer', acceptedTotal: 529, sealed: true });
    const events = await sql<{ n: number }>`SELECT count(*)::int AS n FROM outbox_event WHERE type = 'quote.accepted' AND record_id = ${quote.id}`.execute(server.platform.db);
    expect(events.rows[0]!.n).toBe(1);

    const stored = (await rep.request('GET', `/api/v1/quote/${quote.id}`)).body;
    expect(stored).toMatchObject({ status: 'accepted', accepted_by_name: 'Dana Buyer', accepted_consent: expect.stringContaining('accept'), accepted_total: 529 });
    expect(stored.accepted_ip).toBeTruthy();
    const pdf = await server.app.inject({ method: 'GET', url: `/api/v1/public/quotes/${token}/pdf` });
    expect([pdf.statusCode, pdf.headers['content-type']]).toEqual([200, 'application/pdf']);
    expect(createHash('sha256').update(pdf.rawPayload).digest('hex')).toBe(stored.accepted_pdf_sha256);
    expect((await rep.request('GET', `/api/v1/opportunity/${opportunity}`)).body).toMatchObject({ stage: 'closed_won', won_amount: 529 });
    const again = await publicReq('GET', `/api/v1/public/quotes/${token}`);
    expect(again.body.answer.state).toBe('accepted');
  });

  it('declines with a reason; the reason is required', async () => {
    const { quote } = await sentQuote(rep, false);
    const token = tokenOf((await linkFor(rep, quote.id)).url);
    const blank = await publicReq('POST', `/api/v1/public/quotes/${token}/decline`, { reason: '   ' });
    expect([blank.status, blank.body.errors[0].field]).toEqual([422, 'reason']);
    const res = await publicReq('POST', `/api/v1/public/quotes/${token}/decline`, { reason: 'Went with a cheaper offer' });
    expect(res.status, res.text).toBe(200);
    expect(res.body.answer.state).toBe('declined');
    expect((await rep.request('GET', `/api/v1/quote/${quote.id}`)).body).toMatchObject({ status: 'declined', decline_reason: 'Went with a cheaper offer' });
    const accept = await publicReq('POST', `/api/v1/public/quotes/${token}/accept`, { signerName: 'X', consent: true });
    expect([accept.status, accept.body.errors[0].code]).toEqual([409, 'quote_declined']);
  });

  it('an older version shows that it was superseded and cannot be accepted', async () => {
    const { quote } = await sentQuote(rep, false);
    const token = tokenOf((await linkFor(rep, quote.id)).url);
    expect((await rep.request('POST', `/api/v1/quotes/${quote.id}/revise`, { body: {} })).status).toBe(200);
    expect((await publicReq('GET', `/api/v1/public/quotes/${token}`)).body.answer.state).toBe('superseded');
    const accept = await publicReq('POST', `/api/v1/public/quotes/${token}/accept`, { signerName: 'X', consent: true });
    expect([accept.status, accept.body.errors[0].code]).toEqual([409, 'quote_superseded']);
  });
});

describe('what a link does not allow', () => {
  it('forged, revoked and expired links get the same 404 that reveals nothing', async () => {
    const { quote } = await sentQuote(rep, false);
    const revoked = await linkFor(rep, quote.id);
    const expired = await linkFor(rep, quote.id, { expiresInDays: 1 });
    expect((await rep.request('DELETE', `/api/v1/quotes/${quote.id}/links/${revoked.id}`)).body).toMatchObject({ active: false });
    await sql`UPDATE billing_quote_link SET expires_at = now() - interval '1 second' WHERE id = ${expired.id}::uuid`.execute(server.platform.db);
    const answers = [];
    for (const token of [tokenOf(revoked.url), tokenOf(expired.url), 'A'.repeat(32), 'short', '../../etc/passwd']) {
      const res = await publicReq('GET', `/api/v1/public/quotes/${encodeURIComponent(token)}`);
      answers.push([res.status, res.body.detail]);
      expect((await publicReq('POST', `/api/v1/public/quotes/${encodeURIComponent(token)}/accept`, { signerName: 'X', consent: true })).status).toBe(404);
    }
    expect(new Set(answers.map((a) => JSON.stringify(a))).size).toBe(1);
    expect(answers[0]![0]).toBe(404);
    expect((await rep.request('GET', `/api/v1/quote/${quote.id}`)).body.status).toBe('sent');
  });

  it('is not created for a draft, nor by someone who cannot edit the quote, nor for an invisible contact', async () => {
    const draft = (await rep.request('POST', '/api/v1/quotes', { body: { quote: { account: ids.account }, lines: [{ product: ids.service, quantity: 1 }] } })).body.quote;
    const res = await rep.request('POST', `/api/v1/quotes/${draft.id}/links`, { body: {} });
    expect([res.status, res.body.errors[0].code]).toEqual([409, 'quote_not_sent']);
    const { quote } = await sentQuote(rep, false);
    const other = await server.createUser();
    for (const o of ['quote', 'account']) await admin.request('PUT', `/api/v1/sharing-settings/${o}`, { body: { sharing: 'private' } });
    expect((await other.request('POST', `/api/v1/quotes/${quote.id}/links`, { body: {} })).status).toBe(404);
    expect((await other.request('GET', `/api/v1/quotes/${quote.id}/links`)).status).toBe(404);
    const forged = await rep.request('POST', `/api/v1/quotes/${quote.id}/links`, { body: { contact: '01900000-0000-7000-8000-000000000000' } });
    expect([forged.status, forged.body.errors[0].field]).toEqual([422, 'contact']);
    for (const o of ['quote', 'account']) await admin.request('PUT', `/api/v1/sharing-settings/${o}`, { body: { sharing: 'public_read_write' } });
  });
});
