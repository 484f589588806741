import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Platform } from '../../../platform/kernel.ts';
import { recordContext } from '../../../platform/http/context.ts';
import { PathId, T, Uuid, routeSchema } from '../../../platform/http/schema/common.ts';
import { agingReport, MAX_AGING_ROWS } from './aging.ts';
import { accountDso, dsoByAccount, dsoTrend } from './dso.ts';
import { cashCollected } from './cash.ts';
import { revenueByAccountTree, MAX_REVENUE_ROWS } from './revenue.ts';

const tags = ['cash reports'];
const Money = T.String({ description: 'A decimal amount, exact (never added across currencies)' });
const Day = T.String({ format: 'date', maxLength: 10 });
const Month = T.String({ pattern: '^\\d{4}-(0[1-9]|1[0-2])$', maxLength: 7, description: 'YYYY-MM' });
const Currency = T.String({ minLength: 3, maxLength: 3 });
const Days = T.Union([T.Number(), T.Null()], { description: 'Days, one decimal; null when there were no credit sales' });
const Name = T.Union([T.String(), T.Null()], { description: 'null: an account the reader cannot see' });
const Buckets = T.Object({ current: Money, days_1_30: Money, days_31_60: Money, days_61_90: Money, over_90: Money });
const DsoFigures = { currency: T.String(), receivables: Money, invoiced: Money, credited: Money, creditSales: Money, days: T.Integer(), dso: Days };

/** The cash reports' routes (docs/cash-reports.md): thin, each calling one query of ./index.ts. */
export function registerCashReportRoutes(app: FastifyInstance, platform: Platform): void {
  const ctxOf = (request: FastifyRequest) => recordContext(platform, request);
  const fresh = () => platform.registry.ensureFresh();

  app.get('/api/v1/reports/aging', {
    schema: routeSchema({
      tags, operationId: 'getAgingReport', summary: 'Aging of receivables as of a day: bucket totals per currency and per account, largest first (keyset paged)',
      querystring: T.Object({
        asOf: T.Optional(Day), currency: T.Optional(Currency), groupBy: T.Optional(T.Literal('account')),
        limit: T.Optional(T.Integer({ minimum: 1, maximum: MAX_AGING_ROWS })), cursor: T.Optional(T.String({ maxLength: 400 })),
      }, { additionalProperties: false }),
      response: {
        200: T.Object({
          asOf: T.String(), historical: T.Boolean(),
          currencies: T.Array(T.Object({ currency: T.String(), accounts: T.Integer(), invoices: T.Integer(), total: Money, buckets: Buckets })),
          rows: T.Array(T.Object({ account: Uuid, name: Name, currency: T.String(), invoices: T.Integer(), total: Money, buckets: Buckets })),
          nextCursor: T.Union([T.String(), T.Null()]),
        }),
      },
    }),
  }, async (request) => {
    await fresh();
    const q = request.query as { asOf?: string; currency?: string; limit?: number; cursor?: string };
    return agingReport({ ctx: ctxOf(request), ...q });
  });

  app.get('/api/v1/reports/dso', {
    schema: routeSchema({
      tags, operationId: 'getDsoTrend', summary: 'Days sales outstanding per month and currency (receivables at month end ÷ credit sales in the month × days in the month), with a trailing three-month figure',
      querystring: T.Object({ from: T.Optional(Month), to: T.Optional(Month) }, { additionalProperties: false }),
      response: {
        200: T.Object({
          from: T.String(), to: T.String(), formula: T.String(),
          currencies: T.Array(T.Object({
            currency: T.String(),
            months: T.Array(T.Object({ month: T.String(), days: T.Integer(), receivables: Money, invoiced: Money, credited: Money, creditSales: Money, dso: Days, dso3: Days })),
          })),
        }),
      },
    }),
  }, async (request) => {
    await fresh();
    return dsoTrend({ ctx: ctxOf(request), ...(request.query as { from?: string; to?: string }) });
  });

  app.get('/api/v1/reports/dso/accounts', {
    schema: routeSchema({
      tags, operationId: 'getDsoByAccount', summary: 'The accounts with the most receivables and their DSO over the last days (default 90), per currency',
      querystring: T.Object({ days: T.Optional(T.Integer({ minimum: 1, maximum: 366 })), asOf: T.Optional(Day), limit: T.Optional(T.Integer({ minimum: 1, maximum: 500 })) }, { additionalProperties: false }),
      response: { 200: T.Object({ from: T.String(), to: T.String(), days: T.Integer(), formula: T.String(), rows: T.Array(T.Object({ account: Uuid, name: Name, ...DsoFigures })) }) },
    }),
  }, async (request) => {
    await fresh();
    return dsoByAccount({ ctx: ctxOf(request), ...(request.query as { days?: number; asOf?: string; limit?: number }) });
  });

  app.get('/api/v1/accounts/:id/dso', {
    schema: routeSchema({
      tags, operationId: 'getAccountDso', summary: "An account's DSO over the last days (default 90) per currency, optionally with its account tree",
      params: T.Object({ id: PathId }),
      querystring: T.Object({ days: T.Optional(T.Integer({ minimum: 1, maximum: 366 })), asOf: T.Optional(Day), includeChildren: T.Optional(T.Boolean()) }, { additionalProperties: false }),
      response: { 200: T.Object({ account: Uuid, includeChildren: T.Boolean(), from: T.String(), to: T.String(), days: T.Integer(), formula: T.String(), currencies: T.Array(T.Object(DsoFigures)) }) },
    }),
  }, async (request) => {
    await fresh();
    return accountDso({ ctx: ctxOf(request), account: (request.params as { id: string }).id, ...(request.query as { days?: number; asOf?: string; includeChildren?: boolean }) });
  });

  app.get('/api/v1/reports/cash-collected', {
    schema: routeSchema({
      tags, operationId: 'getCashCollected', summary: 'Cash collected per month or week and currency: payments received − refunds − reversals',
      querystring: T.Object({ from: T.Optional(Day), to: T.Optional(Day), period: T.Optional(T.Union([T.Literal('month'), T.Literal('week')])), currency: T.Optional(Currency) }, { additionalProperties: false }),
      response: {
        200: T.Object({
          from: T.String(), to: T.String(), period: T.Union([T.Literal('month'), T.Literal('week')]),
          currencies: T.Array(T.Object({
            currency: T.String(), received: Money, refunded: Money, reversed: Money, net: Money,
            periods: T.Array(T.Object({ period: T.String(), start: T.String(), end: T.String(), received: Money, refunded: Money, reversed: Money, net: Money, payments: T.Integer() })),
          })),
        }),
      },
    }),
  }, async (request) => {
    await fresh();
    return cashCollected({ ctx: ctxOf(request), ...(request.query as { from?: string; to?: string; period?: 'month' | 'week'; currency?: string }) });
  });

  app.get('/api/v1/reports/revenue-by-account-tree', {
    schema: routeSchema({
      tags, operationId: 'getRevenueByAccountTree', summary: 'Invoiced net of credit notes per top-level account with its children rolled up (or one level below a parent), per currency',
      querystring: T.Object({
        from: T.Optional(Day), to: T.Optional(Day), parent: T.Optional(Uuid), currency: T.Optional(Currency), limit: T.Optional(T.Integer({ minimum: 1, maximum: MAX_REVENUE_ROWS })),
      }, { additionalProperties: false }),
      response: {
        200: T.Object({
          from: T.String(), to: T.String(), parent: T.Union([Uuid, T.Null()]),
          totals: T.Array(T.Object({ currency: T.String(), invoiced: Money, credited: Money, revenue: Money })),
          rows: T.Array(T.Object({ account: Uuid, name: Name, currency: T.String(), invoiced: Money, credited: Money, revenue: Money, accounts: T.Integer(), hasChildren: T.Boolean(), own: T.Boolean() })),
          more: T.Boolean(),
        }),
      },
    }),
  }, async (request) => {
    await fresh();
    return revenueByAccountTree({ ctx: ctxOf(request), ...(request.query as { from?: string; to?: string; parent?: string; currency?: string; limit?: number }) });
  });
}
