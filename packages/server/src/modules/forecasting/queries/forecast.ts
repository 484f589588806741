import { sql } from 'kysely';
import { forbidden } from '../../../platform/errors.ts';
import { assertObjectPermission, isFieldReadable } from '../../../platform/access/policy.ts';
import { listConditions } from '../../../platform/records/read.ts';
import { inTransaction, type RecordContext, type TxContext } from '../../../platform/records/context.ts';
import { convertedAmount, corporateRatesFor, currencyChoices, Decimal, unconvertedWarning, unconvertible, type CorporateRates } from '../../billing/index.ts';
import { dec } from '../input.ts';
import { monthsOf, periodRange, type Period } from '../periods.ts';
import { forecastScope, type ScopeUser } from '../scope.ts';

/** One user's (or team's) numbers in one period; amounts are exact decimal strings. */
export interface Figures {
  /** Open deals by forecast category (amount). */
  pipeline: string;
  bestCase: string;
  commit: string;
  /** Won in the period: the amount, or the won amount of a partially won deal. */
  closed: string;
  /** Open deals' amount × probability. */
  weighted: string;
  /** closed + commit, or the manager's adjusted number when there is one. */
  forecast: string;
  quota: string | null;
  /** closed ÷ quota in percent (one decimal); null without a quota. */
  attainment: string | null;
}

export interface Adjustment { id: string; amount: string; computed: string; reason: string; adjustedBy: string; adjustedByName: string | null; at: string }

export interface ForecastCell {
  user: string;
  period: string;
  own: Figures & { computedForecast: string; adjustment: Adjustment | null };
  /** The user plus everyone below their role in this forecast. */
  team: Figures;
}

export interface Forecast {
  unit: string;
  /** The corporate currency every amount is in (deals in other currencies converted at today's rate). */
  currency: string;
  periods: string[];
  users: Array<Omit<ScopeUser, 'team'> & { team: string[] }>;
  cells: ForecastCell[];
  /** Deals left out because their currency has no exchange rate into the corporate one (the aggregate's words). */
  warnings: string[];
}

export const FORECAST_FORMULA = 'forecast = closed + commit unless adjusted; weighted = Σ open amount × probability ÷ 100; attainment = closed ÷ quota';

type Sums = { pipeline: Decimal; bestCase: Decimal; commit: Decimal; closed: Decimal; weighted: Decimal };
const zero = (): Sums => ({ pipeline: new Decimal(0), bestCase: new Decimal(0), commit: new Decimal(0), closed: new Decimal(0), weighted: new Decimal(0) });

/**
 * The forecast grid: periods × the users in the actor's scope (forecastScope), own and rolled-up
 * figures. Deals are read with the list's conditions (deleted, visibility) and bucketed by close
 * date in one grouped statement; roll-ups add the members' exact figures here. Each deal's amount
 * is converted into the corporate currency at today's rate and rounded to its minor unit before it
 * is summed, so a team's figure is exactly the sum of its members' (docs/forecasting.md).
 */
export function readForecast(args: { ctx: RecordContext; from: string; count?: number }): Promise<Forecast> {
  return inTransaction(args.ctx, async (ctx) => {
    const periods = periodRange(args.from, args.count ?? 1);
    const users = await forecastScope(ctx);
    const { sums, currency, unconverted } = await dealSums(ctx, periods, users.map((u) => u.id));
    const quotas = await quotasOf(ctx, periods, users.map((u) => u.id));
    const adjustments = await currentAdjustments(ctx, periods.map((p) => p.key), users.map((u) => u.id));
    const cells: ForecastCell[] = [];
    for (const period of periods) {
      const own = new Map(users.map((u) => {
        const s = sums.get(`${u.id}|${period.key}`) ?? zero();
        const computed = s.closed.plus(s.commit);
        const adjustment = adjustments.get(`${u.id}|${period.key}`) ?? null;
        return [u.id, { s, computed, forecast: adjustment ? dec(adjustment.amount) : computed, quota: quotas.get(`${u.id}|${period.key}`), adjustment }];
      }));
      for (const u of users) {
        const mine = own.get(u.id)!;
        const members = [u.id, ...u.team].map((id) => own.get(id)!);
        const total = members.reduce((t, m) => ({
          pipeline: t.pipeline.plus(m.s.pipeline), bestCase: t.bestCase.plus(m.s.bestCase), commit: t.commit.plus(m.s.commit),
          closed: t.closed.plus(m.s.closed), weighted: t.weighted.plus(m.s.weighted),
        }), zero());
        const teamForecast = members.reduce((t, m) => t.plus(m.forecast), new Decimal(0));
        const teamQuota = members.some((m) => m.quota) ? members.reduce((t, m) => t.plus(m.quota ?? 0), new Decimal(0)) : undefined;
        cells.push({
          user: u.id,
          period: period.key,
          own: { ...figures(mine.s, mine.forecast, mine.quota), computedForecast: mine.computed.toFixed(2), adjustment: mine.adjustment },
          team: figures(total, teamForecast, teamQuota),
        });
      }
    }
    const warnings = unconverted.count ? [unconvertedWarning(unconverted.count, unconverted.rates)] : [];
    return { unit: periods[0]!.unit, currency, periods: periods.map((p) => p.key), users, cells, warnings };
  });
}

function figures(s: Sums, forecast: Decimal, quota: Decimal | undefined): Figures {
  return {
    pipeline: s.pipeline.toFixed(2), bestCase: s.bestCase.toFixed(2), commit: s.commit.toFixed(2), closed: s.closed.toFixed(2),
    weighted: s.weighted.toFixed(2), forecast: forecast.toFixed(2),
    quota: quota ? quota.toFixed(2) : null,
    attainment: quota && !quota.isZero() ? s.closed.div(quota).times(100).toFixed(1) : null,
  };
}

type DealSums = { sums: Map<string, Sums>; currency: string; unconverted: { count: number; rates: CorporateRates } };

/**
 * Σ per owner, period and category, read as the actor reads the deal list, in the corporate
 * currency: each deal's amount × its currency's rate (billing's, as the aggregate converts), rounded
 * to the minor unit; deals whose currency has no rate add nothing and are counted.
 */
async function dealSums(ctx: TxContext, periods: Period[], owners: string[]): Promise<DealSums> {
  const object = ctx.platform.registry.requireObject('opportunity');
  assertObjectPermission(ctx.actor, object, 'read');
  for (const name of ['amount', 'probability', 'close_date', 'forecast_category', 'won_amount']) {
    const f = ctx.platform.registry.getField(object, name);
    if (!f || !isFieldReadable(ctx.actor, object, f)) throw forbidden(`Forecasts need the opportunity's ${name}, which your profile hides`);
  }
  const start = periods[0]!.start;
  const end = periods[periods.length - 1]!.end;
  const bucket = periods[0]!.unit === 'month'
    ? sql`to_char(t0.close_date, 'YYYY-MM')`
    : sql`to_char(t0.close_date, 'YYYY') || '-Q' || extract(quarter FROM t0.close_date)::int`;
  const where = sql.join([...listConditions(ctx, object, undefined), sql`t0.close_date >= ${start}::date AND t0.close_date < ${end}::date`, sql`t0.owner_id = ANY(${owners}::uuid[])`], sql` AND `);
  const rates = await corporateRatesFor({ ctx, currencies: currencyChoices(object) });
  // Named once in the inner query, so each CASE of bound rates is written once per value.
  const r = await sql<{ owner_id: string; period: string; pipeline: string; best_case: string; commit: string; closed: string; weighted: string; unconverted: number }>`
    SELECT d.owner_id, d.period,
      coalesce(sum(d.amount) FILTER (WHERE d.forecast_category = 'pipeline' OR d.forecast_category IS NULL AND d.stage NOT IN ('closed_won', 'partially_won', 'closed_lost')), 0)::text AS pipeline,
      coalesce(sum(d.amount) FILTER (WHERE d.forecast_category = 'best_case'), 0)::text AS best_case,
      coalesce(sum(d.amount) FILTER (WHERE d.forecast_category = 'commit'), 0)::text AS commit,
      coalesce(sum(d.won) FILTER (WHERE d.stage IN ('closed_won', 'partially_won')), 0)::text AS closed,
      coalesce(sum(d.amount * coalesce(d.probability, 0) / 100) FILTER (WHERE d.stage NOT IN ('closed_won', 'partially_won', 'closed_lost') AND coalesce(d.forecast_category, '') <> 'omitted'), 0)::text AS weighted,
      count(*) FILTER (WHERE d.unconverted AND d.raw IS NOT NULL)::int AS unconverted
    FROM (
      SELECT t0.owner_id, ${bucket} AS period, t0.stage, t0.forecast_category, t0.probability, coalesce(t0.won_amount, t0.amount) AS raw,
        ${convertedAmount(sql`t0.amount`, sql`t0.currency`, rates)} AS amount,
        ${convertedAmount(sql`coalesce(t0.won_amount, t0.amount)`, sql`t0.currency`, rates)} AS won,
        ${unconvertible(sql`t0.currency`, rates)} AS unconverted
      FROM ${sql.table(object.table)} AS t0 WHERE ${where}) d
    GROUP BY 1, 2`.execute(ctx.trx);
  const sums = new Map(r.rows.map((row) => [`${row.owner_id}|${row.period}`, {
    pipeline: dec(row.pipeline), bestCase: dec(row.best_case), commit: dec(row.commit), closed: dec(row.closed), weighted: dec(row.weighted),
  }]));
  return { sums, currency: rates.currency, unconverted: { count: r.rows.reduce((n, row) => n + Number(row.unconverted), 0), rates } };
}

/** Quotas per user and period; a quarter without its own quota is the sum of its months' quotas. */
async function quotasOf(ctx: TxContext, periods: Period[], users: string[]): Promise<Map<string, Decimal>> {
  const keys = [...new Set(periods.flatMap((p) => [p.key, ...monthsOf(p)]))];
  const r = await sql<{ user_id: string; period: string; amount: string }>`SELECT user_id, period, amount::text FROM forecast_quota
    WHERE user_id = ANY(${users}::uuid[]) AND period = ANY(${keys}::text[])`.execute(ctx.trx);
  const raw = new Map(r.rows.map((row) => [`${row.user_id}|${row.period}`, dec(row.amount)]));
  const out = new Map<string, Decimal>();
  for (const u of users) {
    for (const p of periods) {
      const own = raw.get(`${u}|${p.key}`);
      if (own) out.set(`${u}|${p.key}`, own);
      else if (p.unit === 'quarter') {
        const months = monthsOf(p).map((m) => raw.get(`${u}|${m}`)).filter((d): d is Decimal => !!d);
        if (months.length) out.set(`${u}|${p.key}`, months.reduce((t, d) => t.plus(d), new Decimal(0)));
      }
    }
  }
  return out;
}

async function currentAdjustments(ctx: TxContext, periods: string[], users: string[]): Promise<Map<string, Adjustment>> {
  const r = await sql<AdjustmentRow>`SELECT DISTINCT ON (a.user_id, a.period) ${adjustmentColumns}
    FROM forecast_adjustment a LEFT JOIN obj_user u ON u.id = a.adjusted_by
    WHERE a.user_id = ANY(${users}::uuid[]) AND a.period = ANY(${periods}::text[])
    ORDER BY a.user_id, a.period, a.created_at DESC, a.id DESC`.execute(ctx.trx);
  return new Map(r.rows.map((row) => [`${row.user_id}|${row.period}`, toAdjustment(row)]));
}

export interface AdjustmentRow { id: string; user_id: string; period: string; amount: string; computed: string; reason: string; adjusted_by: string; adjusted_by_name: string | null; created_at: Date | string }
export const adjustmentColumns = sql`a.id, a.user_id, a.period, a.amount::text AS amount, a.computed::text AS computed, a.reason, a.adjusted_by, u.full_name AS adjusted_by_name, a.created_at`;
export const toAdjustment = (row: AdjustmentRow): Adjustment => ({
  id: row.id, amount: dec(row.amount).toFixed(2), computed: dec(row.computed).toFixed(2), reason: row.reason, adjustedBy: row.adjusted_by,
  adjustedByName: row.adjusted_by_name, at: new Date(row.created_at).toISOString(),
});

/** A user's computed forecast (closed + commit) in one period, as the actor reads their deals. */
export async function computedForecastOf(ctx: TxContext, userId: string, period: Period): Promise<Decimal> {
  const s = (await dealSums(ctx, [period], [userId])).sums.get(`${userId}|${period.key}`) ?? zero();
  return s.closed.plus(s.commit);
}
