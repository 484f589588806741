import type { Transaction } from 'kysely';
import type { Platform } from '../../platform/kernel.ts';
import { asSystem, type TxContext } from '../../platform/records/context.ts';
import { countRecords } from '../../platform/records/read.ts';
import { eventHandler } from '../../platform/events/handler.ts';
import { registerEventSubscriber } from '../../platform/events/index.ts';
import { decideApproval, onApprovalOutcome, pendingApprovalOf, seedApprovalProcess, submitIfApplicable, type ApprovalOutcome } from '../approvals/index.ts';
import { holdOrder, parseHoldReasons, releaseOrder, type HoldReason } from '../orders/index.ts';
import { readRecord } from '../billing/index.ts';
import { RELEASE_CREDIT_HOLDS } from './capabilities.ts';

/** The approval process credit seeds for held orders (docs/credit.md, "Credit holds"). */
export const ORDER_CREDIT_PROCESS = 'order_credit_hold';

/**
 * Seeds the `order` process once per installation: entry criteria "on hold for the credit limit"
 * (a hold of another kind cannot be submitted to it by hand), one step answered by
 * every user holding `credit.release_holds` (administrators included — they hold every capability),
 * the first answer deciding. The approvers are the capability, not a role or group, because the
 * capability is what today's release route checks: whoever may release a hold by hand is asked,
 * and profiles granting it need no second list kept in step. Registers the outcome handler and the
 * `order.held` subscriber that submits holds.
 */
export async function startCreditApprovals(platform: Platform): Promise<void> {
  await seedApprovalProcess(platform, {
    name: ORDER_CREDIT_PROCESS, label: 'Credit hold', object: 'order', active: true, sortOrder: 0,
    entryCriteria: { and: [{ field: 'on_hold', op: 'eq', value: true }, { field: 'hold_reasons', op: 'contains', value: '"credit_limit"' }] },
    submitters: [{ kind: 'owner' }, { kind: 'editor' }],
    steps: [{ name: 'Finance', approvers: [{ kind: 'capability', value: RELEASE_CREDIT_HOLDS }], mode: 'first' }],
  });
  onApprovalOutcome(platform, 'order', 'credit.hold', creditHoldOutcome);
  registerEventSubscriber(platform, creditHoldsToApproval);
}

const creditLimit = (reasons: HoldReason[]) => reasons.some((r) => r.by === 'credit' && r.code === 'credit_limit');

/**
 * An order held for its credit limit (`order.held` with a `credit_limit` reason, from the confirm
 * check in orders' transaction) is submitted to the `order` process, on behalf of the user whose
 * confirmation held it (the system for a shop's intake). Idempotent: an order no longer held, or
 * with a request submitted since the hold (pending or answered), is left alone. With no active
 * process it stays held for the release route.
 */
export const creditHoldsToApproval = eventHandler({
  name: 'credit.holds_to_approval',
  types: ['order.held'],
  async run(ctx, event) {
    const reasons = (event.changes.reasons?.new ?? []) as HoldReason[];
    if (!creditLimit(reasons)) return;
    const sys = asSystem({ ...ctx, actor: { ...ctx.actor, userId: event.actor.userId } });
    const order = await readRecord(sys, 'order', event.recordId, ['on_hold', 'hold_reasons']);
    if (order.on_hold !== true || !creditLimit(parseHoldReasons(order.hold_reasons))) return;
    if (await pendingApprovalOf(sys, order.id)) return;
    if (await requestedSince(sys, order.id, event.occurredAt)) return;
    await submitIfApplicable({ ctx: sys, object: 'order', recordId: order.id });
  },
});

/** Whether the order has an approval request submitted at or after `since` (read through the record service). */
async function requestedSince(ctx: TxContext, orderId: string, since: Date | string): Promise<boolean> {
  const object = ctx.platform.registry.requireObject('approval_request');
  const at = (since instanceof Date ? since : new Date(since)).toISOString();
  const { count } = await countRecords({ ctx, object, filter: { and: [{ field: 'record_id', op: 'eq', value: orderId }, { field: 'submitted_at', op: 'gte', value: at }] } });
  return count > 0;
}

/** Orders whose release route is answering their request in this transaction: the outcome handler leaves the release to the route. */
const releasing = new WeakMap<Transaction<any>, Set<string>>();

/**
 * The release route on an order waiting for approval answers the request through the engine as the
 * releasing user (403 unless they are one of the step's approvers), with their comment; the
 * route then writes the release itself. Null: no request is pending (no active process when it
 * was held) — the direct release.
 */
export async function answerHoldRequest(ctx: TxContext, orderId: string, comment: string): Promise<boolean> {
  const pending = await pendingApprovalOf(ctx, orderId);
  if (!pending) return false;
  let mine = releasing.get(ctx.trx);
  if (!mine) releasing.set(ctx.trx, (mine = new Set()));
  mine.add(orderId);
  try {
    await decideApproval({ ctx, requestId: pending.id, decision: 'approve', comment });
  } finally {
    mine.delete(orderId);
  }
  return true;
}

/**
 * The end of an order's request, in the decision's transaction: approved → the order is released
 * exactly as by the release route (credit_approved_amount recorded, `order.released` with the
 * approver's comment), as the system attributed to the approver; rejected → it stays held, the
 * rejection's comment added to its hold reasons (shown on the order); recalled → it stays held.
 */
async function creditHoldOutcome(ctx: TxContext, { request, outcome, comment, by }: ApprovalOutcome): Promise<void> {
  if (releasing.get(ctx.trx)?.has(request.record_id)) return;
  const sys = asSystem({ ...ctx, actor: { ...ctx.actor, userId: by } });
  const order = await readRecord(sys, 'order', request.record_id, ['on_hold']);
  if (order.on_hold !== true) return;
  if (outcome === 'approved') await releaseOrder({ ctx: sys, id: order.id, comment: comment ?? 'Credit hold approved' });
  else if (outcome === 'rejected') await holdOrder({ ctx: sys, id: order.id, reasons: [{ code: 'credit_rejected', by: 'credit', field: 'account', message: `Credit release rejected: ${comment ?? ''}`.trim() }] });
}
