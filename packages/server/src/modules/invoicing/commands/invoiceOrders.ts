import { ruleViolation } from '../../../platform/errors.ts';
import { inTransaction, type RecordContext } from '../../../platform/records/context.ts';
import type { ApiRecord } from '../../../platform/records/hooks.ts';
import { readInvoiceLines } from './common.ts';
import { invoiceOrderGroups } from './invoiceGroups.ts';

export interface InvoiceOrdersInput {
  orderIds: string[];
  /** Header fields for the invoice (payment_terms, po_number, notes…); account and currency come from the orders. */
  invoice?: Record<string, unknown>;
}

/**
 * One draft invoice from completed orders of one account and currency (per PO, or a month's
 * orders): every order line becomes an invoice line at the price it was sold at (copied, never
 * priced again; an order's document discount becomes the lines' discount amounts, so each line's
 * net is what the order charged for it), naming its order and order line; each order is marked
 * with the invoice. The orders are locked first (in id order), so two runs cannot invoice one
 * order twice: an order already invoiced is a 409 `order_invoiced`, one not completed a 409
 * `order_not_completed`, an order of another account or currency a 422 naming `orderIds[i]`.
 * (invoiceOrderGroups with one group: the monthly run makes many at once the same way.)
 */
export async function invoiceOrders(args: {
  ctx: RecordContext; input: InvoiceOrdersInput;
  /** Answer the invoice's lines too (default); a run that posts the invoice at once needs only their number. */
  readLines?: boolean;
}): Promise<{ invoice: ApiRecord; lines: ApiRecord[]; lineCount: number }> {
  if (!args.input.orderIds?.length) throw ruleViolation([{ field: 'orderIds', code: 'required', message: 'Name the orders to invoice' }]);
  return inTransaction(args.ctx, async (ctx) => {
    const [made] = await invoiceOrderGroups({ ctx, groups: [{ orderIds: args.input.orderIds, ...(args.input.invoice ? { invoice: args.input.invoice } : {}) }] });
    const { invoice, lineCount } = made!;
    return { invoice, lineCount, lines: args.readLines === false ? [] : await readInvoiceLines(ctx, invoice.id) };
  });
}
