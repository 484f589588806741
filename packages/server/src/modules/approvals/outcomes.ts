import type { Platform } from '../../platform/kernel.ts';
import type { TxContext } from '../../platform/records/context.ts';

/** What a module that owns an object hears when a request on one of its records ends. */
export interface ApprovalOutcome {
  request: { id: string; process: string; record_id: string; target_object: string; submitted_by: string };
  outcome: 'approved' | 'rejected' | 'recalled';
  /** The deciding answer's comment (the approver's; the recaller's for a recall), if any. */
  comment: string | null;
  /** Who gave the deciding answer (the last approver, the rejecter, the recaller); null for the system. */
  by: string | null;
}
export type ApprovalOutcomeHandler = (ctx: TxContext, outcome: ApprovalOutcome) => Promise<void>;

/**
 * A hook point for the module that owns an object (billing: quote, credit: order) to act on the
 * end of an approval request in the decision's own transaction — the quote is approved in the
 * same commit as the manager's answer, and a failure of the handler refuses the answer. Per
 * platform, registered at start-up, keyed by object and name (a second registration of a name
 * replaces the first). The handler runs after the request is closed (the record is no longer
 * locked) with the deciding user's context; it writes as the system where the approver could not.
 * The same moment is also `approval_request.<outcome>` in the outbox, for webhooks and others.
 */
const handlers = new WeakMap<Platform, Map<string, Map<string, ApprovalOutcomeHandler>>>();

export function onApprovalOutcome(platform: Platform, object: string, name: string, handler: ApprovalOutcomeHandler): void {
  let byObject = handlers.get(platform);
  if (!byObject) handlers.set(platform, (byObject = new Map()));
  let named = byObject.get(object);
  if (!named) byObject.set(object, (named = new Map()));
  named.set(name, handler);
}

export async function runOutcomeHandlers(ctx: TxContext, outcome: ApprovalOutcome): Promise<void> {
  for (const handler of handlers.get(ctx.platform)?.get(outcome.request.target_object)?.values() ?? []) await handler(ctx, outcome);
}
