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
  const { ctx, object, operation, recordId, changes } = args;
  const changeId = uuidv7();
  const actorId = ctx.actor.userId;
  const via = ctx.actor.via;
  // One history row per changed field; creates, deletes and restores also get a row without a field.
  const rows: Array<{ id: string; field: string | null; old_value: unknown; new_value: unknown }> = Object.entries(changes).map(([field, c]) => ({
    id: uuidv7(),
    field,
    old_value: c.old ?? null,
    new_value: c.new ?? null,
  }));
  if (operation !== 'update' || rows.length === 0) rows.unshift({ id: uuidv7(), field: null, old_value: null, new_value: null });
  // History rows and the outbox event in one statement: one round trip per change.
  const history = JSON.stringify(rows);
  await sql`WITH h AS (
      INSERT INTO record_history (id, change_id, object, record_id, operation, field, old_value, new_value, actor_id, via)
      SELECT r.id, ${changeId}::uuid, ${object.apiName}, ${recordId}::uuid, ${operation}, r.field, r.old_value, r.new_value, ${actorId}::uuid, ${via}
      FROM jsonb_to_recordset(${history}::jsonb) AS r(id uuid, field text, old_value jsonb, new_value jsonb)
    )
    INSERT INTO outbox_event (id, type, object, record_id, changes, actor)
    VALUES (${uuidv7()}, ${`${object.apiName}.${PAST[operation]}`}, ${object.apiName}, ${recordId}::uuid, ${JSON.stringify(changes)}::jsonb,
      ${JSON.stringify({ userId: actorId, via, tokenId: ctx.actor.tokenId ?? null })}::jsonb)`.execute(ctx.trx);
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

