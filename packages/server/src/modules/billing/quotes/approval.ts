import type { Platform } from '../../../platform/kernel.ts';
import { asSystem, type TxContext } from '../../../platform/records/context.ts';
import type { ApprovalOutcome } from '../../approvals/index.ts';
import { billingSettings } from '../settings.ts';
import { readRecord } from '../context.ts';
import { now, setQuoteValues } from './commands/common.ts';

/**
 * Approvals' exports, loaded when first used: billing comes before approvals in the module list,
 * and a static import would close the cycle billing → approvals → automation → invoicing → billing.
 */
export const approvals = () => import('../../approvals/index.ts');

/** The approval process billing seeds for quotes (docs/billing.md, "Discount approval"); admins edit it like any other. */
export const QUOTE_DISCOUNT_PROCESS = 'quote_discount';

/**
 * Seeds the `quote` process once per installation (approvals' seedApprovalProcess): entry criteria
 * "effective discount above MERIDIAN_QUOTE_APPROVAL_DISCOUNT_PERCENT" (as the setting reads at the
 * first start) on a quote sendQuote holds as pending_approval — so a draft cannot be submitted by
 * hand from the Approvals panel —, one step answered by the quote owner's manager, the first
 * answer deciding. And
 * registers what the outcome of a quote's request does to the quote.
 */
export async function startQuoteApprovals(platform: Platform): Promise<void> {
  const { onApprovalOutcome, seedApprovalProcess } = await approvals();
  await seedApprovalProcess(platform, {
    name: QUOTE_DISCOUNT_PROCESS, label: 'Quote discount', object: 'quote', active: true, sortOrder: 0,
    entryCriteria: { and: [{ field: 'effective_discount', op: 'gt', value: billingSettings.of(platform).quoteApprovalPercent }, { field: 'status', op: 'eq', value: 'pending_approval' }] },
    submitters: [{ kind: 'owner' }, { kind: 'editor' }],
    steps: [{ name: "Owner's manager", approvers: [{ kind: 'owner_manager' }], mode: 'first' }],
  });
  onApprovalOutcome(platform, 'quote', 'billing.quote_discount', quoteApprovalOutcome);
}

/**
 * A quote sendQuote has just held as pending_approval goes to the approvals engine, submitted as
 * the system on the sender's behalf (the request's submitter is the sender, who hears the outcome):
 * billing's rule has decided the quote needs approval, so the process's list of submitters cannot
 * stop a send. Null when no active process applies (or nobody can approve): the quote then waits
 * for the owner's manager on the quote's own approve/reject routes, as before the engine.
 */
export async function submitHeldQuote(ctx: TxContext, quoteId: string): Promise<{ request: string; status: string } | null> {
  const { submitIfApplicable } = await approvals();
  return submitIfApplicable({ ctx: asSystem(ctx), object: 'quote', recordId: quoteId });
}

/**
 * The end of a quote's request, in the decision's transaction: approved → `approved` with the
 * deciding approver, time and comment (what approveQuote wrote before the engine); rejected →
 * back to `draft` with the comment; recalled → back to `draft`. Written as the system, attributed
 * to the decider. A quote no longer waiting (an administrator edited it back to draft) is left alone.
 */
async function quoteApprovalOutcome(ctx: TxContext, { request, outcome, comment, by }: ApprovalOutcome): Promise<void> {
  const sys = asSystem(ctx);
  const quote = await readRecord(sys, 'quote', request.record_id, ['status']);
  if (quote.status !== 'pending_approval') return;
  if (outcome === 'approved') await setQuoteValues(sys, quote.id, { status: 'approved', approved_by: by, approved_at: now(), approval_comment: comment });
  else await setQuoteValues(sys, quote.id, { status: 'draft', approved_by: null, approved_at: null, approval_comment: outcome === 'rejected' ? comment : null });
}
