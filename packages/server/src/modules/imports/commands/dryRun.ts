import { sql, type Transaction } from 'kysely';
import { uuidv7 } from '../../../platform/ids.ts';
import { AppError, notFound } from '../../../platform/errors.ts';
import { inTransaction, type RecordContext } from '../../../platform/records/context.ts';
import { importSettings } from '../settings.ts';
import { loadImport, type ImportRow } from '../store.ts';
import { continueDryRun, failDryRun, isStopped, stopDryRun, wakeDryRuns, type DryRunRow } from '../engine/dryRun.ts';
import type { RowOutcome } from '../engine/batch.ts';
import { readyOptions } from './manage.ts';
import { DEFAULT_OPTIONS, sameOptions } from '../spec.ts';
import { passProgress } from '../engine/progress.ts';

export interface DryRunView {
  status: DryRunRow['status'];
  rowsTried: number;
  /** true once every row of the file was tried (status completed). */
  wholeFile: boolean;
  totalRows: number | null;
  created: number;
  updated: number;
  skipped: number;
  rejected: number;
  /** Outcomes corrected for rows that earlier batches would create (carry.ts), counted in the figures above. */
  carried: number;
  /** false: the import's options changed since this dry run started — run it again. */
  current: boolean;
  rows: RowOutcome[];
  unknownPicklistValues: Record<string, string[]>;
  progress: { fraction: number; rowsPerSecond: number | null; secondsLeft: number | null };
  error: string | null;
  startedAt: string;
  finishedAt: string | null;
}

const iso = (d: Date | null) => (d ? new Date(d).toISOString() : null);
const ACTIVE = ['queued', 'running'];

/** A dry run as the API shows it, with its progress like a run's: rows per second since this process took it, time left from the share of the file read. */
export function presentDryRun(run: DryRunRow, job: ImportRow, now = new Date()): DryRunView {
  const { rowsDone: done, fraction, rowsPerSecond: rate, secondsLeft: left } = passProgress({
    running: run.status === 'running', finished: run.status === 'completed',
    checkpoint: run.checkpoint, bytesDone: run.bytes_done, fileBytes: Number(job.file_bytes), startedAt: run.run_started_at, startRows: run.run_start_rows,
  }, now);
  return {
    status: run.status, rowsTried: done, wholeFile: run.status === 'completed', totalRows: run.total_rows === null ? null : Number(run.total_rows),
    created: run.created, updated: run.updated, skipped: run.skipped, rejected: run.rejected, carried: run.carried,
    current: sameOptions(run.settings, { ...DEFAULT_OPTIONS, columns: [], ...job.settings }),
    rows: run.rows, unknownPicklistValues: run.unknown_values, progress: { fraction, rowsPerSecond: rate, secondsLeft: left },
    error: run.error, startedAt: iso(run.started_at)!, finishedAt: iso(run.finished_at),
  };
}

async function loadDryRun(db: RecordContext['platform']['db'] | Transaction<any>, id: string): Promise<DryRunRow | undefined> {
  return (await sql<DryRunRow>`SELECT * FROM import_dry_run WHERE import_id = ${id}`.execute(db)).rows[0];
}

/** The import's latest dry run (404 when it has none). */
export async function getDryRun(ctx: RecordContext, id: string): Promise<DryRunView> {
  const job = await loadImport(ctx, id);
  const run = await loadDryRun(ctx.platform.db, id);
  if (!run) throw notFound('Dry run');
  return presentDryRun(run, job);
}

/**
 * Starts a dry run of the whole file (a previous one is replaced). The first rows — up to
 * MERIDIAN_IMPORT_DRY_RUN_ROWS, in whole batches — are tried at once in this request: a file that
 * ends there answers its result (`done`). A longer file is handed to the background job (woken
 * here; else the minute job wherever jobs run) that goes on from that checkpoint.
 */
export async function startDryRun(ctx: RecordContext, id: string): Promise<{ done: boolean; view: DryRunView }> {
  const { leaseSeconds, dryRunRows } = importSettings.of(ctx.platform);
  const token = uuidv7();
  await inTransaction(ctx, async (tx) => {
    const job = await loadImport(tx, id, { lock: true });
    if (job.status !== 'draft') throw new AppError('conflict', `This import is ${job.status}: dry runs are for drafts`);
    const options = readyOptions(ctx, ctx.platform.registry.requireObject(job.object), job);
    await sql`DELETE FROM import_dry_run_key WHERE import_id = ${id}`.execute(tx.trx);
    await sql`INSERT INTO import_dry_run (import_id, status, settings, lease_token, lease_until, run_started_at, requested_by)
      VALUES (${id}, 'running', ${JSON.stringify(options)}::jsonb, ${token}, now() + make_interval(secs => ${leaseSeconds}), now(), ${ctx.actor.userId ?? null})
      ON CONFLICT (import_id) DO UPDATE SET status = 'running', settings = EXCLUDED.settings, checkpoint = 0, bytes_done = 0, total_rows = NULL,
        created = 0, updated = 0, skipped = 0, rejected = 0, carried = 0, rows = '[]', unknown_values = '{}', lease_token = EXCLUDED.lease_token,
        lease_until = EXCLUDED.lease_until, run_started_at = now(), run_start_rows = 0, error = NULL, requested_by = EXCLUDED.requested_by, started_at = now(), finished_at = NULL`.execute(tx.trx);
  });
  const run = (await loadDryRun(ctx.platform.db, id))!;
  let done = false;
  let stopped = false;
  try {
    done = (await continueDryRun(ctx.platform, run, dryRunRows)) === 'done';
  } catch (error) {
    // Cancelled, restarted or the import started meanwhile: answer the dry run as it now is.
    if (!isStopped(error)) {
      await failDryRun(ctx.platform, run, error);
      throw error;
    }
    stopped = true;
  }
  if (!done && !stopped) {
    await sql`UPDATE import_dry_run SET status = 'queued', lease_token = NULL, lease_until = NULL WHERE import_id = ${id} AND lease_token = ${token} AND status = 'running'`.execute(ctx.platform.db);
    void wakeDryRuns(ctx.platform);
  }
  const job = await loadImport(ctx, id);
  return { done: done || stopped, view: presentDryRun((await loadDryRun(ctx.platform.db, id))!, job) };
}

/** Cancel: a queued or running dry run stops after its batch in flight; the counts so far stay readable. */
export async function cancelDryRun(ctx: RecordContext, id: string): Promise<DryRunView> {
  await inTransaction(ctx, async (tx) => {
    await loadImport(tx, id, { lock: true });
    const run = await loadDryRun(tx.trx, id);
    if (!run) throw notFound('Dry run');
    if (!ACTIVE.includes(run.status)) throw new AppError('conflict', `This dry run is ${run.status}: there is nothing to cancel`);
    await stopDryRun(tx.trx, id);
  });
  return getDryRun(ctx, id);
}
