import { setImmediate as yieldToOthers } from 'node:timers/promises';
import { sql, type Transaction } from 'kysely';
import { uuidv7 } from '../../../platform/ids.ts';
import { AppError } from '../../../platform/errors.ts';
import type { Platform } from '../../../platform/kernel.ts';
import { drainOnWake } from '../../../platform/jobs/wake.ts';
import type { ObjectDefinition } from '../../../platform/metadata/types.ts';
import { inTransaction, type Actor } from '../../../platform/records/context.ts';
import { choose } from '../mapping/values.ts';
import { importSettings } from '../settings.ts';
import type { FilePass, ImportRow } from '../store.ts';
import type { ImportOptions } from '../spec.ts';
import { processBatch, type RowOutcome, type SourceRow } from './batch.ts';
import { batchesOf, readerOf } from './source.ts';
import { importActor } from './actor.ts';
import { countOutcomes, nextLeaseDue } from './run.ts';
import { carryKeys, carryOutcomes, saveCarriedKeys } from './carry.ts';

export type DryRunStatus = 'queued' | 'running' | 'completed' | 'failed' | 'cancelled';

export interface DryRunRow extends FilePass {
  import_id: string;
  status: DryRunStatus;
  settings: ImportOptions;
  carried: number;
  rows: RowOutcome[];
  unknown_values: Record<string, string[]>;
  requested_by: string | null;
  started_at: Date;
  finished_at: Date | null;
}

export const DRY_RUN_SHOWN_ROWS = 100;
const UNKNOWN_PER_FIELD = 50;

/** The lease was lost, the dry run cancelled or restarted, or the import left the draft: stop. */
class Stop extends Error {}

/** Whether a dry run stopped because someone else changed it (not a failure: nothing to report). */
export const isStopped = (error: unknown) => error instanceof Stop;
/** Thrown to roll a batch's transaction back once its outcomes are known. */
class RollBack extends Error {}

/**
 * Runs every dry run that is due, one after another: queued ones (handed over by the request
 * that started them), and running ones whose process stopped renewing the lease — resumed after
 * their checkpoint, the counts of the batches before it kept.
 */
export async function runDueDryRuns(platform: Platform): Promise<number> {
  let ran = 0;
  for (;;) {
    const run = await claimDryRun(platform);
    if (!run) return ran;
    ran++;
    await continueDryRun(platform, run).catch((error: unknown) => failDryRun(platform, run, error));
  }
}

export const wakeDryRuns = drainOnWake('imports.dry-run', runDueDryRuns);

export const nextDryRunDue = (platform: Platform) => nextLeaseDue(platform, 'import_dry_run', ['queued', 'running']);

async function claimDryRun(platform: Platform): Promise<DryRunRow | undefined> {
  const { leaseSeconds } = importSettings.of(platform);
  const r = await sql<DryRunRow>`UPDATE import_dry_run SET lease_token = ${uuidv7()}, lease_until = now() + make_interval(secs => ${leaseSeconds}),
      status = 'running', run_started_at = now(), run_start_rows = checkpoint
    WHERE import_id = (SELECT import_id FROM import_dry_run WHERE status IN ('queued', 'running') AND (lease_until IS NULL OR lease_until < now())
      ORDER BY started_at LIMIT 1 FOR UPDATE SKIP LOCKED)
    RETURNING *`.execute(platform.db);
  return r.rows[0];
}

/** A dry run that cannot go on (the file cannot be read, the user deactivated): failed, with the reason. */
export async function failDryRun(platform: Platform, run: DryRunRow, error: unknown): Promise<void> {
  if (error instanceof Stop) return;
  const message = error instanceof AppError ? error.message : `Unexpected error: ${(error as Error)?.message ?? String(error)}`;
  if (!(error instanceof AppError)) platform.logger.error({ err: error, import: run.import_id }, 'import dry run failed');
  await sql`UPDATE import_dry_run SET status = 'failed', error = ${message.slice(0, 2000)}, finished_at = now(), lease_token = NULL, lease_until = NULL
    WHERE import_id = ${run.import_id} AND lease_token = ${run.lease_token}`.execute(platform.db);
}

/**
 * Goes on from the checkpoint, batch by batch, with the run's batch size (a batch's rows see
 * each other exactly as in the run): each batch through processBatch in a transaction rolled
 * back at its end, its outcomes corrected by the keys earlier batches would create (carry.ts),
 * then — in one small transaction, only while the lease is still ours and the checkpoint where
 * we left it — the counts, the first outcomes, the unknown picklist values, the keys and the new
 * checkpoint. A process killed mid-batch loses that batch's work only; it is tried again.
 * `maxRows`: stop after that many rows (answers 'more' when the file goes on).
 */
export async function continueDryRun(platform: Platform, run: DryRunRow, maxRows = Infinity): Promise<'done' | 'more'> {
  const { batchRows, leaseSeconds } = importSettings.of(platform);
  const job = (await sql<ImportRow>`SELECT * FROM import_job WHERE id = ${run.import_id}`.execute(platform.db)).rows[0];
  if (!job || job.status !== 'draft') throw new Stop();
  const actor = await importActor(platform, job.created_by);
  const object = platform.registry.requireObject(job.object);
  const options = run.settings;
  const keys = carryKeys(object, options);
  const state = {
    checkpoint: Number(run.checkpoint), rows: [...run.rows],
    unknown: new Map(Object.entries(run.unknown_values).map(([k, v]) => [k, new Set(v)])),
  };
  const reader = readerOf(platform, job);
  let tried = 0;
  for await (const rows of batchesOf(platform, job, state.checkpoint, batchRows, reader)) {
    if (tried >= maxRows) return 'more';
    await platform.registry.ensureFresh();
    const tryOutcomes = await tryBatch(platform, actor, object, options, rows);
    const carried = await carryOutcomes(platform.db, job.id, keys, options, rows, tryOutcomes);
    collectUnknownValues(object, options, rows, state.unknown);
    const counts = countOutcomes({ outcomes: carried.outcomes, effects: [] });
    const shown = state.rows.length < DRY_RUN_SHOWN_ROWS
      ? [...state.rows, ...carried.outcomes.slice(0, DRY_RUN_SHOWN_ROWS - state.rows.length).map(({ recordId: _rolledBack, ...o }) => o)]
      : state.rows;
    const last = rows[rows.length - 1]!.n;
    const unknown = Object.fromEntries([...state.unknown].map(([k, v]) => [k, [...v]]));
    await inTransaction({ platform, actor }, async (ctx) => {
      const now = (await sql<{ status: string; lease_token: string | null; checkpoint: string; draft: boolean }>`SELECT d.status, d.lease_token, d.checkpoint, j.status = 'draft' AS draft
        FROM import_dry_run d JOIN import_job j ON j.id = d.import_id WHERE d.import_id = ${job.id} FOR UPDATE OF d`.execute(ctx.trx)).rows[0];
      if (!now || now.status !== 'running' || now.lease_token !== run.lease_token || Number(now.checkpoint) !== state.checkpoint || !now.draft) throw new Stop();
      await saveCarriedKeys(ctx.trx, job.id, carried.created);
      await sql`UPDATE import_dry_run SET checkpoint = ${last}, bytes_done = ${reader.bytesRead()}, created = created + ${counts.created}, updated = updated + ${counts.updated},
          skipped = skipped + ${counts.skipped}, rejected = rejected + ${counts.rejected}, carried = carried + ${carried.changed},
          rows = ${JSON.stringify(shown)}::jsonb, unknown_values = ${JSON.stringify(unknown)}::jsonb, lease_until = now() + make_interval(secs => ${leaseSeconds})
        WHERE import_id = ${job.id}`.execute(ctx.trx);
    });
    state.checkpoint = last;
    state.rows = shown;
    tried += rows.length;
    await yieldToOthers();
  }
  await sql`UPDATE import_dry_run SET status = 'completed', total_rows = checkpoint, bytes_done = ${job.file_bytes}, finished_at = now(), lease_token = NULL, lease_until = NULL
    WHERE import_id = ${job.id} AND lease_token = ${run.lease_token} AND status = 'running'`.execute(platform.db);
  return 'done';
}

/** One batch through exactly the run's path, in a transaction rolled back at its end: nothing is written (sequences aside). */
async function tryBatch(platform: Platform, actor: Actor, object: ObjectDefinition, options: ImportOptions, rows: SourceRow[]): Promise<RowOutcome[]> {
  let outcomes: RowOutcome[] = [];
  try {
    await inTransaction({ platform, actor }, async (ctx) => {
      outcomes = (await processBatch(ctx, object, options, rows)).outcomes;
      throw new RollBack();
    });
  } catch (error) {
    if (!(error instanceof RollBack)) throw error;
  }
  return outcomes;
}

/** The file's picklist values that are neither in their list nor mapped (at most 50 a field), to map them before the run. */
export function collectUnknownValues(object: ObjectDefinition, options: ImportOptions, rows: Array<{ cells: string[] }>, into: Map<string, Set<string>>) {
  options.columns.forEach((c, i) => {
    const f = c.field ? object.fields.find((x) => x.apiName === c.field) : undefined;
    if (!f || (f.type !== 'picklist' && f.type !== 'multi_picklist')) return;
    const map = options.picklistValues[f.apiName] ?? {};
    for (const r of rows) {
      const text = (r.cells[i] ?? '').trim();
      if (!text) continue;
      const parts = f.type === 'multi_picklist' ? text.split(/[;|]/).map((p) => p.trim()).filter(Boolean) : [text];
      for (const p of parts) {
        if (choose(f, p, map) !== undefined || p in map) continue;
        const set = into.get(f.apiName) ?? new Set<string>();
        if (set.size < UNKNOWN_PER_FIELD) set.add(p.slice(0, 200));
        into.set(f.apiName, set);
      }
    }
  });
}

/** In the caller's transaction: a queued or running dry run is cancelled (the import's options changed, or it starts for real). */
export async function stopDryRun(trx: Transaction<any>, id: string): Promise<void> {
  await sql`UPDATE import_dry_run SET status = 'cancelled', finished_at = now(), lease_token = NULL, lease_until = NULL
    WHERE import_id = ${id} AND status IN ('queued', 'running')`.execute(trx);
}
