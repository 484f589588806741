import { sql } from 'kysely';
import { badRequest } from '../../../errors.ts';
import type { Platform } from '../../../kernel.ts';
import type { Actor } from '../../../records/context.ts';
import { assertAdmin } from '../../../access/policy.ts';
import { decodeCursor, encodeCursor } from '../../../records/cursor.ts';
import { UUID, load } from './input.ts';
import { presentDelivery, type DeliveryRow } from './presenters.ts';

export const STATUSES = ['pending', 'delivering', 'retrying', 'succeeded', 'failed'];

/** GET /api/v1/webhooks/{id}/deliveries: newest first, keyset-paginated; `status` filters. */
export async function listDeliveries(args: { platform: Platform; actor: Actor; id: string; query: Record<string, string | undefined> }) {
  assertAdmin(args.actor, 'Only administrators can manage webhooks');
  const sub = await load(args.platform, args.id);
  const q = args.query;
  const limit = q.limit === undefined ? 50 : Number(q.limit);
  if (!Number.isInteger(limit) || limit < 1 || limit > 200) throw badRequest('limit must be between 1 and 200', [{ field: 'limit', code: 'out_of_range', message: 'Between 1 and 200' }]);
  const statuses = (q.status ?? '').split(',').map((s) => s.trim()).filter(Boolean);
  const bad = statuses.find((s) => !STATUSES.includes(s));
  if (bad) throw badRequest('status is not valid', [{ field: 'status', code: 'invalid_choice', message: `One or more of ${STATUSES.join(', ')}` }]);
  if (q.eventId !== undefined && !UUID.test(q.eventId)) throw badRequest('eventId must be an event id', [{ field: 'eventId', code: 'invalid', message: 'A uuid' }]);
  const queryKey = `deliveries:${sub.id}:${statuses.join(',')}:${q.eventId ?? ''}`;
  const after = q.cursor ? String(decodeCursor(args.platform.signingKey, q.cursor, queryKey, 1)[0]) : undefined;
  if (after !== undefined && !/^\d+$/.test(after)) throw badRequest('The cursor is not valid', [{ field: 'cursor', code: 'invalid_cursor', message: 'Use nextCursor unchanged' }]);
  const r = await sql<DeliveryRow>`SELECT * FROM webhook_delivery WHERE subscription_id = ${sub.id}
    ${statuses.length ? sql`AND status = ANY(${statuses}::text[])` : sql``}
    ${q.eventId ? sql`AND event_id = ${q.eventId}::uuid` : sql``}
    ${after ? sql`AND seq < ${after}::bigint` : sql``}
    ORDER BY seq DESC LIMIT ${limit + 1}`.execute(args.platform.db);
  const page = r.rows.slice(0, limit);
  const last = page[page.length - 1];
  return { data: page.map(presentDelivery), nextCursor: r.rows.length > limit && last ? encodeCursor(args.platform.signingKey, [String(last.seq)], queryKey) : null };
}
