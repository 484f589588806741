import type { Transaction } from 'kysely';
import type { TxContext } from '../../../platform/records/context.ts';

/**
 * Documents a named command is changing in this transaction. Once a document has gone out (a
 * sent quote, a posted invoice, an order in production) its lines and figures are locked; the
 * commands themselves (accepting a quote's optional lines, copying lines into a new document)
 * still write through the record pipeline, marked here so the lock lets them through — clients
 * cannot set it. Documents being deleted are marked too, so their lines go without re-totalling.
 * Ids are UUIDs, so one set serves every kind of document.
 */
const open = new WeakMap<Transaction<any>, Set<string>>();
const deleting = new WeakMap<Transaction<any>, Set<string>>();

function setOf(map: WeakMap<Transaction<any>, Set<string>>, trx: Transaction<any>): Set<string> {
  let s = map.get(trx);
  if (!s) map.set(trx, (s = new Set()));
  return s;
}

export async function asDocumentCommand<T>(ctx: TxContext, id: string | string[], fn: () => Promise<T>): Promise<T> {
  const s = setOf(open, ctx.trx);
  const added = (Array.isArray(id) ? id : [id]).filter((x) => !s.has(x));
  for (const x of added) s.add(x);
  try {
    return await fn();
  } finally {
    for (const x of added) s.delete(x);
  }
}

export function inDocumentCommand(ctx: TxContext, id: string): boolean {
  return open.get(ctx.trx)?.has(id) ?? false;
}

export function markDocumentDeleting(ctx: TxContext, id: string): void {
  setOf(deleting, ctx.trx).add(id);
}

export function isDocumentDeleting(ctx: TxContext, id: string): boolean {
  return deleting.get(ctx.trx)?.has(id) ?? false;
}
