import type { TxContext } from '../../../platform/records/context.ts';
import type { ApiRecord } from '../../../platform/records/hooks.ts';
import { recordEvent } from '../../../platform/records/history.ts';
import { nextDocumentNumber, refuse, retotalDocument, today } from '../../billing/index.ts';
import { invoicingSettings } from '../settings.ts';
import { INVOICE } from '../kind.ts';
import { ensurePayLink } from '../pay/links.ts';
import { lineCount, now, runInvoiceCommand, setInvoiceValues, type InvoiceCommandArgs } from './common.ts';

const TERM_DAYS: Record<string, number> = { due_on_receipt: 0, net_15: 15, net_30: 30, net_45: 45, net_60: 60, net_90: 90 };

/** The due date: the invoice date plus the payment terms' days. */
export function dueDate(invoiceDate: string, terms: unknown): string {
  const days = TERM_DAYS[String(terms)] ?? 30;
  return new Date(Date.parse(`${invoiceDate}T00:00:00Z`) + days * 86_400_000).toISOString().slice(0, 10);
}

/**
 * Posts a draft invoice (or credit note): it needs a line; it gets its number from its series —
 * taken now, in the posting transaction, so the counter row stays locked until the posting
 * commits: concurrent postings queue, a refused one gives its number back, and the numbers have
 * no gaps and no duplicates —, today's date in the actor's zone, the due date from the payment
 * terms, and status posted; from then on it never changes. Writes `invoice.posted`; an account
 * with automatic sending gets the invoice by e-mail from that event, queued (send/queue.ts).
 */
export async function postInvoice(args: InvoiceCommandArgs): Promise<ApiRecord> {
  return runInvoiceCommand({ ...args, command: 'post', run: (ctx, invoice) => postLocked(ctx, invoice) });
}

export interface PostOptions {
  /**
   * The caller made this draft in this very transaction (invoiceOrders: its lines written and the
   * invoice totalled, then read back into `invoice`) with this many lines: posting trusts those
   * totals instead of reading and re-totalling the lines again. A draft a person posts is always
   * counted and re-totalled.
   */
  madeHere?: { lines: number };
}

/** Posting once the invoice is locked and known to be a draft (also used for credit notes, which are posted as they are made). */
export async function postLocked(ctx: TxContext, invoice: ApiRecord, options: PostOptions = {}): Promise<ApiRecord> {
  const made = options.madeHere;
  if ((made ? made.lines : await lineCount(ctx, invoice.id)) === 0) refuse('lines', 'empty', 'An invoice needs at least one line before it is posted');
  const credit = invoice.kind === 'credit_note';
  // An invoice's totals as the organisation's rounding makes them today: what is posted is what
  // is printed. (A credit note was totalled by the command making it, in this transaction; so was
  // an invoice the caller made here, and `invoice` carries those totals.)
  const figures = credit || made ? null : await retotalDocument(ctx, INVOICE, invoice.id);
  const total = figures ? Number(figures.document.total) : Number(invoice.total);
  const settings = invoicingSettings.of(ctx.platform);
  const date = today(ctx);
  const number = await nextDocumentNumber({
    ctx, series: credit ? 'credit_note' : 'invoice', format: credit ? settings.creditNoteNumberFormat : settings.invoiceNumberFormat, date: new Date(`${date}T00:00:00Z`),
  });
  const posted = await setInvoiceValues(ctx, invoice.id, {
    number, name: number, status: 'posted', invoice_date: date, due_date: credit ? null : dueDate(date, invoice.payment_terms),
    posted_at: now(), posted_by: ctx.actor.userId,
    // An invoice is owed in full until credited (or, later, paid); a credit note owes nothing.
    ...(credit ? {} : { credited_total: 0, paid_total: 0, open_amount: total }),
  });
  await recordEvent({
    ctx, type: 'invoice.posted', object: ctx.platform.registry.requireObject('invoice'), recordId: invoice.id,
    data: { number, kind: posted.kind, account: posted.account, currency: posted.currency, total: posted.total, invoice_date: date, due_date: posted.due_date ?? null, credited_invoice: posted.credited_invoice ?? null },
  });
  // An account that sends automatically gets the e-mail from the queue, after this commit (send/queue.ts).
  if (!credit) await ensurePayLink(ctx, invoice.id);
  return posted;
}
