import { setImmediate as yieldToOthers } from 'node:timers/promises';
import { sql } from 'kysely';
import { uuidv7 } from '../../../platform/ids.ts';
import { nameArray, plainArray } from '../../../platform/db/arrays.ts';
import { AppError, isRetryable } from '../../../platform/errors.ts';
import type { Platform } from '../../../platform/kernel.ts';
import { drainOnWake } from '../../../platform/jobs/wake.ts';
import { inTransaction, type Actor, type TxContext } from '../../../platform/records/context.ts';
import { importSettings } from '../settings.ts';
import type { ImportRow } from '../store.ts';
import { DEFAULT_OPTIONS, type ImportOptions } from '../spec.ts';
import { processBatch, type BatchResult } from './batch.ts';
import { batchesOf, readAhead, readerOf } from './source.ts';
import { importActor } from './actor.ts';
import { undoBatch } from './undo.ts';
import { batchesAreIndependent, writeOverlapped, type BatchWrite, type WriteRows } from './overlap.ts';
import { leaseOf, LeaseLost, saveCheckpoint, type Counts } from './checkpoint.ts';


/**
 * Runs every import that is due, one after another: queued ones, and running or undoing ones
 * whose process stopped renewing its lease (killed, crashed). A claim takes the lease with a
 * new token; every batch then commits, in ONE transaction, its records, its effects and
 * rejections, and the checkpoint (the last row done) — and only while the token is still the
 * import's. A process killed mid-batch loses that batch's transaction entirely, and the next
 * claim resumes after the checkpoint: every row is written exactly once.
 */
export async function runDueImports(platform: Platform): Promise<number> {
  let ran = 0;
  for (;;) {
    const job = await claimImport(platform);
    if (!job) return ran;
    ran++;
    try {
      if (job.status === 'undoing') await runUndo(platform, job);
      else await runImport(platform, job);
    } catch (error) {
      if (error instanceof LeaseLost) continue;
      const message = error instanceof AppError ? error.message : `Unexpected error: ${(error as Error)?.message ?? String(error)}`;
      platform.logger.error({ err: error, import: job.id }, 'import failed');
      await sql`UPDATE import_job SET status = 'failed', error = ${message.slice(0, 2000)}, finished_at = now(), lease_token = NULL, lease_until = NULL
        WHERE id = ${job.id} AND lease_token = ${job.lease_token}`.execute(platform.db);
    }
  }
}

/**
 * When a runner's next row is claimable: now for a queued one, else when a running one's lease
 * runs out (its process died, or it renews it with its next batch). The due timer (jobs/boss.ts)
 * runs the job then, so a killed process's work resumes once its lease is over, not at the next minute.
 */
export async function nextLeaseDue(platform: Platform, table: 'import_job' | 'import_dry_run', statuses: string[]): Promise<Date | null> {
  const r = await sql<{ at: Date | null }>`SELECT min(coalesce(lease_until, now())) AS at FROM ${sql.table(table)} WHERE status IN (${sql.join(statuses)})`.execute(platform.db);
  const at = r.rows[0]?.at;
  return at ? new Date(at) : null;
}

export const nextImportDue = (platform: Platform) => nextLeaseDue(platform, 'import_job', ['queued', 'running', 'undoing']);

/** Runs due imports now in this process (after the commit that queued one). */
export const wakeImports = drainOnWake('imports.run', runDueImports);

async function claimImport(platform: Platform): Promise<ImportRow | undefined> {
  const { leaseSeconds } = importSettings.of(platform);
  const r = await sql<ImportRow>`UPDATE import_job SET lease_token = ${uuidv7()}, lease_until = now() + make_interval(secs => ${leaseSeconds}),
      status = CASE WHEN status = 'queued' THEN 'running' ELSE status END, started_at = coalesce(started_at, now()),
      run_started_at = now(), run_start_rows = checkpoint
    WHERE id = (SELECT id FROM import_job WHERE status IN ('queued', 'running', 'undoing') AND (lease_until IS NULL OR lease_until < now())
      ORDER BY created_at LIMIT 1 FOR UPDATE SKIP LOCKED)
    RETURNING *`.execute(platform.db);
  return r.rows[0];
}

/** In the batch's transaction: the import is still ours and still at `checkpoint`; locks it until the commit. */
async function holdLease(ctx: TxContext, job: ImportRow, status: 'running' | 'undoing', checkpoint?: number): Promise<void> {
  const r = await sql<{ status: string; lease_token: string | null; checkpoint: string }>`SELECT status, lease_token, checkpoint FROM import_job WHERE id = ${job.id} FOR UPDATE`.execute(ctx.trx);
  const now = r.rows[0];
  if (!now || now.status !== status || now.lease_token !== job.lease_token || (checkpoint !== undefined && Number(now.checkpoint) !== checkpoint)) throw new LeaseLost();
}

async function runImport(platform: Platform, job: ImportRow): Promise<void> {
  const { batchRows, leaseSeconds } = importSettings.of(platform);
  const actor = await importActor(platform, job.created_by);
  const object = platform.registry.requireObject(job.object);
  const options = { ...DEFAULT_OPTIONS, ...job.settings } as ImportOptions;
  const writeRows: WriteRows = async (ctx, rows) => {
    const result = await processBatch(ctx, object, options, rows);
    await saveBatch(ctx, job.id, rows, result);
    return countOutcomes(result);
  };
  let checkpoint = Number(job.checkpoint);
  if (batchesAreIndependent(platform, object, options)) {
    const { failed } = await writeOverlapped({ platform, actor, job, leaseSeconds, batches: batchesAfter(platform, job, checkpoint, batchRows), writeRows });
    if (!failed) return await completeImport(platform, job);
    checkpoint = await checkpointOf(platform, job);
  }
  for await (const { rows, bytes, after } of batchesAfter(platform, job, checkpoint, batchRows)) {
    await platform.registry.ensureFresh();
    const last = rows[rows.length - 1]!.n;
    await retryingTimingFailures(() => inTransaction({ platform, actor }, async (ctx) => {
      await holdLease(ctx, job, 'running', after);
      const counts = await writeRows(ctx, rows);
      await saveCheckpoint(ctx.trx, job, { last, bytes, counts, leaseSeconds });
    }));
    await yieldToOthers();
  }
  await completeImport(platform, job);
}

const TIMING_ATTEMPTS = 3;

/** A batch refused by a deadlock or serialisation failure (another writer's timing, not its rows) is written again, up to three times. */
async function retryingTimingFailures<T>(write: () => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await write();
    } catch (error) {
      if (attempt >= TIMING_ATTEMPTS || !isRetryable(error)) throw error;
    }
  }
}

async function completeImport(platform: Platform, job: ImportRow): Promise<void> {
  await sql`UPDATE import_job SET status = 'completed', total_rows = checkpoint, bytes_done = file_bytes, finished_at = now(), lease_token = NULL, lease_until = NULL
    WHERE id = ${job.id} AND lease_token = ${job.lease_token} AND status = 'running'`.execute(platform.db);
}

/** The file's batches after row `from`, each with the bytes read up to it and the checkpoint it follows. */
async function* batchesAfter(platform: Platform, job: ImportRow, from: number, size: number): AsyncGenerator<BatchWrite> {
  const reader = readerOf(platform, job);
  let after = from;
  for await (const { rows, bytes } of readAhead(batchesOf(platform, job, from, size, reader), () => reader.bytesRead())) {
    yield { rows, bytes, after };
    after = rows[rows.length - 1]!.n;
  }
}

/** The checkpoint committed (after batches written two at a time, one of which failed); LeaseLost if the import is no longer ours. */
async function checkpointOf(platform: Platform, job: ImportRow): Promise<number> {
  const { ours, checkpoint } = await leaseOf(platform.db, job);
  if (!ours) throw new LeaseLost();
  return checkpoint;
}

export function countOutcomes(result: BatchResult): Counts {
  const counts = { created: 0, updated: 0, skipped: 0, rejected: 0 };
  for (const o of result.outcomes) counts[o.outcome]++;
  return counts;
}

/** What undo and the error report need: the records made or changed, the refused rows as they were. */
async function saveBatch(ctx: TxContext, importId: string, rows: Array<{ n: number; cells: string[] }>, result: BatchResult): Promise<void> {
  if (result.effects.length) {
    // Arrays, not a JSON document: 500 effects a batch, and the literals are joined, not escaped one by one.
    const e = result.effects;
    await sql`INSERT INTO import_effect (import_id, row_number, object, record_id, action, before)
      SELECT ${importId}::uuid, e.row_number, e.object, e.record_id, e.action, e.before::jsonb
      FROM unnest(${plainArray(e.map((x) => x.row))}::bigint[], ${nameArray(e.map((x) => x.object))}::text[], ${plainArray(e.map((x) => x.recordId))}::uuid[],
        ${nameArray(e.map((x) => x.action))}::text[], ${e.map((x) => (x.before ? JSON.stringify(x.before) : null))}::text[]) WITH ORDINALITY
        AS e(row_number, object, record_id, action, before, n)
      ORDER BY e.n`.execute(ctx.trx);
  }
  const cells = new Map(rows.map((r) => [r.n, r.cells]));
  const rejected = result.outcomes.filter((o) => o.outcome === 'rejected');
  if (rejected.length) {
    await sql`INSERT INTO import_rejection (import_id, row_number, cells, error)
      SELECT ${importId}::uuid, e.row_number, e.cells, e.error FROM jsonb_to_recordset(${JSON.stringify(rejected.map((o) => ({ row_number: o.row, cells: cells.get(o.row) ?? [], error: o.error ?? '' })))}::jsonb)
        AS e(row_number bigint, cells jsonb, error text)`.execute(ctx.trx);
  }
}

const UNDO_BATCH = 200;

/** Undo in batches, newest effect first (a contact before the account the import created for it), each batch with its lease. */
async function runUndo(platform: Platform, job: ImportRow): Promise<void> {
  const { leaseSeconds } = importSettings.of(platform);
  const actor: Actor = await importActor(platform, job.created_by);
  for (;;) {
    const more = await inTransaction({ platform, actor }, async (ctx) => {
      await holdLease(ctx, job, 'undoing');
      const done = await undoBatch(ctx, job.id, UNDO_BATCH);
      await sql`UPDATE import_job SET lease_until = now() + make_interval(secs => ${leaseSeconds}) WHERE id = ${job.id}`.execute(ctx.trx);
      return done === UNDO_BATCH;
    });
    if (!more) break;
    await yieldToOthers();
  }
  await sql`UPDATE import_job SET status = 'undone', finished_at = now(), lease_token = NULL, lease_until = NULL
    WHERE id = ${job.id} AND lease_token = ${job.lease_token} AND status = 'undoing'`.execute(platform.db);
}
