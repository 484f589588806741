import type { ApiRecord } from '../../../platform/records/hooks.ts';
import type { FieldError } from '../../../platform/errors.ts';
import { AppError } from '../../../platform/errors.ts';
import type { TxContext } from '../../../platform/records/context.ts';
import { now, orderEvent, runOrderCommand, setOrderValues, type OrderCommandArgs } from './common.ts';
import { guardRelease } from './checks.ts';

/** One reason an order is held: a validation problem of an intake, an ambiguous account, the credit limit (credit module, `by: 'credit'`). */
export interface HoldReason {
  code: string;
  message: string;
  field?: string;
  /** Who raised it: intake, credit, a user. */
  by: string;
}

export function parseHoldReasons(text: unknown): HoldReason[] {
  if (typeof text !== 'string' || !text) return [];
  try {
    const list = JSON.parse(text) as unknown;
    return Array.isArray(list) ? (list as HoldReason[]) : [];
  } catch {
    return [];
  }
}

/** Puts an order on hold with reasons (added to any it has), `order.held` in the outbox. */
export function holdOrder(args: OrderCommandArgs & { reasons: HoldReason[] }): Promise<ApiRecord> {
  return runOrderCommand({
    ...args,
    command: 'hold',
    run: (ctx, order) => putOnHold(ctx, order, args.reasons),
  });
}

/** Holds the order (locked by the caller's command) with these reasons added to any it has; `order.held`. */
export async function putOnHold(ctx: TxContext, order: ApiRecord, reasons: HoldReason[]): Promise<ApiRecord> {
  const all = [...parseHoldReasons(order.hold_reasons), ...reasons];
  const held = await setOrderValues(ctx, order.id, { on_hold: true, hold_reasons: JSON.stringify(all) });
  await orderEvent(ctx, 'order.held', held, { reasons });
  return held;
}

/**
 * Releases a held order: a user has checked the reasons (and fixed the account or lines) and says
 * why in a comment, which `order.released` and the order's history keep with the reasons released.
 * Release guards other modules register (checks.ts) may refuse the user (credit holds need the
 * finance capability) or add what was approved to the release's write.
 */
export function releaseOrder(args: OrderCommandArgs & { comment: string }): Promise<ApiRecord> {
  return runOrderCommand({
    ...args,
    command: 'release',
    async run(ctx, order) {
      if (order.on_hold !== true) {
        throw new AppError('conflict', 'This order is not on hold', { errors: [{ field: 'on_hold', code: 'not_held', message: 'The order is not on hold' } satisfies FieldError] });
      }
      const reasons = parseHoldReasons(order.hold_reasons);
      const approved = await guardRelease(ctx, order, reasons, { comment: args.comment });
      const released = await setOrderValues(ctx, order.id, { ...approved, on_hold: false, hold_reasons: null });
      await orderEvent(ctx, 'order.released', released, { reasons, comment: args.comment, released_at: now(), released_by: ctx.actor.userId });
      return released;
    },
  });
}
