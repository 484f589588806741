import { registerRecordExtension } from '../../lib/extensions';
import { LineItemsPanel } from '../line-items/LineItemsPanel';
import { INVOICE_LINES } from '../line-items/lines';
import { InvoiceActions, InvoiceBanner } from './InvoiceActions';
import { InvoiceOrderAction } from './InvoiceOrderAction';

/** Invoices in the web app (issue 12): post, send, credit, void, the PDF, and the lines (locked once posted); a completed order's Create invoice. */
export function registerInvoices(): void {
  registerRecordExtension('invoice', {
    Actions: InvoiceActions,
    Header: InvoiceBanner,
    Main: (slot) => <LineItemsPanel kind={INVOICE_LINES} {...slot} />,
    // A posted invoice never changes: no Edit, no inline edits.
    readOnly: (record) => record.status !== 'draft',
    // A posted invoice is never deleted: it is credited or voided.
    undeletable: (record) => record.status !== 'draft',
  });
  // A completed order is invoiced from its page.
  registerRecordExtension('order', { Actions: InvoiceOrderAction });
}
