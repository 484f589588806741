import type { TxContext } from '../../../platform/records/context.ts';
import { deferredTotals as deferred, withDeferredTotals as withDeferred, type Batch } from '../documents/batch.ts';
import { QUOTE } from './recalculate.ts';

/** A quote's lines written together, totalled once at the end (documents/batch.ts). */
export function deferredTotals(ctx: TxContext, quoteId: string): Batch | undefined {
  return deferred(ctx, quoteId);
}

export function withDeferredTotals<T>(ctx: TxContext, quoteId: string, fn: () => Promise<T>): Promise<T> {
  return withDeferred(ctx, QUOTE, quoteId, fn);
}
