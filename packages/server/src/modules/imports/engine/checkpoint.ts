import { sql, type Kysely } from 'kysely';
import type { ImportRow } from '../store.ts';

/** The import is no longer this process's (another process took it over, or it was cancelled): stop without writing. */
export class LeaseLost extends Error {}

export type Counts = Record<'created' | 'updated' | 'skipped' | 'rejected', number>;

/**
 * In a batch's transaction: moves the checkpoint to the batch's last row, adds its counts and
 * renews the lease. With `from`, only if the import is still this process's and its checkpoint is
 * still `from` (a batch written beside another, engine/overlap.ts); answers whether it moved.
 */
export async function saveCheckpoint(trx: Kysely<any>, job: ImportRow, batch: { last: number; bytes: number; counts: Counts; leaseSeconds: number; from?: number }): Promise<boolean> {
  const { last, bytes, counts, leaseSeconds, from } = batch;
  const r = await sql`UPDATE import_job SET checkpoint = ${last}, bytes_done = ${bytes}, created = created + ${counts.created}, updated = updated + ${counts.updated},
      skipped = skipped + ${counts.skipped}, rejected = rejected + ${counts.rejected}, lease_until = now() + make_interval(secs => ${leaseSeconds})
    WHERE id = ${job.id} ${from === undefined ? sql`` : sql`AND status = 'running' AND lease_token = ${job.lease_token} AND checkpoint = ${from}`}`.execute(trx);
  return Number(r.numAffectedRows ?? 0) > 0;
}

/** The committed checkpoint, and whether the import is still running under this process's lease. */
export async function leaseOf(db: Kysely<any>, job: ImportRow): Promise<{ ours: boolean; checkpoint: number }> {
  const r = await sql<{ checkpoint: string; ours: boolean }>`SELECT checkpoint, status = 'running' AND lease_token = ${job.lease_token} AS ours FROM import_job WHERE id = ${job.id}`.execute(db);
  return { ours: r.rows[0]?.ours === true, checkpoint: Number(r.rows[0]?.checkpoint ?? 0) };
}
