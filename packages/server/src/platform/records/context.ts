import { sql, type Transaction } from 'kysely';
import type { Platform } from '../kernel.ts';
import type { AccessInfo } from '../access/info.ts';
import { writeStagedChanges, type StagedChange } from './history.ts';

/** Through what a change was made; recorded in field history and events. */
export type Channel = 'ui' | 'api' | 'cli' | 'workflow' | 'import' | 'system' | 'portal';

export interface Actor {
  /** null only for the system itself (migrations, first-run setup). */
  userId: string | null;
  isAdmin: boolean;
  via: Channel;
  tokenId?: string;
  timeZone: string;
  locale: string;
  /** Profile, role hierarchy and groups of the user; absent for the system actor. */
  access?: AccessInfo;
  /**
   * OAuth scopes of an integration client's access token (auth/oauth/scopes.ts): the user's
   * access is narrowed to them in access/policy.ts. Absent for sessions and personal API tokens.
   */
  scopes?: readonly string[];
}

export const systemActor = (via: Channel = 'system'): Actor => ({ userId: null, isAdmin: true, via, timeZone: 'UTC', locale: 'en-US' });

/**
 * The context for follow-on writes a rule or command makes on the user's behalf (stage history,
 * the lost-review task, re-homing a lead's tasks, de-duplicating links after a merge):
 * unrestricted by the user's profile and sharing — the rule decides, not the user — but in the
 * same transaction and attributed to the user. The one way to act as the system mid-request.
 */
export function asSystem<C extends { actor: Actor }>(ctx: C): C {
  return { ...ctx, actor: { ...ctx.actor, isAdmin: true, access: undefined, scopes: undefined } };
}

/**
 * Work queued to run only once the outermost transaction has committed, and the history and
 * outbox rows of its changes when it stages them.
 */
export class UnitOfWork {
  readonly #afterCommit: Array<() => Promise<void> | void> = [];
  /**
   * The changes' history rows and outbox events, written in one statement just before the
   * transaction commits (history.ts): a command that writes five times pays one round trip for
   * them, not five. Only a unit whose transaction is sure to write them stages (inTransaction's,
   * and a savepoint's under it); null: each is written at once.
   */
  readonly staged: StagedChange[] | null;
  /**
   * The records created in this unit's transaction and not deleted since, by object, kept by a
   * staging unit (whose savepoints drop theirs with them): a lookup to one of them needs no query
   * to know it exists (validate.ts). null: not kept.
   */
  readonly #created: Map<string, Set<string>> | null;
  /** The unit of the transaction or savepoint this one is nested in (inSavepoint): what it created is seen here. */
  readonly #outer: UnitOfWork | undefined;
  constructor(options: { stages?: boolean; outer?: UnitOfWork } = {}) {
    this.staged = options.stages ? [] : null;
    this.#created = options.stages ? new Map() : null;
    this.#outer = options.outer;
  }
  /** Notes records the pipeline has just inserted in this transaction. */
  noteCreated(object: string, ids: readonly string[]) {
    if (!this.#created) return;
    let set = this.#created.get(object);
    if (!set) this.#created.set(object, (set = new Set()));
    for (const id of ids) set.add(id);
  }
  /** Forgets a record deleted in this transaction, here and in the units this one is nested in (forgetting only costs a query). */
  noteDeleted(object: string, id: string) {
    this.#created?.get(object)?.delete(id);
    this.#outer?.noteDeleted(object, id);
  }
  /** Whether this transaction created the record (and has not deleted it). */
  created(object: string, id: string): boolean {
    return (this.#created?.get(object)?.has(id) ?? false) || (this.#outer?.created(object, id) ?? false);
  }
  afterCommit(fn: () => Promise<void> | void) {
    this.#afterCommit.push(fn);
  }
  /** Hands this unit's after-commit work and staged changes to `outer`: a nested unit (a savepoint) whose work was kept. */
  transferTo(outer: UnitOfWork) {
    for (const fn of this.#afterCommit.splice(0)) outer.afterCommit(fn);
    if (this.staged?.length) {
      // inSavepoint stages only under a staging unit; the guard keeps a change from being lost.
      if (!outer.staged) throw new Error('a staging unit of work was handed to one that does not stage');
      outer.staged.push(...this.staged.splice(0));
    }
    for (const [object, ids] of this.#created ?? []) outer.noteCreated(object, [...ids]);
  }
  async flush(log: (error: unknown) => void) {
    for (const fn of this.#afterCommit.splice(0)) {
      try {
        await fn();
      } catch (error) {
        // The write is committed; an after-commit failure must not turn it into an error.
        log(error);
      }
    }
  }
}

export interface RecordContext {
  platform: Platform;
  actor: Actor;
  /** Present inside a transaction; commands started without one open their own. */
  trx?: Transaction<any>;
  uow?: UnitOfWork;
  /**
   * Set by a command that, should any write in its transaction fail, rolls the transaction back
   * whole and does its parts again one at a time (a shop's orders taken in together): a write of
   * many rows then skips the savepoint that would find which row failed (write.ts, updateMany.ts),
   * two round trips each.
   */
  retriedOneByOne?: boolean;
}

export type TxContext = RecordContext & { trx: Transaction<any>; uow: UnitOfWork };

/**
 * Runs fn in the context's transaction, or in a new one whose after-commit work runs once it
 * commits. One user action = one transaction: nested commands join the outer one.
 */
export async function inTransaction<T>(ctx: RecordContext, fn: (ctx: TxContext) => Promise<T>): Promise<T> {
  if (ctx.trx && ctx.uow) return fn(ctx as TxContext);
  const uow = new UnitOfWork({ stages: true });
  const result = await ctx.platform.db.transaction().execute(async (trx) => {
    // retriedOneByOne describes the transaction it was set in, not this one.
    const inner = { ...ctx, trx, uow, retriedOneByOne: undefined };
    const value = await fn(inner);
    await writeStagedChanges(inner);
    return value;
  });
  await uow.flush((error) => ctx.platform.logger.error({ err: error }, 'after-commit hook failed'));
  return result;
}

/**
 * Runs fn inside the context's transaction under a savepoint, with a unit of work of its own: kept
 * (its after-commit work, staged history and events, and created records handed to the
 * transaction's) or rolled back — all of those dropped with it — and rethrown. `name` is a fixed
 * identifier of the caller's, never input.
 */
export async function inSavepoint<T>(ctx: TxContext, name: string, fn: (ctx: TxContext) => Promise<T>): Promise<T> {
  const uow = new UnitOfWork({ stages: ctx.uow.staged !== null, outer: ctx.uow });
  await sql`SAVEPOINT ${sql.id(name)}`.execute(ctx.trx);
  try {
    // A step under a savepoint handles its own failure: its writes name the row that failed.
    const result = await fn({ ...ctx, uow, retriedOneByOne: undefined });
    await sql`RELEASE SAVEPOINT ${sql.id(name)}`.execute(ctx.trx);
    uow.transferTo(ctx.uow);
    return result;
  } catch (error) {
    await sql`ROLLBACK TO SAVEPOINT ${sql.id(name)}`.execute(ctx.trx);
    throw error;
  }
}
