import { forbidden } from '../../../platform/errors.ts';
import { inTransaction, type RecordContext } from '../../../platform/records/context.ts';
import { announce, applyFieldUpdates, closePending, lockRequest, setRequest, stepRows } from '../engine.ts';
import { assertPending, processOf } from './decide.ts';

/** The submitter (or an admin) takes a pending request back: open step results are recalled, their links retired, the recall field updates written, the record unlocked. */
export function recallApproval(args: { ctx: RecordContext; requestId: string; comment?: string | null }): Promise<{ request: string; status: string }> {
  return inTransaction(args.ctx, async (ctx) => {
    const request = await lockRequest(ctx, args.requestId);
    if (request.submitted_by !== ctx.actor.userId && !ctx.actor.isAdmin) throw forbidden('Only the submitter or an administrator can recall an approval request');
    assertPending(request);
    const process = await processOf(ctx, request);
    if (request.current_step !== null) await closePending(ctx, await stepRows(ctx, request.id, Number(request.current_step)), 'recalled');
    await setRequest(ctx, request.id, { status: 'recalled', decided_at: new Date().toISOString() });
    await applyFieldUpdates(ctx, ctx.platform.registry.requireObject(request.target_object), request.record_id, process, 'recall');
    await announce(ctx, request, 'recalled', { comment: args.comment?.trim() || null });
    return { request: request.id, status: 'recalled' };
  });
}

