import { AppError } from '../../../platform/errors.ts';
import type { QuoteStatus } from './objects.ts';

/**
 * The quote's life (docs/billing.md, "Quotes"): which named command may move it from which
 * status. Everything else — a PATCH of `status`, accepting twice, answering an expired or
 * superseded quote — is refused with a 409 whose `errors[0].code` says why.
 *
 *   draft ─send─▶ sent ─markViewed─▶ viewed ─accept─▶ accepted
 *     │  ╲                    │   ╲────────decline─▶ declined
 *     │   send (discount over the limit) ─▶ pending_approval ─approve─▶ approved ─send─▶ sent
 *     │                                          ╰─reject─▶ draft
 *   sent/viewed ─expire─▶ expired;  sent/viewed/declined/expired ─revise─▶ superseded (+ a new draft version)
 */
export type QuoteCommand = 'send' | 'markViewed' | 'accept' | 'decline' | 'expire' | 'revise' | 'approve' | 'reject' | 'edit' | 'share';

const FROM: Record<QuoteCommand, readonly QuoteStatus[]> = {
  send: ['draft', 'approved'],
  markViewed: ['sent', 'viewed'],
  accept: ['sent', 'viewed'],
  decline: ['sent', 'viewed'],
  expire: ['sent', 'viewed'],
  revise: ['sent', 'viewed', 'declined', 'expired'],
  approve: ['pending_approval'],
  reject: ['pending_approval'],
  // Lines, discounts and terms change only before the quote goes out; afterwards: revise.
  edit: ['draft', 'pending_approval', 'approved'],
  // A link to the online quote (public/links.ts): once it is out, and after acceptance for the sealed PDF.
  share: ['sent', 'viewed', 'accepted'],
};

/** Statuses in which the customer's answer is final or can no longer come. */
const WHY: Partial<Record<QuoteStatus, { code: string; message: string }>> = {
  accepted: { code: 'quote_accepted', message: 'This quote has already been accepted' },
  declined: { code: 'quote_declined', message: 'This quote has been declined' },
  expired: { code: 'quote_expired', message: 'This quote has expired; revise it to send a new version' },
  superseded: { code: 'quote_superseded', message: 'A newer version of this quote exists; only the latest version can be answered' },
  pending_approval: { code: 'approval_pending', message: "This quote's discount is waiting for approval" },
  draft: { code: 'quote_not_sent', message: 'This quote has not been sent' },
  approved: { code: 'quote_not_sent', message: 'This quote has not been sent' },
};

export function canRun(command: QuoteCommand, status: QuoteStatus): boolean {
  return FROM[command].includes(status);
}

/** The typed refusal of a command in a status: 409 `conflict`, `errors[0].code` names the reason. */
export function assertCanRun(command: QuoteCommand, status: QuoteStatus): void {
  if (canRun(command, status)) return;
  const why =
    command === 'edit'
      ? { code: 'quote_locked', message: `A ${status.replace('_', ' ')} quote cannot be changed; revise it to make a new version` }
      : (WHY[status] ?? { code: 'invalid_transition', message: `A ${status.replace('_', ' ')} quote cannot be ${command === 'markViewed' ? 'marked viewed' : `${command}ed`.replace('eed', 'ed')}` });
  throw new AppError('conflict', why.message, { errors: [{ field: 'status', code: why.code, message: why.message }], extra: { status, command } });
}
