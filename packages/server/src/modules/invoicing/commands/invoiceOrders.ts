import { AppError, ruleViolation } from '../../../platform/errors.ts';
import { inTransaction, type RecordContext } from '../../../platform/records/context.ts';
import type { ApiRecord } from '../../../platform/records/hooks.ts';
import { getRecord, getRecordsById } from '../../../platform/records/read.ts';
import { updateRecords } from '../../../platform/records/updateMany.ts';
import { Decimal, asDocumentCommand, isBlank, lockDocuments, readLinesOfDocuments } from '../../billing/index.ts';
import { ORDER } from '../../orders/index.ts';
import { createInvoice, type CopiedLine } from './create.ts';

export interface InvoiceOrdersInput {
  orderIds: string[];
  /** Header fields for the invoice (payment_terms, po_number, notes…); account and currency come from the orders. */
  invoice?: Record<string, unknown>;
}

const LINE = ['product', 'product_spec', 'unit_of_measure', 'description', 'unit_price'];
const PRICED = ['taxes', 'list_price', 'cost', 'price_explanation', 'name'];
const same = (values: unknown[]) => (values.every((v) => v === values[0]) ? values[0] : null);

/**
 * One draft invoice from completed orders of one account and currency (per PO, or a month's
 * orders): every order line becomes an invoice line at the price it was sold at (copied, never
 * priced again; an order's document discount becomes the lines' discount amounts, so each line's
 * net is what the order charged for it), naming its order and order line; each order is marked
 * with the invoice. The orders are locked first (in id order), so two runs cannot invoice one
 * order twice: an order already invoiced is a 409 `order_invoiced`, one not completed a 409
 * `order_not_completed`, an order of another account or currency a 422 naming `orderIds[i]`.
 */
export async function invoiceOrders(args: {
  ctx: RecordContext; input: InvoiceOrdersInput;
  /** Answer the invoice's lines too (default); a run that posts the invoice at once needs only their number. */
  readLines?: boolean;
}): Promise<{ invoice: ApiRecord; lines: ApiRecord[]; lineCount: number }> {
  const ids = [...new Set(args.input.orderIds)];
  if (!ids.length) throw ruleViolation([{ field: 'orderIds', code: 'required', message: 'Name the orders to invoice' }]);
  return inTransaction(args.ctx, async (ctx) => {
    const object = ctx.platform.registry.requireObject('order');
    // Locked in one order with one statement, then read with the caller's access (404 for an order
    // they cannot see), all in one statement; getRecord says why an order is missing.
    await lockDocuments(ctx, ORDER, [...ids].sort());
    const found = await getRecordsById({ ctx, object, ids });
    const orders: ApiRecord[] = [];
    for (const id of ids) orders.push(found.get(id) ?? (await getRecord({ ctx, object, id })));
    const [first] = orders as [ApiRecord];
    orders.forEach((order, i) => {
      const conflict = (code: string, message: string) => new AppError('conflict', message, { errors: [{ field: `orderIds[${i}]`, code, message }] });
      if (order.status !== 'completed') throw conflict('order_not_completed', `Order ${String(order.number)} is not completed`);
      if (!isBlank(order.invoice)) throw conflict('order_invoiced', `Order ${String(order.number)} is invoiced already`);
      for (const [field, code] of [['account', 'other_account'], ['currency', 'other_currency'], ['tax_inclusive', 'other_tax_treatment']] as const) {
        if ((order[field] ?? null) !== (first[field] ?? null)) throw ruleViolation([{ field: `orderIds[${i}]`, code, message: `Order ${String(order.number)} has another ${field.replace('_', ' ')} than ${String(first.number)}: invoice them separately` }]);
      }
    });
    const copied: CopiedLine[] = [];
    const linesOf = await readLinesOfDocuments(ctx, ORDER, ids);
    for (const order of orders) {
      const discounted = !isBlank(order.discount_total) && Number(order.discount_total) !== 0;
      for (const line of linesOf.get(order.id)!) {
        const input: Record<string, unknown> = { ...Object.fromEntries(LINE.filter((f) => !isBlank(line[f])).map((f) => [f, line[f]])), quantity: line.quantity };
        if (discounted) input.discount_amount = new Decimal(String(line.gross)).minus(String(line.taxable)).toNumber();
        else for (const f of ['discount_percent', 'discount_amount']) if (!isBlank(line[f])) input[f] = line[f];
        copied.push({ input, systemValues: { ...Object.fromEntries(PRICED.map((f) => [f, line[f] ?? null])), order: order.id, order_line: line.id } });
      }
    }
    const header = {
      ...Object.fromEntries([['contact', same(orders.map((o) => o.contact))], ['opportunity', same(orders.map((o) => o.opportunity))], ['po_number', same(orders.map((o) => o.po_number))]].filter(([, v]) => !isBlank(v))),
      ...(args.input.invoice ?? {}),
      account: first.account,
      currency: first.currency,
    };
    const result = await createInvoice({ ctx, input: { invoice: header }, systemValues: { tax_inclusive: first.tax_inclusive === true }, copied, readLines: args.readLines !== false });
    // Every order marked with one UPDATE, each still through the record pipeline (history, event, hooks).
    await asDocumentCommand(ctx, ids, () => updateRecords({ ctx, object, records: ids.map((id) => ({ id, input: {}, options: { systemValues: { invoice: result.invoice.id } } })) }));
    return { ...result, lineCount: copied.length };
  });
}
