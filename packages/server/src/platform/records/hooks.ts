import type { ObjectDefinition } from '../metadata/types.ts';
import type { TxContext } from './context.ts';

export type RecordOperation = 'create' | 'update' | 'delete' | 'restore';
export type ApiRecord = Record<string, unknown> & { id: string };

export interface BeforeSaveArgs {
  ctx: TxContext;
  object: ObjectDefinition;
  operation: 'create' | 'update';
  /** The values that will be written (validated); a hook may change or add entries. */
  data: Record<string, unknown>;
  /** The record as it will be after the write (previous values merged with data). */
  merged: Record<string, unknown>;
  previous?: ApiRecord;
  /** Options of the write: allowDuplicate skips duplicate rules; systemValues are the command's own values of read-only fields. */
  options: { allowDuplicate?: boolean; systemValues?: Record<string, unknown> };
}

export interface AfterSaveArgs {
  ctx: TxContext;
  object: ObjectDefinition;
  operation: RecordOperation;
  record: ApiRecord;
  previous?: ApiRecord;
  changes: Record<string, { old: unknown; new: unknown }>;
}

export interface BeforeDeleteArgs {
  ctx: TxContext;
  object: ObjectDefinition;
  record: ApiRecord;
}

export interface AfterMergeArgs {
  ctx: TxContext;
  object: ObjectDefinition;
  masterId: string;
  duplicateIds: string[];
}

export interface BeforeLockArgs {
  ctx: TxContext;
  object: ObjectDefinition;
  id: string;
}

interface HookMap {
  /**
   * Before a record is locked for a write (update, delete, a command's load): for rules that
   * serialise on a parent, so every writer takes the parent's lock first and the child's after —
   * one order, no deadlocks (a quote line's write locks its quote first).
   */
  beforeLock: (args: BeforeLockArgs) => Promise<void> | void;
  beforeSave: (args: BeforeSaveArgs) => Promise<void> | void;
  /** Inside the transaction, after the write: for follow-on writes that must commit with it. */
  afterSave: (args: AfterSaveArgs) => Promise<void> | void;
  beforeDelete: (args: BeforeDeleteArgs) => Promise<void> | void;
  /** After commit: notifications, caches. Failures are logged, never undo the write. */
  afterCommit: (args: Omit<AfterSaveArgs, 'ctx'> & { ctx: TxContext }) => Promise<void> | void;
  /** Inside a merge's transaction, after lookups were re-pointed: for references that are not lookups (activity links). */
  afterMerge: (args: AfterMergeArgs) => Promise<void> | void;
  /**
   * Inside a purge's transaction, after the row was removed for good (`record` is its last state):
   * for data kept outside the database (attachment files), released with ctx.uow.afterCommit.
   */
  afterPurge: (args: BeforeDeleteArgs) => Promise<void> | void;
}

export type HookStage = keyof HookMap;

/**
 * A beforeSave hook's form for many records created together (createRecords, an import's batch):
 * the same decision as `run` for each record, with the queries shared — data changed as `run`
 * would change it, and per record the error `run` would have thrown (undefined when none).
 */
export type BeforeSaveMany = (args: BeforeSaveArgs[]) => Promise<Array<unknown>>;

interface Registered<S extends HookStage> {
  name: string;
  object: string;
  operations?: RecordOperation[];
  run: HookMap[S];
  /** beforeSave only: see BeforeSaveMany. */
  runMany?: S extends 'beforeSave' ? BeforeSaveMany : never;
}

/**
 * Business rules as typed hooks keyed by object and operation, registered by the module that
 * owns them (modules/<m>/hooks.ts). Every entry point — REST, bulk, CLI, import, automation —
 * goes through the record service, so a rule registered here holds everywhere.
 */
export class HookRegistry {
  readonly #hooks: { [S in HookStage]: Registered<S>[] } = { beforeLock: [], beforeSave: [], afterSave: [], beforeDelete: [], afterCommit: [], afterMerge: [], afterPurge: [] };

  register<S extends HookStage>(stage: S, hook: Registered<S>): void {
    (this.#hooks[stage] as Registered<S>[]).push(hook);
  }

  for<S extends HookStage>(stage: S, object: string, operation: RecordOperation): Array<HookMap[S]> {
    return this.#matching(stage, object, operation).map((h) => h.run);
  }

  /** The beforeSave hooks in order, each with its form for many records when it has one. */
  beforeSaveOf(object: string, operation: RecordOperation): Array<{ run: HookMap['beforeSave']; runMany?: BeforeSaveMany }> {
    return this.#matching('beforeSave', object, operation).map((h) => ({ run: h.run, runMany: h.runMany }));
  }

  #matching<S extends HookStage>(stage: S, object: string, operation: RecordOperation): Registered<S>[] {
    return (this.#hooks[stage] as Registered<S>[]).filter((h) => (h.object === '*' || h.object === object) && (!h.operations || h.operations.includes(operation)));
  }
}
