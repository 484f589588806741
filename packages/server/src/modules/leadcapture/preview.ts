import { sql } from 'kysely';
import { badRequest } from '../../platform/errors.ts';
import { inTransaction, type RecordContext, type TxContext } from '../../platform/records/context.ts';
import { readRecord, tableOf } from '../billing/index.ts';
import { assignByRules, awayToday, nextInGroup } from './assign.ts';

export type PreviewValues = Record<string, string | number | boolean | null>;
interface Person { id: string; name: string }
export interface AssignmentPreview {
  rule: { id: string; name: string } | null;
  owner: Person | null;
  queue: string | null;
}

async function person(ctx: TxContext, id: string | null): Promise<Person | null> {
  if (!id) return null;
  const user = await readRecord(ctx, 'user', id, ['full_name']);
  return { id, name: String(user.full_name ?? '') };
}

/**
 * Who the assignment rules would give a lead (the Lead assignment page's "Test a lead"): an
 * existing lead (`leadId`, read under the caller's access) and/or typed values over it, run
 * through assignByRules in dry mode — nothing is written and no group's turn advances.
 * A value naming no lead field is refused, naming it.
 */
export async function previewLeadAssignment(args: { ctx: RecordContext; leadId?: string; values?: PreviewValues }): Promise<AssignmentPreview> {
  const { ctx } = args;
  const object = ctx.platform.registry.requireObject('lead');
  const unknown = Object.keys(args.values ?? {}).filter((name) => !object.fields.some((f) => f.apiName === name));
  if (unknown.length) throw badRequest('Preview values name lead fields', unknown.map((name) => ({ field: `values.${name}`, code: 'unknown_field', message: `The lead has no field ${name}` })));
  return inTransaction(ctx, async (tx) => {
    const lead = { ...(args.leadId ? await readRecord(tx, 'lead', args.leadId) : {}), ...args.values };
    const assignment = await assignByRules(tx, lead, { dryRun: true });
    if (!assignment) return { rule: null, owner: null, queue: null };
    return { rule: assignment.rule, owner: await person(tx, assignment.owner), queue: assignment.queue };
  });
}

/** Per assignment group, the rep whose turn is next (passing over reps out of office today), read without advancing it. */
export async function nextTurns(args: { ctx: RecordContext }): Promise<{ data: Array<{ group: string; user: Person | null }> }> {
  return inTransaction(args.ctx, async (tx) => {
    const groups = await sql<{ id: string }>`SELECT id FROM ${tableOf(tx, 'assignment_group')} WHERE deleted_at IS NULL ORDER BY name, id`.execute(tx.trx);
    const away = await awayToday(tx);
    const data = [];
    for (const g of groups.rows) data.push({ group: g.id, user: await person(tx, await nextInGroup(tx, g.id, away, true)) });
    return { data };
  });
}
