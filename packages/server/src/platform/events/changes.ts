import { sql } from 'kysely';
import { AppError, badRequest, forbidden, validationFailed } from '../errors.ts';
import type { ObjectDefinition } from '../metadata/types.ts';
import type { RecordContext } from '../records/context.ts';
import { permissionsFor, readableFields, visibilityCondition } from '../access/policy.ts';
import { decodeCursor, encodeCursor } from '../records/cursor.ts';
import { loadEventSettings } from './config.ts';

/**
 * The changes feed (INT-1): creates, updates, deletes and restores of records since a cursor,
 * read from the outbox (records/history.ts writes one event per change in the write's
 * transaction), for systems that keep a copy of Meridian's data.
 *
 * Order and completeness. `seq` is taken when the event is inserted, not when its transaction
 * commits: a slow transaction can commit seq 10 after seq 11 was read, and a reader that had
 * moved past 11 would never see 10. So the feed orders by (xid, seq) — the writing transaction's
 * id (xid8, never wraps), then insertion order inside it — and hands out only events of
 * transactions below the snapshot's xmin, the oldest transaction still running: every such
 * transaction has ended, and every transaction that writes later gets a larger id. A cursor is
 * the (xid, seq) of the last event handed out, so resuming neither skips nor repeats. The cost:
 * one long-running writing transaction holds the feed back until it ends.
 *
 * Two changes of one record from overlapping transactions can appear in the order their
 * transactions first wrote rather than the order they committed (the later commit having
 * written something else first). A copy that must be exact re-reads the records a page touched
 * (GET /{object}/{id}): the feed says what changed, the record is the latest state.
 *
 * Retention: events are pruned MERIDIAN_EVENT_RETENTION_DAYS (30) after dispatch (events.prune).
 * A cursor older than that answers 410 cursor_expired: events after it may be gone.
 */

export const CHANGE_OPERATIONS = ['created', 'updated', 'deleted', 'restored'] as const;
export const MAX_CHANGES_PAGE = 1000;
const DEFAULT_CHANGES_PAGE = 100;
const CURSOR_QUERY = 'changes:v1';
const DAY_MS = 86_400_000;

export interface Change {
  id: string;
  operation: (typeof CHANGE_OPERATIONS)[number];
  object: string;
  recordId: string;
  occurredAt: string;
  actor: { userId: string | null; via: string };
  /** Changed fields, old and new values — only fields the caller may read. */
  changes: Record<string, { old: unknown; new: unknown }>;
}

export interface ChangesPage {
  data: Change[];
  nextCursor: string;
  hasMore: boolean;
}

interface Position {
  xid: string;
  seq: string;
  /** When the cursor was handed out (ms): the retention check. */
  at: number;
}

interface EventRow {
  seq: string;
  xid: string;
  id: string;
  type: string;
  object: string;
  record_id: string;
  changes: Record<string, { old: unknown; new: unknown }>;
  actor: { userId: string | null; via: string };
  occurred_at: Date;
  horizon: string;
}

function cursorOf(ctx: RecordContext, p: Position): string {
  return encodeCursor(ctx.platform.signingKey, [p.xid, p.seq, p.at], CURSOR_QUERY);
}

function readCursor(ctx: RecordContext, cursor: string, now: number): Position {
  const [xid, seq, at] = decodeCursor(ctx.platform.signingKey, cursor, CURSOR_QUERY, 3);
  if (typeof xid !== 'string' || !/^\d{1,20}$/.test(xid) || typeof seq !== 'string' || !/^\d{1,20}$/.test(seq) || typeof at !== 'number') {
    throw badRequest('The cursor is not valid', [{ field: 'since', code: 'invalid_cursor', message: 'Use the nextCursor of a previous answer unchanged' }]);
  }
  // Events after the cursor were committed after it was handed out, so none of them is pruned
  // while the cursor is younger than the retention; an older one may have lost some.
  const days = loadEventSettings().retentionDays;
  if (now - at > days * DAY_MS) {
    throw new AppError('cursor_expired', `This cursor is from ${new Date(at).toISOString().slice(0, 10)}; the changes feed keeps ${days} days. Load the data again in full (keyset pages), then follow the feed from a new cursor (GET /api/v1/changes/cursor).`, {
      errors: [{ field: 'since', code: 'cursor_expired', message: `Older than ${days} days` }],
    });
  }
  return { xid, seq, at };
}

/** The objects asked for (all readable ones by default); one the caller may not read is refused. */
function objectsOf(ctx: RecordContext, names: string[] | undefined): ObjectDefinition[] {
  const registry = ctx.platform.registry;
  if (!names?.length) return registry.listObjects().filter((o) => permissionsFor(ctx.actor, o).read);
  if (names.length > 100) throw validationFailed([{ field: 'objects', code: 'too_many', message: 'At most 100 objects' }]);
  const unknown = names.filter((n) => !registry.getObject(n));
  if (unknown.length) throw validationFailed([{ field: 'objects', code: 'unknown_object', message: `Unknown object '${unknown[0]!.slice(0, 64)}'` }]);
  const objects = [...new Set(names)].map((n) => registry.getObject(n)!);
  const unreadable = objects.find((o) => !permissionsFor(ctx.actor, o).read);
  if (unreadable) throw forbidden(`You cannot read ${unreadable.pluralLabel.toLowerCase()}`);
  return objects;
}

/** The current end of the feed: a cursor from which only changes committed from now on are handed out. */
export async function currentChangesCursor(args: { ctx: RecordContext; now?: number }): Promise<{ cursor: string }> {
  const r = await sql<{ xmin: string }>`SELECT pg_snapshot_xmin(pg_current_snapshot())::text AS xmin`.execute(args.ctx.platform.db);
  // (xmin, 0): everything of transactions below xmin is before it; xmin and later come after.
  return { cursor: cursorOf(args.ctx, { xid: r.rows[0]!.xmin, seq: '0', at: args.now ?? Date.now() }) };
}

/** Which of these records the caller may read now (deleted ones too: a delete is news to a copy). */
async function readableIds(ctx: RecordContext, object: ObjectDefinition, ids: string[]): Promise<Set<string> | null> {
  const visible = visibilityCondition(ctx.actor, object, 't0');
  if (!visible) return null;
  const r = await sql<{ id: string }>`SELECT t0.id FROM ${sql.table(object.table)} AS t0 WHERE t0.id = ANY(${ids}::uuid[]) AND ${visible}`.execute(ctx.platform.db);
  return new Set(r.rows.map((row) => row.id));
}

/**
 * One page of the feed after `since` (or from the oldest change kept). Records the caller may
 * not read are left out (their visibility now, through the same policy as a list), and so are
 * fields their profile hides; the cursor still moves past them.
 */
export async function listChanges(args: { ctx: RecordContext; since?: string; objects?: string[]; limit?: number; now?: number }): Promise<ChangesPage> {
  const { ctx } = args;
  const now = args.now ?? Date.now();
  const limit = args.limit ?? DEFAULT_CHANGES_PAGE;
  if (!Number.isInteger(limit) || limit < 1 || limit > MAX_CHANGES_PAGE) {
    throw badRequest(`limit must be between 1 and ${MAX_CHANGES_PAGE}`, [{ field: 'limit', code: 'out_of_range', message: `Between 1 and ${MAX_CHANGES_PAGE}` }]);
  }
  const from: Position = args.since ? readCursor(ctx, args.since, now) : { xid: '0', seq: '0', at: now };
  const objects = objectsOf(ctx, args.objects);
  if (!objects.length) return { data: [], nextCursor: cursorOf(ctx, { ...from, at: now }), hasMore: false };
  const types = objects.flatMap((o) => CHANGE_OPERATIONS.map((op) => `${o.apiName}.${op}`));
  const r = await sql<EventRow>`WITH s AS (SELECT pg_snapshot_xmin(pg_current_snapshot()) AS xmin)
    SELECT e.seq::text AS seq, e.xid::text AS xid, e.id, e.type, e.object, e.record_id, e.changes, e.actor, e.occurred_at, s.xmin::text AS horizon
    FROM s LEFT JOIN LATERAL (
      SELECT * FROM outbox_event e WHERE (e.xid, e.seq) > (${from.xid}::xid8, ${from.seq}::bigint) AND e.xid < s.xmin AND e.type = ANY(${types}::text[])
      ORDER BY e.xid, e.seq LIMIT ${limit + 1}
    ) e ON true`.execute(ctx.platform.db);
  const horizon = r.rows[0]!.horizon;
  const rows = r.rows.filter((row) => row.id !== null);
  const hasMore = rows.length > limit;
  const page = hasMore ? rows.slice(0, limit) : rows;
  const last = page[page.length - 1];
  // A full page resumes after its last event; otherwise everything below the horizon has been
  // read and the cursor moves to it, so the next poll does not scan the same events again.
  const next: Position = hasMore ? { xid: last!.xid, seq: last!.seq, at: now } : BigInt(horizon) > BigInt(from.xid) ? { xid: horizon, seq: '0', at: now } : { ...from, at: now };
  return { data: await presentChanges(ctx, page), nextCursor: cursorOf(ctx, next), hasMore };
}

async function presentChanges(ctx: RecordContext, page: EventRow[]): Promise<Change[]> {
  const registry = ctx.platform.registry;
  const byObject = new Map<string, EventRow[]>();
  for (const row of page) byObject.set(row.object, [...(byObject.get(row.object) ?? []), row]);
  const allowed = new Map<string, { ids: Set<string> | null; fields: Set<string> }>();
  for (const [name, rows] of byObject) {
    const object = registry.getObject(name);
    if (!object) continue;
    allowed.set(name, { ids: await readableIds(ctx, object, [...new Set(rows.map((row) => row.record_id))]), fields: new Set(readableFields(ctx.actor, object).map((f) => f.apiName)) });
  }
  const out: Change[] = [];
  for (const row of page) {
    const access = allowed.get(row.object);
    if (!access || (access.ids && !access.ids.has(row.record_id))) continue;
    const changes = Object.fromEntries(Object.entries(row.changes ?? {}).filter(([field]) => access.fields.has(field)));
    out.push({
      id: row.id,
      operation: row.type.slice(row.object.length + 1) as Change['operation'],
      object: row.object,
      recordId: row.record_id,
      occurredAt: new Date(row.occurred_at).toISOString(),
      actor: { userId: row.actor?.userId ?? null, via: row.actor?.via ?? 'system' },
      changes,
    });
  }
  return out;
}
