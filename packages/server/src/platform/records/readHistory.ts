import { sql, type Kysely } from 'kysely';
import type { ObjectDefinition } from '../metadata/types.ts';

export interface HistoryEntry {
  id: string;
  changeId: string;
  operation: string;
  field: string | null;
  oldValue: unknown;
  newValue: unknown;
  actorId: string | null;
  via: string;
  occurredAt: string;
}

interface StoredRow {
  id: string;
  change_id: string;
  operation: string;
  field: string | null;
  old_value: unknown;
  new_value: unknown;
  changes: Record<string, { old: unknown; new: unknown }> | null;
  actor_id: string | null;
  via: string;
  occurred_at: Date;
}

/**
 * A record's field history, newest first, one entry per changed field. A create is stored as one
 * row carrying its values (records/history.ts); here it is listed as it always was — the row
 * without a field, then one entry per created field, under ids just below the row's own (as the
 * field rows' ids were drawn just before it), so pages and cursors go through it unchanged.
 * A create is a record's first change, so a cursor inside its fields reads only that row.
 */
export async function readHistory(args: { db: Kysely<any>; object: ObjectDefinition; recordId: string; hidden: string[]; limit: number; cursor?: string }): Promise<{ data: HistoryEntry[]; nextCursor: string | null }> {
  const { object, recordId, hidden, limit, cursor } = args;
  const r = await sql<StoredRow>`
    SELECT id, change_id, operation, field, old_value, new_value, changes, actor_id, via, occurred_at FROM record_history
    WHERE object = ${object.apiName} AND record_id = ${recordId} AND (field IS NULL OR NOT (field = ANY(${hidden}::text[])))
      ${cursor ? sql`AND (id < ${cursor}::uuid OR changes IS NOT NULL)` : sql``}
    ORDER BY id DESC LIMIT ${limit + 1}`.execute(args.db);
  const hiddenSet = new Set(hidden);
  const entries: HistoryEntry[] = [];
  for (const h of r.rows) {
    const base = { changeId: h.change_id, operation: h.operation, actorId: h.actor_id, via: h.via, occurredAt: new Date(h.occurred_at).toISOString() };
    entries.push({ ...base, id: h.id, field: h.field, oldValue: h.old_value, newValue: h.new_value });
    if (!h.changes) continue;
    const fields = Object.keys(h.changes);
    fields.forEach((field, k) => {
      if (hiddenSet.has(field)) return;
      const change = h.changes![field]!;
      entries.push({ ...base, id: idBelow(h.id, fields.length - k), field, oldValue: change.old ?? null, newValue: change.new ?? null });
    });
  }
  const page = entries.filter((e) => !cursor || e.id < cursor.toLowerCase()).sort((a, b) => (a.id < b.id ? 1 : a.id > b.id ? -1 : 0));
  const data = page.slice(0, limit);
  return { data, nextCursor: page.length > limit ? data[data.length - 1]!.id : null };
}

/** The uuid `by` below `id` (as a 128-bit number), in the same lower-case form. */
export function idBelow(id: string, by: number): string {
  const hex = (BigInt(`0x${id.replace(/-/g, '')}`) - BigInt(by)).toString(16).padStart(32, '0');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}
