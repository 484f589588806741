import type { ApiRecord } from '../../../platform/records/hooks.ts';
import type { FieldError } from '../../../platform/errors.ts';
import { AppError } from '../../../platform/errors.ts';
import { now, orderEvent, runOrderCommand, setOrderValues, type OrderCommandArgs } from './common.ts';

/** One reason an order is held: a validation problem of an intake, an ambiguous account, the credit limit (part 3). */
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
    async run(ctx, order) {
      const reasons = [...parseHoldReasons(order.hold_reasons), ...args.reasons];
      const held = await setOrderValues(ctx, order.id, { on_hold: true, hold_reasons: JSON.stringify(reasons) });
      await orderEvent(ctx, 'order.held', held, { reasons: args.reasons });
      return held;
    },
  });
}

/**
 * Releases a held order: a user has checked the reasons (and fixed the account or lines) and says
 * why in a comment, which `order.released` and the order's history keep with the reasons released.
 */
export function releaseOrder(args: OrderCommandArgs & { comment: string }): Promise<ApiRecord> {
  return runOrderCommand({
    ...args,
    command: 'release',
    async run(ctx, order) {
      if (order.on_hold !== true) {
        throw new AppError('conflict', 'This order is not on hold', { errors: [{ field: 'on_hold', code: 'not_held', message: 'The order is not on hold' } satisfies FieldError] });
      }
      const released = await setOrderValues(ctx, order.id, { on_hold: false, hold_reasons: null });
      await orderEvent(ctx, 'order.released', released, { reasons: parseHoldReasons(order.hold_reasons), comment: args.comment, released_at: now(), released_by: ctx.actor.userId });
      return released;
    },
  });
}
