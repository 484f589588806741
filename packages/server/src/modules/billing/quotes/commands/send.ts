import { hasCapability } from '../../../../platform/access/policy.ts';
import type { ApiRecord } from '../../../../platform/records/hooks.ts';
import { billingSettings } from '../../settings.ts';
import { refuse, today } from '../../context.ts';
import { storedLines } from '../recalculate.ts';
import { submitHeldQuote } from '../approval.ts';
import { now, runQuoteCommand, setQuoteValues, type QuoteCommandArgs } from './common.ts';

export const APPROVE_DISCOUNTS = 'billing.approve_quote_discounts';

/**
 * Sends a quote (marks it sent; the e-mail and PDF are the quote documents' part). A draft whose
 * effective discount is above MERIDIAN_QUOTE_APPROVAL_DISCOUNT_PERCENT, sent by someone whose
 * profile lacks `billing.approve_quote_discounts`, is held as pending_approval for the owner's
 * manager instead — submitted to the approvals engine's `quote` process when one is active
 * (approval.ts), answered there or on the quote's approve/reject routes; once approved, sending it
 * sends it.
 */
export async function sendQuote(args: QuoteCommandArgs): Promise<ApiRecord> {
  return runQuoteCommand({
    ...args,
    command: 'send',
    async run(ctx, quote) {
      if ((await storedLines(ctx, quote.id)).length === 0) refuse('lines', 'empty', 'A quote needs at least one line before it is sent');
      if (String(quote.valid_until) < today(ctx)) refuse('valid_until', 'in_the_past', 'The quote would be expired already; move its validity date');
      const limit = billingSettings.of(ctx.platform).quoteApprovalPercent;
      if (quote.status === 'draft' && Number(quote.effective_discount ?? 0) > limit && !hasCapability(ctx.actor, APPROVE_DISCOUNTS)) {
        const held = await setQuoteValues(ctx, quote.id, { status: 'pending_approval' });
        await submitHeldQuote(ctx, quote.id);
        return held;
      }
      return setQuoteValues(ctx, quote.id, { status: 'sent', sent_at: now() });
    },
  });
}
