import { AppError, ruleViolation } from '../../../platform/errors.ts';
import type { TxContext } from '../../../platform/records/context.ts';
import type { ApiRecord } from '../../../platform/records/hooks.ts';
import { getRecord, getRecordsById } from '../../../platform/records/read.ts';
import { createRecords } from '../../../platform/records/write.ts';
import { updateRecords } from '../../../platform/records/updateMany.ts';
import { Decimal, asDocumentCommand, isBlank, lockDocuments, prefixErrors, readLinesOfDocuments, writeLinesOfDocuments } from '../../billing/index.ts';
import { ORDER } from '../../orders/index.ts';
import { INVOICE } from '../kind.ts';
import type { CopiedLine } from './create.ts';

/** One invoice to make: its orders (one account, currency and tax treatment), header fields, and where its errors are named. */
export interface OrderGroup {
  orderIds: string[];
  /** Header fields for the invoice (payment_terms, po_number, notes…); account and currency come from the orders. */
  invoice?: Record<string, unknown>;
  /** Put before the fields its errors name (`orderIds[i]`, `invoice.…`, `lines[i].…`); '' for a request's only invoice. */
  prefix?: string;
}

const LINE = ['product', 'product_spec', 'unit_of_measure', 'description', 'unit_price'];
const PRICED = ['taxes', 'list_price', 'cost', 'price_explanation', 'name'];
const same = (values: unknown[]) => (values.every((v) => v === values[0]) ? values[0] : null);

/**
 * Draft invoices from groups of completed orders, all in the caller's transaction and with the
 * statements shared (invoiceOrders is one group; the monthly run gives one group per account's PO
 * for many accounts): every order of every group locked in id order with one statement, read with
 * the caller's access and their lines listed with one each; the invoices created with one
 * createRecords, all their lines with another (writeLinesOfDocuments: locked, positioned and
 * re-totalled together), every order marked with one updateRecords — each record still through
 * the record pipeline (access, validation, hooks, history, events). The first refusal refuses
 * every group (the caller's transaction rolls back), named under its group's prefix. Answers the
 * invoices, totalled, in the groups' order, with their line counts.
 */
export async function invoiceOrderGroups(args: { ctx: TxContext; groups: OrderGroup[] }): Promise<Array<{ invoice: ApiRecord; lineCount: number }>> {
  const { ctx } = args;
  const groups = args.groups.map((g) => ({ ...g, orderIds: [...new Set(g.orderIds)], prefix: g.prefix ?? '' }));
  for (const g of groups) if (!g.orderIds.length) throw ruleViolation([{ field: `${g.prefix}orderIds`, code: 'required', message: 'Name the orders to invoice' }]);
  const ids = groups.flatMap((g) => g.orderIds);
  if (new Set(ids).size !== ids.length) throw new Error('invoiceOrderGroups: each order in one group');
  const object = ctx.platform.registry.requireObject('order');
  // Locked in one order with one statement, then read with the caller's access (404 for an order
  // they cannot see), all in one statement; getRecord says why an order is missing.
  await lockDocuments(ctx, ORDER, [...ids].sort());
  const found = await getRecordsById({ ctx, object, ids });
  const ordersOf: ApiRecord[][] = [];
  for (const g of groups) {
    const orders: ApiRecord[] = [];
    for (const id of g.orderIds) orders.push(found.get(id) ?? (await getRecord({ ctx, object, id })));
    checkOrders(orders, g.prefix);
    ordersOf.push(orders);
  }
  const linesOf = await readLinesOfDocuments(ctx, ORDER, ids);
  const invoiceObject = ctx.platform.registry.requireObject('invoice');
  const invoices = await createRecords({
    ctx, object: invoiceObject,
    records: groups.map((g, n) => {
      const orders = ordersOf[n]!;
      const [first] = orders as [ApiRecord];
      const header = {
        ...Object.fromEntries([['contact', same(orders.map((o) => o.contact))], ['opportunity', same(orders.map((o) => o.opportunity))], ['po_number', same(orders.map((o) => o.po_number))]].filter(([, v]) => !isBlank(v))),
        ...(g.invoice ?? {}),
        account: first.account,
        currency: first.currency,
      };
      return { input: header, options: { pathPrefix: `${g.prefix}invoice.`, systemValues: { tax_inclusive: first.tax_inclusive === true } } };
    }),
  }).catch((error: unknown) => {
    throw groups.length === 1 ? prefixErrors(error, `${groups[0]!.prefix}invoice.`) : error;
  });
  const copied = ordersOf.map((orders) => orders.flatMap((order) => copyLines(order, linesOf.get(order.id)!)));
  await writeLinesOfDocuments({ ctx, kind: INVOICE, documents: invoices.map((header, n) => ({ header, prefix: groups[n]!.prefix, lines: copied[n]! })) });
  // Every order marked with its invoice by one UPDATE, each still through the record pipeline (history, event, hooks).
  const marks = groups.flatMap((g, n) => g.orderIds.map((id) => ({ id, input: {}, options: { systemValues: { invoice: invoices[n]!.id } } })));
  await asDocumentCommand(ctx, ids, () => updateRecords({ ctx, object, records: marks }));
  const totalled = await getRecordsById({ ctx, object: invoiceObject, ids: invoices.map((i) => i.id) });
  return invoices.map((i, n) => ({ invoice: totalled.get(i.id)!, lineCount: copied[n]!.length }));
}

/** An invoice's orders: completed, not invoiced yet, of one account, currency and tax treatment (409 or 422 naming `orderIds[i]`). */
function checkOrders(orders: ApiRecord[], prefix: string): void {
  const [first] = orders as [ApiRecord];
  orders.forEach((order, i) => {
    const conflict = (code: string, message: string) => new AppError('conflict', message, { errors: [{ field: `${prefix}orderIds[${i}]`, code, message }] });
    if (order.status !== 'completed') throw conflict('order_not_completed', `Order ${String(order.number)} is not completed`);
    if (!isBlank(order.invoice)) throw conflict('order_invoiced', `Order ${String(order.number)} is invoiced already`);
    for (const [field, code] of [['account', 'other_account'], ['currency', 'other_currency'], ['tax_inclusive', 'other_tax_treatment']] as const) {
      if ((order[field] ?? null) !== (first[field] ?? null)) throw ruleViolation([{ field: `${prefix}orderIds[${i}]`, code, message: `Order ${String(order.number)} has another ${field.replace('_', ' ')} than ${String(first.number)}: invoice them separately` }]);
    }
  });
}

/**
 * An order's lines as invoice lines at the price they were sold at (copied, never priced again):
 * an order's document discount becomes the lines' discount amounts, so each line's net is what
 * the order charged for it; each names its order and order line.
 */
function copyLines(order: ApiRecord, lines: ApiRecord[]): CopiedLine[] {
  const discounted = !isBlank(order.discount_total) && Number(order.discount_total) !== 0;
  return lines.map((line) => {
    const input: Record<string, unknown> = { ...Object.fromEntries(LINE.filter((f) => !isBlank(line[f])).map((f) => [f, line[f]])), quantity: line.quantity };
    if (discounted) input.discount_amount = new Decimal(String(line.gross)).minus(String(line.taxable)).toNumber();
    else for (const f of ['discount_percent', 'discount_amount']) if (!isBlank(line[f])) input[f] = line[f];
    return { input, systemValues: { ...Object.fromEntries(PRICED.map((f) => [f, line[f] ?? null])), order: order.id, order_line: line.id } };
  });
}
