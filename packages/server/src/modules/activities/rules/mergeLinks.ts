import { sql } from 'kysely';
import { deleteRecord } from '../../../platform/records/delete.ts';
import { repointField } from '../../../platform/records/repoint.ts';
import type { AfterMergeArgs } from '../../../platform/records/hooks.ts';
import { asSystem, type TxContext } from '../../../platform/records/context.ts';
import { ACTIVITY_OBJECTS, type ActivityObject } from '../objects.ts';
import { refreshLinkSortKeys } from './linkSortKeys.ts';
import { objectOf, tableOf } from '../context.ts';

/** The two ends of a link: the record it is on, and the activity (when activities are merged). */
const ENDS = [
  { object: 'record_object', id: 'record_id', other: ['activity_object', 'activity_id'] },
  { object: 'activity_object', id: 'activity_id', other: ['record_object', 'record_id'] },
] as const;

/**
 * A merge re-points lookups, but activity_link's ids are plain text (links reach any object), so
 * the merge calls this hook in its transaction: links to a duplicate now name the master (deleted
 * links too, so a restore stays consistent), each change written to history as the merge does for
 * lookups; a link that became a second copy of a live one is deleted (the oldest is kept).
 */
export async function repointActivityLinks({ ctx, object, masterId, duplicateIds }: AfterMergeArgs): Promise<void> {
  await repointEnd(ctx, ENDS[0], object.apiName, masterId, duplicateIds);
  if (!(ACTIVITY_OBJECTS as readonly string[]).includes(object.apiName)) return;
  await repointEnd(ctx, ENDS[1], object.apiName, masterId, duplicateIds);
  // Links carry copies of their activity's timeline keys: the moved ones take the master's.
  await refreshLinkSortKeys(ctx, object.apiName as ActivityObject, { ids: [masterId] });
}

async function repointEnd(ctx: TxContext, end: (typeof ENDS)[number], object: string, masterId: string, duplicateIds: string[]): Promise<void> {
  const link = objectOf(ctx, 'activity_link');
  const t = tableOf(ctx, 'activity_link');
  const [objectCol, idCol] = [sql.ref(end.object), sql.ref(end.id)];
  const field = link.fields.find((f) => f.apiName === end.id)!;
  const moved = await repointField({ ctx, object: link, field, fromIds: duplicateIds, toId: masterId, where: sql`${objectCol} = ${object}` });
  if (!moved.length) return;
  const extra = await sql<{ id: string }>`SELECT id FROM (
      SELECT id, row_number() OVER (PARTITION BY ${sql.join(end.other.map((c) => sql.ref(c)))} ORDER BY created_at, id) AS n FROM ${t}
      WHERE deleted_at IS NULL AND ${objectCol} = ${object} AND ${idCol} = ${masterId}
    ) x WHERE n > 1`.execute(ctx.trx);
  // The merge decided this, not the user's rights on activity links: the delete runs unrestricted, attributed to the user.
  for (const row of extra.rows) await deleteRecord({ ctx: asSystem(ctx), object: link, id: row.id });
}
