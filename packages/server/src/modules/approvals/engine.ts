import { sql } from 'kysely';
import type { ObjectDefinition } from '../../platform/metadata/types.ts';
import { AppError } from '../../platform/errors.ts';
import { asSystem, type TxContext } from '../../platform/records/context.ts';
import type { ApiRecord } from '../../platform/records/hooks.ts';
import { countRecords } from '../../platform/records/read.ts';
import { createRecord, loadForUpdate, updateRecord } from '../../platform/records/write.ts';
import { recordEvent } from '../../platform/records/history.ts';
import { notifyUser, pingNotificationStreams } from '../../platform/notifications/store.ts';
import { approvalRequest, approvalStepResult, type Decision, type RequestStatus } from './objects.ts';
import type { Process, UpdateMoment } from './process.ts';
import { resolveApprovers } from './approvers.ts';
import { retireLinks } from './links.ts';
import { queueApprovalMails } from './mail.ts';
import { noteOnTimeline } from './timeline.ts';
import { runOutcomeHandlers } from './outcomes.ts';

/** Values only the approval commands write (read-only fields of writtenBySystem objects). */
const system = (values: Record<string, unknown>) => ({ systemValues: values });

/** Whether a condition of the process holds for the record as it is now (null: always). Compiled to SQL, as the system. */
export async function holds(ctx: TxContext, object: ObjectDefinition, recordId: string, condition: unknown): Promise<boolean> {
  if (condition === null || condition === undefined) return true;
  const { count } = await countRecords({ ctx: asSystem(ctx), object, filter: condition, where: sql<boolean>`t0.id = ${recordId}::uuid` });
  return count > 0;
}

export const nameOf = (object: ObjectDefinition, record: ApiRecord) => String(record[object.nameField] ?? record.id);

/** The process's field updates for one moment, through the record pipeline as the system (validation, history, events apply). */
export async function applyFieldUpdates(ctx: TxContext, object: ObjectDefinition, recordId: string, process: Process, moment: UpdateMoment): Promise<void> {
  const updates = process.fieldUpdates?.[moment];
  if (!updates || !Object.keys(updates).length) return;
  await updateRecord({ ctx: asSystem(ctx), object, id: recordId, input: updates });
}

export interface RequestState {
  id: string;
  process: string;
  target_object: string;
  record_id: string;
  status: RequestStatus;
  current_step: number | null;
  submitted_by: string;
  name: string;
}

/** Locks and loads a request (the commands on one request are serialised on its row). */
export async function lockRequest(ctx: TxContext, id: string): Promise<RequestState> {
  return (await loadForUpdate(asSystem(ctx), approvalRequest, id)) as unknown as RequestState;
}

export async function setRequest(ctx: TxContext, id: string, values: Record<string, unknown>): Promise<void> {
  await updateRecord({ ctx: asSystem(ctx), object: approvalRequest, id, input: {}, options: system(values) });
}

export async function createRequest(ctx: TxContext, values: Record<string, unknown>): Promise<ApiRecord> {
  return createRecord({ ctx: asSystem(ctx), object: approvalRequest, input: {}, options: system(values) });
}

export interface StepRow { id: string; approver: string; decision: Decision; step: number }

export async function stepRows(ctx: TxContext, requestId: string, step: number): Promise<StepRow[]> {
  const r = await sql<StepRow>`SELECT id, approver_id AS approver, decision, step FROM obj_approval_step_result
    WHERE request_id = ${requestId}::uuid AND step = ${step} AND deleted_at IS NULL ORDER BY created_at, id`.execute(ctx.trx);
  return r.rows.map((row) => ({ ...row, step: Number(row.step) }));
}

export async function setStepResult(ctx: TxContext, id: string, values: Record<string, unknown>): Promise<void> {
  await updateRecord({ ctx: asSystem(ctx), object: approvalStepResult, id, input: {}, options: system(values) });
}

/** Closes the still-pending parts of a step (not needed any more, or recalled) and retires their e-mail links. */
export async function closePending(ctx: TxContext, rows: StepRow[], decision: Decision): Promise<void> {
  const open = rows.filter((r) => r.decision === 'pending');
  for (const r of open) await setStepResult(ctx, r.id, { decision, decided_at: new Date().toISOString() });
  await retireLinks(ctx, rows.map((r) => r.id));
}

/** A domain event on the request (approval_request.submitted …) and, for the submitter, an in-app notification of the outcome. */
export async function announce(ctx: TxContext, request: RequestState, what: 'submitted' | 'approved' | 'rejected' | 'recalled', data: Record<string, unknown> = {}, options: { timeline?: boolean; outcome?: boolean } = {}): Promise<void> {
  const comment = typeof data.comment === 'string' ? data.comment : null;
  const titles = { submitted: 'Submitted for approval', approved: 'Approved', rejected: 'Rejected', recalled: 'Approval request recalled' } as const;
  if (options.timeline !== false) await noteOnTimeline(ctx, { object: request.target_object, recordId: request.record_id }, `${titles[what]} — ${request.name}`, comment);
  await recordEvent({ ctx, type: `approval_request.${what}`, object: approvalRequest, recordId: request.id, data: { status: what, object: request.target_object, record: request.record_id, process: request.process, ...data } });
  // A request the system submitted (an order held at a shop's intake) has nobody to tell.
  if ((what === 'approved' || what === 'rejected') && request.submitted_by) {
    await notifyUser(ctx.trx, {
      userId: request.submitted_by, kind: `approval.${what}`, object: request.target_object, recordId: request.record_id, occurrence: request.id,
      title: `${request.name} was ${what}`, body: comment || `Your approval request was ${what}.`,
    });
    ctx.uow.afterCommit(() => pingNotificationStreams(ctx.platform.db));
  }
  // The owning module's reaction (outcomes.ts), in this transaction; not for a record being deleted.
  if (what !== 'submitted' && options.outcome !== false) await runOutcomeHandlers(ctx, { request, outcome: what, comment, by: ctx.actor.userId });
}

/**
 * Moves a request to the first step from `from` whose criteria hold: one pending step result
 * per approver, each notified in the app and by e-mail with their own single-use link. With no
 * step left the request is approved (and the approval's field updates are written).
 */
export async function enterStep(ctx: TxContext, args: { request: RequestState; process: Process; object: ObjectDefinition; from: number; comment?: string | null }): Promise<RequestStatus> {
  const { request, process, object } = args;
  const owner = (await sql<{ owner: string | null }>`SELECT owner_id AS owner FROM ${sql.table(object.table)} WHERE id = ${request.record_id}::uuid`.execute(ctx.trx)).rows[0]?.owner ?? null;
  for (let i = args.from; i < process.steps.length; i++) {
    const step = process.steps[i]!;
    if (!(await holds(ctx, object, request.record_id, step.criteria))) continue;
    const approvers = await resolveApprovers(ctx, step.approvers, request.submitted_by, owner);
    if (!approvers.length) {
      throw new AppError('rule_violation', `Step "${step.name}" of ${process.label} has no active approver (for a manager: the submitter or owner has none)`, {
        errors: [{ field: `steps[${i}].approvers`, code: 'no_approver', message: `Nobody can approve step "${step.name}"` }],
      });
    }
    const results: Array<{ id: string; approver: string }> = [];
    for (const approver of approvers) {
      const r = await createRecord({
        ctx: asSystem(ctx), object: approvalStepResult, input: {},
        options: system({ name: `${request.name} — ${step.name}`, request: request.id, step: i, step_name: step.name, approver, decision: 'pending', owner: approver }),
      });
      results.push({ id: r.id, approver });
    }
    await setRequest(ctx, request.id, { current_step: i, step_name: step.name });
    for (const r of results) {
      await notifyUser(ctx.trx, {
        userId: r.approver, kind: 'approval.requested', object: request.target_object, recordId: request.record_id, occurrence: r.id,
        title: `Approval requested: ${request.name}`, body: `${process.label}, step "${step.name}"`, data: { request: request.id, stepResult: r.id },
      });
    }
    // The bells' live streams wake at once rather than at their next poll.
    ctx.uow.afterCommit(() => pingNotificationStreams(ctx.platform.db));
    await queueApprovalMails(ctx, { request, process, step: step.name, results });
    return 'pending';
  }
  await setRequest(ctx, request.id, { status: 'approved', decided_at: new Date().toISOString(), current_step: null, step_name: null });
  await applyFieldUpdates(ctx, object, request.record_id, process, 'approve');
  await announce(ctx, request, 'approved', { comment: args.comment ?? null });
  return 'approved';
}
