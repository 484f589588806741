import { registerListExtension } from '../../lib/extensions';
import { ButtonLink } from '../../components/links';
import { RunInvoicing } from './RunInvoicing';

/** The monthly invoicing runs (issue 12 items 6 and 10): run by hand from their list, reached from the invoices list; order sources from the orders list. */
export function registerInvoiceRuns(): void {
  registerListExtension('invoice_run', { Actions: RunInvoicing });
  registerListExtension('invoice', { Actions: () => <ButtonLink variant="default" to="/o/$object" params={{ object: 'invoice_run' }}>Invoice runs</ButtonLink> });
  registerListExtension('order', { Actions: () => <ButtonLink variant="default" to="/o/$object" params={{ object: 'order_intake_source' }}>Order sources</ButtonLink> });
}
