import { sql, type RawBuilder } from 'kysely';
import type { FieldDefinition, ObjectDefinition } from '../metadata/types.ts';
import type { TxContext } from './context.ts';
import { recordChange } from './history.ts';

/**
 * Re-points one field of one object from some ids to another, in the caller's transaction, as a
 * merge needs: one set-based UPDATE (deleted rows too, so a restore stays consistent), a version
 * bump per row, and each row's change written to history and the outbox like any other write.
 * `where` narrows the rows (a polymorphic reference's object column). Returns the rows moved.
 */
export async function repointField(args: { ctx: TxContext; object: ObjectDefinition; field: FieldDefinition; fromIds: string[]; toId: string; where?: RawBuilder<unknown> }): Promise<Array<{ id: string; old: string }>> {
  const { ctx, object, field, fromIds, toId } = args;
  if (!fromIds.length) return [];
  const t = sql.table(object.table);
  const col = sql.ref(field.column);
  // Lookups are uuid columns; polymorphic references (activity links) keep ids as text.
  const ids = field.type === 'lookup' || field.type === 'user' ? sql`${fromIds}::uuid[]` : sql`${fromIds}::text[]`;
  const r = await sql<{ id: string; old: string }>`WITH old AS (
      SELECT id, ${col} AS old FROM ${t} WHERE ${col} = ANY(${ids}) ${args.where ? sql`AND ${args.where}` : sql``} FOR UPDATE
    )
    UPDATE ${t} SET ${col} = ${toId}, version = version + 1, updated_at = date_trunc('milliseconds', now()), updated_by = ${ctx.actor.userId}
    FROM old WHERE ${t}.id = old.id RETURNING ${t}.id AS id, old.old AS old`.execute(ctx.trx);
  for (const row of r.rows) {
    await recordChange({ ctx, object, operation: 'update', recordId: row.id, changes: { [field.apiName]: { old: row.old, new: toId } } });
  }
  return r.rows;
}

/**
 * Every lookup anywhere (custom objects included) that points to one of `fromIds` of `object`
 * now points to `toId`. In the object's own table, `exclude` (the records being merged) are left
 * to the caller. Returns how many rows of which object and field moved.
 */
export async function repointReferences(args: { ctx: TxContext; object: ObjectDefinition; fromIds: string[]; toId: string; exclude?: string[] }): Promise<Array<{ object: string; field: string; count: number }>> {
  const { ctx, object, fromIds, toId } = args;
  const out: Array<{ object: string; field: string; count: number }> = [];
  for (const ref of ctx.platform.registry.referencesTo(object.apiName)) {
    const where = ref.object.apiName === object.apiName && args.exclude?.length ? sql`NOT (id = ANY(${args.exclude}::uuid[]))` : undefined;
    const moved = await repointField({ ctx, object: ref.object, field: ref.field, fromIds, toId, ...(where ? { where } : {}) });
    if (moved.length) out.push({ object: ref.object.apiName, field: ref.field.apiName, count: moved.length });
  }
  return out;
}
