import { sql } from 'kysely';
import { AppError, forbidden } from '../../../platform/errors.ts';
import { inTransaction, type RecordContext, type TxContext } from '../../../platform/records/context.ts';
import { toProcess, type Process } from '../process.ts';
import { useLink, retireLinks, takeLink } from '../links.ts';
import { noteOnTimeline } from '../timeline.ts';
import { announce, applyFieldUpdates, closePending, enterStep, lockRequest, setRequest, setStepResult, stepRows, type RequestState } from '../engine.ts';

export type DecisionInput = 'approve' | 'reject';

/** The process a request runs on, by name — still readable when it was deactivated meanwhile. */
export async function processOf(ctx: TxContext, request: RequestState): Promise<Process> {
  const r = await sql<Parameters<typeof toProcess>[0]>`SELECT * FROM approval_process WHERE name = ${request.process}`.execute(ctx.trx);
  if (!r.rows[0]) throw new AppError('conflict', `The approval process ${request.process} was deleted; recall the request`);
  return toProcess(r.rows[0]);
}

export function assertPending(request: RequestState): void {
  if (request.status !== 'pending') throw new AppError('conflict', `This approval request is ${request.status} already`, { extra: { status: request.status } });
}

/**
 * An approver's answer at the current step. A rejection rejects the request (reject field
 * updates). An approval closes the step when it is the first answer of a "first response" step
 * or the last one of a unanimous step, then the request moves to the next step whose criteria
 * hold, or is approved. `stepResult` names the approver's part when it comes from an e-mail link.
 */
async function decideIn(ctx: TxContext, args: { requestId: string; decision: DecisionInput; comment?: string | null; via: 'web' | 'email'; stepResult?: string }): Promise<{ request: string; status: string }> {
  const request = await lockRequest(ctx, args.requestId);
  assertPending(request);
  const process = await processOf(ctx, request);
  const step = request.current_step === null ? -1 : Number(request.current_step);
  const rows = await stepRows(ctx, request.id, step);
  let mine = args.stepResult ? rows.find((r) => r.id === args.stepResult) : rows.find((r) => r.approver === ctx.actor.userId && r.decision === 'pending');
  // An administrator who is not an approver of the step answers in their place (as they could
  // approve a quote's discount before the engine): the answer decides the step, unanimous or not,
  // and the part it takes names the administrator.
  const inPlace = !mine && !args.stepResult && ctx.actor.isAdmin === true && ctx.actor.userId !== null;
  if (inPlace) mine = rows.find((r) => r.decision === 'pending');
  if (!mine) throw forbidden('You are not an approver of the step this request waits at');
  if (mine.decision !== 'pending') throw new AppError('conflict', 'You answered this step already');
  const comment = args.comment?.trim() || null;
  if (args.decision === 'reject' && !comment) {
    throw new AppError('validation_failed', 'Say why you reject it', { errors: [{ field: 'comment', code: 'required', message: 'A rejection needs a comment' }] });
  }
  await setStepResult(ctx, mine.id, { decision: args.decision === 'approve' ? 'approved' : 'rejected', comment, decided_at: new Date().toISOString(), decided_via: args.via, ...(inPlace ? { approver: ctx.actor.userId } : {}) });
  await retireLinks(ctx, [mine.id]);
  const object = ctx.platform.registry.requireObject(request.target_object);
  const others = rows.filter((r) => r.id !== mine.id);
  if (args.decision === 'reject') {
    await closePending(ctx, others, 'not_needed');
    await setRequest(ctx, request.id, { status: 'rejected', decided_at: new Date().toISOString() });
    await applyFieldUpdates(ctx, object, request.record_id, process, 'reject');
    await announce(ctx, request, 'rejected', { comment });
    return { request: request.id, status: 'rejected' };
  }
  await noteOnTimeline(ctx, { object: request.target_object, recordId: request.record_id }, `Step "${process.steps[step]?.name ?? step + 1}" approved — ${request.name}`, comment);
  const unanimous = process.steps[step]?.mode === 'unanimous';
  if (unanimous && !inPlace && others.some((r) => r.decision === 'pending')) return { request: request.id, status: 'pending' };
  await closePending(ctx, others, 'not_needed');
  const status = await enterStep(ctx, { request, process, object, from: step + 1, comment });
  return { request: request.id, status };
}

export function decideApproval(args: { ctx: RecordContext; requestId: string; decision: DecisionInput; comment?: string | null }): Promise<{ request: string; status: string }> {
  return inTransaction(args.ctx, (ctx) => decideIn(ctx, { ...args, via: 'web' }));
}

/**
 * An answer from an e-mail link: the token stands for one approver's part of one step (links.ts:
 * forged → 404, used → 409, expired → 410). It acts as that approver; the link is spent only
 * when the decision is written, in the same transaction.
 */
export async function decideByLink(args: { ctx: RecordContext; token: string; decision: DecisionInput; comment?: string | null }): Promise<{ request: string; status: string }> {
  return inTransaction(args.ctx, async (ctx) => {
    const link = await takeLink(ctx, args.token);
    const r = await sql<{ request_id: string; approver_id: string; decision: string }>`SELECT request_id, approver_id, decision FROM obj_approval_step_result WHERE id = ${link.stepResultId}::uuid`.execute(ctx.trx);
    const part = r.rows[0];
    if (!part || part.decision !== 'pending') throw new AppError('link_used', 'This approval link is no longer needed: the step was answered already');
    const approver = { ...ctx, actor: { ...ctx.actor, userId: part.approver_id, isAdmin: false, access: undefined } };
    const result = await decideIn(approver, { requestId: part.request_id, decision: args.decision, comment: args.comment, via: 'email', stepResult: link.stepResultId });
    await useLink(ctx, link.tokenHash);
    return result;
  });
}
