import { sql } from 'kysely';
import { inTransaction, type RecordContext } from '../../../platform/records/context.ts';
import { readAmount } from '../input.ts';
import { parsePeriod } from '../periods.ts';
import { assertManages } from '../scope.ts';

export interface QuotaInput { user: string; period: string; amount: string | number | null }

/** Sets (or with amount null removes) a user's quota for a month or quarter; their manager or an administrator. */
export function setQuota(args: { ctx: RecordContext; input: QuotaInput }) {
  return inTransaction(args.ctx, async (ctx) => {
    const { input } = args;
    const period = parsePeriod(input.period);
    const amount = input.amount === null ? null : readAmount(input.amount, 'amount');
    await assertManages(ctx, input.user, 'quota');
    if (amount === null) {
      await sql`DELETE FROM forecast_quota WHERE user_id = ${input.user} AND period = ${period.key}`.execute(ctx.trx);
    } else {
      await sql`INSERT INTO forecast_quota (user_id, period, amount, set_by) VALUES (${input.user}, ${period.key}, ${amount.toFixed(2)}::numeric, ${ctx.actor.userId})
        ON CONFLICT (user_id, period) DO UPDATE SET amount = EXCLUDED.amount, set_by = EXCLUDED.set_by, updated_at = now()`.execute(ctx.trx);
    }
    return { user: input.user, period: period.key, amount: amount ? amount.toFixed(2) : null };
  });
}
