import type { ApiRecord } from '../../../platform/records/hooks.ts';
import type { TxContext } from '../../../platform/records/context.ts';
import { AppError } from '../../../platform/errors.ts';
import { ORDER } from '../kind.ts';
import type { OrderStatus } from '../objects.ts';
import { getRecordsById } from '../../../platform/records/read.ts';
import { updateRecords } from '../../../platform/records/updateMany.ts';
import { asDocumentCommand, storedDocumentLines } from '../../billing/index.ts';
import { assertOrderCan, commandTo } from '../status.ts';
import { now, orderEvent, orderEvents, runOrderCommand, setOrderValues, type OrderCommandArgs } from './common.ts';
import { confirmCheckReasons, confirmCheckReasonsOfMany } from './checks.ts';
import { putOnHold } from './holds.ts';

/** Moves the order and writes `order.status_changed` plus the status's own event, in one transaction. */
async function move(ctx: TxContext, order: ApiRecord, to: OrderStatus, values: Record<string, unknown> = {}): Promise<ApiRecord> {
  const moved = await setOrderValues(ctx, order.id, { status: to, ...values });
  await orderEvent(ctx, 'order.status_changed', moved, { from: order.status, to });
  if (to !== 'in_production') await orderEvent(ctx, `order.${to}`, moved);
  return moved;
}

/**
 * Confirms a received order: it must have lines and no holds (release them first). `order.confirmed`
 * sends the job ticket. The confirm checks other modules register (commands/checks.ts: the credit
 * limit) run last: an order they object to is put on hold with their reasons instead — the answer
 * is the held order, still received — and goes ahead once someone allowed to releases it.
 */
export function confirmOrder(args: OrderCommandArgs): Promise<ApiRecord> {
  return runOrderCommand({
    ...args,
    command: 'confirm',
    async run(ctx, order) {
      if (order.on_hold === true) {
        throw new AppError('conflict', 'This order is on hold; release it first', { errors: [{ field: 'on_hold', code: 'order_held', message: 'Release the holds before confirming' }] });
      }
      if (!(await storedDocumentLines(ctx, ORDER, order.id)).length) {
        throw new AppError('rule_violation', 'An order without lines cannot be confirmed', { errors: [{ field: 'lines', code: 'no_lines', message: 'Add at least one line' }] });
      }
      const objections = await confirmCheckReasons(ctx, order);
      if (objections.length) return putOnHold(ctx, order, objections);
      return move(ctx, order, 'confirmed', { confirmed_at: now() });
    },
  });
}

/**
 * confirmOrder for orders this transaction has just created with their lines and no holds (a
 * shop's intake, many at once): nobody else can see them yet, so there is nothing to lock and no
 * version to check, but the rest is confirmOrder's — the status rule, the confirm checks on each
 * order as stored (an objection holds that order instead), then the orders moved with one
 * updateRecords and their two events with one statement per type. The checks see the orders
 * confirmed before them, as one at a time would: an order of an account already in the round
 * being confirmed (the credit check counts the account's confirmed orders) waits for that round
 * to be written first. Answers the orders in the order given, confirmed or held.
 */
export async function confirmNewOrders(ctx: TxContext, ids: string[]): Promise<ApiRecord[]> {
  const object = ctx.platform.registry.requireObject('order');
  const found = await getRecordsById({ ctx, object, ids });
  const out = new Map<string, ApiRecord>();
  // Orders are checked and confirmed in rounds of distinct accounts: an order of an account already
  // in the round waits for the next, so the credit check sees the orders confirmed before it.
  let round: ApiRecord[] = [];
  const accounts = new Set<unknown>();
  const settleRound = async () => {
    if (!round.length) return;
    const checking = round;
    round = [];
    accounts.clear();
    const objections = await confirmCheckReasonsOfMany(ctx, checking);
    for (const [i, order] of checking.entries()) {
      if (objections[i]!.length) out.set(order.id, await asDocumentCommand(ctx, order.id, () => putOnHold(ctx, order, objections[i]!)));
    }
    const moving = checking.filter((_, i) => !objections[i]!.length);
    if (!moving.length) return;
    const confirmedAt = now();
    const moved = await asDocumentCommand(ctx, moving.map((o) => o.id), () => updateRecords({
      ctx, object, records: moving.map((o) => ({ id: o.id, input: {}, options: { systemValues: { status: 'confirmed', confirmed_at: confirmedAt } } })),
    }));
    await orderEvents(ctx, 'order.status_changed', moved, { from: 'received', to: 'confirmed' });
    await orderEvents(ctx, 'order.confirmed', moved);
    for (const order of moved) out.set(order.id, order);
  };
  for (const id of ids) {
    const order = found.get(id);
    if (!order) throw new Error(`confirmNewOrders: order ${id} is not visible in this transaction`);
    assertOrderCan('confirm', order.status as OrderStatus);
    if (order.on_hold === true) throw new Error('confirmNewOrders: a new order with holds is not confirmed');
    if (accounts.has(order.account)) await settleRound();
    round.push(order);
    accounts.add(order.account);
  }
  await settleRound();
  return ids.map((id) => out.get(id)!);
}

export function startProduction(args: OrderCommandArgs): Promise<ApiRecord> {
  return runOrderCommand({ ...args, command: 'startProduction', run: (ctx, order) => move(ctx, order, 'in_production') });
}

/** Completes an order (production done or nothing to produce): `order.completed` is what invoicing listens to. */
export function completeOrder(args: OrderCommandArgs): Promise<ApiRecord> {
  return runOrderCommand({ ...args, command: 'complete', run: (ctx, order) => move(ctx, order, 'completed', { completed_at: now() }) });
}

export function cancelOrder(args: OrderCommandArgs & { reason?: string }): Promise<ApiRecord> {
  return runOrderCommand({ ...args, command: 'cancel', run: (ctx, order) => move(ctx, order, 'cancelled', { cancelled_at: now(), cancel_reason: args.reason ?? null }) });
}

/** The production board's drag: the command that leads to the target status (409 when the order cannot go there from where it is). */
export function moveOrder(args: OrderCommandArgs & { status: OrderStatus; reason?: string }): Promise<ApiRecord> {
  const command = commandTo(args.status);
  const { status: _status, ...rest } = args;
  switch (command) {
    case 'confirm': return confirmOrder(rest);
    case 'startProduction': return startProduction(rest);
    case 'complete': return completeOrder(rest);
    case 'cancel': return cancelOrder(rest);
    default:
      throw new AppError('rule_violation', `An order cannot be moved back to ${args.status}`, { errors: [{ field: 'status', code: 'invalid_transition', message: `Orders cannot be moved back to ${args.status}` }] });
  }
}
