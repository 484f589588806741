import PDFDocument from 'pdfkit';
import type { Platform } from '../../../platform/kernel.ts';
import { Decimal, billingSettings, documentFonts, documentFormat } from '../../billing/index.ts';
import { scopedGet, scopedList, type PortalScope } from '../scope.ts';
import { paymentsInstalled } from './payments.ts';
import { amount, todayUtc } from './common.ts';

/**
 * An account statement over a date range, in one currency: the balance before the range, every
 * invoice (debit), credit note and payment (credit) in it with the running balance, and the
 * balance at its end. Drafts are not documents yet; a voided invoice and its credit note both
 * appear and cancel out; reversed payments are left out; refunds count against their payment.
 */
export interface StatementLine {
  date: string;
  kind: 'invoice' | 'credit_note' | 'payment';
  reference: string;
  debit: string;
  credit: string;
  balance: string;
}

export interface Statement {
  account: { id: string; name: string };
  currency: string;
  from: string;
  to: string;
  openingBalance: string;
  lines: StatementLine[];
  closingBalance: string;
  currencies: string[];
}

interface Entry {
  date: string;
  kind: StatementLine['kind'];
  reference: string;
  debit: Decimal;
  credit: Decimal;
}

const DATE = /^\d{4}-\d{2}-\d{2}$/;

export function defaultRange(platform: Platform): { from: string; to: string } {
  const to = todayUtc(platform);
  const d = new Date(`${to}T00:00:00Z`);
  d.setUTCMonth(d.getUTCMonth() - 3, 1);
  return { from: d.toISOString().slice(0, 10), to };
}

export async function buildStatement(platform: Platform, scope: PortalScope, args: { accountId?: string; from?: string; to?: string; currency?: string }): Promise<Statement> {
  const account = await scopedGet(platform, scope, { object: 'account', path: 'id', id: args.accountId ?? scope.accountId, fields: ['name', 'currency'], what: 'Account' });
  const range = defaultRange(platform);
  const from = args.from && DATE.test(args.from) ? args.from : range.from;
  const to = args.to && DATE.test(args.to) ? args.to : range.to;
  const one = { accountIds: [account.id], accountId: scope.accountId, contactId: scope.contactId };
  const invoices = await scopedList(platform, one, { object: 'invoice', filter: { and: [{ field: 'status', op: 'in', value: ['posted', 'partially_paid', 'paid', 'void'] }, { field: 'invoice_date', op: 'lte', value: to }] }, fields: ['number', 'name', 'kind', 'invoice_date', 'currency', 'total'], limit: 10_000 });
  const payments = paymentsInstalled(platform)
    ? await scopedList(platform, one, { object: 'payment', filter: { and: [{ field: 'status', op: 'eq', value: 'received' }, { field: 'payment_date', op: 'lte', value: to }] }, fields: ['name', 'reference', 'payment_date', 'currency', 'amount', 'refunded_amount'], limit: 10_000 })
    : [];
  const currencies = [...new Set([...invoices, ...payments].map((r) => String(r.currency ?? '')).filter(Boolean))].sort();
  const currency = args.currency && /^[A-Z]{3}$/.test(args.currency) ? args.currency : String(account.currency ?? currencies[0] ?? 'USD');
  const entries: Entry[] = [];
  for (const i of invoices) {
    if (String(i.currency) !== currency) continue;
    const total = new Decimal(amount(i.total));
    const credit = i.kind === 'credit_note';
    entries.push({ date: String(i.invoice_date), kind: credit ? 'credit_note' : 'invoice', reference: String(i.number ?? i.name ?? ''), debit: credit ? new Decimal(0) : total, credit: credit ? total : new Decimal(0) });
  }
  for (const p of payments) {
    if (String(p.currency) !== currency) continue;
    entries.push({ date: String(p.payment_date), kind: 'payment', reference: String(p.reference ?? p.name ?? ''), debit: new Decimal(0), credit: new Decimal(amount(p.amount)).minus(new Decimal(amount(p.refunded_amount))) });
  }
  entries.sort((a, b) => a.date.localeCompare(b.date) || a.kind.localeCompare(b.kind) || a.reference.localeCompare(b.reference));
  let balance = new Decimal(0);
  for (const e of entries) if (e.date < from) balance = balance.plus(e.debit).minus(e.credit);
  const opening = balance;
  const lines: StatementLine[] = [];
  for (const e of entries) {
    if (e.date < from) continue;
    balance = balance.plus(e.debit).minus(e.credit);
    lines.push({ date: e.date, kind: e.kind, reference: e.reference, debit: e.debit.toFixed(2), credit: e.credit.toFixed(2), balance: balance.toFixed(2) });
  }
  return {
    account: { id: account.id, name: String(account.name ?? '') }, currency, from, to, openingBalance: opening.toFixed(2), lines, closingBalance: balance.toFixed(2),
    currencies: currencies.includes(currency) ? currencies : [currency, ...currencies],
  };
}

const KIND: Record<StatementLine['kind'], string> = { invoice: 'Invoice', credit_note: 'Credit note', payment: 'Payment' };

/** The statement as a PDF: the same figures, in the given locale. */
export async function statementPdf(platform: Platform, s: Statement, locale: string): Promise<Buffer> {
  const fmt = documentFormat(locale, s.currency);
  const fonts = documentFonts();
  const doc = new PDFDocument({ size: 'A4', margin: 50, info: { Title: `Statement ${s.account.name} ${s.from} – ${s.to}` } });
  doc.registerFont('regular', fonts.regular);
  doc.registerFont('bold', fonts.bold);
  const chunks: Buffer[] = [];
  doc.on('data', (c: Buffer) => chunks.push(c));
  const done = new Promise<Buffer>((resolve) => doc.on('end', () => resolve(Buffer.concat(chunks))));
  doc.font('bold').fontSize(16).text(billingSettings.of(platform).companyName);
  doc.moveDown(0.5).fontSize(13).text(`Statement of account — ${s.account.name}`);
  doc.font('regular').fontSize(10).text(`${fmt.date(s.from)} – ${fmt.date(s.to)} · ${s.currency}`);
  doc.moveDown();
  const cols = [50, 130, 230, 330, 410, 480];
  const row = (cells: string[], bold = false) => {
    const y = doc.y;
    doc.font(bold ? 'bold' : 'regular').fontSize(9);
    cells.forEach((c, i) => doc.text(c, cols[i]!, y, { width: (cols[i + 1] ?? 545) - cols[i]! - 4, align: i >= 3 ? 'right' : 'left' }));
    doc.moveDown(0.4);
    doc.x = 50;
  };
  row(['Date', 'Document', 'Reference', 'Debit', 'Credit', 'Balance'], true);
  row([fmt.date(s.from), 'Opening balance', '', '', '', fmt.money(s.openingBalance)]);
  for (const l of s.lines) row([fmt.date(l.date), KIND[l.kind], l.reference, l.debit === '0.00' ? '' : fmt.money(l.debit), l.credit === '0.00' ? '' : fmt.money(l.credit), fmt.money(l.balance)]);
  row([fmt.date(s.to), 'Closing balance', '', '', '', fmt.money(s.closingBalance)], true);
  doc.end();
  return done;
}
