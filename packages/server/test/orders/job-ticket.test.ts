import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { createHash } from 'node:crypto';
import { sql } from 'kysely';
import ipp from 'ipp';
import { simpleParser } from 'mailparser';
import { getDocument } from 'pdfjs-dist/legacy/build/pdf.mjs';
import { getTestServer, type TestServer, type TestUser } from '../server.ts';
import { buildAccount, buildContact, buildRecord } from '../factories.ts';
import { createSiblingRoles, ok } from '../access/fixture.ts';
import { startTestSmtp, type TestSmtp } from '../smtp.ts';
import { fastSettings, startReceiver, verifyStandardWebhook, waitFor } from '../events/helpers.ts';
import { startEventBackbone, type EventBackbone } from '../../src/platform/events/index.ts';
import { overrideSettings } from '../../src/platform/settings.ts';
import { systemActor } from '../../src/platform/records/context.ts';
import { createRecord, updateRecord } from '../../src/platform/records/write.ts';
import { orderSettings } from '../../src/modules/orders/settings.ts';
import { sendDueJobTickets } from '../../src/modules/orders/index.ts';
import { printerAddress } from '../../src/modules/orders/jobTicket/index.ts';
import { drawQrCode } from '../../src/modules/orders/jobTicket/draw.ts';
import qrcode from 'qrcode-generator';

/**
 * Job tickets (issue 12 item 3, FIN-7): a confirmed order's ticket — a PDF with the order number,
 * a QR code of it, the customer and each line's production requirements, no prices — goes to the
 * production channel of the order's source: e-mailed through a real SMTP server, printed on an
 * IPP listener (a node http server decoding the request with the ipp package), or delivered as
 * the `order.job_ticket` webhook event to a real receiver; orders without a source use
 * MERIDIAN_JOB_TICKET_EMAIL. A printer that refuses leaves the ticket failed with the reason and
 * retried, the order untouched. Reprint from the order page; the PDF with the caller's access.
 */
let server: TestServer;
let admin: TestUser;
let rep: TestUser;
let sibling: TestUser;
let smtp: TestSmtp;
let backbone: EventBackbone;
let printer: Awaited<ReturnType<typeof startPrinter>>;
const ids: Record<string, string> = {};

/** What a network printer saw: the decoded IPP request and the document bytes after its attributes. */
interface PrintRequest { operation: string; attributes: Record<string, unknown>; document: Buffer; path: string }

/** A minimal IPP printer: decodes each request with the ipp package and answers the status `answer` chooses. */
async function startPrinter() {
  const jobs: PrintRequest[] = [];
  const state = { status: 'successful-ok', message: '' };
  const srv = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const raw = Buffer.concat(chunks);
      const parsed = ipp.parse(raw) as unknown as { operation: string; id: number; 'operation-attributes-tag': Record<string, unknown> };
      const start = raw.indexOf('%PDF-');
      jobs.push({ operation: parsed.operation, attributes: parsed['operation-attributes-tag'], document: start >= 0 ? raw.subarray(start) : Buffer.alloc(0), path: req.url ?? '' });
      const okay = state.status.startsWith('successful') && parsed.operation === 'Print-Job' && start >= 0 && req.headers['content-type'] === 'application/ipp';
      const answer = ipp.serialize({
        version: '1.1', id: parsed.id, statusCode: okay ? 'successful-ok' : state.status.startsWith('successful') ? 'client-error-bad-request' : state.status,
        'operation-attributes-tag': { 'attributes-charset': 'utf-8', 'attributes-natural-language': 'en-us', ...(state.message ? { 'status-message': state.message } : {}) },
        ...(okay ? { 'job-attributes-tag': { 'job-id': jobs.length } } : {}),
      });
      res.writeHead(200, { 'content-type': 'application/ipp' });
      res.end(answer);
    });
  });
  await new Promise<void>((resolve) => srv.listen(0, '127.0.0.1', resolve));
  const { port } = srv.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/ipp/print`,
    jobs,
    answer(status: string, message = '') {
      state.status = status;
      state.message = message;
    },
    close: () => new Promise<void>((resolve) => {
      srv.closeAllConnections();
      srv.close(() => resolve());
    }),
  };
}

async function pdfText(pdf: Buffer): Promise<string> {
  const doc = await getDocument({ data: new Uint8Array(pdf), useSystemFonts: false, isEvalSupported: false }).promise;
  let text = '';
  for (let n = 1; n <= doc.numPages; n++) {
    const items = (await (await doc.getPage(n)).getTextContent()).items;
    text += items.map((i) => ('str' in i ? `${i.str}${i.hasEOL ? '\n' : ' '}` : '')).join('');
  }
  await doc.destroy();
  return text.replace(/\s+/g, ' ');
}

const fetchPdf = async (user: TestUser, id: string) => {
  const res = await server.app.inject({ method: 'GET', url: `/api/v1/orders/${id}/job-ticket.pdf`, headers: { authorization: `Bearer ${user.token}` } });
  return { status: res.statusCode, headers: res.headers, pdf: res.rawPayload };
};
const tickets = async (id: string, user = rep) => {
  const res = await user.request('GET', `/api/v1/orders/${id}/job-tickets`);
  expect(res.status, res.text).toBe(200);
  return res.body.data as Array<Record<string, any>>;
};
const ticketWhere = (id: string, check: (t: Record<string, any>) => boolean, what: string) =>
  waitFor(async () => (await tickets(id)).find(check) ?? null, what);

const newOrder = async (order: Record<string, unknown> = {}, lines?: Array<Record<string, unknown>>) => {
  const res = await rep.request('POST', '/api/v1/orders', {
    body: {
      order: { account: ids.account, contact: ids.contact, po_number: 'PO-4471', requested_date: '2027-03-01', ...order },
      lines: lines ?? [
        { product: ids.card, quantity: 500, specs: '350 gsm matt, both sides 4/4, round corners', team: ids.team },
        { product: ids.banner, quantity: 2, specs: 'Eyelets every 50 cm; hem all sides', requested_date: '2027-02-20' },
      ],
    },
  });
  expect(res.status, res.text).toBe(201);
  return res.body as { order: any; lines: any[] };
};
const confirm = async (id: string) => {
  const res = await rep.request('POST', `/api/v1/orders/${id}/confirm`, { body: {} });
  expect(res.status, res.text).toBe(200);
  return res.body;
};

/** The job ticket subscriber has run once the order's order.confirmed event is dispatched. */
const dispatched = (orderId: string) => waitFor(async () => (await sql<{ n: number }>`SELECT count(*)::int AS n FROM outbox_event
  WHERE record_id = ${orderId}::uuid AND type = 'order.confirmed' AND dispatched_at IS NOT NULL`.execute(server.platform.db)).rows[0]!.n === 1, 'the dispatch of order.confirmed');

/** An order source with a production channel, and an order received through it (the intake log row links them). */
async function sourceWith(channel: Record<string, unknown>) {
  const source = await buildRecord(admin, 'order_intake_source', { name: `Shop ${Math.random().toString(36).slice(2, 8)}`, key: `shop-${Math.random().toString(36).slice(2, 8)}`, format: 'cxml', staff_email: 'orders@example.com', ...channel });
  return source.id as string;
}
async function orderFrom(sourceId: string) {
  const { order, lines } = await newOrder();
  const ctx = { platform: server.platform, actor: systemActor('api') };
  const intake = await createRecord({ ctx, object: server.platform.registry.requireObject('order_intake'), input: {}, options: { systemValues: { source: sourceId, result: 'accepted', external_id: `EXT-${order.number}`, order: order.id } } });
  await updateRecord({ ctx, object: server.platform.registry.requireObject('order'), id: order.id, input: {}, options: { systemValues: { intake: intake.id } } });
  return { order, lines };
}

beforeAll(async () => {
  server = await getTestServer();
  ({ admin } = server);
  // Orders are private: a rep in a sibling role sees none of this rep's orders.
  await createSiblingRoles(admin);
  [rep, sibling] = [await server.createUser(), await server.createUser()];
  for (const [user, role] of [[rep, 'sales_east'], [sibling, 'sales_west']] as const) ok(await admin.request('PATCH', `/api/v1/user/${user.id}`, { body: { role } }));
  ok(await admin.request('PUT', '/api/v1/sharing-settings/order', { body: { sharing: 'private' } }));
  smtp = await startTestSmtp();
  server.platform.config.smtpUrl = smtp.url;
  printer = await startPrinter();
  const each = (await admin.request('GET', `/api/v1/unit_of_measure?filter=${encodeURIComponent(JSON.stringify({ field: 'code', op: 'eq', value: 'each' }))}`)).body.data[0].id;
  ids.card = (await buildRecord(admin, 'product', { code: 'BC-350', name: 'Business cards', type: 'part', unit_of_measure: each })).id;
  ids.banner = (await buildRecord(admin, 'product', { code: 'BNR-3X1', name: 'PVC banner 3×1 m', type: 'part', unit_of_measure: each })).id;
  const book = (await buildRecord(admin, 'price_book', { name: 'Print USD', currency: 'USD', is_standard: true })).id;
  await buildRecord(admin, 'price_book_entry', { price_book: book, product: ids.card, unit_price: '0.17' });
  await buildRecord(admin, 'price_book_entry', { price_book: book, product: ids.banner, unit_price: '89.50' });
  ids.team = (await buildRecord(admin, 'production_team', { name: 'Offset crew' })).id;
  ids.account = (await buildAccount(rep, { name: 'Zoë’s Print Shop', currency: 'USD', shipping_street: '9 Quay St', shipping_city: 'Portside' })).id;
  ids.contact = (await buildContact(rep, { first_name: 'Ada', last_name: 'Ångström', email: 'ada@zoe.example', account: ids.account })).id;
  backbone = await startEventBackbone(server.platform, { settings: fastSettings() });
});
afterAll(async () => {
  await backbone?.stop();
  await printer?.close();
  await server?.close();
  await smtp?.close();
});

describe('the job ticket PDF', () => {
  it('prints the order number, customer, PO, ship-to and each line with its spec, quantity, due date, team and requirements; no prices', async () => {
    const { order } = await newOrder();
    const res = await fetchPdf(rep, order.id);
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toBe('application/pdf');
    expect(res.headers['content-disposition']).toBe(`inline; filename="${order.number}-job-ticket.pdf"`);
    const text = await pdfText(res.pdf);
    for (const expected of [
      'JOB TICKET', order.number, 'Zoë’s Print Shop', 'Ada Ångström', 'PO-4471', 'March 1, 2027', '9 Quay St, Portside',
      'BC-350 — Business cards', '500 Each', 'Offset crew', '350 gsm matt, both sides 4/4, round corners',
      'BNR-3X1 — PVC banner 3×1 m', 'February 20, 2027', 'Eyelets every 50 cm; hem all sides', 'PRODUCTION REQUIREMENTS', 'Page 1 of 1',
    ]) expect(text, expected).toContain(expected);
    // Production sees no prices or totals.
    for (const price of ['0.17', '89.50', '85.00', '$']) expect(text).not.toContain(price);
    // The same order gives the same bytes.
    expect(createHash('sha256').update((await fetchPdf(rep, order.id)).pdf).digest('hex')).toBe(createHash('sha256').update(res.pdf).digest('hex'));
  });

  it('draws the QR code of the order number as rectangles over exactly the dark modules', () => {
    const rects: number[][] = [];
    const fake = { save: () => fake, restore: () => fake, fillColor: () => fake, fill: () => fake, rect: (...r: number[]) => rects.push(r) && fake };
    drawQrCode(fake as never, 'SO-2027-00042', 10, 20, 81);
    const code = qrcode(0, 'M');
    code.addData('SO-2027-00042');
    code.make();
    const n = code.getModuleCount();
    const cell = 81 / (n + 2);
    const drawn = Array.from({ length: n }, () => Array<boolean>(n).fill(false));
    for (const [x, y, w, h] of rects) {
      expect(h).toBeCloseTo(cell);
      const row = Math.round((y! - 20) / cell) - 1;
      const first = Math.round((x! - 10) / cell) - 1;
      for (let col = first; col < first + Math.round(w! / cell); col++) drawn[row]![col] = true;
    }
    expect(drawn).toEqual(Array.from({ length: n }, (_, r) => Array.from({ length: n }, (_, c) => code.isDark(r, c))));
    expect(rects.length).toBeLessThan(n * n / 2);
  });

  it("runs over pages with the table header on each, and answers 404 for an order the caller cannot see", async () => {
    const lines = Array.from({ length: 30 }, (_, i) => ({ product: ids.card, quantity: i + 1, specs: `Run ${i + 1}: ${'Trim to bleed, shrink-wrap in 100s. '.repeat(3)}` }));
    const { order } = await newOrder({}, lines);
    const text = await pdfText((await fetchPdf(rep, order.id)).pdf);
    expect(text).toMatch(/Page 1 of [2-9]/);
    expect(text.match(/Product \/ spec/g)!.length).toBeGreaterThan(1);
    expect(text).toContain('Run 30: Trim to bleed');
    expect((await fetchPdf(sibling, order.id)).status).toBe(404);
    expect((await fetchPdf(rep, '0190aaaa-0000-7000-8000-000000000000')).status).toBe(404);
    expect((await sibling.request('GET', `/api/v1/orders/${order.id}/job-tickets`)).status).toBe(404);
  });
});

describe('sending on confirmation', () => {
  it('e-mails orders without a source to MERIDIAN_JOB_TICKET_EMAIL, the PDF attached; nothing goes without the setting', async () => {
    const { order: quiet } = await newOrder();
    await confirm(quiet.id);
    await dispatched(quiet.id);
    overrideSettings(server.platform, orderSettings, { jobTicketEmail: 'production@print.example' });
    try {
      const before = smtp.inbox.length;
      const { order } = await newOrder();
      await confirm(order.id);
      const ticket = await ticketWhere(order.id, (t) => t.status === 'sent', 'the e-mailed ticket');
      expect(ticket).toMatchObject({ channel: 'email', target: 'production@print.example', reason: 'confirmed', attempts: 1, last_error: null, sent_at: expect.any(String) });
      const message = await waitFor(() => smtp.inbox.slice(before).find((m) => m.to.includes('production@print.example')), 'the e-mail');
      const mail = await simpleParser(message.raw);
      expect(mail.subject).toBe(`Job ticket ${order.number}`);
      expect(mail.text).toContain('350 gsm matt');
      expect(mail.attachments).toHaveLength(1);
      expect(mail.attachments[0]).toMatchObject({ contentType: 'application/pdf', filename: `${order.number}-job-ticket.pdf` });
      expect(await pdfText(mail.attachments[0]!.content)).toContain('Eyelets every 50 cm');
    } finally {
      overrideSettings(server.platform, orderSettings, { jobTicketEmail: undefined });
    }
    expect(await tickets(quiet.id)).toEqual([]);
  });

  it("e-mails the source's production address, whatever the fallback says", async () => {
    overrideSettings(server.platform, orderSettings, { jobTicketEmail: 'fallback@print.example' });
    try {
      const source = await sourceWith({ production_channel: 'email', production_email: 'press-room@shop.example' });
      const { order } = await orderFrom(source);
      await confirm(order.id);
      expect(await ticketWhere(order.id, (t) => t.status === 'sent', 'the ticket')).toMatchObject({ channel: 'email', target: 'press-room@shop.example' });
      await waitFor(() => smtp.inbox.find((m) => m.to.includes('press-room@shop.example')), 'the e-mail');
      expect(smtp.inbox.some((m) => m.to.includes('fallback@print.example'))).toBe(false);
    } finally {
      overrideSettings(server.platform, orderSettings, { jobTicketEmail: undefined });
    }
  });

  it('prints on the source’s network printer: one IPP Print-Job with the PDF', async () => {
    const source = await sourceWith({ production_channel: 'printer', printer_url: printer.url });
    const { order } = await orderFrom(source);
    const before = printer.jobs.length;
    await confirm(order.id);
    const ticket = await ticketWhere(order.id, (t) => t.status === 'sent', 'the printed ticket');
    expect(ticket).toMatchObject({ channel: 'printer', target: printer.url, attempts: 1 });
    const jobs = printer.jobs.slice(before);
    expect(jobs).toHaveLength(1);
    expect(jobs[0]).toMatchObject({ operation: 'Print-Job', path: '/ipp/print' });
    expect(jobs[0]!.attributes).toMatchObject({ 'document-format': 'application/pdf', 'printer-uri': printer.url.replace('http://', 'ipp://'), 'job-name': `${order.number}-job-ticket.pdf` });
    expect(jobs[0]!.document.equals((await fetchPdf(rep, order.id)).pdf)).toBe(true);
  });

  it('a printer that refuses leaves the ticket failed with the reason, retried later, and the order as it was', async () => {
    const source = await sourceWith({ production_channel: 'printer', printer_url: printer.url });
    const { order } = await orderFrom(source);
    printer.answer('server-error-busy', 'Out of paper');
    try {
      await confirm(order.id);
      const failed = await ticketWhere(order.id, (t) => t.status === 'failed', 'the failed ticket');
      expect(failed).toMatchObject({ channel: 'printer', attempts: 1, sent_at: null });
      expect(failed.last_error).toContain('server-error-busy');
      expect(failed.last_error).toContain('Out of paper');
      expect(new Date(failed.next_attempt_at).getTime()).toBeGreaterThan(Date.now());
      expect((await rep.request('GET', `/api/v1/orders/${order.id}`)).body.order).toMatchObject({ status: 'confirmed' });
      // Not due yet: the minute job leaves it alone.
      await sendDueJobTickets(server.platform);
      expect((await tickets(order.id))[0]).toMatchObject({ status: 'failed', attempts: 1 });
    } finally {
      printer.answer('successful-ok');
    }
    // Its retry time comes: the minute job prints it.
    await sql`UPDATE orders_job_ticket SET next_attempt_at = now() WHERE order_id = ${order.id}::uuid`.execute(server.platform.db);
    const { sent } = await sendDueJobTickets(server.platform);
    expect(sent).toBeGreaterThanOrEqual(1);
    expect((await tickets(order.id))[0]).toMatchObject({ status: 'sent', attempts: 2, last_error: null, next_attempt_at: null });
  });

  it('a printer that cannot be reached fails with a clear reason', async () => {
    const source = await sourceWith({ production_channel: 'printer', printer_url: 'http://127.0.0.1:9/ipp/print' });
    const { order } = await orderFrom(source);
    await confirm(order.id);
    const failed = await ticketWhere(order.id, (t) => t.status === 'failed', 'the failed ticket');
    expect(failed.last_error).toMatch(/^The printer at 127\.0\.0\.1:9 could not be reached/);
  });

  it('sends the order.job_ticket webhook event, signed, with the lines and the PDF URL', async () => {
    const rx = await startReceiver();
    try {
      const sub = await admin.request('POST', '/api/v1/webhooks', { body: { url: rx.url, events: ['order.job_ticket'] } });
      expect(sub.status, sub.text).toBe(201);
      const source = await sourceWith({ production_channel: 'webhook' });
      const { order } = await orderFrom(source);
      await confirm(order.id);
      const received = await waitFor(() => rx.received.find((r) => r.json?.data?.recordId === order.id), 'the webhook');
      expect(verifyStandardWebhook(sub.body.secret, received)).toBe(true);
      const data = received.json.data.changes;
      expect(received.json.type).toBe('order.job_ticket');
      expect(data.number.new).toBe(order.number);
      expect(data.reason.new).toBe('confirmed');
      expect(data.pdf_url.new).toBe(`http://localhost:3000/api/v1/orders/${order.id}/job-ticket.pdf`);
      expect(data.lines.new.map((l: any) => [l.quantity, l.specs])).toEqual([[500, '350 gsm matt, both sides 4/4, round corners'], [2, 'Eyelets every 50 cm; hem all sides']]);
      expect(await tickets(order.id)).toEqual([expect.objectContaining({ channel: 'webhook', status: 'sent', target: null })]);
      await sql`DELETE FROM webhook_subscription WHERE id = ${sub.body.id}::uuid`.execute(server.platform.db);
    } finally {
      await rx.close();
    }
  });

  it('a source whose channel is none sends nothing', async () => {
    const source = await sourceWith({ production_channel: 'none' });
    const { order } = await orderFrom(source);
    await confirm(order.id);
    await dispatched(order.id);
    expect(await tickets(order.id)).toEqual([]);
  });
});

describe('reprint', () => {
  it('sends the ticket again through the channel, only once the order is confirmed; 422 without a channel; 404 for others', async () => {
    const source = await sourceWith({ production_channel: 'printer', printer_url: printer.url });
    const { order } = await orderFrom(source);
    const refused = await rep.request('POST', `/api/v1/orders/${order.id}/job-ticket`, { body: {} });
    expect([refused.status, refused.body.errors[0].code]).toEqual([409, 'invalid_transition']);
    await confirm(order.id);
    await ticketWhere(order.id, (t) => t.status === 'sent', 'the first ticket');
    const before = printer.jobs.length;
    const again = await rep.request('POST', `/api/v1/orders/${order.id}/job-ticket`, { body: {} });
    expect(again.status, again.text).toBe(200);
    expect(again.body).toMatchObject({ id: order.id, status: 'confirmed' });
    await ticketWhere(order.id, (t) => t.reason === 'reprint' && t.status === 'sent', 'the reprint');
    expect(printer.jobs.length).toBe(before + 1);
    expect((await tickets(order.id)).map((t) => t.reason)).toEqual(['reprint', 'confirmed']);
    expect((await sibling.request('POST', `/api/v1/orders/${order.id}/job-ticket`, { body: {} })).status).toBe(404);

    // Completed orders may be reprinted; cancelled ones may not.
    ok(await rep.request('POST', `/api/v1/orders/${order.id}/complete`, { body: {} }));
    expect((await rep.request('POST', `/api/v1/orders/${order.id}/job-ticket`, { body: {} })).status).toBe(200);
    const { order: cancelled } = await orderFrom(source);
    ok(await rep.request('POST', `/api/v1/orders/${cancelled.id}/cancel`, { body: {} }));
    expect((await rep.request('POST', `/api/v1/orders/${cancelled.id}/job-ticket`, { body: {} })).body.errors[0].code).toBe('order_cancelled');

    const { order: plain } = await newOrder();
    await confirm(plain.id);
    const none = await rep.request('POST', `/api/v1/orders/${plain.id}/job-ticket`, { body: {} });
    expect([none.status, none.body.errors[0].field, none.body.errors[0].code]).toEqual([422, 'production_channel', 'no_production_channel']);
  });
});

describe('printer addresses', () => {
  it('ipp:// is http:// on port 631; ipps:// is https://; the printer-uri keeps the IPP scheme', () => {
    expect(String(printerAddress('ipp://printer.local/printers/press').http)).toBe('http://printer.local:631/printers/press');
    expect(printerAddress('ipp://printer.local/printers/press').printerUri).toBe('ipp://printer.local:631/printers/press');
    expect(String(printerAddress('ipps://10.0.0.5:8631/ipp/print').http)).toBe('https://10.0.0.5:8631/ipp/print');
    expect(String(printerAddress('http://10.0.0.5:631/ipp/print').http)).toBe('http://10.0.0.5:631/ipp/print');
    expect(() => printerAddress('ftp://printer.local/')).toThrow(/must start with ipp/);
    expect(() => printerAddress('not a url')).toThrow(/not a printer address/);
  });
});
