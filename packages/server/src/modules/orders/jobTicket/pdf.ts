import { sql } from 'kysely';
import { asSystem, inTransaction, type RecordContext, type TxContext } from '../../../platform/records/context.ts';
import type { ApiRecord } from '../../../platform/records/hooks.ts';
import { listRecords, MAX_PAGE_SIZE, resolveDisplayNames } from '../../../platform/records/read.ts';
import { billingSettings, documentFormat, documentLocale, isBlank, quotePdfFileName, readDocumentLines, readRecord } from '../../billing/index.ts';
import { ORDER } from '../kind.ts';
import { drawJobTicket } from './draw.ts';
import type { JobTicketLine, JobTicketView } from './view.ts';

export interface JobTicket {
  pdf: Buffer;
  /** "SO-2026-00042-job-ticket.pdf" */
  filename: string;
  order: ApiRecord;
  lines: ApiRecord[];
}

/**
 * The job ticket of an order as an A4 PDF: the order number (and a QR code of it), the customer,
 * PO, ship-to, the requested date, and per line what production needs — product, spec,
 * quantity, due date, team and the line's production requirements — without prices. The order
 * is read as the context's actor (an order they cannot see is a 404); the lines and the records
 * they name are follow-on reads made as the system.
 */
export async function renderJobTicket(args: { ctx: RecordContext; orderId: string }): Promise<JobTicket> {
  const { view, order, lines } = await inTransaction(args.ctx, (tx) => readJobTicket(tx, args.orderId));
  const pdf = await drawJobTicket(view);
  return { pdf, filename: jobTicketFileName(String(order.number ?? order.id)), order, lines };
}

export function jobTicketFileName(number: string): string {
  return quotePdfFileName(`${number}-job-ticket`);
}

async function readJobTicket(tx: TxContext, orderId: string): Promise<{ view: JobTicketView; order: ApiRecord; lines: ApiRecord[] }> {
  const order = await readRecord(tx, 'order', orderId);
  const sys = asSystem(tx);
  const lines = await readDocumentLines(sys, ORDER, order.id);
  const optional = (object: string, ref: unknown) => (isBlank(ref) ? Promise.resolve(null) : readRecord(sys, object, String(ref)).catch(() => null));
  const account = await optional('account', order.account);
  const contact = await optional('contact', order.contact);
  const names = await resolveDisplayNames(sys, sys.platform.registry.requireObject('order_line'), lines);
  const codes = await productCodes(sys, lines.map((l) => l.product));
  const format = documentFormat(documentLocale(sys, {}), String(order.currency || 'USD'));
  const text = (v: unknown) => (isBlank(v) ? '' : String(v));
  const named = (object: string, ref: unknown) => (isBlank(ref) ? '' : names[object]?.[String(ref)] ?? '');

  const contactText = contact ? [text(contact.full_name) || [text(contact.first_name), text(contact.last_name)].filter(Boolean).join(' '), text(contact.phone), text(contact.email)].filter(Boolean).join(' · ') : '';
  const facts = [
    { label: 'Customer', value: text(account?.name) },
    { label: 'Contact', value: contactText },
    { label: 'Customer PO', value: text(order.po_number) },
    { label: 'Requested', value: format.date(order.requested_date) },
    { label: 'Confirmed', value: isBlank(order.confirmed_at) ? '' : format.dateTime(order.confirmed_at, tx.actor.timeZone || 'UTC') },
    { label: 'Status', value: text(order.status).replace('_', ' ') },
  ].filter((f) => f.value !== '');

  const ticketLines: JobTicketLine[] = lines.map((line, i) => {
    const product = codes.get(String(line.product));
    const description = text(line.description);
    return {
      position: text(line.position) || String(i + 1),
      product: product ? [product.code, product.name].filter(Boolean).join(' — ') : named('product', line.product),
      spec: named('product_spec', line.product_spec),
      // Lines copy the product's name as their description; print it once.
      description: description === product?.name ? '' : description,
      quantity: format.quantity(line.quantity),
      unit: named('unit_of_measure', line.unit_of_measure),
      due: format.date(isBlank(line.requested_date) ? order.requested_date : line.requested_date),
      team: named('production_team', line.team),
      requirements: text(line.specs),
    };
  });

  const view: JobTicketView = {
    number: text(order.number) || order.id,
    company: billingSettings.of(tx.platform).companyName,
    locale: format.locale,
    created: new Date(String(order.updated_at ?? order.created_at ?? 0)),
    facts,
    shipTo: text(order.ship_to),
    notes: text(order.notes),
    lines: ticketLines,
  };
  return { view, order, lines };
}

/** Code and name of the lines' products, in pages of the record API's size. */
async function productCodes(ctx: TxContext, refs: unknown[]): Promise<Map<string, { code: string; name: string }>> {
  const ids = [...new Set(refs.filter((r) => !isBlank(r)).map(String))];
  const object = ctx.platform.registry.requireObject('product');
  const out = new Map<string, { code: string; name: string }>();
  for (let i = 0; i < ids.length; i += MAX_PAGE_SIZE) {
    const chunk = ids.slice(i, i + MAX_PAGE_SIZE);
    const page = await listRecords({ ctx, object, fields: ['code', 'name'], limit: MAX_PAGE_SIZE, where: sql<boolean>`t0.id = ANY(${chunk}::uuid[])` });
    for (const r of page.data) out.set(r.id, { code: isBlank(r.code) ? '' : String(r.code), name: isBlank(r.name) ? '' : String(r.name) });
  }
  return out;
}
