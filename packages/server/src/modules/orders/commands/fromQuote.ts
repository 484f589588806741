import { sql } from 'kysely';
import { asSystem, type TxContext } from '../../../platform/records/context.ts';
import { QUOTE, isBlank, readDocumentLines, readRecord, tableOf } from '../../billing/index.ts';
import { now, orderEvent, setOrderValues } from './common.ts';
import { confirmCheckReasons } from './checks.ts';
import { putOnHold } from './holds.ts';
import { writeOrder, type OrderWithLines } from './createOrder.ts';

/** What a quote line hands to its order line: the product, the quantity and the price it was sold at. */
const COPIED_INPUT = ['product', 'product_spec', 'unit_of_measure', 'description', 'quantity', 'unit_price', 'discount_percent', 'discount_amount', 'position'];
const COPIED_SYSTEM = ['name', 'list_price', 'price_explanation', 'cost', 'taxes'];
const pick = (record: Record<string, unknown>, fields: string[]) => Object.fromEntries(fields.filter((f) => !isBlank(record[f])).map((f) => [f, record[f]]));

/**
 * An accepted quote becomes a confirmed order (FIN-1, seed 000's quote → sales order): the
 * account, contact, opportunity and the project won with it, the currency, discount and price
 * date, and the chosen lines at the prices accepted — not re-priced, so the order's total is the
 * accepted total to the cent. Runs as the system in the event's transaction; once per quote (a
 * redelivered event finds the order and does nothing). An order over the account's credit limit
 * (or held by another registered check) is held instead of confirmed.
 */
export async function createOrderFromQuote(args: { ctx: TxContext; quoteId: string }): Promise<OrderWithLines | null> {
  const ctx = asSystem(args.ctx);
  const existing = await sql<{ id: string }>`SELECT id FROM ${tableOf(ctx, 'order')} WHERE quote_id = ${args.quoteId} AND deleted_at IS NULL LIMIT 1`.execute(ctx.trx);
  if (existing.rows.length) return null;
  const quote = await readRecord(ctx, 'quote', args.quoteId);
  if (quote.status !== 'accepted') return null;
  const project = isBlank(quote.opportunity)
    ? []
    : (await sql<{ id: string }>`SELECT id FROM ${tableOf(ctx, 'project')} WHERE opportunity_id = ${quote.opportunity} AND deleted_at IS NULL ORDER BY created_at LIMIT 1`.execute(ctx.trx)).rows;
  const lines = (await readDocumentLines(ctx, QUOTE, args.quoteId)).filter((l) => l.selected !== false);
  const created = await writeOrder({
    ctx,
    header: {
      account: quote.account, contact: quote.contact ?? null, opportunity: quote.opportunity ?? null, project: project[0]?.id ?? null,
      currency: quote.currency, price_date: quote.price_date, discount_percent: quote.discount_percent ?? null, discount_amount: quote.discount_amount ?? null,
      owner: quote.owner,
    },
    systemValues: { source: 'quote', quote: quote.id, status: 'received', tax_inclusive: quote.tax_inclusive ?? false },
    lines: lines.map((l) => ({ input: pick(l, COPIED_INPUT), systemValues: { ...pick(l, COPIED_SYSTEM), taxes: l.taxes ?? '[]' } })),
  });
  // The confirm checks other modules register (the credit limit) see it as any order being
  // confirmed: an objection holds it, received, for someone to release and confirm.
  const objections = await confirmCheckReasons(ctx, created.order);
  if (objections.length) return { ...created, order: await putOnHold(ctx, created.order, objections) };
  const order = await setOrderValues(ctx, created.order.id, { status: 'confirmed', confirmed_at: now() });
  await orderEvent(ctx, 'order.confirmed', order, { quote: quote.id });
  return { ...created, order };
}
