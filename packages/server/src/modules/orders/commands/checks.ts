import type { Platform } from '../../../platform/kernel.ts';
import type { TxContext } from '../../../platform/records/context.ts';
import type { ApiRecord } from '../../../platform/records/hooks.ts';
import type { HoldReason } from './holds.ts';

/**
 * Hook points other modules use to take part in confirming and releasing orders without orders
 * importing them (credit: the credit limit). Per platform, registered at start-up, by name (a
 * second registration of a name replaces the first).
 *
 * - A confirm check runs when orders are about to be confirmed — by a user or the API
 *   (confirmOrder) or right after a shop's intake stored them — in the command's transaction with
 *   the orders as read under their locks, and answers each order's reasons, in order: reasons put
 *   that order on hold instead (`order.held`). The orders it gets at once belong to distinct
 *   accounts, and orders confirmed before them in the transaction are already written (a check
 *   that adds up an account's orders sees them).
 * - A release guard runs before a held order is released, with the reasons being released. It may
 *   refuse (throw, e.g. 403 without a capability) or return values of read-only order fields to
 *   write with the release (what was approved). It gets the releasing user's comment too (credit
 *   answers its approval request with it).
 */
export type ConfirmCheck = (ctx: TxContext, orders: ApiRecord[]) => Promise<HoldReason[][]>;
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
  return (await confirmCheckReasonsOfMany(ctx, [order]))[0]!;
}

/** confirmCheckReasons for orders of distinct accounts at once: each check runs once for all of them. */
export async function confirmCheckReasonsOfMany(ctx: TxContext, orders: ApiRecord[]): Promise<HoldReason[][]> {
  const reasons = orders.map((): HoldReason[] => []);
  if (!orders.length) return reasons;
  for (const check of of(ctx.platform).confirm.values()) (await check(ctx, orders)).forEach((found, i) => reasons[i]!.push(...found));
  return reasons;
}

/** Runs every release guard; the values they return are written with the release. */
export async function guardRelease(ctx: TxContext, order: ApiRecord, reasons: HoldReason[], release: { comment: string }): Promise<Record<string, unknown>> {
  const values: Record<string, unknown> = {};
  for (const guard of of(ctx.platform).release.values()) Object.assign(values, (await guard(ctx, order, reasons, release)) ?? {});
  return values;
}
