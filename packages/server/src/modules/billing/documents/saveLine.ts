import { sql } from 'kysely';
import type { BeforeSaveArgs } from '../../../platform/records/hooks.ts';
import { isBlank, refuse, roundingPolicy, tableOf } from '../context.ts';
import { computeQuoteFigures } from '../quotes/totals.ts';
import { checkLineInput, explain, priceLine, unitCost } from '../quotes/pricing.ts';
import type { DocumentKind } from './kind.ts';
import { deferredTotals } from './batch.ts';
import { lineColumns, recalculateDocument, storeDocumentTotals, totalsOf, type DocumentRow } from './lines.ts';

const PRICE_INPUTS = ['product', 'product_spec', 'unit_of_measure', 'quantity'];

/**
 * The shared part of a document line's save, after the document's own rules decided the line
 * may change (the caller locked the header): the input is checked, the line is priced with
 * resolvePrice (a given unit price overrides the book's, which is kept as the list price), its
 * taxes determined, and the whole document re-totalled with the kernel — this line's figures go
 * into the record, the others' and the header's are stored. A line copied from another document
 * (its taxes given by the copying command as a system value) keeps the prices it was sold at.
 */
export async function saveDocumentLine(args: BeforeSaveArgs, kind: DocumentKind, header: DocumentRow): Promise<void> {
  const { ctx, operation, data, merged, previous, options } = args;
  if (operation === 'update' && kind.parent in data && data[kind.parent] !== previous![kind.parent]) {
    refuse(kind.parent, 'immutable', `A line stays on its ${kind.header}; delete it and add it to the other one`);
  }
  checkLineInput(merged, header.currency, { discounts: true });
  const copied = options.systemValues !== undefined && 'taxes' in options.systemValues;
  const repriced = !copied && (operation === 'create' || PRICE_INPUTS.some((f) => f in data && JSON.stringify(data[f]) !== JSON.stringify(previous?.[f] ?? null)));
  let taxInclusive = header.tax_inclusive;
  if (repriced) {
    const answer = await priceLine({ ctx, account: header.account_id, values: merged, currency: header.currency, date: header.price_date });
    data.unit_of_measure = merged.unit_of_measure = answer.uom.id;
    data.list_price = merged.list_price = Number(answer.unitPrice);
    data.price_explanation = explain(answer);
    data.taxes = merged.taxes = JSON.stringify(answer.taxes.rates);
    data.cost = await unitCost({ ctx, product: String(merged.product), currency: header.currency, date: header.price_date! }).catch(() => null);
    if (isBlank(merged.unit_price) || (operation === 'update' && !('unit_price' in data))) data.unit_price = merged.unit_price = Number(answer.unitPrice);
    if (isBlank(merged.description)) data.description = answer.product.name + (answer.spec ? ` (${answer.spec.name})` : '');
    taxInclusive = answer.taxInclusive;
    data.name = `${answer.product.code} × ${String(merged.quantity)} ${answer.uom.code}`;
  } else if (isBlank(merged.unit_price)) {
    data.unit_price = merged.unit_price = merged.list_price;
  }
  const batch = deferredTotals(ctx, header.id);
  if (operation === 'create' && (batch || isBlank(merged.position))) {
    // In a batch the document's next position is read once and then counted: its lines are all saved before any is inserted.
    let next = batch?.nextPosition;
    if (next === undefined) {
      const r = await sql<{ n: string }>`SELECT coalesce(max(position), 0) + 1 AS n FROM ${tableOf(ctx, kind.line)} WHERE ${sql.ref(`${kind.parent}_id`)} = ${header.id} AND deleted_at IS NULL`.execute(ctx.trx);
      next = Number(r.rows[0]!.n);
    }
    if (isBlank(merged.position)) data.position = next++;
    else next = Math.max(next, Number(merged.position) + 1);
    if (batch) batch.nextPosition = next;
  }
  const key = previous?.id ?? 'new';
  if (batch) {
    // Lines written together: this line is checked and figured on its own now, the document once at the end (batch.ts).
    if (repriced) batch.taxInclusive = taxInclusive;
    const alone = computeQuoteFigures({ currency: header.currency, rounding: roundingPolicy(ctx.platform), taxInclusive: taxInclusive === true, discount: null, lines: [{ ...merged, key, selected: true } as never] });
    Object.assign(data, lineColumns(alone, key));
    return;
  }
  const figures = await recalculateDocument({ ctx, kind, header: { ...header, tax_inclusive: taxInclusive }, change: { ...merged, key } as never });
  Object.assign(data, lineColumns(figures, key));
  await storeDocumentTotals(ctx, kind, header.id, { ...totalsOf(ctx, kind, figures), ...(taxInclusive !== header.tax_inclusive ? { tax_inclusive: taxInclusive } : {}) });
}
