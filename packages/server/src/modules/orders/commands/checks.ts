import type { Platform } from '../../../platform/kernel.ts';
import type { TxContext } from '../../../platform/records/context.ts';
import type { ApiRecord } from '../../../platform/records/hooks.ts';
import type { HoldReason } from './holds.ts';

/**
 * Hook points other modules use to take part in confirming and releasing orders without orders
 * importing them (credit: the credit limit). Per platform, registered at start-up, by name (a
 * second registration of a name replaces the first).
 *
 * - A confirm check runs when an order is about to be confirmed — by a user or the API
 *   (confirmOrder) or right after a shop's intake stored it — in the command's transaction with the
 *   order as read under its lock. Reasons it returns put the order on hold instead (`order.held`).
 * - A release guard runs before a held order is released, with the reasons being released. It may
 *   refuse (throw, e.g. 403 without a capability) or return values of read-only order fields to
 *   write with the release (what was approved). It gets the releasing user's comment too (credit
 *   answers its approval request with it).
 */
export type ConfirmCheck = (ctx: TxContext, order: ApiRecord) => Promise<HoldReason[]>;
export type ReleaseGuard = (ctx: TxContext, order: ApiRecord, reasons: HoldReason[], release: { comment: string }) => Promise<Record<string, unknown> | void>;

interface Points {
  confirm: Map<string, ConfirmCheck>;
  release: Map<string, ReleaseGuard>;
}
const points = new WeakMap<Platform, Points>();
const of = (platform: Platform): Points => {
  let p = points.get(platform);
  if (!p) points.set(platform, (p = { confirm: new Map(), release: new Map() }));
  return p;
};

export function registerConfirmCheck(platform: Platform, name: string, check: ConfirmCheck): void {
  of(platform).confirm.set(name, check);
}

export function registerReleaseGuard(platform: Platform, name: string, guard: ReleaseGuard): void {
  of(platform).release.set(name, guard);
}

/** Every registered check's reasons for this order (none: it may be confirmed). */
export async function confirmCheckReasons(ctx: TxContext, order: ApiRecord): Promise<HoldReason[]> {
  const reasons: HoldReason[] = [];
  for (const check of of(ctx.platform).confirm.values()) reasons.push(...(await check(ctx, order)));
  return reasons;
}

/** Runs every release guard; the values they return are written with the release. */
export async function guardRelease(ctx: TxContext, order: ApiRecord, reasons: HoldReason[], release: { comment: string }): Promise<Record<string, unknown>> {
  const values: Record<string, unknown> = {};
  for (const guard of of(ctx.platform).release.values()) Object.assign(values, (await guard(ctx, order, reasons, release)) ?? {});
  return values;
}
