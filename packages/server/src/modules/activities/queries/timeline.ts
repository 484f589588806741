import { sql, type RawBuilder } from 'kysely';
import { badRequest } from '../../../platform/errors.ts';
import { isFieldReadable, permissionsFor, visibilityCondition } from '../../../platform/access/policy.ts';
import type { RecordContext } from '../../../platform/records/context.ts';
import { decodeCursor, encodeCursor } from '../../../platform/records/cursor.ts';
import { getRecord } from '../../../platform/records/read.ts';
import { ACTIVITY_OBJECTS, OPEN_TASK_STATUSES, type ActivityObject } from '../objects.ts';
import { tableOf, todayIn } from '../context.ts';

export const TIMELINE_MAX = 200;
/** Field changes of note shown on a timeline, besides the creation of the record. */
export const TIMELINE_FIELDS = ['stage', 'owner', 'status'];

export interface TimelineItem {
  kind: ActivityObject | 'change';
  id: string;
  at: string;
  upcoming: boolean;
  title: string | null;
  status: string | null;
  owner: string | null;
  /** For kind 'change': the operation, field and values from record history. */
  change?: { operation: string; field: string | null; old: unknown; new: unknown; actor: string | null };
}

interface Row {
  kind: string;
  item_id: string;
  bucket: number;
  upcoming: boolean;
  k: string;
  at: Date | string;
  title: string | null;
  status: string | null;
  owner_id: string | null;
  operation: string | null;
  field: string | null;
  old_value: unknown;
  new_value: unknown;
}

/**
 * The timeline of one record (ACT-1): activities linked to it (tasks, meetings, calls, logged
 * e-mails, notes, attachments) and its field changes of note, in one keyset-paginated list.
 *
 * Order: upcoming items (open tasks due today or later, scheduled meetings and calls in the
 * future) soonest first, then everything else newest first. The sort key is (bucket, k, id)
 * with k = +epoch for upcoming and -epoch for the rest, so one ascending row comparison pages
 * through both parts. "Now" is fixed by the first page and carried in the signed cursor: an
 * item that becomes past while a client pages is neither repeated nor skipped.
 *
 * Access: the record must be readable; activities come only from objects the user may read and
 * only rows the user's sharing lets them see (the same visibility condition as list views).
 */
export async function getTimeline(args: { ctx: RecordContext; object: string; id: string; cursor?: string; limit?: number }): Promise<{ data: TimelineItem[]; nextCursor: string | null }> {
  const { ctx } = args;
  const object = ctx.platform.registry.requireObject(args.object);
  await getRecord({ ctx, object, id: args.id, fields: ['id'] });
  const limit = args.limit ?? 50;
  const recordId = args.id.toLowerCase();
  const queryKey = JSON.stringify(['timeline', object.apiName, recordId]);
  let now = new Date().toISOString();
  let today = todayIn(ctx.actor.timeZone);
  let after: RawBuilder<boolean> = sql`true`;
  if (args.cursor) {
    const [n, t, bucket, k, id] = decodeCursor(ctx.platform.signingKey, args.cursor, queryKey, 5) as [string, string, number, string, string];
    now = n;
    today = t;
    after = sql`(t.bucket, t.k, t.item_id) > (${bucket}::int, ${k}::numeric, ${id}::text)`;
  }
  const parts: RawBuilder<unknown>[] = [];
  for (const kind of ACTIVITY_OBJECTS) {
    const def = ctx.platform.registry.getObject(kind);
    if (!def || !permissionsFor(ctx.actor, def).read) continue;
    const vis = visibilityCondition(ctx.actor, def, 'a');
    const { ts, upcoming, title, status } = activityColumns(kind, now, today, ctx.actor.timeZone);
    parts.push(sql`SELECT ${kind}::text AS kind, a.id::text AS item_id, ${ts} AS at, (${upcoming}) AS upcoming, ${title}::text AS title, ${status}::text AS status,
        a.owner_id::text AS owner_id, NULL::text AS operation, NULL::text AS field, NULL::jsonb AS old_value, NULL::jsonb AS new_value
      FROM ${tableOf(ctx, 'activity_link')} l JOIN ${tableOf(ctx, kind)} a ON a.id = l.activity_id::uuid
      WHERE l.record_object = ${object.apiName} AND l.record_id = ${recordId} AND l.activity_object = ${kind}
        AND l.deleted_at IS NULL AND a.deleted_at IS NULL${vis ? sql` AND ${vis}` : sql``}`);
  }
  const fields = TIMELINE_FIELDS.filter((f) => {
    const def = ctx.platform.registry.getField(object, f);
    return def && isFieldReadable(ctx.actor, object, def);
  });
  parts.push(sql`SELECT 'change' AS kind, h.id::text AS item_id, h.occurred_at AS at, false AS upcoming, NULL::text AS title, NULL::text AS status,
      h.actor_id::text AS owner_id, h.operation, h.field, h.old_value, h.new_value
    FROM record_history h
    WHERE h.object = ${object.apiName} AND h.record_id = ${recordId}::uuid
      AND ((h.field IS NULL AND h.operation <> 'update')${fields.length ? sql` OR (h.operation = 'update' AND h.field IN (${sql.join(fields)}))` : sql``})`);
  const r = await sql<Row>`SELECT t.*, t.k::text AS k FROM (
      SELECT u.*, CASE WHEN u.upcoming THEN 0 ELSE 1 END AS bucket,
        CASE WHEN u.upcoming THEN extract(epoch FROM u.at) ELSE -extract(epoch FROM u.at) END AS k
      FROM (${sql.join(parts, sql` UNION ALL `)}) u
    ) t
    WHERE ${after}
    ORDER BY t.bucket, t.k, t.item_id
    LIMIT ${limit + 1}`.execute(ctx.trx ?? ctx.platform.db);
  const rows = r.rows.slice(0, limit);
  const last = rows[rows.length - 1];
  return {
    data: rows.map(toItem),
    nextCursor: r.rows.length > limit && last ? encodeCursor(ctx.platform.signingKey, [now, today, Number(last.bucket), String(last.k), last.item_id], queryKey) : null,
  };
}

function activityColumns(kind: ActivityObject, now: string, today: string, timeZone: string) {
  const ref = (c: string) => sql.ref(`a.${c}`);
  switch (kind) {
    case 'task':
      return {
        // A due date is a day in the owner's calendar: dated at its start in the reader's zone.
        ts: sql`COALESCE((${ref('due_date')}::timestamp AT TIME ZONE ${timeZone}), ${ref('created_at')})`,
        upcoming: sql`${ref('status')} IN (${sql.join([...OPEN_TASK_STATUSES])}) AND ${ref('due_date')} >= ${today}::date`,
        title: ref('subject'),
        status: ref('status'),
      };
    case 'meeting':
    case 'call':
      return {
        ts: ref('start_at'),
        upcoming: sql`${ref('status')} = 'scheduled' AND ${ref('start_at')} > ${now}::timestamptz`,
        title: ref('subject'),
        status: ref('status'),
      };
    case 'email_log':
      return { ts: sql`COALESCE(${ref('sent_at')}, ${ref('created_at')})`, upcoming: sql`false`, title: ref('subject'), status: ref('direction') };
    case 'note':
      return { ts: ref('created_at'), upcoming: sql`false`, title: ref('title'), status: sql`NULL` };
    case 'attachment':
      // Dated by the upload; the status column carries the detected content type.
      return { ts: ref('created_at'), upcoming: sql`false`, title: ref('file_name'), status: ref('content_type') };
  }
}

function toItem(row: Row): TimelineItem {
  const at = row.at instanceof Date ? row.at.toISOString() : new Date(row.at).toISOString();
  const item: TimelineItem = { kind: row.kind as TimelineItem['kind'], id: row.item_id, at, upcoming: Boolean(row.upcoming), title: row.title, status: row.status, owner: row.owner_id };
  if (row.kind === 'change') {
    item.owner = null;
    item.change = { operation: row.operation!, field: row.field, old: row.old_value ?? null, new: row.new_value ?? null, actor: row.owner_id };
  }
  return item;
}

export function parseTimelineLimit(value: string | undefined): number {
  if (value === undefined || value === '') return 50;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1 || n > TIMELINE_MAX) {
    throw badRequest(`limit must be between 1 and ${TIMELINE_MAX}`, [{ field: 'limit', code: 'out_of_range', message: `Between 1 and ${TIMELINE_MAX}` }]);
  }
  return n;
}
