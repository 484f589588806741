import type { Platform } from '../../../platform/kernel.ts';
import { notFound } from '../../../platform/errors.ts';
import { scopedGet, scopedList, scopedPage, type PortalScope } from '../scope.ts';
import { accountRef, accountsOf, amount, text, todayUtc, type AccountRef, type Row } from './common.ts';

/**
 * Invoices, quotes and orders as a contact sees them: what the customer's copy of the document
 * shows and nothing internal (no costs, list prices, price explanations, approvals, notes to
 * staff). Every read goes through scope.ts; drafts and unsent quotes are never listed.
 */

// ——— invoices ———
const INVOICE_FIELDS = ['name', 'number', 'kind', 'status', 'account', 'invoice_date', 'due_date', 'currency', 'total', 'tax_total', 'open_amount', 'po_number', 'credited_invoice'];
export const OPEN_INVOICE = ['posted', 'partially_paid'];
/** What the portal shows: posted documents (drafts are the seller's work in progress). */
const SHOWN_INVOICE = { field: 'status', op: 'in', value: ['posted', 'partially_paid', 'paid', 'void'] };

export interface PortalInvoice {
  id: string;
  number: string;
  kind: string;
  status: string;
  account: AccountRef;
  invoiceDate: string | null;
  dueDate: string | null;
  currency: string;
  total: string;
  taxTotal: string;
  openAmount: string;
  poNumber: string | null;
  overdue: boolean;
}

function presentInvoice(r: Row, accounts: AccountRef[], today: string): PortalInvoice {
  const open = OPEN_INVOICE.includes(String(r.status));
  return {
    id: r.id, number: String(r.number ?? r.name ?? ''), kind: String(r.kind), status: String(r.status), account: accountRef(accounts, r.account),
    invoiceDate: text(r.invoice_date), dueDate: text(r.due_date), currency: String(r.currency ?? ''), total: amount(r.total), taxTotal: amount(r.tax_total),
    openAmount: open ? amount(r.open_amount ?? r.total) : '0', poNumber: text(r.po_number),
    overdue: open && r.kind === 'invoice' && !!r.due_date && String(r.due_date) < today,
  };
}

/**
 * One page of the contact's invoices, newest first (keyset: `cursor` from the previous page). A
 * page, not everything: an account with ten thousand invoices answers as fast as one with ten
 * (the (account, invoice date, number) index; docs/performance.md).
 */
export async function listInvoices(platform: Platform, scope: PortalScope, state: 'open' | 'paid' | 'all' = 'all', page: { limit?: number; cursor?: string } = {}): Promise<{ data: PortalInvoice[]; nextCursor: string | null }> {
  const status = state === 'open' ? { field: 'status', op: 'in', value: OPEN_INVOICE } : state === 'paid' ? { field: 'status', op: 'in', value: ['paid', 'void'] } : SHOWN_INVOICE;
  const rows = await scopedPage(platform, scope, { object: 'invoice', filter: { and: [SHOWN_INVOICE, status] }, fields: INVOICE_FIELDS, sort: '-invoice_date,-number', limit: page.limit ?? 50, ...(page.cursor ? { cursor: page.cursor } : {}) });
  const accounts = await accountsOf(platform, scope);
  const today = todayUtc(platform);
  return { data: rows.data.map((r) => presentInvoice(r, accounts, today)), nextCursor: rows.nextCursor };
}

export interface PortalLine {
  name: string;
  description: string | null;
  quantity: string;
  unitPrice: string | null;
  net: string;
}

const presentLine = (l: Row): PortalLine => ({ name: String(l.name ?? ''), description: text(l.description), quantity: amount(l.quantity), unitPrice: text(l.unit_price), net: amount(l.net) });

export async function getInvoice(platform: Platform, scope: PortalScope, id: string): Promise<PortalInvoice & { lines: PortalLine[] }> {
  const r = await scopedGet(platform, scope, { object: 'invoice', id, fields: INVOICE_FIELDS, filter: SHOWN_INVOICE, what: 'Invoice' });
  const lines = await scopedList(platform, scope, { object: 'invoice_line', path: 'invoice.account', filter: { field: 'invoice', op: 'eq', value: r.id }, fields: ['name', 'description', 'quantity', 'unit_price', 'net', 'position'], sort: 'position', limit: 1000 });
  return { ...presentInvoice(r, await accountsOf(platform, scope), todayUtc(platform)), lines: lines.map(presentLine) };
}

/** The invoice's id when the contact may see it (for the PDF): a draft or foreign id is a 404. */
export async function invoiceIdInScope(platform: Platform, scope: PortalScope, id: string): Promise<string> {
  return (await scopedGet(platform, scope, { object: 'invoice', id, fields: ['status'], filter: SHOWN_INVOICE, what: 'Invoice' })).id;
}

// ——— quotes ———
const QUOTE_FIELDS = ['name', 'number', 'revision', 'status', 'title', 'account', 'currency', 'valid_until', 'subtotal', 'discount_total', 'tax_total', 'total', 'sent_at', 'answered_at', 'accepted_by_name', 'accepted_total', 'decline_reason', 'terms_text'];
/** Quotes the customer has been sent; drafts, approvals and superseded versions stay internal. */
const SHOWN_QUOTE = { field: 'status', op: 'in', value: ['sent', 'viewed', 'accepted', 'declined', 'expired'] };

export interface PortalQuote {
  id: string;
  number: string;
  title: string | null;
  status: string;
  account: AccountRef;
  currency: string;
  validUntil: string | null;
  subtotal: string;
  discountTotal: string;
  taxTotal: string;
  total: string;
  acceptedTotal: string | null;
  answeredAt: string | null;
  signedBy: string | null;
  declineReason: string | null;
  canAnswer: boolean;
}

function presentQuote(r: Row, accounts: AccountRef[], today: string): PortalQuote {
  const status = String(r.status);
  return {
    id: r.id, number: String(r.name ?? r.number ?? ''), title: text(r.title), status, account: accountRef(accounts, r.account), currency: String(r.currency ?? ''),
    validUntil: text(r.valid_until), subtotal: amount(r.subtotal), discountTotal: amount(r.discount_total), taxTotal: amount(r.tax_total), total: amount(r.total),
    acceptedTotal: text(r.accepted_total), answeredAt: text(r.answered_at), signedBy: text(r.accepted_by_name), declineReason: text(r.decline_reason),
    canAnswer: (status === 'sent' || status === 'viewed') && (!r.valid_until || String(r.valid_until) >= today),
  };
}

export async function listQuotes(platform: Platform, scope: PortalScope): Promise<PortalQuote[]> {
  const rows = await scopedList(platform, scope, { object: 'quote', filter: SHOWN_QUOTE, fields: QUOTE_FIELDS, sort: '-sent_at', limit: 500 });
  const accounts = await accountsOf(platform, scope);
  const today = todayUtc(platform);
  return rows.map((r) => presentQuote(r, accounts, today));
}

export interface PortalQuoteLine extends PortalLine {
  id: string;
  optional: boolean;
  selected: boolean;
  total: string;
}

export async function getQuote(platform: Platform, scope: PortalScope, id: string): Promise<PortalQuote & { terms: string | null; lines: PortalQuoteLine[] }> {
  const r = await scopedGet(platform, scope, { object: 'quote', id, fields: QUOTE_FIELDS, filter: SHOWN_QUOTE, what: 'Quote' });
  const lines = await scopedList(platform, scope, { object: 'quote_line', path: 'quote.account', filter: { field: 'quote', op: 'eq', value: r.id }, fields: ['name', 'description', 'quantity', 'unit_price', 'net', 'total', 'optional', 'selected', 'position'], sort: 'position', limit: 1000 });
  return {
    ...presentQuote(r, await accountsOf(platform, scope), todayUtc(platform)), terms: text(r.terms_text),
    lines: lines.map((l) => ({ ...presentLine(l), id: l.id, optional: l.optional === true, selected: l.optional !== true || l.selected === true, total: amount(l.total) })),
  };
}

export async function quoteIdInScope(platform: Platform, scope: PortalScope, id: string): Promise<string> {
  return (await scopedGet(platform, scope, { object: 'quote', id, fields: ['status'], filter: SHOWN_QUOTE, what: 'Quote' })).id;
}

// ——— orders ———
const ORDER_FIELDS = ['name', 'number', 'status', 'account', 'po_number', 'requested_date', 'currency', 'total', 'on_hold', 'confirmed_at', 'completed_at', 'cancelled_at', 'created_at'];

export interface PortalOrder {
  id: string;
  number: string;
  status: string;
  onHold: boolean;
  account: AccountRef;
  poNumber: string | null;
  requestedDate: string | null;
  orderedAt: string | null;
  completedAt: string | null;
  currency: string;
  total: string;
}

const presentOrder = (r: Row, accounts: AccountRef[]): PortalOrder => ({
  id: r.id, number: String(r.number ?? r.name ?? ''), status: String(r.status), onHold: r.on_hold === true, account: accountRef(accounts, r.account),
  poNumber: text(r.po_number), requestedDate: text(r.requested_date), orderedAt: text(r.created_at), completedAt: text(r.completed_at),
  currency: String(r.currency ?? ''), total: amount(r.total),
});

export async function listOrders(platform: Platform, scope: PortalScope): Promise<PortalOrder[]> {
  const rows = await scopedList(platform, scope, { object: 'order', fields: ORDER_FIELDS, sort: '-created_at', limit: 500 });
  const accounts = await accountsOf(platform, scope);
  return rows.map((r) => presentOrder(r, accounts));
}

export async function getOrder(platform: Platform, scope: PortalScope, id: string): Promise<PortalOrder & { lines: PortalLine[] }> {
  const r = await scopedGet(platform, scope, { object: 'order', id, fields: ORDER_FIELDS, what: 'Order' });
  const lines = await scopedList(platform, scope, { object: 'order_line', path: 'order.account', filter: { field: 'order', op: 'eq', value: r.id }, fields: ['name', 'description', 'quantity', 'unit_price', 'net', 'position'], sort: 'position', limit: 1000 });
  return { ...presentOrder(r, await accountsOf(platform, scope)), lines: lines.map(presentLine) };
}

// ——— contacts (the people of the contact's accounts, names and how to reach them) ———
export interface PortalContact {
  id: string;
  name: string;
  title: string | null;
  email: string | null;
  phone: string | null;
  account: AccountRef;
}

export async function getContact(platform: Platform, scope: PortalScope, id: string): Promise<PortalContact> {
  const r = await scopedGet(platform, scope, { object: 'contact', id, fields: ['full_name', 'title', 'email', 'phone', 'account'], what: 'Contact' });
  return { id: r.id, name: String(r.full_name ?? ''), title: text(r.title), email: text(r.email), phone: text(r.phone), account: accountRef(await accountsOf(platform, scope), r.account) };
}

export const assertFound = (ok: boolean, what: string) => {
  if (!ok) throw notFound(what);
};
