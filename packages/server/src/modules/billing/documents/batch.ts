import type { Transaction } from 'kysely';
import type { TxContext } from '../../../platform/records/context.ts';
import { AppError } from '../../../platform/errors.ts';
import type { DocumentKind } from './kind.ts';
import { lockDocument, retotalDocument, type DocumentRow } from './lines.ts';

/**
 * Writing many lines of one document at once (a new quote, a revision, an order from a quote, an
 * invoice from orders): each line's save checks and figures the line alone, and the document is
 * re-totalled once at the end, in the same transaction — instead of re-totalling every line for
 * every line (a 200-line quote took 6 s that way).
 */
export interface Batch {
  taxInclusive: boolean | null;
  /** The document, locked by the batch's first line: its status, currency and discount do not change while its lines are written. */
  header?: DocumentRow;
  /** The next line's position: read once, then counted (the lines of a batch are saved before any is inserted). */
  nextPosition?: number;
}
const batches = new WeakMap<Transaction<any>, Map<string, Batch>>();

export function deferredTotals(ctx: TxContext, id: string): Batch | undefined {
  return batches.get(ctx.trx)?.get(id);
}

/** The transaction's documents whose lines are being written together (batchMany.ts registers several at once). */
export function openBatches(ctx: TxContext): Map<string, Batch> {
  let open = batches.get(ctx.trx);
  if (!open) batches.set(ctx.trx, (open = new Map()));
  return open;
}

export async function withDeferredTotals<T>(ctx: TxContext, kind: DocumentKind, id: string, fn: () => Promise<T>): Promise<T> {
  const open = openBatches(ctx);
  const batch: Batch = { taxInclusive: null };
  open.set(id, batch);
  let result: T;
  try {
    result = await fn();
  } finally {
    open.delete(id);
  }
  const header = (await lockDocument(ctx, kind, id))!;
  const taxInclusive = batch.taxInclusive ?? header.tax_inclusive;
  try {
    await retotalDocument(ctx, kind, id, taxInclusive !== header.tax_inclusive ? { tax_inclusive: taxInclusive } : {}, header);
  } catch (error) {
    // Only the document's own figures can fail here (a discount amount above the subtotal): name them as the header's.
    if (error instanceof AppError) throw new AppError(error.code, error.message, { errors: error.errors.map((e) => ({ ...e, field: `${kind.header}.${e.field}` })), extra: error.extra });
    throw error;
  }
  return result;
}
