import { sql } from 'kysely';
import { badRequest, notFound } from '../errors.ts';
import type { Platform } from '../kernel.ts';
import type { RecordContext } from '../records/context.ts';
import { UUID_RE } from '../records/values.ts';

/** One notification as the API and the stream give it. */
export interface Notification {
  id: string;
  kind: string;
  /** The record it is about; null for notifications about something else (a disabled webhook). */
  object: string | null;
  recordId: string | null;
  occurrence: string | null;
  title: string;
  body: string;
  createdAt: string;
  readAt: string | null;
  data: Record<string, unknown>;
}

export const NOTIFICATION_COLUMNS = sql`id, kind, object, record_id AS "recordId", occurrence, title, body, created_at AS "createdAt", read_at AS "readAt", data`;
export const MAX_PAGE = 100;

export function parseListQuery(q: Record<string, string | undefined>): { unread: boolean; limit: number; cursor?: { at: string; id: string } } {
  const limit = q.limit === undefined ? 50 : Number(q.limit);
  if (!Number.isInteger(limit) || limit < 1 || limit > MAX_PAGE) throw badRequest('limit is out of range', [{ field: 'limit', code: 'out_of_range', message: `1 to ${MAX_PAGE}` }]);
  if (q.unread !== undefined && q.unread !== 'true' && q.unread !== 'false') throw badRequest('unread is true or false', [{ field: 'unread', code: 'type', message: 'true or false' }]);
  return { unread: q.unread === 'true', limit, ...(q.cursor ? { cursor: decodeCursor(q.cursor) } : {}) };
}

// The cursor is the last row's (created_at, id). It only narrows a query already limited to the
// caller's own rows, so it needs no signature — just a shape check.
function decodeCursor(cursor: string): { at: string; id: string } {
  const [at, id] = Buffer.from(cursor, 'base64url').toString('utf8').split('|');
  if (!at || !id || !UUID_RE.test(id) || Number.isNaN(Date.parse(at))) throw badRequest('cursor is not valid', [{ field: 'cursor', code: 'invalid', message: 'Use nextCursor from the previous page' }]);
  return { at, id };
}

const encodeCursor = (n: Notification) => Buffer.from(`${new Date(n.createdAt).toISOString()}|${n.id}`).toString('base64url');

export async function unreadCount(platform: Platform, userId: string): Promise<number> {
  const r = await sql<{ n: number }>`SELECT count(*)::int AS n FROM user_notification WHERE user_id = ${userId}::uuid AND read_at IS NULL`.execute(platform.db);
  return r.rows[0]?.n ?? 0;
}

/** The caller's notifications, newest first, keyset-paged, with the unread count. */
export async function listNotifications(args: { ctx: RecordContext; unread: boolean; limit: number; cursor?: { at: string; id: string } }) {
  const { ctx, cursor } = args;
  const userId = ctx.actor.userId;
  const r = await sql<Notification>`SELECT ${NOTIFICATION_COLUMNS} FROM user_notification WHERE user_id = ${userId}::uuid
    ${args.unread ? sql`AND read_at IS NULL` : sql``}
    ${cursor ? sql`AND (created_at, id) < (${cursor.at}::timestamptz, ${cursor.id}::uuid)` : sql``}
    ORDER BY created_at DESC, id DESC LIMIT ${args.limit + 1}`.execute(ctx.platform.db);
  const data = r.rows.slice(0, args.limit);
  const more = r.rows.length > args.limit;
  return { data, unreadCount: await unreadCount(ctx.platform, userId!), nextCursor: more ? encodeCursor(data.at(-1)!) : null };
}

export async function markNotificationRead(args: { ctx: RecordContext; id: string }): Promise<void> {
  if (!UUID_RE.test(args.id)) throw notFound('The notification');
  const r = await sql`UPDATE user_notification SET read_at = COALESCE(read_at, now()) WHERE id = ${args.id}::uuid AND user_id = ${args.ctx.actor.userId}::uuid RETURNING id`.execute(args.ctx.platform.db);
  if (!r.rows.length) throw notFound('The notification');
}

export async function markAllNotificationsRead(args: { ctx: RecordContext }): Promise<{ updated: number }> {
  const r = await sql`UPDATE user_notification SET read_at = now() WHERE user_id = ${args.ctx.actor.userId}::uuid AND read_at IS NULL RETURNING id`.execute(args.ctx.platform.db);
  return { updated: r.rows.length };
}
