import { sql } from 'kysely';
import { assertObjectPermission } from '../../../platform/access/policy.ts';
import { getRecord, listConditions } from '../../../platform/records/read.ts';
import { inTransaction, type RecordContext } from '../../../platform/records/context.ts';
import { invalid, money } from '../input.ts';

export interface WeekFigures { week: string; orders: number; revenue: string; openPipeline: string; activities: number; cases: number | null; paymentDays: number | null }

type Row = { week_start: string; orders: number; revenue: string; open_pipeline: string; activities: number; cases: number | null; payment_days: string | null };
const toWeek = (r: Row): WeekFigures => ({
  week: String(r.week_start).slice(0, 10), orders: Number(r.orders), revenue: money(r.revenue), openPipeline: money(r.open_pipeline),
  activities: Number(r.activities), cases: r.cases === null ? null : Number(r.cases), paymentDays: r.payment_days === null ? null : Number(r.payment_days),
});

const checkRange = (value: number | undefined, fallback: number, field: string, max: number) => {
  const n = value ?? fallback;
  if (!Number.isInteger(n) || n < 1 || n > max) invalid(field, 'out_of_range', `Between 1 and ${max}`);
  return n;
};

/** An account's weekly behaviour, oldest first (the last `weeks` snapshots) — for whoever may read the account. */
export function accountBehaviour(args: { ctx: RecordContext; account: string; weeks?: number }): Promise<{ account: string; weeks: WeekFigures[] }> {
  return inTransaction(args.ctx, async (ctx) => {
    const weeks = checkRange(args.weeks, 26, 'weeks', 260);
    await getRecord({ ctx, object: ctx.platform.registry.requireObject('account'), id: args.account, fields: ['id'] });
    const r = await sql<Row>`SELECT * FROM (SELECT week_start::text AS week_start, orders, revenue::text AS revenue, open_pipeline::text AS open_pipeline, activities, cases, payment_days::text AS payment_days
      FROM account_snapshot WHERE account_id = ${args.account} ORDER BY week_start DESC LIMIT ${weeks}) s ORDER BY week_start`.execute(ctx.trx);
    return { account: args.account, weeks: r.rows.map(toWeek) };
  });
}

export interface BehaviourChange { account: string; name: string; score: string; latest: WeekFigures; baseline: { revenue: string; orders: string; openPipeline: string; activities: string } }

export const CHANGE_FORMULA = 'score = mean over revenue, orders, open pipeline and activities of |latest week − mean of the previous N weeks| ÷ max(mean, 1)';

/**
 * Accounts whose behaviour changed most: the latest snapshot week against the mean of the `baseline`
 * weeks before it, scored by CHANGE_FORMULA, over the accounts the actor may read (the account list's
 * conditions), highest first. One statement.
 */
export function behaviourChanges(args: { ctx: RecordContext; baseline?: number; limit?: number }): Promise<{ week: string | null; formula: string; rows: BehaviourChange[] }> {
  return inTransaction(args.ctx, async (ctx) => {
    const baseline = checkRange(args.baseline, 4, 'baseline', 52);
    const limit = checkRange(args.limit, 20, 'limit', 200);
    const account = ctx.platform.registry.requireObject('account');
    assertObjectPermission(ctx.actor, account, 'read');
    const latest = await sql<{ week: string | null }>`SELECT max(week_start)::text AS week FROM account_snapshot`.execute(ctx.trx);
    const week = latest.rows[0]?.week ?? null;
    if (!week) return { week: null, formula: CHANGE_FORMULA, rows: [] };
    const where = sql.join(listConditions(ctx, account, undefined), sql` AND `);
    const change = (col: string) => sql`abs(l.${sql.raw(col)} - b.${sql.raw(col)}) / greatest(abs(b.${sql.raw(col)}), 1)`;
    const score = sql`round((${change('revenue')} + ${change('orders')} + ${change('open_pipeline')} + ${change('activities')}) / 4, 4)`;
    const r = await sql<Row & { account_id: string; name: string; score: string; b_revenue: string; b_orders: string; b_pipeline: string; b_activities: string }>`
      WITH l AS (SELECT s.* FROM account_snapshot s JOIN ${sql.table(account.table)} AS t0 ON t0.id = s.account_id WHERE s.week_start = ${week}::date AND ${where}),
        b AS (SELECT s.account_id, avg(s.revenue) AS revenue, avg(s.orders) AS orders, avg(s.open_pipeline) AS open_pipeline, avg(s.activities) AS activities
          FROM account_snapshot s WHERE s.account_id IN (SELECT account_id FROM l)
            AND s.week_start < ${week}::date AND s.week_start >= ${week}::date - ${baseline * 7}::int GROUP BY s.account_id)
      SELECT l.account_id, a.name, l.week_start::text AS week_start, l.orders, l.revenue::text AS revenue, l.open_pipeline::text AS open_pipeline, l.activities, l.cases,
        l.payment_days::text AS payment_days,
        ${score}::text AS score,
        round(b.revenue, 2)::text AS b_revenue, round(b.orders, 2)::text AS b_orders, round(b.open_pipeline, 2)::text AS b_pipeline, round(b.activities, 2)::text AS b_activities
      FROM l JOIN b ON b.account_id = l.account_id JOIN ${sql.table(account.table)} a ON a.id = l.account_id
      ORDER BY ${score} DESC, a.name, l.account_id LIMIT ${limit}`.execute(ctx.trx);
    return {
      week,
      formula: CHANGE_FORMULA,
      rows: r.rows.map((row) => ({
        account: row.account_id, name: row.name, score: row.score, latest: toWeek(row),
        baseline: { revenue: row.b_revenue, orders: row.b_orders, openPipeline: row.b_pipeline, activities: row.b_activities },
      })),
    };
  });
}
