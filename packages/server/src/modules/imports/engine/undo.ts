import { sql } from 'kysely';
import { AppError } from '../../../platform/errors.ts';
import { UnitOfWork, type TxContext } from '../../../platform/records/context.ts';
import { deleteRecord, type BinGroup } from '../../../platform/records/delete.ts';
import { updateRecord } from '../../../platform/records/write.ts';

interface EffectRow {
  seq: string;
  object: string;
  record_id: string;
  action: 'created' | 'updated';
  before: Record<string, unknown> | null;
}

/**
 * Undoes up to `limit` effects, newest first: a created record goes to the recycle bin (restorable
 * from there), an updated one gets the values it had before the import. A record changed or
 * deleted since cannot always go back (a newer version, a parent still referenced): that effect
 * is counted in the import's error, and the others carry on. Answers how many it handled.
 * Every batch files its deletes under the import's id, so however many batches the undo takes, the
 * recycle bin shows one entry for the records the import created, restored as a whole.
 */
export async function undoBatch(ctx: TxContext, importId: string, limit: number): Promise<number> {
  const r = await sql<EffectRow>`SELECT seq, object, record_id, action, before FROM import_effect WHERE import_id = ${importId} AND NOT undone ORDER BY seq DESC LIMIT ${limit}`.execute(ctx.trx);
  const problems: string[] = [];
  const binGroup = r.rows.some((e) => e.action === 'created') ? await importBinGroup(ctx, importId) : undefined;
  for (const e of r.rows) {
    const object = ctx.platform.registry.getObject(e.object);
    const uow = new UnitOfWork();
    await sql`SAVEPOINT import_undo`.execute(ctx.trx);
    try {
      if (!object) throw new AppError('not_found', `Object ${e.object} no longer exists`);
      if (e.action === 'created') await deleteRecord({ ctx: { ...ctx, uow }, object, id: e.record_id, options: { binGroup } });
      else await updateRecord({ ctx: { ...ctx, uow }, object, id: e.record_id, input: e.before ?? {}, options: { allowDuplicate: true } });
      await sql`RELEASE SAVEPOINT import_undo`.execute(ctx.trx);
      ctx.uow.afterCommit(() => uow.flush((err) => ctx.platform.logger.error({ err }, 'after-commit hook failed')));
    } catch (error) {
      await sql`ROLLBACK TO SAVEPOINT import_undo`.execute(ctx.trx);
      if (!(error instanceof AppError)) throw error;
      // Already deleted by someone: nothing left to undo.
      if (!(error.code === 'not_found' && e.action === 'created')) problems.push(`${e.object} ${e.record_id}: ${error.message}`);
    }
  }
  if (r.rows.length) await sql`UPDATE import_effect SET undone = true WHERE import_id = ${importId} AND seq = ANY(${r.rows.map((e) => e.seq)}::bigint[])`.execute(ctx.trx);
  if (problems.length) {
    await sql`UPDATE import_job SET error = left(coalesce(error || E'\n', '') || ${problems.join('\n')}, 4000) WHERE id = ${importId}`.execute(ctx.trx);
  }
  return r.rows.length;
}

/**
 * The import's group: its label names the file; the bin counts the records itself (those still
 * there), so no batch has to know how many the others deleted.
 */
async function importBinGroup(ctx: TxContext, importId: string): Promise<BinGroup> {
  const r = await sql<{ file_name: string }>`SELECT file_name FROM import_job WHERE id = ${importId}`.execute(ctx.trx);
  return { id: importId, label: `Import ${r.rows[0]?.file_name ?? importId}` };
}
