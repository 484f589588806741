import { sql } from 'kysely';
import { forbidden } from '../../../../platform/errors.ts';
import type { ApiRecord } from '../../../../platform/records/hooks.ts';
import type { TxContext } from '../../../../platform/records/context.ts';
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

export async function approveQuote(args: QuoteCommandArgs & { comment?: string }): Promise<ApiRecord> {
  return runQuoteCommand({
    ...args,
    command: 'approve',
    mode: 'read',
    async run(ctx, quote) {
      await assertApprover(ctx, String(quote.owner));
      return setQuoteValues(ctx, quote.id, { status: 'approved', approved_by: ctx.actor.userId, approved_at: now(), approval_comment: args.comment ?? null });
    },
  });
}

/** Sends the quote back to draft with the manager's comment: the rep changes the discount and sends again. */
export async function rejectQuote(args: QuoteCommandArgs & { comment?: string }): Promise<ApiRecord> {
  return runQuoteCommand({
    ...args,
    command: 'reject',
    mode: 'read',
    async run(ctx, quote) {
      await assertApprover(ctx, String(quote.owner));
      return setQuoteValues(ctx, quote.id, { status: 'draft', approved_by: null, approved_at: null, approval_comment: args.comment ?? null });
    },
  });
}
