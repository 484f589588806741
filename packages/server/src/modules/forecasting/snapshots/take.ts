import { sql } from 'kysely';
import type { Platform } from '../../../platform/kernel.ts';
import { listConditions } from '../../../platform/records/read.ts';
import { inTransaction, systemActor, type TxContext } from '../../../platform/records/context.ts';
import { invoicedRevenueLines } from '../../invoicing/index.ts';
import { dsoByAccount } from '../../payments/index.ts';
import { Decimal } from '../../billing/index.ts';
import { dec, invalid } from '../input.ts';

const DAY = 86_400_000;
const iso = (ms: number) => new Date(ms).toISOString().slice(0, 10);

/** The Monday of the week before `now` (UTC): the last whole week, what the Monday job records. */
export function lastWeekStart(now = new Date()): string {
  const today = Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate());
  const monday = today - ((new Date(today).getUTCDay() + 6) % 7) * DAY;
  return iso(monday - 7 * DAY);
}

export function checkWeekStart(week: string): string {
  const ms = Date.parse(`${week}T00:00:00Z`);
  if (!/^\d{4}-\d{2}-\d{2}$/.test(week) || Number.isNaN(ms) || iso(ms) !== week || new Date(ms).getUTCDay() !== 1) invalid('week', 'not_a_monday', 'The Monday a week starts on (YYYY-MM-DD)');
  return week;
}

/**
 * One behaviour snapshot per account for the week starting `week` (a Monday): orders placed (not
 * cancelled), revenue invoiced (net, less credit notes; invoicing's export), the open pipeline when
 * taken, activities happening that week (their links to the account), cases when a `case` object
 * exists, payment days (the account's 90-day DSO, payments' export; only the 500 accounts with the most
 * receivables get one). Taken as the system, in one transaction and a few set-based statements;
 * taking a week again overwrites its rows — one row per account and week, whatever the retries.
 */
export async function takeSnapshots(platform: Platform, week = lastWeekStart()): Promise<{ week: string; accounts: number }> {
  checkWeekStart(week);
  const end = iso(Date.parse(`${week}T00:00:00Z`) + 7 * DAY);
  return inTransaction({ platform, actor: systemActor() }, async (ctx) => {
    const revenue = new Map<string, Decimal>();
    for (const line of await invoicedRevenueLines(ctx, { from: week, to: end })) revenue.set(line.account, (revenue.get(line.account) ?? new Decimal(0)).plus(dec(line.amount)));
    const dso = await dsoByAccount({ ctx, asOf: iso(Date.parse(`${end}T00:00:00Z`) - DAY), days: 90, limit: 500 });
    const days = new Map<string, number>();
    for (const row of dso.rows) if (row.dso !== null && !days.has(row.account)) days.set(row.account, row.dso);
    const r = await sql<{ n: number }>`WITH
        rev AS (SELECT * FROM unnest(${[...revenue.keys()]}::uuid[], ${[...revenue.values()].map((d) => d.toFixed(2))}::numeric[]) AS x(account_id, amount)),
        pay AS (SELECT * FROM unnest(${[...days.keys()]}::uuid[], ${[...days.values()]}::numeric[]) AS x(account_id, days)),
        ins AS (
          INSERT INTO account_snapshot (account_id, week_start, orders, revenue, open_pipeline, activities, cases, payment_days, taken_at)
          SELECT acc.id, ${week}::date, ${orders(ctx, week, end)}, coalesce((SELECT amount FROM rev WHERE rev.account_id = acc.id), 0),
            ${openPipeline(ctx)}, ${activities(ctx, week, end)}, ${cases(ctx, week, end)}, (SELECT days FROM pay WHERE pay.account_id = acc.id), now()
          FROM ${sql.table(ctx.platform.registry.requireObject('account').table)} AS acc WHERE acc.deleted_at IS NULL
          ON CONFLICT (account_id, week_start) DO UPDATE SET orders = EXCLUDED.orders, revenue = EXCLUDED.revenue, open_pipeline = EXCLUDED.open_pipeline,
            activities = EXCLUDED.activities, cases = EXCLUDED.cases, payment_days = EXCLUDED.payment_days, taken_at = EXCLUDED.taken_at
          RETURNING 1)
      SELECT count(*)::int AS n FROM ins`.execute(ctx.trx);
    return { week, accounts: Number(r.rows[0]?.n ?? 0) };
  });
}

/** A correlated count or sum over another object's records (alias t0, as the list's conditions name it) for the account `acc`, read as the system. */
function over(ctx: TxContext, apiName: string, select: ReturnType<typeof sql>, where: ReturnType<typeof sql>, empty: ReturnType<typeof sql>) {
  const object = ctx.platform.registry.getObject(apiName);
  if (!object) return empty;
  const conditions = listConditions(ctx, object, undefined);
  return sql`coalesce((SELECT ${select} FROM ${sql.table(object.table)} AS t0 WHERE ${sql.join(conditions, sql` AND `)} AND ${where}), ${empty})`;
}

const orders = (ctx: TxContext, from: string, to: string) =>
  over(ctx, 'order', sql`count(*)::int`, sql`t0.account_id = acc.id AND t0.status <> 'cancelled' AND t0.created_at >= ${from}::date AND t0.created_at < ${to}::date`, sql`0`);
const openPipeline = (ctx: TxContext) =>
  over(ctx, 'opportunity', sql`sum(t0.amount)`, sql`t0.account_id = acc.id AND t0.stage NOT IN ('closed_won', 'partially_won', 'closed_lost')`, sql`0`);
const activities = (ctx: TxContext, from: string, to: string) =>
  over(ctx, 'activity_link', sql`count(*)::int`, sql`t0.record_object = 'account' AND t0.record_id = acc.id::text AND t0.sort_at >= ${from}::date AND t0.sort_at < ${to}::date`, sql`0`);
const cases = (ctx: TxContext, from: string, to: string) => {
  const object = ctx.platform.registry.getObject('case');
  if (!object || !ctx.platform.registry.getField(object, 'account')) return sql`NULL::int`;
  return over(ctx, 'case', sql`count(*)::int`, sql`t0.account_id = acc.id AND t0.created_at >= ${from}::date AND t0.created_at < ${to}::date`, sql`0`);
};
