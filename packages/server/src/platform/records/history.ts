import { sql } from 'kysely';
import { uuidv7 } from '../ids.ts';
import { nameArray, plainArray } from '../db/arrays.ts';
import type { ObjectDefinition } from '../metadata/types.ts';
import type { TxContext } from './context.ts';
import type { RecordOperation } from './hooks.ts';

export type Changes = Record<string, { old: unknown; new: unknown }>;

const PAST: Record<RecordOperation, string> = { create: 'created', update: 'updated', delete: 'deleted', restore: 'restored' };

/**
 * One change or domain event bound for the outbox, with its history rows (none for a domain
 * event): what recordChanges, recordEvent and recordEvents write, staged until the transaction
 * commits when its unit of work stages them (inTransaction's does).
 */
export interface StagedChange {
  id: string;
  /** null for a domain event, which has no history rows. */
  changeId: string | null;
  recordId: string;
  object: string;
  type: string;
  operation: RecordOperation | null;
  /** The event's changes as JSON: its history rows are drawn from it. */
  changes: string;
  actor: string;
  actorId: string | null;
  via: string;
  /** The history rows: their ids and fields (null: the row without a field). */
  rows: Array<{ id: string; field: string | null }>;
}

/**
 * Writes the field history rows and the outbox event of one committed change, in the caller's
 * transaction: if the write rolls back, neither exists (PLT-5, PLT-13).
 */
export async function recordChange(args: { ctx: TxContext; object: ObjectDefinition; operation: RecordOperation; recordId: string; changes: Changes }): Promise<void> {
  await recordChanges({ ctx: args.ctx, object: args.object, operation: args.operation, records: [{ recordId: args.recordId, changes: args.changes }] });
}

/**
 * recordChange for several records of one object changed together (createRecords): all their
 * history rows and events, the events in the order given.
 */
export async function recordChanges(args: { ctx: TxContext; object: ObjectDefinition; operation: RecordOperation; records: Array<{ recordId: string; changes: Changes }> }): Promise<void> {
  const { ctx, object, operation, records } = args;
  if (!records.length) return;
  const actor = actorOf(ctx);
  const type = `${object.apiName}.${PAST[operation]}`;
  await stage(ctx, records.map(({ recordId, changes }) => {
    const changeId = uuidv7();
    // A create is one history row: the row without a field, the created values on it as the
    // change document (readHistory lists them field by field). Other changes write one row per
    // changed field; deletes and restores also a row without a field, first, with the id drawn
    // after the fields' (the ids order a change's rows when read).
    const fields = operation === 'create' ? [] : Object.keys(changes);
    const ids = fields.map(() => uuidv7());
    const rows: StagedChange['rows'] = [];
    if (operation !== 'update' || fields.length === 0) rows.push({ id: uuidv7(), field: null });
    for (const [k, field] of fields.entries()) rows.push({ id: ids[k]!, field });
    return { id: uuidv7(), changeId, recordId, object: object.apiName, type, operation, changes: JSON.stringify(changes), ...actor, rows };
  }));
}

/**
 * A domain event a command emits besides the record changes (`quote.accepted`), into the same
 * outbox in the caller's transaction: webhooks and other consumers get it exactly when the
 * command's writes commit. `type` is `<object>.<what happened>`; `data` travels as its changes.
 */
export async function recordEvent(args: { ctx: TxContext; type: string; object: ObjectDefinition; recordId: string; data: Record<string, unknown> }): Promise<void> {
  await recordEvents({ ctx: args.ctx, type: args.type, object: args.object, events: [{ recordId: args.recordId, data: args.data }] });
}

/** Many domain events of one object (a run sending thousands of reminders): the same rows recordEvent writes, in order. */
export async function recordEvents(args: { ctx: TxContext; type: string; object: ObjectDefinition; events: Array<{ recordId: string; data: Record<string, unknown> }> }): Promise<void> {
  const { ctx, events } = args;
  if (!events.length) return;
  const actor = actorOf(ctx);
  await stage(ctx, events.map((e) => ({
    id: uuidv7(), changeId: null, recordId: e.recordId, object: args.object.apiName, type: args.type, operation: null,
    changes: JSON.stringify(Object.fromEntries(Object.entries(e.data).map(([k, v]) => [k, { old: null, new: v }]))), ...actor, rows: [],
  })));
}

function actorOf(ctx: TxContext): Pick<StagedChange, 'actor' | 'actorId' | 'via'> {
  const { userId, via, tokenId } = ctx.actor;
  return { actor: JSON.stringify({ userId, via, tokenId: tokenId ?? null }), actorId: userId, via };
}

/**
 * Stages the changes in the transaction's unit of work, written by writeStagedChanges just before
 * it commits (one statement for the whole transaction, however many writes it made), or writes
 * them now when the unit does not stage (a transaction opened without inTransaction).
 */
async function stage(ctx: TxContext, changes: StagedChange[]): Promise<void> {
  if (ctx.uow.staged) ctx.uow.staged.push(...changes);
  else await writeChanges(ctx, changes);
}

/** Writes what the transaction's unit of work staged; inTransaction calls it before committing. */
export async function writeStagedChanges(ctx: TxContext): Promise<void> {
  const staged = ctx.uow.staged;
  if (staged?.length) await writeChanges(ctx, staged.splice(0));
}

/**
 * History rows and outbox events, of any objects and operations, in one statement and in the
 * order given (the outbox's seq follows it). Each change travels once, as its event's JSON; its
 * history rows are drawn from that document in SQL (one row per field: its old and new value,
 * JSON null stored as SQL NULL; a create keeps the document itself on its one row). Per history
 * row only its id, its field and the change it belongs to are sent: sending each row's values as
 * arrays took PostgreSQL longer to bind than to insert (stop 29).
 */
async function writeChanges(ctx: TxContext, changes: StagedChange[]): Promise<void> {
  const h = { id: [] as string[], field: [] as Array<string | null>, of: [] as number[] };
  for (const [i, c] of changes.entries()) {
    for (const r of c.rows) {
      h.id.push(r.id);
      h.field.push(r.field);
      h.of.push(i + 1);
    }
  }
  const column = <K extends keyof StagedChange>(k: K) => changes.map((c) => c[k]);
  await sql`WITH x AS MATERIALIZED (
      SELECT u.n, u.id, u.change_id, u.record_id, u.changes::jsonb AS changes, u.object, u.type, u.operation, u.actor, u.actor_id, u.via
      FROM unnest(${plainArray(column('id'))}::uuid[], ${column('changeId')}::uuid[], ${plainArray(column('recordId'))}::uuid[], ${column('changes')}::text[],
          ${nameArray(column('object'))}::text[], ${column('type')}::text[], ${nameArray(column('operation'))}::text[], ${column('actor')}::text[], ${column('actorId')}::uuid[], ${nameArray(column('via'))}::text[])
        WITH ORDINALITY AS u(id, change_id, record_id, changes, object, type, operation, actor, actor_id, via, n)
    ), h AS (
      INSERT INTO record_history (id, change_id, object, record_id, operation, field, old_value, new_value, changes, actor_id, via)
      SELECT r.id, x.change_id, x.object, x.record_id, x.operation, r.field,
        nullif(x.changes -> r.field -> 'old', 'null'::jsonb), nullif(x.changes -> r.field -> 'new', 'null'::jsonb),
        CASE WHEN x.operation = 'create' THEN x.changes END, x.actor_id, x.via
      FROM unnest(${plainArray(h.id)}::uuid[], ${nameArray(h.field)}::text[], ${plainArray(h.of)}::int[]) WITH ORDINALITY AS r(id, field, of, n)
        JOIN x ON x.n = r.of
      ORDER BY r.n
    )
    INSERT INTO outbox_event (id, type, object, record_id, changes, actor)
    SELECT x.id, x.type, x.object, x.record_id, x.changes, x.actor::jsonb
    FROM x ORDER BY x.n`.execute(ctx.trx);
}
