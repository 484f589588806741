import { buildQuoteDocument, documentFormat, type QuoteDocumentInput, type QuoteDocumentView } from '../../billing/index.ts';

/** What an invoice PDF prints after its totals: how to pay (or, on a credit note, what it corrects). */
export interface PaymentBlock {
  heading: string;
  /** Lines of text: the amount due and when, the organisation's payment instructions. */
  lines: string[];
  /** The pay link, printed and drawn as a QR code; none on credit notes. */
  payUrl: string | null;
  payLabel: string;
}

export interface InvoiceDocumentInput extends QuoteDocumentInput {
  payUrl: string | null;
  /** MERIDIAN_PAYMENT_INSTRUCTIONS, lines separated by |. */
  instructions: string;
  /** The number of the invoice a credit note corrects. */
  creditedNumber: string | null;
}

const TERMS: Record<string, string> = {
  due_on_receipt: 'Due on receipt', net_15: 'Net 15 days', net_30: 'Net 30 days', net_45: 'Net 45 days', net_60: 'Net 60 days', net_90: 'Net 90 days',
};
const text = (v: unknown): string | null => (v === null || v === undefined || String(v).trim() === '' ? null : String(v));

/**
 * The invoice (or credit note) as its PDF shows it: the quote document's layout and figures
 * (billing's buildQuoteDocument: letterhead, customer, lines, totals with the tax per rate, in
 * the customer's locale) with the invoice's own heading, facts and billing address, and the
 * payment block instead of a signature. Pure.
 */
export function buildInvoiceDocument(input: InvoiceDocumentInput): { view: QuoteDocumentView; payment: PaymentBlock } {
  const invoice = input.quote;
  const credit = invoice.kind === 'credit_note';
  const base = buildQuoteDocument(input);
  const fmt = documentFormat(input.locale, String(invoice.currency));
  const title = credit ? 'Credit note' : 'Invoice';
  const number = text(invoice.number) ?? 'Draft';
  const address = text(invoice.billing_address)?.split(/\r?\n/).map((l) => l.trim()).filter(Boolean);
  const facts = [
    { label: credit ? 'Date' : 'Invoice date', value: fmt.date(invoice.invoice_date) || 'Not posted yet' },
    ...(credit ? [] : [{ label: 'Due date', value: fmt.date(invoice.due_date) }, { label: 'Payment terms', value: TERMS[String(invoice.payment_terms)] ?? '' }]),
    ...(input.creditedNumber ? [{ label: 'Credits invoice', value: input.creditedNumber }] : []),
    { label: 'Currency', value: String(invoice.currency) },
    { label: 'Customer PO', value: text(invoice.po_number) ?? '' },
  ].filter((f) => f.value !== '');
  const view: QuoteDocumentView = {
    ...base,
    info: { ...base.info, title: `${title} ${number}`, subject: `${title} ${number}` },
    labels: { ...base.labels, document: title },
    customer: { ...base.customer, addressLines: address?.length ? address : base.customer.addressLines },
    heading: { title, number, subject: null },
    facts,
    totals: base.totals.map((row) => (row.strong && credit ? { ...row, label: 'Total credited' } : row)),
    terms: text(invoice.notes),
    accepted: null,
  };
  const due = fmt.money(credit ? invoice.total : (invoice.open_amount ?? invoice.total));
  const payment: PaymentBlock = credit
    ? {
      heading: 'Credit',
      lines: [`This credit note reduces ${input.creditedNumber ? `invoice ${input.creditedNumber}` : 'the invoice'} by ${due}.`, ...(text(invoice.credit_reason) ? [`Reason: ${String(invoice.credit_reason)}`] : [])],
      payUrl: null,
      payLabel: '',
    }
    : {
      heading: 'Payment',
      lines: [
        invoice.status === 'draft' ? `Amount: ${due}` : `Amount due: ${due}${text(invoice.due_date) ? ` by ${fmt.date(invoice.due_date)}` : ''}`,
        ...input.instructions.split('|').map((l) => l.trim()).filter(Boolean),
        ...(text(invoice.number) ? [`Please quote ${String(invoice.number)} with your payment.`] : []),
      ],
      payUrl: input.payUrl,
      payLabel: 'View and pay online',
    };
  return { view, payment };
}
