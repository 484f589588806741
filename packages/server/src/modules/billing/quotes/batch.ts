import type { Transaction } from 'kysely';
import type { TxContext } from '../../../platform/records/context.ts';
import { AppError } from '../../../platform/errors.ts';
import { lockQuote, recalculateQuote, storeQuoteTotals } from './recalculate.ts';

/**
 * Writing many lines of one quote at once (createQuote, reviseQuote): each line's save checks and
 * figures the line alone, and the quote is re-totalled once at the end, in the same transaction —
 * instead of re-totalling every line for every line (a 200-line quote took 6 s that way).
 */
interface Batch {
  taxInclusive: boolean | null;
}
const batches = new WeakMap<Transaction<any>, Map<string, Batch>>();

export function deferredTotals(ctx: TxContext, quoteId: string): Batch | undefined {
  return batches.get(ctx.trx)?.get(quoteId);
}

export async function withDeferredTotals<T>(ctx: TxContext, quoteId: string, fn: () => Promise<T>): Promise<T> {
  let open = batches.get(ctx.trx);
  if (!open) batches.set(ctx.trx, (open = new Map()));
  const batch: Batch = { taxInclusive: null };
  open.set(quoteId, batch);
  let result: T;
  try {
    result = await fn();
  } finally {
    open.delete(quoteId);
  }
  const quote = (await lockQuote(ctx, quoteId))!;
  const taxInclusive = batch.taxInclusive ?? quote.tax_inclusive;
  try {
    const figures = await recalculateQuote({ ctx, quote: { ...quote, tax_inclusive: taxInclusive } });
    await storeQuoteTotals(ctx, quoteId, figures, taxInclusive !== quote.tax_inclusive ? { tax_inclusive: taxInclusive } : {});
  } catch (error) {
    // Only the document's own figures can fail here (a discount amount above the subtotal): name them as the quote's.
    if (error instanceof AppError) throw new AppError(error.code, error.message, { errors: error.errors.map((e) => ({ ...e, field: `quote.${e.field}` })), extra: error.extra });
    throw error;
  }
  return result;
}
