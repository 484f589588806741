import type { HookRegistry } from '../../platform/records/hooks.ts';
import { deleteInvoice, saveInvoice } from './rules/invoice.ts';
import { deleteInvoiceLine, lockInvoiceFirst, restoreInvoice, restoreInvoiceLine, saveInvoiceLine } from './rules/invoiceLine.ts';

const SAVE = ['create', 'update'] as const;

/** Invoices' rules on the record pipeline (every entry point: REST, bulk, imports, commands). */
export function registerInvoicingHooks(hooks: HookRegistry): void {
  hooks.register('beforeSave', { name: 'invoicing.invoice', object: 'invoice', operations: [...SAVE], run: saveInvoice });
  hooks.register('beforeDelete', { name: 'invoicing.invoiceDelete', object: 'invoice', run: deleteInvoice });
  hooks.register('afterSave', { name: 'invoicing.invoiceRestore', object: 'invoice', operations: ['restore'], run: restoreInvoice });
  hooks.register('beforeLock', { name: 'invoicing.invoiceLineLock', object: 'invoice_line', run: lockInvoiceFirst });
  hooks.register('beforeSave', { name: 'invoicing.invoiceLine', object: 'invoice_line', operations: [...SAVE], run: saveInvoiceLine });
  hooks.register('beforeDelete', { name: 'invoicing.invoiceLineDelete', object: 'invoice_line', run: deleteInvoiceLine });
  hooks.register('afterSave', { name: 'invoicing.invoiceLineRestore', object: 'invoice_line', operations: ['restore'], run: restoreInvoiceLine });
}
