import { sql } from 'kysely';
import { getRecord } from '../../../platform/records/read.ts';
import { inTransaction, type RecordContext } from '../../../platform/records/context.ts';
import { Decimal, billingSettings } from '../../billing/index.ts';
import type { CreditInputs, CreditResult } from '../formula.ts';
import { exposureOf } from './inputs.ts';

export interface CreditStanding {
  account: string;
  /** The limit in force: the override when set, else the computed one; null before the first computation. */
  limit: number | null;
  computedLimit: number | null;
  override: { amount: number; reason: string | null; by: string | null; at: string | null } | null;
  currency: string;
  /** limit − (open balance + open orders); null without a limit. */
  available: number | null;
  openBalance: number;
  openOrders: number;
  behaviour: string | null;
  computedAt: string | null;
  inputs: CreditInputs | null;
  steps: CreditResult['steps'];
  /** The formula in words with the account's figures. */
  formula: string | null;
}

const num = (v: unknown) => (v === null || v === undefined || v === '' ? null : Number(v));

/**
 * An account's credit standing for its page (issue 13 item 7) and the credit panel: the limit in
 * force and how it was computed (the latest computation's inputs, steps and formula), the override
 * with its reason, and what is available after the open balance and open orders. 404 for an
 * account the reader cannot see; the figures count everything the account owes and has on order.
 */
export function creditStanding(ctx: RecordContext, accountId: string): Promise<CreditStanding> {
  return inTransaction(ctx, async (tx) => {
    const account = await getRecord({
      ctx: tx, object: tx.platform.registry.requireObject('account'), id: accountId,
      fields: ['id', 'currency', 'credit_limit', 'credit_currency', 'credit_limit_override', 'credit_override_reason', 'credit_override_by', 'credit_override_at', 'payment_behaviour'],
    });
    const row = (await sql<{ computed_at: string; inputs: string; steps: string; explanation: string; behaviour: string | null }>`SELECT computed_at, inputs, steps, explanation, behaviour
      FROM credit_computation WHERE account_id = ${accountId}::uuid`.execute(tx.trx)).rows[0];
    const currency = (account.credit_currency as string | null) ?? (account.currency as string | null) ?? billingSettings.of(tx.platform).corporateCurrency;
    const computedLimit = num(account.credit_limit);
    const overrideAmount = num(account.credit_limit_override);
    const limit = overrideAmount ?? computedLimit;
    const exposure = await exposureOf(tx.platform, tx.trx, { account: accountId, currency });
    return {
      account: accountId, limit, computedLimit, currency,
      override: overrideAmount === null ? null : { amount: overrideAmount, reason: (account.credit_override_reason as string | null) ?? null, by: (account.credit_override_by as string | null) ?? null, at: (account.credit_override_at as string | null) ?? null },
      available: limit === null ? null : new Decimal(String(limit)).minus(String(exposure.openBalance)).minus(String(exposure.openOrders)).toNumber(),
      openBalance: exposure.openBalance, openOrders: exposure.openOrders,
      behaviour: row?.behaviour ?? (account.payment_behaviour as string | null) ?? null,
      computedAt: row ? new Date(row.computed_at).toISOString() : null,
      inputs: row ? (JSON.parse(row.inputs) as CreditInputs) : null,
      steps: row ? (JSON.parse(row.steps) as CreditResult['steps']) : [],
      formula: row?.explanation ?? null,
    };
  });
}
