import { registerListExtension, registerRecordExtension } from '../../lib/extensions';
import { ExportButton, UblLink } from './ExportDialog';

/** The accounting export in the web app (issue 12 item 9): "Export…" on the invoices list, "UBL XML" on a posted invoice. */
export function registerInvoiceExport(): void {
  registerListExtension('invoice', { Actions: ExportButton });
  registerRecordExtension('invoice', { Actions: UblLink });
}
