import { sql } from 'kysely';
import { uuidv7 } from 'uuidv7';
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
  // The history rows as one array per column: PostgreSQL reads typed arrays about twice as fast as
  // the same rows as one JSON document (jsonb_to_recordset), ~11 rows per record an import creates.
  const h = { id: [] as string[], change: [] as string[], record: [] as string[], field: [] as Array<string | null>, old: [] as Array<string | null>, new: [] as Array<string | null> };
  const json = (v: unknown) => (v === null || v === undefined ? null : JSON.stringify(v));
  const push = (id: string, changeId: string, recordId: string, field: string | null, c: { old: unknown; new: unknown } | null) => {
    h.id.push(id);
    h.change.push(changeId);
    h.record.push(recordId);
    h.field.push(field);
    h.old.push(json(c?.old));
    h.new.push(json(c?.new));
  };
  const events = records.map(({ recordId, changes }) => {
    const changeId = uuidv7();
    // One history row per changed field; creates, deletes and restores also get a row without a
    // field, first, with the id drawn after the fields' (the ids order a change's rows when read).
    const fields = Object.entries(changes).map(([field, c]) => ({ id: uuidv7(), field, c }));
    if (operation !== 'update' || fields.length === 0) push(uuidv7(), changeId, recordId, null, null);
    for (const { id, field, c } of fields) push(id, changeId, recordId, field, c);
    return { id: uuidv7(), recordId, changes: JSON.stringify(changes) };
  });
  // History rows and the outbox events in one statement: one round trip per change, or per batch.
  await sql`WITH h AS (
      INSERT INTO record_history (id, change_id, object, record_id, operation, field, old_value, new_value, actor_id, via)
      SELECT r.id, r.change_id, ${object.apiName}, r.record_id, ${operation}, r.field, r.old_value, r.new_value, ${actorId}::uuid, ${via}
      FROM unnest(${h.id}::uuid[], ${h.change}::uuid[], ${h.record}::uuid[], ${h.field}::text[], ${h.old}::jsonb[], ${h.new}::jsonb[]) AS r(id, change_id, record_id, field, old_value, new_value)
    )
    INSERT INTO outbox_event (id, type, object, record_id, changes, actor)
    SELECT x.id, ${`${object.apiName}.${PAST[operation]}`}, ${object.apiName}, x.record_id, x.changes::jsonb,
      ${JSON.stringify({ userId: actorId, via, tokenId: ctx.actor.tokenId ?? null })}::jsonb
    FROM unnest(${events.map((e) => e.id)}::uuid[], ${events.map((e) => e.recordId)}::uuid[], ${events.map((e) => e.changes)}::text[]) WITH ORDINALITY AS x(id, record_id, changes, n)
    ORDER BY x.n`.execute(ctx.trx);
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

