import { sql } from 'kysely';
import type { TxContext } from './context.ts';
import { writeStagedChanges } from './history.ts';

/**
 * Removes a record's erased values from what the pipeline keeps about its past (a person's right
 * to erasure): the field history rows of those fields lose their old and new values (on a
 * create's row, the fields' entries in its document), and the
 * stored outbox events of the record carry `{"erased": true}` in place of the fields' changes.
 * The rows themselves stay, so the history still shows that a change happened and when.
 * Run it in the transaction that anonymises the record, after the anonymising update (whose
 * history row holds the values being erased): the history and events the transaction has staged
 * so far are written first, so that row is among those erased.
 */
export async function eraseStoredValues(args: { ctx: TxContext; object: string; recordId: string; fields: string[] }): Promise<{ history: number; events: number }> {
  const { ctx, object, recordId, fields } = args;
  if (!fields.length) return { history: 0, events: 0 };
  await writeStagedChanges(ctx);
  const trx = ctx.trx;
  const history = await sql`UPDATE record_history SET old_value = NULL, new_value = NULL
    WHERE object = ${object} AND record_id = ${recordId}::uuid AND field = ANY(${fields}::text[]) AND (old_value IS NOT NULL OR new_value IS NOT NULL)`.execute(trx);
  // A create's row keeps its values as a document: the erased fields stay listed, without values.
  const created = await sql`UPDATE record_history SET changes = (
      SELECT jsonb_object_agg(e.key, CASE WHEN e.key = ANY(${fields}::text[]) THEN '{"old": null, "new": null}'::jsonb ELSE e.value END)
      FROM jsonb_each(record_history.changes) AS e)
    WHERE object = ${object} AND record_id = ${recordId}::uuid AND changes ?| ${fields}::text[]`.execute(trx);
  const events = await sql`UPDATE outbox_event SET changes = coalesce((
      SELECT jsonb_object_agg(e.key, CASE WHEN e.key = ANY(${fields}::text[]) THEN '{"erased": true}'::jsonb ELSE e.value END)
      FROM jsonb_each(outbox_event.changes) AS e), '{}'::jsonb)
    WHERE object = ${object} AND record_id = ${recordId}::uuid AND changes ?| ${fields}::text[]`.execute(trx);
  return { history: Number(history.numAffectedRows ?? 0) + Number(created.numAffectedRows ?? 0), events: Number(events.numAffectedRows ?? 0) };
}
