import type { Transaction } from 'kysely';
import type { TxContext } from '../../../platform/records/context.ts';

/**
 * Quotes a named command is changing in this transaction. Once a quote has gone out its lines
 * and figures are locked (status.ts, `edit`); the commands themselves (accept records the
 * customer's choice of optional lines, revise copies lines into the new version) still write
 * through the record pipeline, marked here so the lock lets them through — clients cannot set it.
 * Quotes being deleted are marked too, so their lines go along without recomputing.
 */
const open = new WeakMap<Transaction<any>, Set<string>>();
const deleting = new WeakMap<Transaction<any>, Set<string>>();

function setOf(map: WeakMap<Transaction<any>, Set<string>>, trx: Transaction<any>): Set<string> {
  let s = map.get(trx);
  if (!s) map.set(trx, (s = new Set()));
  return s;
}

export async function asQuoteCommand<T>(ctx: TxContext, quoteId: string, fn: () => Promise<T>): Promise<T> {
  const s = setOf(open, ctx.trx);
  const had = s.has(quoteId);
  s.add(quoteId);
  try {
    return await fn();
  } finally {
    if (!had) s.delete(quoteId);
  }
}

export function inQuoteCommand(ctx: TxContext, quoteId: string): boolean {
  return open.get(ctx.trx)?.has(quoteId) ?? false;
}

export function markQuoteDeleting(ctx: TxContext, quoteId: string): void {
  setOf(deleting, ctx.trx).add(quoteId);
}

export function isQuoteDeleting(ctx: TxContext, quoteId: string): boolean {
  return deleting.get(ctx.trx)?.has(quoteId) ?? false;
}
