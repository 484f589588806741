import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Platform } from '../../platform/kernel.ts';
import { adminsOnly, recordContext } from '../../platform/http/context.ts';
import { DataList, PathId, T, Uuid, routeSchema } from '../../platform/http/schema/common.ts';
import { readForecast } from './queries/forecast.ts';
import { setQuota, type QuotaInput } from './commands/setQuota.ts';
import { adjustForecast, adjustmentHistory, type AdjustInput } from './commands/adjustForecast.ts';
import { readPillarGrid, savePillarCells, type PillarCellInput } from './pillars/grid.ts';
import { accountBehaviour, behaviourChanges } from './snapshots/read.ts';
import { takeSnapshots } from './snapshots/take.ts';

const tags = ['forecasting'];
const Money = T.String({ description: 'Exact decimal, two places' });
const NullableMoney = T.Union([Money, T.Null()]);
const Nullable = T.Union([T.String(), T.Null()]);
const Amount = T.Union([T.String({ maxLength: 32 }), T.Number()]);
const PeriodKey = T.String({ maxLength: 16, description: "A month ('2027-03') or a quarter ('2027-Q1')" });

const FiguresProps = {
  pipeline: Money, bestCase: Money, commit: Money, closed: Money, weighted: Money, forecast: Money, quota: NullableMoney,
  attainment: T.Union([T.String(), T.Null()], { description: 'closed ÷ quota in percent' }),
};
const AdjustmentSchema = T.Object({ id: Uuid, amount: Money, computed: Money, reason: T.String(), adjustedBy: Uuid, adjustedByName: Nullable, at: T.String() });
const Currency = T.String({ description: 'The corporate currency every amount is in (ISO 4217); deals in other currencies are converted at today\'s rate' });
const Warnings = T.Array(T.String(), { description: 'Records left out because their currency has no exchange rate into the corporate currency' });
const ForecastSchema = T.Object({
  unit: T.String(),
  currency: Currency,
  periods: T.Array(T.String()),
  users: T.Array(T.Object({ id: Uuid, name: T.String(), role: Nullable, depth: T.Integer(), team: T.Array(Uuid) })),
  cells: T.Array(T.Object({
    user: Uuid, period: T.String(),
    own: T.Object({ ...FiguresProps, computedForecast: Money, adjustment: T.Union([AdjustmentSchema, T.Null()]) }),
    team: T.Object(FiguresProps),
  })),
  warnings: Warnings,
}, { description: 'The forecast grid (docs/forecasting.md)' });
const PillarMonths = T.Object({ new_sales: T.Array(NullableMoney), account_management: T.Array(NullableMoney), upselling: T.Array(NullableMoney) });
const PillarTotals = T.Object({ new_sales: T.Array(Money), account_management: T.Array(Money), upselling: T.Array(Money), all: T.Array(Money) });
const PillarGridSchema = T.Object({
  year: T.Integer(),
  currency: Currency,
  warnings: Warnings,
  truncated: T.Boolean(),
  rows: T.Array(T.Object({ account: Uuid, name: T.String(), editable: T.Boolean(), plan: PillarMonths, won: PillarMonths, invoiced: PillarMonths })),
  totals: T.Object({ plan: PillarTotals, won: PillarTotals, invoiced: PillarTotals }),
});
const WeekSchema = T.Object({
  week: T.String(), orders: T.Integer(), revenue: Money, openPipeline: Money, activities: T.Integer(),
  cases: T.Union([T.Integer(), T.Null()]), paymentDays: T.Union([T.Number(), T.Null()]),
});

/** Forecasts and quotas, the three-pillar plan, account behaviour (docs/forecasting.md). Thin: parse, one command or query, answer. */
export function registerForecastingRoutes(app: FastifyInstance, platform: Platform): void {
  const ctxOf = (request: FastifyRequest) => recordContext(platform, request);
  const fresh = () => platform.registry.ensureFresh();

  app.get('/api/v1/forecasting/forecast', {
    schema: routeSchema({
      tags, operationId: 'getForecast', summary: 'Forecast by period and owner: categories, weighted pipeline, quota, attainment, rolled up the role hierarchy',
      querystring: T.Object({ from: PeriodKey, count: T.Optional(T.Integer({ minimum: 1, maximum: 24 })) }, { additionalProperties: false }),
      response: { 200: ForecastSchema },
    }),
  }, async (request) => {
    await fresh();
    const q = request.query as { from: string; count?: number };
    return readForecast({ ctx: ctxOf(request), from: q.from, ...(q.count !== undefined ? { count: q.count } : {}) });
  });

  app.put('/api/v1/forecasting/quotas', {
    schema: routeSchema({
      tags, operationId: 'setQuota', summary: "Set or clear (amount null) a user's quota for a month or quarter (their manager or an administrator)",
      body: T.Object({ user: Uuid, period: PeriodKey, amount: T.Union([Amount, T.Null()]) }, { additionalProperties: false }),
      response: { 200: T.Object({ user: Uuid, period: T.String(), amount: NullableMoney }) },
    }),
  }, async (request) => {
    await fresh();
    return setQuota({ ctx: ctxOf(request), input: request.body as QuotaInput });
  });

  app.post('/api/v1/forecasting/adjustments', {
    schema: routeSchema({
      tags, operationId: 'adjustForecast', summary: "Adjust a user's forecast for a period with a reason (their manager or an administrator); kept as history",
      body: T.Object({ user: Uuid, period: PeriodKey, amount: Amount, reason: T.String({ maxLength: 2000 }) }, { additionalProperties: false }),
      response: { 201: AdjustmentSchema },
    }),
  }, async (request, reply) => {
    await fresh();
    return reply.status(201).send(await adjustForecast({ ctx: ctxOf(request), input: request.body as AdjustInput }));
  });

  app.get('/api/v1/forecasting/adjustments', {
    schema: routeSchema({
      tags, operationId: 'listForecastAdjustments', summary: "A user's forecast adjustments in a period, newest first (empty for users outside your forecast)",
      querystring: T.Object({ user: Uuid, period: PeriodKey }, { additionalProperties: false }),
      response: { 200: DataList(AdjustmentSchema) },
    }),
  }, async (request) => {
    await fresh();
    const q = request.query as { user: string; period: string };
    return { data: await adjustmentHistory({ ctx: ctxOf(request), user: q.user, period: q.period }) };
  });

  app.get('/api/v1/forecasting/pillars', {
    schema: routeSchema({
      tags, operationId: 'getPillarForecast', summary: 'The annual three-pillar forecast grid of a year with actuals (won deals, invoiced revenue) in the same pillars',
      querystring: T.Object({ year: T.Integer(), mine: T.Optional(T.Boolean()) }, { additionalProperties: false }),
      response: { 200: PillarGridSchema },
    }),
  }, async (request) => {
    await fresh();
    const q = request.query as { year: number; mine?: boolean };
    return readPillarGrid({ ctx: ctxOf(request), year: q.year, mine: q.mine ?? false });
  });

  app.put('/api/v1/forecasting/pillars', {
    schema: routeSchema({
      tags, operationId: 'savePillarForecast', summary: 'Save cells of the three-pillar forecast (null clears a cell); all or nothing',
      body: T.Object({
        year: T.Integer(),
        cells: T.Array(T.Object({ account: T.String({ maxLength: 64 }), month: T.Integer(), pillar: T.String({ maxLength: 32 }), amount: T.Union([Amount, T.Null()]) }, { additionalProperties: false })),
      }, { additionalProperties: false }),
      response: { 200: T.Object({ saved: T.Integer() }) },
    }),
  }, async (request) => {
    await fresh();
    const body = request.body as { year: number; cells: PillarCellInput[] };
    return savePillarCells({ ctx: ctxOf(request), year: body.year, cells: body.cells });
  });

  app.get('/api/v1/forecasting/behaviour/changes', {
    schema: routeSchema({
      tags, operationId: 'getBehaviourChanges', summary: 'Accounts whose weekly behaviour changed most: the latest week against the mean of the weeks before',
      querystring: T.Object({ baseline: T.Optional(T.Integer()), limit: T.Optional(T.Integer()) }, { additionalProperties: false }),
      response: {
        200: T.Object({
          week: Nullable, formula: T.String(),
          rows: T.Array(T.Object({ account: Uuid, name: T.String(), score: T.String(), latest: WeekSchema, baseline: T.Object({ revenue: Money, orders: T.String(), openPipeline: Money, activities: T.String() }) })),
        }),
      },
    }),
  }, async (request) => {
    await fresh();
    const q = request.query as { baseline?: number; limit?: number };
    return behaviourChanges({ ctx: ctxOf(request), ...q });
  });

  app.get('/api/v1/forecasting/behaviour/:id', {
    schema: routeSchema({
      tags, operationId: 'getAccountBehaviour', summary: "An account's weekly behaviour snapshots, oldest first",
      params: T.Object({ id: PathId }),
      querystring: T.Object({ weeks: T.Optional(T.Integer()) }, { additionalProperties: false }),
      response: { 200: T.Object({ account: T.String(), weeks: T.Array(WeekSchema) }) },
    }),
  }, async (request) => {
    await fresh();
    const { id } = request.params as { id: string };
    const { weeks } = request.query as { weeks?: number };
    return accountBehaviour({ ctx: ctxOf(request), account: id, ...(weeks !== undefined ? { weeks } : {}) });
  });

  app.post('/api/v1/forecasting/snapshots', {
    ...adminsOnly,
    schema: routeSchema({
      tags, operationId: 'takeAccountSnapshots', summary: "Take (or take again) every account's behaviour snapshot of a week (administrators; the Monday job does the last week)",
      body: T.Object({ week: T.Optional(T.String({ maxLength: 10, description: 'The Monday the week starts on; default: last week' })) }, { additionalProperties: false }),
      response: { 200: T.Object({ week: T.String(), accounts: T.Integer() }) },
    }),
  }, async (request) => {
    await fresh();
    const { week } = (request.body ?? {}) as { week?: string };
    return takeSnapshots(platform, week);
  });
}
