import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { simpleParser } from 'mailparser';
import { sql } from 'kysely';
import { anonymous, getTestServer, type TestServer, type TestUser } from '../server.ts';
import { buildAccount, buildOpportunity, buildRecord } from '../factories.ts';
import { startTestSmtp, type TestSmtp } from '../smtp.ts';

/**
 * Sending a quote by e-mail (issue 11 item 9): a Liquid template with merge fields, HTML and
 * text parts, the PDF attached, a working link to the online quote, the e-mail on the timeline —
 * through a real SMTP server, read back with mailparser. And what must not happen: a quote
 * marked sent when the SMTP server refused, a template that runs away or injects HTML.
 */
let server: TestServer;
let admin: TestUser;
let smtp: TestSmtp;
const ids: Record<string, string> = {};

async function draftQuote(lines: Array<Record<string, unknown>> = [{ product: ids.service, quantity: 2 }], extra: Record<string, unknown> = {}) {
  const opp = await buildOpportunity(admin, { account: ids.account, name: `Mail deal ${Math.random()}` });
  const res = await admin.request('POST', '/api/v1/quotes', { body: { quote: { account: ids.account, contact: ids.contact, opportunity: opp.id, title: 'Generator service', ...extra }, lines } });
  expect(res.status, res.text).toBe(201);
  return { quote: res.body.quote, opportunity: opp.id as string };
}
const countLinks = async (quoteId: string) => (await sql<{ n: number }>`SELECT count(*)::int AS n FROM billing_quote_link WHERE quote_id = ${quoteId}::uuid`.execute(server.platform.db)).rows[0]!.n;

beforeAll(async () => {
  server = await getTestServer();
  admin = server.admin;
  smtp = await startTestSmtp();
  server.platform.config.smtpUrl = smtp.url;
  const unit = (await admin.request('GET', `/api/v1/unit_of_measure?filter=${encodeURIComponent(JSON.stringify({ field: 'code', op: 'eq', value: 'each' }))}`)).body.data[0].id;
  ids.service = (await buildRecord(admin, 'product', { code: 'SVC-MAIL', name: 'Load bank test', unit_of_measure: unit })).id;
  const book = (await buildRecord(admin, 'price_book', { name: 'Mail USD', currency: 'USD', is_standard: true })).id;
  await buildRecord(admin, 'price_book_entry', { price_book: book, product: ids.service, unit_price: '1250.00' });
  ids.account = (await buildAccount(admin, { name: 'Harbor <Power> & Light', currency: 'USD' })).id;
  ids.contact = (await buildRecord(admin, 'contact', { first_name: '<b>Dana</b>', last_name: 'Buyer', email: 'dana.buyer@example.com', account: ids.account })).id;
});
afterAll(async () => {
  await server?.close();
  await smtp?.close();
});

describe('sending a quote by e-mail', () => {
  it('previews the default template with merge fields and sends it: HTML and text parts, the PDF attached, a working link, logged on the timeline', async () => {
    const { quote, opportunity } = await draftQuote();
    const preview = await admin.request('POST', `/api/v1/quotes/${quote.id}/email/preview`, { body: {} });
    expect(preview.status, preview.text).toBe(200);
    expect(preview.body).toMatchObject({ to: ['dana.buyer@example.com'], cc: [], subject: `Quote ${quote.number}: Generator service` });
    expect(preview.body.text).toContain('Hello <b>Dana</b>,');
    expect(preview.body.text).toContain('for $2,500.00');
    expect(preview.body.html).toContain('Hello &lt;b&gt;Dana&lt;/b&gt;,');
    expect(preview.body.html).not.toContain('<b>Dana');
    expect((await admin.request('GET', `/api/v1/quote/${quote.id}`)).body.status).toBe('draft');

    const before = smtp.inbox.length;
    const sent = await admin.request('POST', `/api/v1/quotes/${quote.id}/email`, { body: { cc: ['boss@example.com'] } });
    expect(sent.status, sent.text).toBe(200);
    expect(sent.body).toMatchObject({ held: false, emailed: true, quote: { status: 'sent' } });
    expect(smtp.inbox.length).toBe(before + 1);
    const raw = smtp.inbox.at(-1)!;
    expect(raw.to.sort()).toEqual(['boss@example.com', 'dana.buyer@example.com']);
    const mail = await simpleParser(raw.raw);
    expect(mail.subject).toBe(`Quote ${quote.number}: Generator service`);
    const link = /http:\/\/localhost:3000\/q\/([A-Za-z0-9_-]{32})/.exec(mail.text ?? '');
    expect(link, mail.text).not.toBeNull();
    expect(mail.html).toContain(`<a href="${link![0]}">`);
    expect(mail.attachments).toHaveLength(1);
    expect(mail.attachments[0]).toMatchObject({ contentType: 'application/pdf', filename: `${quote.name}.pdf` });
    expect(mail.attachments[0]!.content.subarray(0, 5).toString()).toBe('%PDF-');

    const page = await anonymous(server)('GET', `/api/v1/public/quotes/${link![1]}`);
    expect([page.status, page.body.number]).toEqual([200, quote.number]);
    const timeline = (await admin.request('GET', `/api/v1/opportunity/${opportunity}/timeline`)).body.data;
    expect(timeline.find((i: any) => i.id === sent.body.emailLog)).toMatchObject({ kind: 'email_log', title: mail.subject });
  });

  it('uses a chosen template; a template that does not parse or names an unknown field is refused, naming the field', async () => {
    const template = await buildRecord(admin, 'email_template', { name: 'Short', subject: '{{ account.name }} — {{ quote.number }}', body: 'Hi {{ contact.last_name }}: {{ link }}' });
    const { quote } = await draftQuote();
    const preview = await admin.request('POST', `/api/v1/quotes/${quote.id}/email/preview`, { body: { template: template.id } });
    expect(preview.body.subject).toBe(`Harbor <Power> & Light — ${quote.number}`);
    expect(preview.body.text).toMatch(/^Hi Buyer: http:\/\/localhost:3000\/q\//);

    const bad = await admin.request('POST', '/api/v1/email_template', { body: { name: 'Broken', subject: 'x', body: 'Hello {% if contact.first_name %}' } });
    expect([bad.status, bad.body.errors[0].field, bad.body.errors[0].code]).toEqual([422, 'body', 'template_error']);
    const typo = await admin.request('POST', `/api/v1/quotes/${quote.id}/email/preview`, { body: { body: 'Hello {{ contact.frist_name }}' } });
    expect([typo.status, typo.body.errors[0].field]).toEqual([422, 'body']);
    const runaway = await admin.request('POST', `/api/v1/quotes/${quote.id}/email/preview`, { body: { body: '{% for i in (1..100000000) %}{% for j in (1..100000000) %}x{% endfor %}{% endfor %}' } });
    expect([runaway.status, runaway.body.errors[0].field]).toEqual([422, 'body']);
  });

  it('refuses bad recipients, and changes nothing when the SMTP server is down', async () => {
    const { quote } = await draftQuote();
    const badTo = await admin.request('POST', `/api/v1/quotes/${quote.id}/email`, { body: { to: ['not-an-address'] } });
    expect([badTo.status, badTo.body.errors[0].field]).toEqual([422, 'to[0]']);

    const working = server.platform.config.smtpUrl;
    server.platform.config.smtpUrl = 'smtp://127.0.0.1:9';
    try {
      const down = await admin.request('POST', `/api/v1/quotes/${quote.id}/email`, { body: {} });
      expect([down.status, down.body.code]).toEqual([503, 'unavailable']);
    } finally {
      server.platform.config.smtpUrl = working;
    }
    expect((await admin.request('GET', `/api/v1/quote/${quote.id}`)).body.status).toBe('draft');
    expect(await countLinks(quote.id)).toBe(0);
    const logs = await admin.request('GET', `/api/v1/email_log?filter=${encodeURIComponent(JSON.stringify({ field: 'subject', op: 'contains', value: quote.number }))}`);
    expect(logs.body.data).toHaveLength(0);
  });

  it('holds a quote discounted beyond the limit for approval and e-mails nothing', async () => {
    const rep = await server.createUser();
    const { quote } = await draftQuote([{ product: ids.service, quantity: 1, discount_percent: 40 }]);
    await admin.request('PATCH', `/api/v1/quote/${quote.id}`, { body: { owner: rep.id } });
    const before = smtp.inbox.length;
    const res = await rep.request('POST', `/api/v1/quotes/${quote.id}/email`, { body: {} });
    expect(res.status, res.text).toBe(200);
    expect(res.body).toMatchObject({ held: true, emailed: false, quote: { status: 'pending_approval' } });
    expect(smtp.inbox.length).toBe(before);
    expect(await countLinks(quote.id)).toBe(0);
  });
});
