import { sql } from 'kysely';
import { forbidden } from '../../../../platform/errors.ts';
import type { ApiRecord } from '../../../../platform/records/hooks.ts';
import type { TxContext } from '../../../../platform/records/context.ts';
import { approvals } from '../approval.ts';
import { readRecord } from '../../context.ts';
import { now, runQuoteCommand, setQuoteValues, type QuoteCommandArgs } from './common.ts';

/**
 * Who approves a discount: the owner's manager — a user above the owner in the role hierarchy
 * (platform/access), or the user named as the owner's manager — or an administrator. Never the
 * owner.
 */
async function assertApprover(ctx: TxContext, owner: string): Promise<void> {
  const actor = ctx.actor;
  if (actor.userId === owner && !actor.isAdmin) throw forbidden('You cannot approve your own quote; its owner’s manager does');
  if (actor.isAdmin || actor.access?.subordinateUserIds.includes(owner)) return;
  const r = await sql<{ manager_id: string | null }>`SELECT manager_id FROM obj_user WHERE id = ${owner}`.execute(ctx.trx);
  if (actor.userId && r.rows[0]?.manager_id === actor.userId) return;
  throw forbidden("Only the quote owner's manager can approve or reject its discount");
}

/**
 * A quote submitted to the approvals engine is answered there (one source of truth: the request's
 * steps, history and timeline): the caller's answer at the step it waits at — 403 unless they are
 * one of its approvers — and the engine's outcome moves the quote (approval.ts). Null when the
 * quote has no pending request (no process was active when it was sent): the direct path below.
 */
async function answerThroughEngine(ctx: TxContext, quoteId: string, decision: 'approve' | 'reject', comment: string | undefined): Promise<ApiRecord | null> {
  const { decideApproval, pendingApprovalOf } = await approvals();
  const pending = await pendingApprovalOf(ctx, quoteId);
  if (!pending) return null;
  await decideApproval({ ctx, requestId: pending.id, decision, comment: comment ?? null });
  return readRecord(ctx, 'quote', quoteId);
}

export async function approveQuote(args: QuoteCommandArgs & { comment?: string }): Promise<ApiRecord> {
  return runQuoteCommand({
    ...args,
    command: 'approve',
    mode: 'read',
    async run(ctx, quote) {
      const answered = await answerThroughEngine(ctx, quote.id, 'approve', args.comment);
      if (answered) return answered;
      await assertApprover(ctx, String(quote.owner));
      return setQuoteValues(ctx, quote.id, { status: 'approved', approved_by: ctx.actor.userId, approved_at: now(), approval_comment: args.comment ?? null });
    },
  });
}

/**
 * Sends the quote back to draft with the manager's comment: the rep changes the discount and sends
 * again. Through the engine a rejection needs a comment (400 without one), as every rejection there does.
 */
export async function rejectQuote(args: QuoteCommandArgs & { comment?: string }): Promise<ApiRecord> {
  return runQuoteCommand({
    ...args,
    command: 'reject',
    mode: 'read',
    async run(ctx, quote) {
      const answered = await answerThroughEngine(ctx, quote.id, 'reject', args.comment);
      if (answered) return answered;
      await assertApprover(ctx, String(quote.owner));
      return setQuoteValues(ctx, quote.id, { status: 'draft', approved_by: null, approved_at: null, approval_comment: args.comment ?? null });
    },
  });
}
