import { formatDate, num, text, type Cell } from './csv.ts';
import type { CsvFormat, CsvLayout } from './layout.ts';
import { currencyOf, csvRows, money, plain } from './rows.ts';
import type { ExportDocument } from './read.ts';

/**
 * QuickBooks Online's import layouts (Settings ⚙ → Import data → Invoices / Credit notes): one
 * record per line, the document's columns repeated on each. QuickBooks has no invoice with a
 * negative total, so credit notes go through its credit-note import in their own layout with
 * positive amounts, and one file holds one kind. Dates are MM/DD/YYYY (pick that format in the
 * import's mapping step); tax codes are mapped to the company's in the import's last step.
 */
export const QBO_INVOICE_COLUMNS = [
  '*InvoiceNo', '*Customer', '*InvoiceDate', '*DueDate', 'Terms', 'Location', 'Memo',
  'Item(Product/Service)', 'ItemDescription', 'ItemQuantity', 'ItemRate', '*ItemAmount', '*ItemTaxCode', 'ItemTaxAmount', 'Currency',
] as const;

export const QBO_CREDIT_NOTE_COLUMNS = [
  '*CreditNoteNo', '*Customer', '*CreditNoteDate', 'Location', 'Memo',
  'Item(Product/Service)', 'ItemDescription', 'ItemQuantity', 'ItemRate', '*ItemAmount', '*ItemTaxCode', 'ItemTaxAmount', 'Currency',
] as const;

const TERMS: Record<string, string> = { due_on_receipt: 'Due on receipt', net_15: 'Net 15', net_30: 'Net 30', net_45: 'Net 45', net_60: 'Net 60', net_90: 'Net 90' };
const date = (iso: unknown) => formatDate(iso, 'MM/DD/YYYY');

function memo(doc: ExportDocument): string | null {
  const { invoice } = doc;
  const parts = [
    invoice.po_number ? `PO ${String(invoice.po_number)}` : null,
    doc.credited?.number ? `Credits ${doc.credited.number}` : null,
    invoice.credit_reason ? String(invoice.credit_reason) : null,
  ].filter(Boolean);
  return parts.length ? parts.join('; ') : null;
}

function lineCells(doc: ExportDocument, taxCodes: Map<string, string>): Cell[][] {
  const currency = currencyOf(doc);
  return csvRows(doc, { percentColumn: false, taxCodes }).map((row) => [
    text(row.item), text(row.description), num(plain(row.quantity)), num(plain(row.unitPrice)),
    num(money(row.amount, currency)), text(row.taxCode), num(money(row.tax, currency)), text(currency),
  ]);
}

export function quickbooksFormat(taxCodes: Map<string, string>): CsvFormat {
  const invoices: CsvLayout = {
    columns: QBO_INVOICE_COLUMNS,
    records(doc) {
      const { invoice } = doc;
      const head = [text(invoice.number), text(doc.account?.name), text(date(invoice.invoice_date)), text(date(invoice.due_date ?? invoice.invoice_date)),
        text(TERMS[String(invoice.payment_terms)] ?? null), text(null), text(memo(doc))];
      return lineCells(doc, taxCodes).map((cells) => [...head, ...cells]);
    },
  };
  const creditNotes: CsvLayout = {
    columns: QBO_CREDIT_NOTE_COLUMNS,
    records(doc) {
      const { invoice } = doc;
      const head = [text(invoice.number), text(doc.account?.name), text(date(invoice.invoice_date)), text(null), text(memo(doc))];
      return lineCells(doc, taxCodes).map((cells) => [...head, ...cells]);
    },
  };
  return { name: 'quickbooks', layout: (kind) => (kind === 'invoice' ? invoices : kind === 'credit_note' ? creditNotes : null) };
}
