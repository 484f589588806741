import { sql, type RawBuilder } from 'kysely';
import type { TxContext } from '../../../platform/records/context.ts';
import type { AfterSaveArgs } from '../../../platform/records/hooks.ts';
import { ACTIVITY_OBJECTS, OPEN_TASK_STATUSES, type ActivityObject } from '../objects.ts';
import { tableOf } from '../context.ts';

/**
 * The timeline reads a record's items in index order instead of sorting all of them, so each
 * activity_link row carries copies of what orders its activity (docs/decisions/0006):
 *   sort_at         when the activity happens: a task's due date (midnight in its owner's time
 *                   zone), a meeting's or call's start, an e-mail's sent time, else its creation;
 *   upcoming_until  until when it belongs to the "upcoming & overdue" part: for ever while a task
 *                   is open (so an overdue task stays on top until it is done), until the start
 *                   of a scheduled meeting or call; NULL when it never does.
 * They are derived data, refreshed here whenever an activity or a link is written, so they are
 * not user fields and write no history.
 */
export function sortKeyColumns(kind: ActivityObject): { sortAt: RawBuilder<unknown>; upcomingUntil: RawBuilder<unknown> } {
  const zone = sql`COALESCE(u.time_zone, 'UTC')`;
  switch (kind) {
    case 'task':
      return {
        sortAt: sql`COALESCE((a.due_date::timestamp AT TIME ZONE ${zone}), a.created_at)`,
        upcomingUntil: sql`CASE WHEN a.status IN (${sql.join([...OPEN_TASK_STATUSES])}) THEN 'infinity'::timestamptz END`,
      };
    case 'meeting':
    case 'call':
      return { sortAt: sql`a.start_at`, upcomingUntil: sql`CASE WHEN a.status = 'scheduled' THEN a.start_at END` };
    case 'email_log':
      return { sortAt: sql`COALESCE(a.sent_at, a.created_at)`, upcomingUntil: sql`NULL::timestamptz` };
    case 'note':
    case 'attachment':
      return { sortAt: sql`a.created_at`, upcomingUntil: sql`NULL::timestamptz` };
  }
}

/** One row (sort_at, upcoming_until): the keys of one activity, for links written in bulk. */
export function sortKeysOf(ctx: TxContext, kind: ActivityObject, id: string): RawBuilder<unknown> {
  const { sortAt, upcomingUntil } = sortKeyColumns(kind);
  return sql`SELECT ${sortAt} AS sort_at, ${upcomingUntil} AS upcoming_until
    FROM ${tableOf(ctx, kind)} a LEFT JOIN ${tableOf(ctx, 'user')} u ON u.id = a.owner_id WHERE a.id = ${id}::uuid`;
}

/** The fields of each kind its keys are computed from: only a change to one of them moves it. */
const KEY_FIELDS: Record<ActivityObject, readonly string[]> = {
  task: ['due_date', 'status', 'owner'],
  meeting: ['start_at', 'status'],
  call: ['start_at', 'status'],
  email_log: ['sent_at'],
  note: [],
  attachment: [],
};

/** Kinds whose keys can change after creation (notes and attachments are dated by their creation). */
export const KINDS_WITH_MOVING_KEYS = ACTIVITY_OBJECTS.filter((k) => KEY_FIELDS[k].length > 0);

/** Recomputes the sort keys of the links of some activities (without ids: of those whose links have none yet). */
export async function refreshLinkSortKeys(ctx: TxContext, kind: ActivityObject, options: { ids?: string[] } = {}): Promise<void> {
  if (!ctx.platform.registry.getObject(kind)) return;
  const { sortAt, upcomingUntil } = sortKeyColumns(kind);
  const link = tableOf(ctx, 'activity_link');
  await sql`UPDATE ${link} AS l SET sort_at = x.sort_at, upcoming_until = x.upcoming_until
    FROM (SELECT a.id::text AS id, ${sortAt} AS sort_at, ${upcomingUntil} AS upcoming_until
          FROM ${tableOf(ctx, kind)} a LEFT JOIN ${tableOf(ctx, 'user')} u ON u.id = a.owner_id
          WHERE ${options.ids ? sql`a.id = ANY(${options.ids}::uuid[])` : sql`a.id IN (SELECT m.activity_id::uuid FROM ${link} m WHERE m.activity_object = ${kind} AND m.sort_at IS NULL)`}) x
    WHERE l.activity_object = ${kind} AND l.activity_id = x.id
      AND (l.sort_at IS DISTINCT FROM x.sort_at OR l.upcoming_until IS DISTINCT FROM x.upcoming_until)`.execute(ctx.trx);
}

/**
 * afterSave (update) of an activity: a change of its date, status or owner moves it on the
 * timelines. Links written with the activity are born with their keys (links.ts), so creation
 * needs nothing here, and neither does an update that leaves those fields alone.
 */
export async function refreshActivitySortKeys({ ctx, object, record, changes }: AfterSaveArgs): Promise<void> {
  const kind = object.apiName as ActivityObject;
  if (KEY_FIELDS[kind]?.some((f) => f in changes)) await refreshLinkSortKeys(ctx, kind, { ids: [record.id] });
}

/** afterSave of activity_link: a link written through the pipeline gets its activity's keys. */
export async function refreshLinkRowSortKeys({ ctx, record }: AfterSaveArgs): Promise<void> {
  const kind = String(record.activity_object) as ActivityObject;
  if ((ACTIVITY_OBJECTS as readonly string[]).includes(kind)) await refreshLinkSortKeys(ctx, kind, { ids: [String(record.activity_id)] });
}

/** Start-up: links written before the keys existed (or by a bulk path) get them. */
export async function backfillLinkSortKeys(ctx: TxContext): Promise<void> {
  for (const kind of ACTIVITY_OBJECTS) await refreshLinkSortKeys(ctx, kind);
}
