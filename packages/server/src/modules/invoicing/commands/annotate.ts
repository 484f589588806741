import { ruleViolation } from '../../../platform/errors.ts';
import type { ApiRecord } from '../../../platform/records/hooks.ts';
import { runDocumentCommand } from '../../billing/index.ts';
import { invoice as invoiceObject } from '../objects.ts';
import { setInvoiceValues, type InvoiceCommandArgs } from './common.ts';

const OWN = new Set(invoiceObject.fields.map((f) => f.apiName));

/**
 * Values of fields other modules add to invoices (`fieldsFor`) that say something about the
 * invoice without being part of it — dunning's `disputed` — set in any status, posted and paid
 * included. Invoicing stays in charge: its own fields (everything printed, totalled or
 * numbered) are refused here, so a posted invoice still changes only through its commands. The
 * caller needs edit access to the invoice; history and record events as for any write.
 */
export function annotateInvoice(args: InvoiceCommandArgs & { values: Record<string, unknown> }): Promise<ApiRecord> {
  const own = Object.keys(args.values).filter((k) => OWN.has(k));
  if (own.length) throw ruleViolation(own.map((f) => ({ field: f, code: 'invoice_field', message: 'Only fields other modules add to invoices can be set this way' })));
  return runDocumentCommand({
    ctx: args.ctx, object: 'invoice', id: args.id, ...(args.expectedVersion !== undefined ? { expectedVersion: args.expectedVersion } : {}),
    assertStatus: () => {},
    run: (ctx) => setInvoiceValues(ctx, args.id, args.values),
  });
}
