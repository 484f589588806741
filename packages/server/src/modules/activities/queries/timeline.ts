import { sql, type RawBuilder } from 'kysely';
import { badRequest } from '../../../platform/errors.ts';
import { isFieldReadable, permissionsFor, visibilityCondition } from '../../../platform/access/policy.ts';
import type { RecordContext } from '../../../platform/records/context.ts';
import { decodeCursor, encodeCursor } from '../../../platform/records/cursor.ts';
import { getRecord } from '../../../platform/records/read.ts';
import { ACTIVITY_OBJECTS, type ActivityObject } from '../objects.ts';
import { tableOf } from '../context.ts';
import { todayIn } from '../../../platform/dates.ts';
import sanitizeHtml from 'sanitize-html';

export const TIMELINE_MAX = 200;
/** Field changes of note shown on a timeline, besides the creation of the record. */
export const TIMELINE_FIELDS = ['stage', 'owner', 'status'];

export interface TimelineItem {
  kind: ActivityObject | 'change';
  id: string;
  at: string;
  upcoming: boolean;
  /** An open task whose due date has passed (in the reader's time zone); it is listed with the upcoming items. */
  overdue: boolean;
  title: string | null;
  status: string | null;
  owner: string | null;
  /** Plain text of a note, call, meeting, task or e-mail (its body or description), up to TEXT_MAX characters; null when empty or hidden from the reader. */
  text?: string | null;
  /** For kind 'change': the operation, field and values from record history. */
  change?: { operation: string; field: string | null; old: unknown; new: unknown; actor: string | null };
}

interface Row {
  kind: string;
  item_id: string;
  bucket: number;
  at: Date | string;
  title: string | null;
  status: string | null;
  body: string | null;
  owner_id: string | null;
  overdue: boolean | null;
  operation: string | null;
  field: string | null;
  old_value: unknown;
  new_value: unknown;
}

/** Kinds that can be upcoming: the others are always history. */
const UPCOMING_KINDS: readonly ActivityObject[] = ['task', 'meeting', 'call'];

/**
 * The timeline of one record (ACT-1): activities linked to it (tasks, meetings, calls, logged
 * e-mails, notes, attachments) and its field changes of note, in one keyset-paginated list.
 *
 * Order: the "upcoming & overdue" part — open tasks (overdue ones first, as the oldest) and
 * scheduled meetings and calls in the future — soonest first, then everything else newest
 * first, ties by id in the same direction.
 * Each activity_link row carries its activity's sort_at and upcoming_until (rules/linkSortKeys.ts),
 * so every kind is read in index order — forwards for the upcoming part, backwards for history —
 * and a page reads about limit rows per kind, however many items the record has. "Now" is fixed
 * by the first page and carried in the signed cursor: an item that becomes past while a client
 * pages is neither repeated nor skipped. Links written by raw SQL, outside the record pipeline,
 * have no keys until the next start-up fills them in (startup.ts), and are left out until then.
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
  const today = todayIn(ctx.actor.timeZone);
  let after: { bucket: number; at: string; id: string } | undefined;
  if (args.cursor) {
    const [n, bucket, at, id] = decodeCursor(ctx.platform.signingKey, args.cursor, queryKey, 4) as [string, number, string, string];
    if (typeof n !== 'string' || (bucket !== 0 && bucket !== 1) || typeof at !== 'string' || typeof id !== 'string') throw badRequest('The cursor is not valid');
    now = n;
    after = { bucket, at, id };
  }
  const take = limit + 1;
  const upcoming: RawBuilder<unknown>[] = [];
  const history: RawBuilder<unknown>[] = [];
  for (const kind of ACTIVITY_OBJECTS) {
    const def = ctx.platform.registry.getObject(kind);
    if (!def || !permissionsFor(ctx.actor, def).read) continue;
    const vis = visibilityCondition(ctx.actor, def, 'a');
    const { title, status } = activityColumns(kind);
    const body = bodyColumn(ctx, kind);
    const overdue = kind === 'task' ? sql`(a.due_date < ${today}::date AND l.upcoming_until > ${now}::timestamptz)` : sql`false`;
    const select = (bucket: number) => sql`SELECT ${kind}::text AS kind, l.activity_id AS item_id, ${bucket}::int AS bucket, l.sort_at AS at, ${title}::text AS title, ${status}::text AS status,
        ${body} AS body, a.owner_id::text AS owner_id, ${overdue} AS overdue, NULL::text AS operation, NULL::text AS field, NULL::jsonb AS old_value, NULL::jsonb AS new_value
      FROM ${tableOf(ctx, 'activity_link')} l JOIN ${tableOf(ctx, kind)} a ON a.id = l.activity_id::uuid
      WHERE l.record_object = ${object.apiName} AND l.record_id = ${recordId} AND l.activity_object = ${kind}
        AND l.deleted_at IS NULL AND a.deleted_at IS NULL AND l.sort_at IS NOT NULL${vis ? sql` AND ${vis}` : sql``}`;
    if (UPCOMING_KINDS.includes(kind) && (!after || after.bucket === 0)) {
      // Read through the partial index of items that can be upcoming (upcoming_until set).
      upcoming.push(sql`(${select(0)} AND l.upcoming_until IS NOT NULL AND l.upcoming_until > ${now}::timestamptz
        ${after ? sql`AND (l.sort_at, l.activity_id) > (${after.at}::timestamptz, ${after.id}::text)` : sql``}
        ORDER BY l.sort_at, l.activity_id LIMIT ${take})`);
    }
    // History is read from two partial indexes, each backwards: items that are never upcoming,
    // and those whose time has passed (a meeting or call still "scheduled" after its start; its
    // upcoming_until is its start, so sort_at <= now bounds the scan). One index for both would
    // make every page step over all the record's future items first.
    const before = after?.bucket === 1 ? sql`AND (l.sort_at, l.activity_id) < (${after.at}::timestamptz, ${after.id}::text)` : sql``;
    history.push(sql`(${select(1)} AND l.upcoming_until IS NULL ${before} ORDER BY l.sort_at DESC, l.activity_id DESC LIMIT ${take})`);
    if (UPCOMING_KINDS.includes(kind)) {
      history.push(sql`(${select(1)} AND l.upcoming_until IS NOT NULL AND l.upcoming_until <= ${now}::timestamptz AND l.sort_at <= ${now}::timestamptz ${before}
        ORDER BY l.sort_at DESC, l.activity_id DESC LIMIT ${take})`);
    }
  }
  history.push(...documentBranches({ ctx, recordObject: object.apiName, recordId, after, take }));
  const fields = TIMELINE_FIELDS.filter((f) => {
    const def = ctx.platform.registry.getField(object, f);
    return def && isFieldReadable(ctx.actor, object, def);
  });
  history.push(sql`(SELECT 'change' AS kind, h.id::text AS item_id, 1 AS bucket, h.occurred_at AS at, NULL::text AS title, NULL::text AS status,
      NULL::text AS body, h.actor_id::text AS owner_id, false AS overdue, h.operation, h.field, h.old_value, h.new_value
    FROM record_history h
    WHERE h.object = ${object.apiName} AND h.record_id = ${recordId}::uuid
      AND ((h.field IS NULL AND h.operation <> 'update')${fields.length ? sql` OR (h.operation = 'update' AND h.field IN (${sql.join(fields)}))` : sql``})
      ${after?.bucket === 1 ? sql`AND (h.occurred_at, h.id) < (${after.at}::timestamptz, ${after.id}::uuid)` : sql``}
    ORDER BY h.occurred_at DESC, h.id DESC LIMIT ${take})`);
  // Both parts in one round trip; each is merged in its own direction and the page is cut here.
  const part = (branches: RawBuilder<unknown>[], dir: RawBuilder<unknown>) =>
    sql`(SELECT * FROM (${sql.join(branches, sql` UNION ALL `)}) p ORDER BY p.at ${dir}, p.item_id ${dir} LIMIT ${take})`;
  const r = await sql<Row>`SELECT * FROM (${upcoming.length ? sql`${part(upcoming, sql`ASC`)} UNION ALL ` : sql``}${part(history, sql`DESC`)}) t`.execute(ctx.trx ?? ctx.platform.db);
  const ts = (x: Row) => (x.at instanceof Date ? x.at.getTime() : Date.parse(String(x.at)));
  const byKey = (x: Row, y: Row) => {
    if (x.bucket !== y.bucket) return Number(x.bucket) - Number(y.bucket);
    const d = Number(x.bucket) === 0 ? ts(x) - ts(y) : ts(y) - ts(x);
    if (d) return d;
    return (x.item_id < y.item_id ? -1 : x.item_id > y.item_id ? 1 : 0) * (Number(x.bucket) === 0 ? 1 : -1);
  };
  const sorted = r.rows.sort(byKey);
  const rows = sorted.slice(0, limit);
  const last = rows[rows.length - 1];
  return {
    data: rows.map(toItem),
    nextCursor: sorted.length > limit && last ? encodeCursor(ctx.platform.signingKey, [now, Number(last.bucket), new Date(ts(last)).toISOString(), last.item_id], queryKey) : null,
  };
}

/**
 * Records of other objects that list themselves on this record's timeline through a lookup
 * (`timelineOn`: a quote, an order or an invoice on its account, contact and opportunity), as
 * history at their creation, each with its name and status, under the reader's access. Read
 * through the lookup's index, newest first, about a page per lookup.
 */
function documentBranches(args: { ctx: RecordContext; recordObject: string; recordId: string; after: { bucket: number; at: string; id: string } | undefined; take: number }): RawBuilder<unknown>[] {
  const { ctx, recordObject, recordId, take } = args;
  const branches: RawBuilder<unknown>[] = [];
  const after = args.after?.bucket === 1 ? args.after : undefined;
  for (const def of ctx.platform.registry.listObjects()) {
    if (!def.timelineOn?.length || !permissionsFor(ctx.actor, def).read) continue;
    const name = ctx.platform.registry.getField(def, def.nameField);
    const status = ctx.platform.registry.getField(def, 'status');
    const vis = visibilityCondition(ctx.actor, def, 'd');
    for (const apiName of def.timelineOn) {
      const lookup = ctx.platform.registry.getField(def, apiName);
      if (!lookup || lookup.type !== 'lookup' || lookup.lookup?.object !== recordObject || !isFieldReadable(ctx.actor, def, lookup)) continue;
      branches.push(sql`(SELECT ${def.apiName}::text AS kind, d.id::text AS item_id, 1 AS bucket, d.created_at AS at,
          ${name && isFieldReadable(ctx.actor, def, name) ? sql.ref(`d.${name.column}`) : sql`NULL`}::text AS title,
          ${status && isFieldReadable(ctx.actor, def, status) ? sql.ref(`d.${status.column}`) : sql`NULL`}::text AS status,
          NULL::text AS body, d.owner_id::text AS owner_id, false AS overdue, NULL::text AS operation, NULL::text AS field, NULL::jsonb AS old_value, NULL::jsonb AS new_value
        FROM ${tableOf(ctx, def.apiName)} d
        WHERE ${sql.ref(`d.${lookup.column}`)} = ${recordId}::uuid AND d.deleted_at IS NULL${vis ? sql` AND ${vis}` : sql``}
          ${after ? sql`AND (d.created_at, d.id::text) < (${after.at}::timestamptz, ${after.id}::text)` : sql``}
        ORDER BY d.created_at DESC, d.id DESC LIMIT ${take})`);
    }
  }
  return branches;
}

function activityColumns(kind: ActivityObject): { title: RawBuilder<unknown>; status: RawBuilder<unknown> } {
  const ref = (c: string) => sql.ref(`a.${c}`);
  switch (kind) {
    case 'task':
    case 'meeting':
    case 'call':
      return { title: ref('subject'), status: ref('status') };
    case 'email_log':
      return { title: ref('subject'), status: ref('direction') };
    case 'note':
      return { title: ref('title'), status: sql`NULL` };
    case 'attachment':
      // The status column carries the detected content type.
      return { title: ref('file_name'), status: ref('content_type') };
  }
}

/** How much of a body the timeline carries; the record page has the rest. */
export const TEXT_MAX = 2000;

/** The body or description of an activity, when the reader may see that field; notes hold HTML. */
function bodyColumn(ctx: RecordContext, kind: ActivityObject): RawBuilder<unknown> {
  const field = kind === 'note' || kind === 'email_log' ? 'body' : kind === 'attachment' ? null : 'description';
  const object = ctx.platform.registry.getObject(kind);
  const def = field && object ? ctx.platform.registry.getField(object, field) : undefined;
  if (!def || !isFieldReadable(ctx.actor, object!, def)) return sql`NULL::text`;
  // Notes are sanitised HTML: read a little more, the tags are dropped below.
  return sql`left(${sql.ref(`a.${def.column}`)}, ${kind === 'note' ? TEXT_MAX * 3 : TEXT_MAX})`;
}

/** Plain text for the timeline: tags of a note's HTML dropped, entities decoded, whitespace kept readable. */
export function timelineText(kind: string, body: string | null): string | null {
  if (!body) return null;
  let text = body;
  if (kind === 'note') {
    text = sanitizeHtml(body.replace(/<\/(p|li|h[1-6]|blockquote|pre)>|<br\s*\/?>/gi, '$&\n'), { allowedTags: [], allowedAttributes: {} })
      .replace(/&nbsp;/g, ' ').replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&quot;/g, '"').replace(/&#39;/g, "'").replace(/&amp;/g, '&');
  }
  text = text.replace(/\r\n?/g, '\n').replace(/[ \t]+\n/g, '\n').replace(/\n{3,}/g, '\n\n').trim();
  return text ? text.slice(0, TEXT_MAX) : null;
}

function toItem(row: Row): TimelineItem {
  const at = row.at instanceof Date ? row.at.toISOString() : new Date(row.at).toISOString();
  const item: TimelineItem = { kind: row.kind as TimelineItem['kind'], id: row.item_id, at, upcoming: Number(row.bucket) === 0, overdue: row.overdue === true, title: row.title, status: row.status, owner: row.owner_id, text: timelineText(row.kind, row.body) };
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
