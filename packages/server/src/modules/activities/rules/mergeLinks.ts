import { sql } from 'kysely';
import { deleteRecord } from '../../../platform/records/delete.ts';
import { recordChange } from '../../../platform/records/history.ts';
import type { AfterMergeArgs } from '../../../platform/records/hooks.ts';
import { objectOf, tableOf } from '../context.ts';

/**
 * A merge re-points lookups, but activity_link.record_id is a plain ID (links reach any object),
 * so the merge calls this hook in its transaction: links to a duplicate now name the master
 * (deleted links too, so a restore stays consistent), each change written to history as the
 * merge does for lookups; a link that became a second copy of a live one is deleted (oldest kept).
 */
export async function repointActivityLinks({ ctx, object, masterId, duplicateIds }: AfterMergeArgs): Promise<void> {
  const link = objectOf(ctx, 'activity_link');
  const t = tableOf(ctx, 'activity_link');
  const moved = await sql<{ id: string; old: string }>`WITH old AS (
      SELECT id, record_id AS old FROM ${t} WHERE record_object = ${object.apiName} AND record_id = ANY(${duplicateIds}::text[]) FOR UPDATE
    )
    UPDATE ${t} SET record_id = ${masterId}, version = version + 1, updated_at = date_trunc('milliseconds', now()), updated_by = ${ctx.actor.userId}
    FROM old WHERE ${t}.id = old.id RETURNING ${t}.id AS id, old.old AS old`.execute(ctx.trx);
  if (!moved.rows.length) return;
  for (const row of moved.rows) {
    await recordChange({ ctx, object: link, operation: 'update', recordId: row.id, changes: { record_id: { old: row.old, new: masterId } } });
  }
  const extra = await sql<{ id: string }>`SELECT id FROM (
      SELECT id, row_number() OVER (PARTITION BY activity_object, activity_id ORDER BY created_at, id) AS n FROM ${t}
      WHERE deleted_at IS NULL AND record_object = ${object.apiName} AND record_id = ${masterId}
    ) x WHERE n > 1`.execute(ctx.trx);
  // The merge decided this, not the user's rights on activity links: the delete runs unrestricted, attributed to the user.
  const system = { ...ctx, actor: { ...ctx.actor, isAdmin: true, access: undefined } };
  for (const row of extra.rows) await deleteRecord({ ctx: system, object: link, id: row.id });
}
