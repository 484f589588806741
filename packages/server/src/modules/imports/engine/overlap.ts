import { sql } from 'kysely';
import type { ObjectDefinition } from '../../../platform/metadata/types.ts';
import type { Platform } from '../../../platform/kernel.ts';
import { inTransaction, type Actor, type TxContext } from '../../../platform/records/context.ts';
import { fieldOf, type ImportOptions } from '../spec.ts';
import type { ImportRow } from '../store.ts';
import type { SourceRow } from './batch.ts';
import { leaseOf, LeaseLost, saveCheckpoint, type Counts } from './checkpoint.ts';

/**
 * Two batches in flight (PostgreSQL): while one batch's statements run in the database, the next
 * batch's rows are parsed, validated and turned into statements on a second connection. A batch
 * on its own waits for one connection after another and the CPU of the machine sits half idle
 * (bench/import.ts: Node's and PostgreSQL's CPU per row are about equal, and they took turns).
 *
 * Only when no row of the file can depend on what an earlier row wrote, so that a batch seeing
 * the records of the batch before it or not makes no difference — the import's rows are then as
 * independent as two API clients' writes:
 *  - insert mode (update and upsert find the records they change; an earlier row may have made it),
 *  - duplicates 'create anyway' (the duplicate rules would look for the earlier rows' records),
 *  - no parents created (an earlier row may have created the parent a later row names),
 *  - no lookup into the imported object itself (a contact naming a contact of an earlier row).
 * A unique value repeated across two batches is still refused in the later row: the later insert
 * waits on the earlier batch's index entry, as two API clients' inserts do.
 */
export function batchesAreIndependent(platform: Platform, object: ObjectDefinition, options: ImportOptions): boolean {
  if (platform.database.kind !== 'postgres') return false; // PGlite runs one statement at a time anyway
  if (options.mode !== 'insert' || options.duplicates !== 'create') return false;
  return options.columns.every((c) => {
    if (!c.field) return true;
    if (c.createParent) return false;
    const f = fieldOf(object, c.field);
    return !(f?.type === 'lookup' && f.lookup?.object === object.apiName);
  });
}

export interface BatchWrite {
  rows: SourceRow[];
  /** The checkpoint this batch follows (the last row of the batch before it). */
  after: number;
  /** The file's bytes read up to this batch's last row. */
  bytes: number;
}

/** What one batch's transaction does with the batch (processBatch, the undo and error-report rows, the counts). */
export type WriteRows = (ctx: TxContext, rows: SourceRow[]) => Promise<Counts>;


/** The batch before this one did not commit: this one cannot either (the checkpoint would skip it). */
class OutOfStep extends Error {}

/**
 * The commit order is the file's. Each batch takes an advisory lock named for its own last row
 * when it begins; the next batch, before it moves the checkpoint, waits on that lock (in the
 * database, so a batch waiting on the next one's row locks is a deadlock PostgreSQL detects and
 * breaks) and then moves the checkpoint only from the previous batch's last row. A batch whose
 * predecessor rolled back therefore rolls back too, and a process killed with two batches in
 * flight leaves at most the first committed: the checkpoint stays a prefix of the file, and the
 * next claim resumes after it exactly as for one batch at a time.
 */
const batchLock = (importId: string, lastRow: number) => sql`hashtextextended(${`import:${importId}:${lastRow}`}, 0)`;

/**
 * Writes the batches two at a time, to the end of the file — or, when a batch failed (a refused
 * statement, a deadlock broken by the database), until the batches in flight have ended:
 * `failed` then tells the caller to read the committed checkpoint and go on from there one batch
 * at a time, which commits what can be and reports a real error as it always has. Throws
 * LeaseLost when the import is no longer this process's.
 */
export async function writeOverlapped(args: {
  platform: Platform;
  actor: Actor;
  job: ImportRow;
  leaseSeconds: number;
  batches: AsyncIterable<BatchWrite>;
  writeRows: WriteRows;
}): Promise<{ failed: boolean }> {
  const { platform, job } = args;
  let previous: Promise<void> | undefined;
  let failure: unknown;
  const settle = async (p: Promise<void> | undefined) => {
    try {
      await p;
    } catch (error) {
      failure ??= error;
    }
  };
  for await (const batch of args.batches) {
    await platform.registry.ensureFresh();
    const last = batch.rows[batch.rows.length - 1]!.n;
    let locked!: () => void;
    const lockTaken = new Promise<void>((resolve) => (locked = resolve));
    // Read now: by the time this batch reaches its checkpoint, `previous` is this batch itself.
    const follows = previous !== undefined;
    const current = inTransaction({ platform, actor: args.actor }, async (ctx) => {
      await sql`SELECT pg_advisory_xact_lock(${batchLock(job.id, last)})`.execute(ctx.trx);
      locked();
      const counts = await args.writeRows(ctx, batch.rows);
      if (follows) await sql`SELECT pg_advisory_xact_lock_shared(${batchLock(job.id, batch.after)})`.execute(ctx.trx);
      const moved = await saveCheckpoint(ctx.trx, job, { last, bytes: batch.bytes, counts, leaseSeconds: args.leaseSeconds, from: batch.after });
      if (!moved) throw (await leaseOf(ctx.trx, job)).ours ? new OutOfStep() : new LeaseLost();
    });
    // The next batch may start once this one holds its lock (the next waits on it before its checkpoint).
    await Promise.race([lockTaken, current.catch(() => {})]);
    await settle(previous);
    previous = current;
    if (failure) break;
  }
  await settle(previous);
  if (failure instanceof LeaseLost) throw failure;
  if (failure && !(failure instanceof OutOfStep)) platform.logger.warn({ err: failure, import: job.id }, 'a batch written alongside another failed: going on one batch at a time');
  return { failed: failure !== undefined };
}
