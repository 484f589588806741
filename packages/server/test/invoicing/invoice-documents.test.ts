import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { simpleParser } from 'mailparser';
import { getDocument } from 'pdfjs-dist/legacy/build/pdf.mjs';
import { anonymous, getTestServer, type TestServer, type TestUser } from '../server.ts';
import { buildAccount, buildRecord } from '../factories.ts';
import { startTestSmtp, type TestSmtp } from '../smtp.ts';
import { overrideSettings } from '../../src/platform/settings.ts';
import { invoicingSettings } from '../../src/modules/invoicing/settings.ts';
import { draftInvoice, firstError, invoiceCatalogue, run } from './setup.ts';
import { startEventBackbone, type EventBackbone } from '../../src/platform/events/index.ts';
import { fastSettings, waitFor } from '../events/helpers.ts';
import { sendDueInvoices } from '../../src/modules/invoicing/send/queue.ts';
import { autoSendOf } from '../../src/modules/invoicing/send/store.ts';

/**
 * The invoice as the customer gets it (issue 12 item 7): the PDF (read back with pdfjs: number,
 * dates, amounts, payment instructions, the pay link), the public pay page, the e-mail with the
 * PDF attached and the pay link — through a real SMTP server, read back with mailparser —, sent
 * by hand and automatically from the queue after posting (once, also when the event comes again),
 * and what a failed automatic send leaves (the posting stands, the invoice says why, a retry sends it).
 */
let server: TestServer;
let admin: TestUser;
let smtp: TestSmtp;
let ids: Record<string, string>;

async function pdfText(pdf: Buffer): Promise<string> {
  const doc = await getDocument({ data: new Uint8Array(pdf), useSystemFonts: false, isEvalSupported: false }).promise;
  const pages: string[] = [];
  for (let n = 1; n <= doc.numPages; n++) {
    const content = await (await doc.getPage(n)).getTextContent();
    pages.push(content.items.map((i) => ('str' in i ? i.str + (i.hasEOL ? '\n' : ' ') : '')).join(''));
  }
  await doc.destroy();
  return pages.join(' ').replace(/[\s\u00a0\u202f]+/g, ' ');
}
const pdfOf = async (url: string, user?: TestUser) => {
  const res = await server.app.inject({ method: 'GET', url, headers: user ? { authorization: `Bearer ${user.token}` } : {} });
  return { status: res.statusCode, headers: res.headers, pdf: res.rawPayload };
};
async function postedInvoice(account: string, lines: Array<Record<string, unknown>> = [{ product: ids.service, quantity: 2 }]) {
  const { invoice } = await draftInvoice(admin, { account, contact: ids.contact, po_number: 'PO-4711', notes: 'Thank you for your business.' }, lines);
  const res = await run(admin, invoice.id, 'post');
  expect(res.status, res.text).toBe(200);
  return res.body;
}

beforeAll(async () => {
  server = await getTestServer();
  admin = server.admin;
  smtp = await startTestSmtp();
  server.platform.config.smtpUrl = smtp.url;
  overrideSettings(server.platform, invoicingSettings, { paymentInstructions: 'Bank transfer to IBAN DE89 3704 0044 0532 0130 00|BIC COBADEFFXXX' });
  ids = await invoiceCatalogue(server);
  ids.billed = (await buildAccount(admin, { name: 'Harbor Power & Light', email: 'ap@harbor.example', currency: 'USD', billing_city: 'Portland', billing_state: 'OR', billing_country: 'US' })).id;
  ids.contact = (await buildRecord(admin, 'contact', { first_name: 'Dana', last_name: 'Buyer', email: 'dana@harbor.example', account: ids.billed })).id;
  ids.auto = (await buildAccount(admin, { name: 'Auto Grid', email: 'invoices@autogrid.example', currency: 'USD', invoice_auto_send: true })).id;
});
afterAll(async () => {
  await server?.close();
  await smtp?.close();
});

describe('the invoice PDF', () => {
  it('prints the number, dates, terms, PO, lines, totals, payment instructions and the pay link', async () => {
    const invoice = await postedInvoice(ids.billed);
    const { status, headers, pdf } = await pdfOf(`/api/v1/invoices/${invoice.id}/pdf`, admin);
    expect(status).toBe(200);
    expect(headers['content-type']).toBe('application/pdf');
    expect(headers['content-disposition']).toBe(`inline; filename="${invoice.number}.pdf"`);
    const text = await pdfText(pdf);
    for (const expected of [
      'Invoice', invoice.number, 'Harbor Power & Light', 'Portland, OR', 'Payment terms', 'Net 30 days', 'PO-4711', 'Generator inspection',
      '$200.00', 'Total', 'Amount due: $200.00 by', 'IBAN DE89 3704 0044 0532 0130 00', `Please quote ${invoice.number}`, 'View and pay online',
      'http://localhost:3000/pay/', 'Thank you for your business.', 'Page 1 of 1',
    ]) expect(text).toContain(expected);
    expect(text).not.toContain('Signature');
  });

  it('prints a draft as a draft, and a credit note with what it credits and no pay link', async () => {
    const { invoice: draft } = await draftInvoice(admin, { account: ids.billed }, [{ product: ids.part, quantity: 1 }]);
    const draftText = await pdfText((await pdfOf(`/api/v1/invoices/${draft.id}/pdf`, admin)).pdf);
    expect(draftText).toContain('Draft');
    expect(draftText).toContain('Not posted yet');
    const invoice = await postedInvoice(ids.billed);
    const { creditNote } = (await run(admin, invoice.id, 'credit', { full: true, reason: 'Duplicate billing' })).body;
    const text = await pdfText((await pdfOf(`/api/v1/invoices/${creditNote.id}/pdf`, admin)).pdf);
    for (const expected of ['Credit note', creditNote.number, `Credits invoice ${invoice.number}`, 'Total credited', 'Reason: Duplicate billing', `reduces invoice ${invoice.number} by $200.00`]) expect(text).toContain(expected);
    expect(text).not.toContain('/pay/');
  });
});

describe('the pay link', () => {
  it('opens a page with the invoice and the PDF, without signing in; forged tokens are a 404', async () => {
    const invoice = await postedInvoice(ids.billed);
    const pdfTextOfInvoice = await pdfText((await pdfOf(`/api/v1/invoices/${invoice.id}/pdf`, admin)).pdf);
    const token = /\/pay\/([A-Za-z0-9_-]{32})/.exec(pdfTextOfInvoice)![1]!;
    const page = await server.app.inject({ method: 'GET', url: `/pay/${token}` });
    expect(page.statusCode).toBe(200);
    expect(page.headers['content-type']).toContain('text/html');
    expect(page.body).toContain(`Invoice ${invoice.number}`);
    expect(page.body).toContain('$200.00');
    expect(page.body).toContain('Please pay as described on the invoice.');
    expect(page.body).not.toContain('Pay now');
    const json = await anonymous(server)('GET', `/api/v1/public/invoices/${token}`);
    expect(json.status).toBe(200);
    expect(json.body).toMatchObject({ number: invoice.number, customer: 'Harbor Power & Light', total: '$200.00', openAmount: '$200.00' });
    expect((await pdfOf(`/api/v1/public/invoices/${token}/pdf`)).status).toBe(200);
    // The last character changed for one it is not (a token ending in x would otherwise be itself).
    for (const forged of ['A'.repeat(32), 'short', `${token.slice(0, 31)}${token[31] === 'x' ? 'y' : 'x'}`]) {
      expect((await server.app.inject({ method: 'GET', url: `/pay/${forged}` })).statusCode).toBe(404);
      expect((await anonymous(server)('GET', `/api/v1/public/invoices/${forged}`)).status).toBe(404);
    }
  });
});

describe('sending by e-mail', () => {
  it('e-mails the account’s billing address with the PDF and the pay link, logs it on the timeline and stamps sent_at', async () => {
    const invoice = await postedInvoice(ids.billed);
    const before = smtp.inbox.length;
    const res = await run(admin, invoice.id, 'send', { cc: ['boss@harbor.example'] });
    expect(res.status, res.text).toBe(200);
    expect(res.body).toMatchObject({ emailed: true });
    expect(res.body.invoice.sent_at).toBeTruthy();
    expect(smtp.inbox.length).toBe(before + 1);
    const raw = smtp.inbox.at(-1)!;
    expect(raw.to.sort()).toEqual(['ap@harbor.example', 'boss@harbor.example']);
    const mail = await simpleParser(raw.raw);
    expect(mail.subject).toBe(`Invoice ${invoice.number} from Your company`);
    expect(mail.text).toContain('Hello Dana,');
    expect(mail.text).toContain('for $200.00, due');
    const link = /http:\/\/localhost:3000\/pay\/[A-Za-z0-9_-]{32}/.exec(mail.text ?? '');
    expect(link, mail.text).not.toBeNull();
    expect(mail.html).toContain(`<a href="${link![0]}">`);
    expect(mail.attachments).toHaveLength(1);
    expect(mail.attachments[0]).toMatchObject({ contentType: 'application/pdf', filename: `${invoice.number}.pdf` });
    expect(await pdfText(mail.attachments[0]!.content)).toContain(link![0]);
    expect((await server.app.inject({ method: 'GET', url: new URL(link![0]).pathname })).statusCode).toBe(200);
    const log = await admin.request('GET', `/api/v1/email_log/${res.body.emailLog}`);
    expect(log.body).toMatchObject({ direction: 'outbound', account: ids.billed, contact: ids.contact, subject: mail.subject });
    const timeline = await admin.request('GET', `/api/v1/invoice/${invoice.id}/timeline`);
    expect(timeline.status, timeline.text).toBe(200);
    expect(JSON.stringify(timeline.body)).toContain(res.body.emailLog);
  });

  it('refuses a draft (409), an account without an e-mail (422 to), and answers 503 without SMTP, changing nothing', async () => {
    const { invoice: draft } = await draftInvoice(admin, { account: ids.billed }, [{ product: ids.part, quantity: 1 }]);
    expect(firstError(await run(admin, draft.id, 'send'))).toEqual(['status', 'invoice_not_posted']);
    const { invoice: unaddressed } = await draftInvoice(admin, { account: ids.plain }, [{ product: ids.part, quantity: 1 }]);
    const silent = (await run(admin, unaddressed.id, 'post')).body;
    const noAddress = await run(admin, silent.id, 'send');
    expect(noAddress.status).toBe(422);
    expect(firstError(noAddress)).toEqual(['to', 'required']);
    const invoice = await postedInvoice(ids.billed);
    server.platform.config.smtpUrl = undefined;
    try {
      expect((await run(admin, invoice.id, 'send')).status).toBe(503);
    } finally {
      server.platform.config.smtpUrl = smtp.url;
    }
    expect((await admin.request('GET', `/api/v1/invoice/${invoice.id}`)).body.sent_at).toBeNull();
  });
});

describe('sending automatically, from the queue', () => {
  let backbone: EventBackbone;
  beforeAll(async () => {
    backbone = await startEventBackbone(server.platform, { settings: fastSettings() });
  });
  afterAll(async () => backbone?.stop());
  const queued = (id: string) => autoSendOf(server.platform.db, id);

  it('e-mails a posted invoice once, after the posting, for an account that asks for it — also when the event comes again', async () => {
    const before = smtp.inbox.length;
    const invoice = await postedInvoice(ids.auto);
    const row = await waitFor(async () => ((await queued(invoice.id))?.status === 'sent' ? queued(invoice.id) : null), 'the queued e-mail sent');
    expect(row).toMatchObject({ attempts: 1, last_error: null, next_attempt_at: null });
    expect(smtp.inbox.length).toBe(before + 1);
    const mail = await simpleParser(smtp.inbox.at(-1)!.raw);
    expect(smtp.inbox.at(-1)!.to).toEqual(['invoices@autogrid.example']);
    expect(mail.attachments[0]).toMatchObject({ contentType: 'application/pdf', filename: `${invoice.number}.pdf` });
    expect(await pdfText(mail.attachments[0]!.content)).toContain(invoice.number);
    const read = (await admin.request('GET', `/api/v1/invoice/${invoice.id}`)).body;
    expect(read.sent_at).toBeTruthy();
    expect(read.send_error).toBeNull();

    // The event delivered again (a crash before the dispatch committed): no second row, no second e-mail.
    await sql`UPDATE outbox_event SET dispatched_at = NULL WHERE record_id = ${invoice.id}::uuid AND type = 'invoice.posted'`.execute(server.platform.db);
    await waitFor(async () => (await sql<{ n: number }>`SELECT count(*)::int AS n FROM outbox_event WHERE record_id = ${invoice.id}::uuid
      AND type = 'invoice.posted' AND dispatched_at IS NOT NULL`.execute(server.platform.db)).rows[0]!.n === 1, 'the redelivery');
    // Even a row taken again (its bookkeeping lost after the e-mail went) finds the invoice sent.
    await sql`UPDATE invoicing_auto_send SET status = 'pending', next_attempt_at = now() WHERE invoice_id = ${invoice.id}::uuid`.execute(server.platform.db);
    expect(await sendDueInvoices(server.platform)).toEqual({ sent: 0, failed: 0 });
    expect(await queued(invoice.id)).toMatchObject({ status: 'sent', attempts: 1 });
    expect(smtp.inbox.length).toBe(before + 1);

    // Accounts without the setting, and credit notes, are not queued.
    const plain = await postedInvoice(ids.billed);
    const credit = await run(admin, invoice.id, 'credit', { full: true, reason: 'Returned goods' });
    expect(credit.status, credit.text).toBeLessThan(300);
    await waitFor(async () => (await sql<{ n: number }>`SELECT count(*)::int AS n FROM outbox_event WHERE type = 'invoice.posted' AND dispatched_at IS NULL`
      .execute(server.platform.db)).rows[0]!.n === 0, 'the dispatch of the postings');
    expect(await queued(plain.id)).toBeNull();
    expect(await queued(credit.body.creditNote.id)).toBeNull();
    expect(smtp.inbox.length).toBe(before + 1);
  });

  it('keeps the posting when the e-mail fails, says why on the invoice, and sends it on the retry', async () => {
    const down = await startTestSmtp();
    await down.close();
    server.platform.config.smtpUrl = down.url;
    let invoice: any;
    try {
      invoice = await postedInvoice(ids.auto);
      const failed = await waitFor(async () => ((await queued(invoice.id))?.status === 'failed' ? queued(invoice.id) : null), 'the failed e-mail');
      expect(failed).toMatchObject({ attempts: 1, sent_at: null });
      expect(failed!.last_error).toContain('did not take the message');
      expect(new Date(failed!.next_attempt_at!).getTime()).toBeGreaterThan(Date.now());
      const read = (await admin.request('GET', `/api/v1/invoice/${invoice.id}`)).body;
      expect(read).toMatchObject({ status: 'posted', number: invoice.number, sent_at: null });
      expect(read.send_error).toContain('did not take the message');
      // Not due yet: the minute job leaves it alone.
      expect(await sendDueInvoices(server.platform)).toEqual({ sent: 0, failed: 0 });
    } finally {
      server.platform.config.smtpUrl = smtp.url;
    }
    // Its retry time comes: the minute job sends it, and the error is cleared.
    const before = smtp.inbox.length;
    await sql`UPDATE invoicing_auto_send SET next_attempt_at = now() WHERE invoice_id = ${invoice.id}::uuid`.execute(server.platform.db);
    expect(await sendDueInvoices(server.platform)).toEqual({ sent: 1, failed: 0 });
    expect(smtp.inbox.length).toBe(before + 1);
    expect(await queued(invoice.id)).toMatchObject({ status: 'sent', attempts: 2, last_error: null });
    const read = (await admin.request('GET', `/api/v1/invoice/${invoice.id}`)).body;
    expect(read.sent_at).toBeTruthy();
    expect(read.send_error).toBeNull();
  });
});
