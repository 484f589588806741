import type { FastifyInstance } from 'fastify';
import type { Platform } from '../../../platform/kernel.ts';
import { notFound } from '../../../platform/errors.ts';
import { T, routeSchema } from '../../../platform/http/schema/common.ts';
import { systemActor } from '../../../platform/records/context.ts';
import { billingSettings, documentFormat, documentLocale, isBlank, readRecord } from '../../billing/index.ts';
import { renderInvoicePdf } from '../document/render.ts';
import { readInvoiceLines } from '../commands/common.ts';
import { invoiceOfToken } from './links.ts';
import { payPageAction, type PayPageAction } from './actions.ts';

const tags = ['invoices'];
const Token = T.Object({ token: T.String({ maxLength: 64 }) });
type Tk = { token: string };
const Nullable = <S extends ReturnType<typeof T.String>>(s: S) => T.Union([s, T.Null()]);
const PublicInvoice = T.Object({
  seller: T.String(), kind: T.String(), number: T.String(), status: T.String(), currency: T.String(), locale: T.String(),
  invoiceDate: Nullable(T.String()), dueDate: Nullable(T.String()), customer: T.String(),
  total: T.String(), taxTotal: T.String(), openAmount: T.String(),
  lines: T.Array(T.Object({ name: T.String(), quantity: T.String(), unitPrice: T.String(), amount: T.String() })),
  payment: T.String(),
  payOnline: T.Union([T.Object({ label: T.String(), action: T.String() }), T.Null()], { description: 'A button the page offers (online payment, when a provider is set up): a form POST to action' }),
});
const Html = (description: string) => T.Unsafe({ description, content: { 'text/html': { schema: { type: 'string' } } } });
// Without a payment provider set up (MERIDIAN_PAYMENT_PROVIDER=none) the page has no Pay button.
const OFFLINE = 'Please pay as described on the invoice.';
const ONLINE = 'Pay online with the button below, or as described on the invoice.';

/** The invoice behind a pay link, formatted for the customer: what the page and the JSON show (a forged, unknown or revoked token is a 404, the same for all). */
async function publicInvoice(platform: Platform, token: string) {
  const id = await invoiceOfToken(platform, token);
  if (!id) throw notFound('Invoice');
  const ctx = { platform, actor: systemActor() };
  const invoice = await readRecord(ctx, 'invoice', id);
  const lines = await readInvoiceLines(ctx, id);
  const account = await readRecord(ctx, 'account', String(invoice.account), ['name', 'document_locale']);
  const contact = isBlank(invoice.contact) ? null : await readRecord(ctx, 'contact', String(invoice.contact), ['document_locale']).catch(() => null);
  const locale = documentLocale(ctx, { account, contact });
  const fmt = documentFormat(locale, String(invoice.currency));
  const payOnline: PayPageAction | null = payPageAction(platform, { id, token, status: String(invoice.status), kind: String(invoice.kind) });
  return {
    seller: billingSettings.of(platform).companyName, kind: String(invoice.kind), number: String(invoice.number ?? ''), status: String(invoice.status),
    currency: String(invoice.currency), locale,
    invoiceDate: isBlank(invoice.invoice_date) ? null : fmt.date(invoice.invoice_date), dueDate: isBlank(invoice.due_date) ? null : fmt.date(invoice.due_date),
    customer: String(account.name ?? ''),
    total: fmt.money(invoice.total), taxTotal: fmt.money(invoice.tax_total), openAmount: fmt.money(invoice.open_amount ?? invoice.total),
    lines: lines.map((l) => ({ name: String(l.description ?? l.name ?? ''), quantity: fmt.quantity(l.quantity), unitPrice: fmt.money(l.unit_price), amount: fmt.money(l.net) })),
    payment: payOnline ? ONLINE : OFFLINE,
    payOnline,
  };
}

const esc = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/** The customer's page: plain HTML from the server, no script, phone-sized. */
function payPage(inv: Awaited<ReturnType<typeof publicInvoice>>, token: string, returned?: string): string {
  const rows = inv.lines.map((l) => `<tr><td>${esc(l.name)}</td><td class="n">${esc(l.quantity)}</td><td class="n">${esc(l.unitPrice)}</td><td class="n">${esc(l.amount)}</td></tr>`).join('');
  const back = returned === 'done' ? '<p class="note">Thank you: your payment is being confirmed.</p>' : returned === 'cancelled' ? '<p class="note">The payment was not made.</p>' : '';
  const pay = inv.payOnline ? `<form method="post" action="${esc(inv.payOnline.action)}"><button type="submit">${esc(inv.payOnline.label)}</button></form>` : '';
  const status = inv.status === 'void' ? '<p class="note">This invoice has been cancelled.</p>' : inv.status === 'paid' ? '<p class="note">This invoice is paid. Thank you.</p>' : '';
  return `<!doctype html><html lang="${esc(inv.locale)}"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex"><title>Invoice ${esc(inv.number)} — ${esc(inv.seller)}</title>
<style>body{font-family:system-ui,sans-serif;max-width:44rem;margin:2rem auto;padding:0 1rem;color:#111}table{width:100%;border-collapse:collapse}
th,td{text-align:left;padding:.4rem;border-bottom:1px solid #ddd}.n{text-align:right}.total{font-weight:bold;font-size:1.2rem}.note{background:#f3f4f6;padding:.75rem;border-radius:.4rem}</style></head>
<body><main><p>${esc(inv.seller)}</p><h1>Invoice ${esc(inv.number)}</h1>
<p>For ${esc(inv.customer)}${inv.invoiceDate ? ` · ${esc(inv.invoiceDate)}` : ''}${inv.dueDate ? ` · due ${esc(inv.dueDate)}` : ''}</p>${status}
<table><thead><tr><th>Item</th><th class="n">Qty</th><th class="n">Unit price</th><th class="n">Amount</th></tr></thead><tbody>${rows}</tbody></table>
<p class="n">Tax ${esc(inv.taxTotal)}</p><p class="n total">Total ${esc(inv.total)}</p><p class="n">Amount due ${esc(inv.openAmount)}</p>
${back}<p class="note">${esc(inv.payment)}</p>${pay}<p><a href="/api/v1/public/invoices/${esc(token)}/pdf">Download the invoice (PDF)</a></p></main></body></html>`;
}

/** The pay link's page and what it reads (no session: /api/v1/public/ is open in http/app.ts, and /pay/ is not under /api/). */
export function registerPayRoutes(app: FastifyInstance, platform: Platform): void {
  app.get('/api/v1/public/invoices/:token', {
    schema: routeSchema({ tags, operationId: 'getPublicInvoice', summary: 'Public: the invoice behind a pay link', security: [], params: Token, response: { 200: PublicInvoice } }),
  }, async (request, reply) => {
    reply.header('cache-control', 'no-store');
    return publicInvoice(platform, (request.params as Tk).token);
  });

  app.get('/api/v1/public/invoices/:token/pdf', {
    schema: routeSchema({
      tags, operationId: 'getPublicInvoicePdf', summary: 'Public: the invoice PDF behind a pay link', security: [], params: Token,
      response: { 200: T.Unsafe({ description: 'The invoice as a PDF document', content: { 'application/pdf': { schema: { type: 'string', format: 'binary' } } } }) },
    }),
  }, async (request, reply) => {
    const id = await invoiceOfToken(platform, (request.params as Tk).token);
    if (!id) throw notFound('Invoice');
    const { pdf, filename } = await renderInvoicePdf({ ctx: { platform, actor: systemActor() }, id });
    return reply.header('content-type', 'application/pdf').header('cache-control', 'no-store').header('content-disposition', `inline; filename="${filename}"`).send(pdf);
  });

  app.get('/pay/:token', {
    schema: routeSchema({ tags, operationId: 'getPayPage', summary: 'Public: the page a pay link opens (HTML)', security: [], params: Token, querystring: T.Object({ payment: T.Optional(T.String({ enum: ['done', 'cancelled'] })) }), response: { 200: Html('The invoice page'), 404: Html('The same page for every unknown, malformed or revoked link') } }),
  }, async (request, reply) => {
    const token = (request.params as Tk).token;
    reply.header('cache-control', 'no-store').header('x-robots-tag', 'noindex').header('referrer-policy', 'no-referrer');
    try {
      return reply.type('text/html; charset=utf-8').send(payPage(await publicInvoice(platform, token), token, (request.query as { payment?: string }).payment));
    } catch {
      return reply.status(404).type('text/html; charset=utf-8').send('<!doctype html><meta charset="utf-8"><title>Not found</title><p>This link does not work. Please ask the sender for a new one.</p>');
    }
  });
}
