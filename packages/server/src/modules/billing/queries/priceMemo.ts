import type { Transaction } from 'kysely';
import type { RecordContext, TxContext } from '../../../platform/records/context.ts';

/**
 * What pricing many lines of one document may share (resolvePrices, a quote's lines written in
 * one request): the caller's visibility of the account and each product, the records pricing
 * reads, the unit, the book and the taxes — read once per batch instead of once per line.
 *
 * Scoped to one call that writes no reference data (the lines of one quote), never to a whole
 * transaction that might also change a product or a book between two prices.
 */
export class PriceMemo {
  readonly #entries = new Map<string, Promise<unknown>>();

  /** The value for a key, loading it once; a refusal is remembered too (the batch fails as a whole). */
  remember<T>(key: string, load: () => Promise<T>): Promise<T> {
    let p = this.#entries.get(key) as Promise<T> | undefined;
    if (!p) this.#entries.set(key, (p = load()));
    return p;
  }

  /** The value for a key if it is loaded or loading, without loading it. */
  known<T>(key: string): Promise<T> | undefined {
    return this.#entries.get(key) as Promise<T> | undefined;
  }

  /** Primes a value already known (e.g. products read in one query). */
  set<T>(key: string, value: T): void {
    this.#entries.set(key, Promise.resolve(value));
  }
}

const memos = new WeakMap<Transaction<any>, PriceMemo>();

export function priceMemoOf(ctx: RecordContext): PriceMemo | undefined {
  return ctx.trx ? memos.get(ctx.trx) : undefined;
}

/** Runs fn with a price memo on the transaction (joining an open one). */
export async function withPriceMemo<T>(ctx: TxContext, fn: (memo: PriceMemo) => Promise<T>): Promise<T> {
  const open = memos.get(ctx.trx);
  if (open) return fn(open);
  const memo = new PriceMemo();
  memos.set(ctx.trx, memo);
  try {
    return await fn(memo);
  } finally {
    memos.delete(ctx.trx);
  }
}

/** Through the memo when there is one, else straight. */
export function memoized<T>(ctx: RecordContext, key: string, load: () => Promise<T>): Promise<T> {
  const memo = priceMemoOf(ctx);
  return memo ? memo.remember(key, load) : load();
}
