import { sql } from 'kysely';
import { AppError } from '../../platform/errors.ts';
import type { HookRegistry } from '../../platform/records/hooks.ts';
import type { TxContext } from '../../platform/records/context.ts';
import type { ObjectDefinition } from '../../platform/metadata/types.ts';
import { activeProcesses } from './process.ts';
import { announce, closePending, lockRequest, setRequest, stepRows } from './engine.ts';

/** The pending request of a record, if any (the partial index approval_request_pending answers it). */
export async function pendingRequestOf(ctx: TxContext, recordId: string): Promise<{ id: string; process: string } | undefined> {
  const r = await sql<{ id: string; process: string }>`SELECT id, process FROM obj_approval_request WHERE record_id = ${recordId} AND status = 'pending' AND deleted_at IS NULL LIMIT 1`.execute(ctx.trx);
  return r.rows[0];
}

/**
 * A record waiting for approval is locked: updates and deletes answer 409 `record_locked`.
 * Admins may still change it, and so may follow-on writes made as the system (asSystem) — the
 * approval commands' own field updates and other rules' — as in Salesforce, where workflow field
 * updates reach locked records. Objects without an active process cost one map lookup; a
 * process deactivated while a request is pending no longer locks its records.
 */
async function refuseLocked(ctx: TxContext, object: ObjectDefinition, recordId: string, what: string): Promise<void> {
  if (ctx.actor.isAdmin) return;
  const processes = await activeProcesses(ctx.platform, ctx.trx);
  if (!processes.has(object.apiName)) return;
  const pending = await pendingRequestOf(ctx, recordId);
  if (!pending) return;
  throw new AppError('record_locked', `This ${object.label.toLowerCase()} is waiting for approval and cannot be ${what} until the request is approved, rejected or recalled`, {
    extra: { approvalRequest: pending.id },
  });
}

/**
 * A pending record an admin deletes takes its request with it: the request is recalled in the
 * same transaction (its approvers' parts closed, their links retired), so nobody is asked to
 * approve a record that is gone.
 */
async function deleteLocked(ctx: TxContext, object: ObjectDefinition, recordId: string): Promise<void> {
  await refuseLocked(ctx, object, recordId, 'deleted');
  if (!(await activeProcesses(ctx.platform, ctx.trx)).has(object.apiName)) return;
  const pending = await pendingRequestOf(ctx, recordId);
  if (!pending) return;
  const request = await lockRequest(ctx, pending.id);
  if (request.current_step !== null) await closePending(ctx, await stepRows(ctx, request.id, Number(request.current_step)), 'recalled');
  await setRequest(ctx, request.id, { status: 'recalled', decided_at: new Date().toISOString() });
  await announce(ctx, request, 'recalled', { comment: `The ${object.label.toLowerCase()} was deleted` }, { timeline: false, outcome: false });
}

/**
 * A detail record (an object whose access follows its parent: a quote's lines) is part of its
 * parent: while the parent waits for approval its details cannot be added, changed, moved or
 * deleted either — a line edit would change the total the approver is asked about. Same bypass as
 * the record's own lock (admins, system writes).
 */
async function refuseLockedParent(ctx: TxContext, object: ObjectDefinition, parents: unknown[], what: string): Promise<void> {
  if (ctx.actor.isAdmin || !object.accessFrom) return;
  const link = object.fields.find((f) => f.apiName === object.accessFrom);
  const parent = link?.lookup ? ctx.platform.registry.getObject(link.lookup.object) : undefined;
  if (!parent || !(await activeProcesses(ctx.platform, ctx.trx)).has(parent.apiName)) return;
  for (const id of new Set(parents.filter((p): p is string => typeof p === 'string'))) {
    const pending = await pendingRequestOf(ctx, id);
    if (!pending) continue;
    throw new AppError('record_locked', `This ${parent.label.toLowerCase()} is waiting for approval: its ${object.pluralLabel.toLowerCase()} cannot be ${what} until the request is approved, rejected or recalled`, {
      extra: { approvalRequest: pending.id },
    });
  }
}

export function registerLockHooks(hooks: HookRegistry): void {
  hooks.register('beforeSave', { name: 'approvals.lock', object: '*', operations: ['update'], run: ({ ctx, object, previous }) => (previous ? refuseLocked(ctx, object, previous.id, 'changed') : undefined) });
  hooks.register('beforeSave', {
    name: 'approvals.lock-parent', object: '*', operations: ['create', 'update'],
    run: ({ ctx, object, operation, merged, previous }) =>
      object.accessFrom ? refuseLockedParent(ctx, object, [merged[object.accessFrom], previous?.[object.accessFrom]], operation === 'create' ? 'added' : 'changed') : undefined,
  });
  hooks.register('beforeDelete', { name: 'approvals.lock-delete', object: '*', run: ({ ctx, object, record }) => deleteLocked(ctx, object, record.id) });
  hooks.register('beforeDelete', {
    name: 'approvals.lock-parent-delete', object: '*',
    run: ({ ctx, object, record }) => (object.accessFrom ? refuseLockedParent(ctx, object, [record[object.accessFrom]], 'deleted') : undefined),
  });
}
