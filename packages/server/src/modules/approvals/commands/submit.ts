import { sql } from 'kysely';
import { AppError, notFound, ruleViolation } from '../../../platform/errors.ts';
import type { ObjectDefinition } from '../../../platform/metadata/types.ts';
import { inSavepoint, inTransaction, type RecordContext, type TxContext } from '../../../platform/records/context.ts';
import type { ApiRecord } from '../../../platform/records/hooks.ts';
import { loadForUpdate } from '../../../platform/records/write.ts';
import { getRecord } from '../../../platform/records/read.ts';
import { activeProcesses, type Process } from '../process.ts';
import { pendingRequestOf } from '../lock.ts';
import { announce, applyFieldUpdates, createRequest, enterStep, holds, nameOf, type RequestState } from '../engine.ts';

/** Whether the actor is one of the process's submitters (admins always are). */
async function maySubmit(ctx: TxContext, object: ObjectDefinition, record: ApiRecord, process: Process): Promise<boolean> {
  const { actor } = ctx;
  if (actor.isAdmin) return true;
  for (const s of process.submitters) {
    if (s.kind === 'owner' && record.owner === actor.userId) return true;
    if (s.kind === 'user' && s.value === actor.userId) return true;
    if (s.kind === 'role' && actor.access?.role === s.value) return true;
    if (s.kind === 'group' && s.value && actor.access?.groups.includes(s.value)) return true;
    if (s.kind === 'editor') {
      try {
        await loadForUpdate(ctx, object, record.id, { mode: 'edit' });
        return true;
      } catch {
        // Not editable by this user: try the next kind of submitter.
      }
    }
  }
  return false;
}

/** The first active process of the object whose entry criteria the record meets now, if any. */
export async function applicableProcess(ctx: TxContext, object: ObjectDefinition, recordId: string): Promise<Process | undefined> {
  for (const p of (await activeProcesses(ctx.platform, ctx.trx)).get(object.apiName) ?? []) {
    if (await holds(ctx, object, recordId, p.entryCriteria)) return p;
  }
  return undefined;
}

/**
 * Whether the Approvals panel offers "Submit for approval" on a record to this user: nothing is
 * pending, an active process applies to the record now (its entry criteria hold) and the user is
 * one of its submitters — so a process that only a module submits to (billing's discount
 * approval, which applies to quotes billing holds) does not put a button on every record that
 * would answer 422.
 */
export async function canSubmitForApproval(args: { ctx: RecordContext; object: string; recordId: string }): Promise<boolean> {
  return inTransaction(args.ctx, async (ctx) => {
    const object = ctx.platform.registry.getObject(args.object);
    if (!object || object.writtenBySystem) return false;
    if (await pendingRequestOf(ctx, args.recordId)) return false;
    const process = await applicableProcess(ctx, object, args.recordId);
    if (!process) return false;
    return maySubmit(ctx, object, await getRecord({ ctx, object, id: args.recordId }), process);
  });
}

/**
 * Submits a record for approval (AUT-3): the first active process of its object whose entry
 * criteria the record meets, if the user is one of its submitters; writes the request, the
 * submit field updates, and the first step's pending results with their notifications — one
 * transaction. From then on the record is locked (lock.ts).
 */
export async function submitForApproval(args: { ctx: RecordContext; object: string; recordId: string; comment?: string | null }): Promise<{ request: string; status: string }> {
  return inTransaction(args.ctx, async (ctx) => {
    const object = ctx.platform.registry.getObject(args.object);
    if (!object || object.writtenBySystem) throw notFound(`Object ${args.object.slice(0, 100)}`);
    // Read access is enough to see it; the row lock serialises two submits of the same record.
    const record = await loadForUpdate(ctx, object, args.recordId, { mode: 'read' });
    const pending = await pendingRequestOf(ctx, record.id);
    if (pending) throw new AppError('conflict', 'This record is already waiting for approval', { extra: { approvalRequest: pending.id } });
    const process = await applicableProcess(ctx, object, record.id);
    if (!process) throw ruleViolation([{ field: '', code: 'no_process', message: `No active approval process of ${object.pluralLabel.toLowerCase()} applies to this record (none, or its entry criteria are not met)` }]);
    if (!(await maySubmit(ctx, object, record, process))) throw new AppError('forbidden', `You may not submit this ${object.label.toLowerCase()} for approval (${process.label})`);
    const created = await createRequest(ctx, {
      name: `${process.label}: ${nameOf(object, record)}`.slice(0, 250), target_object: object.apiName, record_id: record.id, process: process.name,
      status: 'pending', submitted_by: ctx.actor.userId, submitted_at: new Date().toISOString(), comment: args.comment?.trim() || null,
    });
    const request = created as unknown as RequestState;
    await announce(ctx, request, 'submitted', { comment: args.comment ?? null });
    await applyFieldUpdates(ctx, object, record.id, process, 'submit');
    const status = await enterStep(ctx, { request, process, object, from: 0 });
    return { request: request.id, status };
  });
}

/**
 * For a module that submits its own records (billing's discounted quotes, credit's held orders):
 * submits the record when an active process applies to it, and answers null — nothing written —
 * when none does (no process, deactivated, entry criteria not met) or when its first step has
 * nobody to ask (e.g. the owner has no manager), so the caller keeps its direct behaviour. Call it
 * inside the caller's transaction; the attempt runs under a savepoint.
 */
export async function submitIfApplicable(args: { ctx: TxContext; object: string; recordId: string; comment?: string | null }): Promise<{ request: string; status: string } | null> {
  const { ctx } = args;
  const object = ctx.platform.registry.requireObject(args.object);
  if (!(await applicableProcess(ctx, object, args.recordId))) return null;
  try {
    return await inSavepoint(ctx, 'approvals_submit', (inner) => submitForApproval({ ...args, ctx: inner }));
  } catch (error) {
    if (!(error instanceof AppError && error.errors.some((e) => e.code === 'no_approver'))) throw error;
    return null;
  }
}
