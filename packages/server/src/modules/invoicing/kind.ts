import type { DocumentKind, DocumentRow } from '../billing/index.ts';

/** Invoices and credit notes as one of billing's priced documents (billing/documents/kind.ts). */
export const INVOICE: DocumentKind = {
  header: 'invoice',
  line: 'invoice_line',
  parent: 'invoice',
  selectable: false,
  extraColumns: ['kind', 'payment_terms', 'invoice_date', 'credited_invoice_id', 'contact_id', 'opportunity_id', 'total', 'credited_total', 'open_amount'],
};

export type InvoiceRow = DocumentRow & {
  kind: 'invoice' | 'credit_note';
  payment_terms: string | null;
  invoice_date: string | null;
  credited_invoice_id: string | null;
  contact_id: string | null;
  opportunity_id: string | null;
  total: string | null;
  credited_total: string | null;
  open_amount: string | null;
};
