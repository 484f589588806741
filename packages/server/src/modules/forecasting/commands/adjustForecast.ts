import { sql } from 'kysely';
import { uuidv7 } from '../../../platform/ids.ts';
import { inTransaction, type RecordContext } from '../../../platform/records/context.ts';
import { invalid, readAmount } from '../input.ts';
import { parsePeriod } from '../periods.ts';
import { assertManages } from '../scope.ts';
import { adjustmentColumns, computedForecastOf, toAdjustment, type Adjustment, type AdjustmentRow } from '../queries/forecast.ts';

export interface AdjustInput { user: string; period: string; amount: string | number; reason: string }

/**
 * A manager's adjusted forecast for a user below them: a new history row (never an update), with
 * the reason and the computed number it replaced, so the history shows what the manager saw.
 */
export function adjustForecast(args: { ctx: RecordContext; input: AdjustInput }): Promise<Adjustment> {
  return inTransaction(args.ctx, async (ctx) => {
    const { input } = args;
    const period = parsePeriod(input.period);
    const amount = readAmount(input.amount, 'amount');
    const reason = typeof input.reason === 'string' ? input.reason.trim() : '';
    if (!reason) invalid('reason', 'required', 'Say why the number changes');
    await assertManages(ctx, input.user, 'forecast');
    const computed = await computedForecastOf(ctx, input.user, period);
    const id = uuidv7();
    await sql`INSERT INTO forecast_adjustment (id, user_id, period, amount, computed, reason, adjusted_by)
      VALUES (${id}, ${input.user}, ${period.key}, ${amount.toFixed(2)}::numeric, ${computed.toFixed(2)}::numeric, ${reason}, ${ctx.actor.userId})`.execute(ctx.trx);
    const r = await sql<AdjustmentRow>`SELECT ${adjustmentColumns} FROM forecast_adjustment a LEFT JOIN obj_user u ON u.id = a.adjusted_by WHERE a.id = ${id}`.execute(ctx.trx);
    return toAdjustment(r.rows[0]!);
  });
}

/** Every adjustment of a user's number in a period, newest first — for whoever sees that user's forecast. */
export function adjustmentHistory(args: { ctx: RecordContext; user: string; period: string }): Promise<Adjustment[]> {
  return inTransaction(args.ctx, async (ctx) => {
    const period = parsePeriod(args.period);
    const { actor } = ctx;
    const visible = actor.isAdmin || !actor.access || args.user === actor.userId || actor.access.subordinateUserIds.includes(args.user);
    if (!visible) return [];
    const r = await sql<AdjustmentRow>`SELECT ${adjustmentColumns} FROM forecast_adjustment a LEFT JOIN obj_user u ON u.id = a.adjusted_by
      WHERE a.user_id = ${args.user} AND a.period = ${period.key} ORDER BY a.created_at DESC, a.id DESC`.execute(ctx.trx);
    return r.rows.map(toAdjustment);
  });
}
