import type { HookRegistry } from '../../platform/records/hooks.ts';
import { documentLineRules } from '../billing/index.ts';
import { deleteInvoice, saveInvoice, saveInvoices } from './rules/invoice.ts';
import { assertCanRun } from './status.ts';
import { INVOICE } from './kind.ts';
import type { InvoiceStatus } from './objects.ts';

const SAVE = ['create', 'update'] as const;

/** Invoices' rules on the record pipeline (every entry point: REST, bulk, imports, commands). Lines change only on drafts (409 `invoice_posted`). */
export function registerInvoicingHooks(hooks: HookRegistry): void {
  const lines = documentLineRules(INVOICE, (status) => assertCanRun('edit', status as InvoiceStatus));
  hooks.register('beforeSave', { name: 'invoicing.invoice', object: 'invoice', operations: [...SAVE], run: (args) => saveInvoice(args), runMany: saveInvoices });
  hooks.register('beforeDelete', { name: 'invoicing.invoiceDelete', object: 'invoice', run: deleteInvoice });
  hooks.register('afterSave', { name: 'invoicing.invoiceRestore', object: 'invoice', operations: ['restore'], run: lines.restoreHeader });
  hooks.register('beforeLock', { name: 'invoicing.invoiceLineLock', object: 'invoice_line', run: lines.lockHeaderFirst });
  hooks.register('beforeSave', { name: 'invoicing.invoiceLine', object: 'invoice_line', operations: [...SAVE], run: lines.save });
  hooks.register('beforeDelete', { name: 'invoicing.invoiceLineDelete', object: 'invoice_line', run: lines.delete });
  hooks.register('afterSave', { name: 'invoicing.invoiceLineRestore', object: 'invoice_line', operations: ['restore'], run: lines.restore });
}
