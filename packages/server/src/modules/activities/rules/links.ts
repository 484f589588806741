import { sql } from 'kysely';
import { uuidv7 } from '../../../platform/ids.ts';
import { validationFailed, type FieldError } from '../../../platform/errors.ts';
import { visibilityCondition } from '../../../platform/access/policy.ts';
import type { TxContext } from '../../../platform/records/context.ts';
import type { AfterSaveArgs, BeforeSaveArgs } from '../../../platform/records/hooks.ts';
import { recordChange, type Changes } from '../../../platform/records/history.ts';
import { UUID_RE } from '../../../platform/records/values.ts';
import { ACTIVITY_OBJECTS, REGARDING, type ActivityObject } from '../objects.ts';
import { sortKeysOf } from './linkSortKeys.ts';
import { objectOf, tableOf } from '../context.ts';

/**
 * activity_link rows are checked like lookups: the activity and the record must exist, be live
 * and be readable by the writer; the same link is not stored twice.
 */
export async function validateActivityLink({ ctx, data, merged, previous }: BeforeSaveArgs): Promise<void> {
  const errors: FieldError[] = [];
  const activityObject = String(merged.activity_object ?? '');
  const recordObject = String(merged.record_object ?? '');
  const activityId = String(merged.activity_id ?? '').toLowerCase();
  const recordId = String(merged.record_id ?? '').toLowerCase();
  if (!(ACTIVITY_OBJECTS as readonly string[]).includes(activityObject)) {
    errors.push({ field: 'activity_object', code: 'invalid', message: `One of ${ACTIVITY_OBJECTS.join(', ')}` });
  }
  const target = ctx.platform.registry.getObject(recordObject);
  if (!target || recordObject === 'activity_link') errors.push({ field: 'record_object', code: 'invalid', message: 'An object that exists' });
  if (!UUID_RE.test(activityId)) errors.push({ field: 'activity_id', code: 'invalid', message: 'A record ID' });
  if (!UUID_RE.test(recordId)) errors.push({ field: 'record_id', code: 'invalid', message: 'A record ID' });
  if (errors.length) throw validationFailed(errors);
  if (!(await readable(ctx, activityObject, activityId))) errors.push({ field: 'activity_id', code: 'not_found', message: 'No such activity' });
  if (!(await readable(ctx, recordObject, recordId))) errors.push({ field: 'record_id', code: 'not_found', message: 'No such record' });
  if (errors.length) throw validationFailed(errors);
  if ('activity_id' in data) data.activity_id = activityId;
  if ('record_id' in data) data.record_id = recordId;
  const dup = await sql`SELECT 1 FROM ${tableOf(ctx, 'activity_link')} WHERE activity_id = ${activityId} AND record_object = ${recordObject}
    AND record_id = ${recordId} AND deleted_at IS NULL ${previous ? sql`AND id <> ${previous.id}` : sql``} LIMIT 1`.execute(ctx.trx);
  if (dup.rows.length) throw validationFailed([{ field: 'record_id', code: 'duplicate', message: 'The activity is already linked to this record' }]);
}

async function readable(ctx: TxContext, object: string, id: string): Promise<boolean> {
  const def = ctx.platform.registry.requireObject(object);
  const vis = visibilityCondition(ctx.actor, def, 'r');
  const r = await sql`SELECT 1 FROM ${sql.table(def.table)} r WHERE r.id = ${id}::uuid AND r.deleted_at IS NULL ${vis ? sql`AND ${vis}` : sql``}`.execute(ctx.trx);
  return r.rows.length > 0;
}

/** Writes the link rows of an activity to records, skipping those that exist. */
export async function linkActivity(ctx: TxContext, activity: { object: string; id: string; owner: string | null }, records: Array<{ object: string; id: string }>): Promise<void> {
  if (!records.length) return;
  const rows = records.map((r) => ({ id: uuidv7(), record_object: r.object, record_id: r.id.toLowerCase() }));
  // The rows are born with the activity's timeline keys (rules/linkSortKeys.ts).
  const keys = (ACTIVITY_OBJECTS as readonly string[]).includes(activity.object)
    ? sortKeysOf(ctx, activity.object as ActivityObject, activity.id)
    : sql`SELECT NULL::timestamptz AS sort_at, NULL::timestamptz AS upcoming_until`;
  const inserted = await sql<{ id: string; record_object: string; record_id: string }>`INSERT INTO ${tableOf(ctx, 'activity_link')} (id, owner_id, created_by, updated_by, activity_object, activity_id, record_object, record_id, sort_at, upcoming_until)
    SELECT r.id, ${activity.owner}::uuid, ${ctx.actor.userId}::uuid, ${ctx.actor.userId}::uuid, ${activity.object}, ${activity.id}, r.record_object, r.record_id, k.sort_at, k.upcoming_until
    FROM jsonb_to_recordset(${JSON.stringify(rows)}::jsonb) AS r(id uuid, record_object text, record_id text) LEFT JOIN (${keys}) k ON true
    WHERE NOT EXISTS (SELECT 1 FROM ${tableOf(ctx, 'activity_link')} l WHERE l.activity_id = ${activity.id} AND l.record_object = r.record_object
      AND l.record_id = r.record_id AND l.deleted_at IS NULL)
    RETURNING id, record_object, record_id`.execute(ctx.trx);
  // One set-based insert (the links are born with their keys), but each link is a record like any
  // other: its creation goes to history and the outbox (activity_link.created), in this transaction.
  const link = objectOf(ctx, 'activity_link');
  for (const row of inserted.rows) {
    const changes: Changes = {
      activity_object: { old: null, new: activity.object },
      activity_id: { old: null, new: activity.id },
      record_object: { old: null, new: row.record_object },
      record_id: { old: null, new: row.record_id },
      ...(activity.owner ? { owner: { old: null, new: activity.owner } } : {}),
    };
    await recordChange({ ctx, object: link, operation: 'create', recordId: row.id, changes });
  }
}

/** The typed lookups (account, contact, lead, opportunity) of an activity are mirrored as links. */
export async function syncRegardingLinks({ ctx, object, record, changes }: AfterSaveArgs): Promise<void> {
  const records = REGARDING.filter((o) => changes[o] && typeof record[o] === 'string').map((o) => ({ object: o, id: record[o] as string }));
  await linkActivity(ctx, { object: object.apiName, id: record.id, owner: (record.owner as string | null) ?? null }, records);
}
