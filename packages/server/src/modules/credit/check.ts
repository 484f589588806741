import { sql } from 'kysely';
import type { Platform } from '../../platform/kernel.ts';
import type { TxContext } from '../../platform/records/context.ts';
import type { ApiRecord } from '../../platform/records/hooks.ts';
import { hasCapability } from '../../platform/access/policy.ts';
import { forbidden } from '../../platform/errors.ts';
import { Decimal, billingSettings, isBlank, minorUnits } from '../billing/index.ts';
import { registerConfirmCheck, registerReleaseGuard, type ConfirmCheck, type HoldReason, type ReleaseGuard } from '../orders/index.ts';
import { RELEASE_CREDIT_HOLDS } from './capabilities.ts';
import { exposureOf } from './queries/inputs.ts';
import { answerHoldRequest } from './approval.ts';

const d = (v: unknown) => new Decimal(String(v ?? 0));

/**
 * The credit check of an order being confirmed (FIN-5): held when the account's open balance plus
 * its open orders plus this order would exceed the limit in force (the override, else the
 * computed limit), in the limit's currency. Not checked: accounts without a limit yet (never
 * computed, no override), orders in another currency, and an order finance already released from
 * a credit hold for at least its current total.
 */
export const creditCheck: ConfirmCheck = async (ctx, orders) => {
  const ids = [...new Set(orders.map((o) => o.account).filter((a): a is string => !isBlank(a)))];
  if (!ids.length) return orders.map(() => []);
  // The accounts' limits in one read; the exposure only for orders a limit applies to.
  const r = await sql<AccountLimit & { id: string }>`
    SELECT id, credit_limit::text, credit_limit_override::text, credit_currency, currency FROM ${sql.table(ctx.platform.registry.requireObject('account').table)}
    WHERE id = ANY(${ids}::uuid[])`.execute(ctx.trx);
  const accounts = new Map(r.rows.map((a) => [a.id, a]));
  const out: HoldReason[][] = [];
  for (const order of orders) out.push(await creditReasons(ctx, order, accounts.get(order.account as string)));
  return out;
};

interface AccountLimit { credit_limit: string | null; credit_limit_override: string | null; credit_currency: string | null; currency: string | null }

async function creditReasons(ctx: TxContext, order: ApiRecord, account: AccountLimit | undefined): Promise<HoldReason[]> {
  if (!account) return [];
  const overridden = account.credit_limit_override !== null;
  const limitText = account.credit_limit_override ?? account.credit_limit;
  if (limitText === null) return [];
  const limit = d(limitText);
  const currency = account.credit_currency ?? account.currency ?? billingSettings.of(ctx.platform).corporateCurrency;
  if (!isBlank(order.currency) && order.currency !== currency) return [];
  const total = d(order.total);
  if (order.credit_approved_amount !== null && order.credit_approved_amount !== undefined && total.lte(d(order.credit_approved_amount))) return [];
  const exposure = await exposureOf(ctx.platform, ctx.trx, { account: order.account as string, currency, exceptOrder: order.id });
  // Exact decimals: a limit is compared to the cent, never through floating point.
  const after = d(exposure.openBalance).plus(d(exposure.openOrders)).plus(total);
  if (after.lte(limit)) return [];
  const digits = minorUnits(currency);
  const money = (x: Decimal) => Number(x.toFixed(digits)).toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
  return [{
    code: 'credit_limit', field: 'account', by: 'credit',
    message: `Open balance ${money(d(exposure.openBalance))} + open orders ${money(d(exposure.openOrders))} + this order ${money(total)} = ${money(after)} ${currency}, over the ${overridden ? 'overridden' : 'computed'} credit limit of ${money(limit)} ${currency} by ${money(after.minus(limit))}. A user allowed to release credit holds must approve it.`,
  } satisfies HoldReason];
}

/**
 * Releasing an order held for credit needs the "Release credit holds" capability (403 otherwise);
 * an order waiting for approval (approval.ts) is released by approving its request as the
 * releasing user, with their comment. The release records the total approved on the order, so
 * confirming it afterwards does not hold it again unless its total grows. The release itself
 * (comment, who, when) is orders' `order.released`.
 */
export const creditReleaseGuard: ReleaseGuard = async (ctx, order, reasons, release) => {
  if (!reasons.some((r) => r.by === 'credit')) return;
  if (!hasCapability(ctx.actor, RELEASE_CREDIT_HOLDS)) throw forbidden('Releasing an order held for its credit limit needs the "Release credit holds" permission');
  await answerHoldRequest(ctx, order.id, release.comment);
  return { credit_approved_amount: Number(order.total ?? 0) };
};

export function registerCreditChecks(platform: Platform): void {
  registerConfirmCheck(platform, 'credit.limit', creditCheck);
  registerReleaseGuard(platform, 'credit.release', creditReleaseGuard);
}
