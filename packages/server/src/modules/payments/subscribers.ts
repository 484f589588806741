import { eventHandler } from '../../platform/events/index.ts';
import { applyCreditToInvoice } from './commands/allocate.ts';

/**
 * `invoice.posted` → the account's credit (unallocated payments in the invoice's currency) is
 * applied to it, oldest payment first, in the dispatcher's transaction. Redelivered, it finds
 * nothing left to apply, or the invoice paid.
 */
export const creditToNewInvoices = eventHandler({
  name: 'payments.credit_to_new_invoices',
  types: ['invoice.posted'],
  run: (ctx, event) => applyCreditToInvoice(ctx, event.recordId),
});
