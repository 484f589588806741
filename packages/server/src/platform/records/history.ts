import { sql } from 'kysely';
import { uuidv7 } from '../ids.ts';
import { nameArray, plainArray } from '../db/arrays.ts';
import type { ObjectDefinition } from '../metadata/types.ts';
import type { TxContext } from './context.ts';
import type { RecordOperation } from './hooks.ts';

export type Changes = Record<string, { old: unknown; new: unknown }>;

const PAST: Record<RecordOperation, string> = { create: 'created', update: 'updated', delete: 'deleted', restore: 'restored' };

/**
 * Writes the field history rows and the outbox event of one committed change, in the caller's
 * transaction: if the write rolls back, neither exists (PLT-5, PLT-13).
 */
export async function recordChange(args: { ctx: TxContext; object: ObjectDefinition; operation: RecordOperation; recordId: string; changes: Changes }): Promise<void> {
  await recordChanges({ ctx: args.ctx, object: args.object, operation: args.operation, records: [{ recordId: args.recordId, changes: args.changes }] });
}

/**
 * recordChange for several records of one object changed together (createRecords): all their
 * history rows and events in one statement, the events in the order given.
 */
export async function recordChanges(args: { ctx: TxContext; object: ObjectDefinition; operation: RecordOperation; records: Array<{ recordId: string; changes: Changes }> }): Promise<void> {
  const { ctx, object, operation, records } = args;
  if (!records.length) return;
  const actorId = ctx.actor.userId;
  const via = ctx.actor.via;
  // Each record's changes travel once, as its event's JSON; its history rows are drawn from that
  // document in SQL (one row per field: its old and new value; JSON null stored as SQL NULL, as
  // before; a create keeps the document itself on its one row). Per history row only its id, its
  // field and the record it belongs to are sent: sending each row's change id, record id and
  // values as arrays took PostgreSQL longer to bind than to insert (stop 29).
  const h = { id: [] as string[], field: [] as Array<string | null>, of: [] as number[] };
  const events = records.map(({ recordId, changes }, i) => {
    const changeId = uuidv7();
    // A create is one history row: the row without a field, the created values on it as the
    // change document (readHistory lists them field by field). Other changes write one row per
    // changed field; deletes and restores also a row without a field, first, with the id drawn
    // after the fields' (the ids order a change's rows when read).
    const fields = operation === 'create' ? [] : Object.keys(changes);
    const ids = fields.map(() => uuidv7());
    if (operation !== 'update' || fields.length === 0) {
      h.id.push(uuidv7());
      h.field.push(null);
      h.of.push(i + 1);
    }
    for (const [k, field] of fields.entries()) {
      h.id.push(ids[k]!);
      h.field.push(field);
      h.of.push(i + 1);
    }
    return { id: uuidv7(), changeId, recordId, changes: JSON.stringify(changes) };
  });
  // History rows and the outbox events in one statement: one round trip per change, or per batch.
  await sql`WITH x AS MATERIALIZED (
      SELECT u.n, u.id, u.change_id, u.record_id, u.changes::jsonb AS changes
      FROM unnest(${plainArray(events.map((e) => e.id))}::uuid[], ${plainArray(events.map((e) => e.changeId))}::uuid[], ${plainArray(events.map((e) => e.recordId))}::uuid[], ${events.map((e) => e.changes)}::text[])
        WITH ORDINALITY AS u(id, change_id, record_id, changes, n)
    ), h AS (
      INSERT INTO record_history (id, change_id, object, record_id, operation, field, old_value, new_value, changes, actor_id, via)
      SELECT r.id, x.change_id, ${object.apiName}, x.record_id, ${operation}, r.field,
        nullif(x.changes -> r.field -> 'old', 'null'::jsonb), nullif(x.changes -> r.field -> 'new', 'null'::jsonb),
        ${operation === 'create' ? sql`x.changes` : sql`NULL::jsonb`}, ${actorId}::uuid, ${via}
      FROM unnest(${plainArray(h.id)}::uuid[], ${nameArray(h.field)}::text[], ${plainArray(h.of)}::int[]) WITH ORDINALITY AS r(id, field, of, n)
        JOIN x ON x.n = r.of
      ORDER BY r.n
    )
    INSERT INTO outbox_event (id, type, object, record_id, changes, actor)
    SELECT x.id, ${`${object.apiName}.${PAST[operation]}`}, ${object.apiName}, x.record_id, x.changes,
      ${JSON.stringify({ userId: actorId, via, tokenId: ctx.actor.tokenId ?? null })}::jsonb
    FROM x ORDER BY x.n`.execute(ctx.trx);
}

/**
 * A domain event a command emits besides the record changes (`quote.accepted`), into the same
 * outbox in the caller's transaction: webhooks and other consumers get it exactly when the
 * command's writes commit. `type` is `<object>.<what happened>`; `data` travels as its changes.
 */
export async function recordEvent(args: { ctx: TxContext; type: string; object: ObjectDefinition; recordId: string; data: Record<string, unknown> }): Promise<void> {
  const { ctx } = args;
  const changes = Object.fromEntries(Object.entries(args.data).map(([k, v]) => [k, { old: null, new: v }]));
  await sql`INSERT INTO outbox_event (id, type, object, record_id, changes, actor)
    VALUES (${uuidv7()}, ${args.type}, ${args.object.apiName}, ${args.recordId}::uuid, ${JSON.stringify(changes)}::jsonb,
      ${JSON.stringify({ userId: ctx.actor.userId, via: ctx.actor.via, tokenId: ctx.actor.tokenId ?? null })}::jsonb)`.execute(ctx.trx);
}

/** Many domain events of one object in one statement (a run sending thousands of reminders): the same rows recordEvent writes, in order. */
export async function recordEvents(args: { ctx: TxContext; type: string; object: ObjectDefinition; events: Array<{ recordId: string; data: Record<string, unknown> }> }): Promise<void> {
  const { ctx, events } = args;
  if (!events.length) return;
  const actor = JSON.stringify({ userId: ctx.actor.userId, via: ctx.actor.via, tokenId: ctx.actor.tokenId ?? null });
  const changes = events.map((e) => JSON.stringify(Object.fromEntries(Object.entries(e.data).map(([k, v]) => [k, { old: null, new: v }]))));
  await sql`INSERT INTO outbox_event (id, type, object, record_id, changes, actor)
    SELECT x.id, ${args.type}, ${args.object.apiName}, x.record_id, x.changes::jsonb, ${actor}::jsonb
    FROM unnest(${events.map(() => uuidv7())}::uuid[], ${events.map((e) => e.recordId)}::uuid[], ${changes}::text[]) WITH ORDINALITY AS x(id, record_id, changes, n)
    ORDER BY x.n`.execute(ctx.trx);
}

