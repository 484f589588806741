import type { AfterSaveArgs, BeforeDeleteArgs, BeforeLockArgs, BeforeSaveArgs } from '../../../../platform/records/hooks.ts';
import { AppError } from '../../../../platform/errors.ts';
import { sql } from 'kysely';
import { isBlank, refuse, roundingPolicy, tableOf } from '../../context.ts';
import { computeQuoteFigures } from '../totals.ts';
import { deferredTotals } from '../batch.ts';
import { checkLineInput, explain, priceLine, unitCost } from '../pricing.ts';
import { lineColumns, lockQuote, recalculateQuote, storeQuoteTotals } from '../recalculate.ts';
import { assertCanRun } from '../status.ts';
import { inQuoteCommand, isQuoteDeleting, markQuoteDeleting } from '../scope.ts';
import type { QuoteStatus } from '../objects.ts';

const PRICE_INPUTS = ['product', 'product_spec', 'unit_of_measure', 'quantity'];

/**
 * A quote line's save: the quote must still be editable (or a command is writing), the input
 * is checked, the line is priced with resolvePrice (a given unit price overrides the book's,
 * which is kept as the list price), its taxes determined, and the whole quote re-totalled with
 * the kernel — this line's figures go into the record, the others' and the quote's are stored.
 */
export async function saveQuoteLine(args: BeforeSaveArgs): Promise<void> {
  const { ctx, operation, data, merged, previous } = args;
  if (operation === 'update' && 'quote' in data && data.quote !== previous!.quote) refuse('quote', 'immutable', 'A line stays on its quote; delete it and add it to the other quote');
  const quote = (await lockQuote(ctx, String(merged.quote)))!;
  if (!inQuoteCommand(ctx, quote.id)) assertCanRun('edit', quote.status as QuoteStatus);
  if (operation === 'update' && !inQuoteCommand(ctx, quote.id) && 'selected' in data && merged.optional !== true && data.selected === false) {
    refuse('selected', 'not_optional', 'Only optional lines can be left out');
  }
  checkLineInput(merged, quote.currency, { discounts: true });
  // An optional line is offered, not counted, until chosen (a rep may preselect it).
  if (isBlank(merged.selected) || (operation === 'update' && 'optional' in data && data.optional !== previous!.optional && !('selected' in data))) {
    data.selected = merged.selected = merged.optional !== true;
  }

  const repriced = operation === 'create' || PRICE_INPUTS.some((f) => f in data && JSON.stringify(data[f]) !== JSON.stringify(previous?.[f] ?? null));
  let taxInclusive = quote.tax_inclusive;
  if (repriced) {
    const answer = await priceLine({ ctx, account: quote.account_id, values: merged, currency: quote.currency, date: quote.price_date });
    data.unit_of_measure = merged.unit_of_measure = answer.uom.id;
    data.list_price = merged.list_price = Number(answer.unitPrice);
    data.price_explanation = explain(answer);
    data.taxes = merged.taxes = JSON.stringify(answer.taxes.rates);
    data.cost = await unitCost({ ctx, product: String(merged.product), currency: quote.currency, date: quote.price_date! }).catch(() => null);
    if (isBlank(merged.unit_price) || (operation === 'update' && !('unit_price' in data))) data.unit_price = merged.unit_price = Number(answer.unitPrice);
    if (isBlank(merged.description)) data.description = answer.product.name + (answer.spec ? ` (${answer.spec.name})` : '');
    taxInclusive = answer.taxInclusive;
    data.name = `${answer.product.code} × ${String(merged.quantity)} ${answer.uom.code}`;
  } else if (isBlank(merged.unit_price)) {
    data.unit_price = merged.unit_price = merged.list_price;
  }
  if (operation === 'create' && isBlank(merged.position)) {
    const r = await sql<{ n: string }>`SELECT coalesce(max(position), 0) + 1 AS n FROM ${tableOf(ctx, 'quote_line')} WHERE quote_id = ${quote.id} AND deleted_at IS NULL`.execute(ctx.trx);
    data.position = Number(r.rows[0]!.n);
  }
  const key = previous?.id ?? 'new';
  const batch = deferredTotals(ctx, quote.id);
  if (batch) {
    // Lines written together (a new quote, a revision): this line is checked and figured on its
    // own now, the quote once at the end (batch.ts) — not every line again for every line.
    batch.taxInclusive = taxInclusive;
    const alone = computeQuoteFigures({ currency: quote.currency, rounding: roundingPolicy(ctx.platform), taxInclusive: taxInclusive === true, discount: null, lines: [{ ...merged, key, selected: true } as never] });
    Object.assign(data, lineColumns(alone, key));
    return;
  }
  const figures = await recalculateQuote({ ctx, quote: { ...quote, tax_inclusive: taxInclusive }, change: { ...merged, key } as never });
  Object.assign(data, lineColumns(figures, key));
  await storeQuoteTotals(ctx, quote.id, figures, taxInclusive !== quote.tax_inclusive ? { tax_inclusive: taxInclusive } : {});
}

/** A line deleted from an editable quote re-totals it; lines of a quote being deleted just go. */
export async function deleteQuoteLine({ ctx, record }: BeforeDeleteArgs): Promise<void> {
  const quoteId = String(record.quote);
  if (isQuoteDeleting(ctx, quoteId)) return;
  const quote = await lockQuote(ctx, quoteId);
  if (!quote || quote.deleted_at) return;
  if (!inQuoteCommand(ctx, quoteId)) assertCanRun('edit', quote.status as QuoteStatus);
  const figures = await recalculateQuote({ ctx, quote, without: record.id });
  await storeQuoteTotals(ctx, quoteId, figures);
}

/** Only quotes that never went out can be deleted; a sent one stays as the record of what was offered. */
export async function deleteQuote({ ctx, record }: BeforeDeleteArgs): Promise<void> {
  const status = record.status as QuoteStatus;
  if (!['draft', 'pending_approval', 'approved'].includes(status)) {
    throw new AppError('conflict', 'A quote that was sent cannot be deleted', { errors: [{ field: 'status', code: 'quote_locked', message: `A ${status.replace('_', ' ')} quote cannot be deleted` }] });
  }
  markQuoteDeleting(ctx, record.id);
}

/**
 * A line (or a quote with its lines) back from the recycle bin: the quote is re-totalled, and a
 * line cannot come back into a quote that went out (409 quote_locked, the restore is undone).
 */
export async function restoreQuoteLine({ ctx, record }: AfterSaveArgs): Promise<void> {
  const quote = await lockQuote(ctx, String(record.quote));
  if (!quote || quote.deleted_at) return;
  if (!inQuoteCommand(ctx, quote.id)) assertCanRun('edit', quote.status as QuoteStatus);
  await storeQuoteTotals(ctx, quote.id, await recalculateQuote({ ctx, quote }));
}

export async function restoreQuote({ ctx, record }: AfterSaveArgs): Promise<void> {
  const quote = (await lockQuote(ctx, record.id))!;
  await storeQuoteTotals(ctx, quote.id, await recalculateQuote({ ctx, quote }));
}

/** A line's write locks its quote before the line itself: the same order as the quote's own writes, so concurrent edits of one quote queue instead of deadlocking. */
export async function lockQuoteFirst({ ctx, id }: BeforeLockArgs): Promise<void> {
  const r = await sql<{ quote_id: string }>`SELECT quote_id FROM ${tableOf(ctx, 'quote_line')} WHERE id = ${id}`.execute(ctx.trx);
  if (r.rows[0]) await lockQuote(ctx, r.rows[0].quote_id);
}
