import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Platform } from '../../../platform/kernel.ts';
import { recordContext } from '../../../platform/http/context.ts';
import { DataList, NoContent, PathId, T, routeSchema } from '../../../platform/http/schema/common.ts';
import { runDashboardCached } from './cache.ts';
import { DashboardRunSchema, DashboardSchema, DateRangeSchema, HomeDashboardSchema, ProfileHomeSchema, SetHomeSchema } from './schema.ts';
import { deleteDashboard, listDashboards, listHomeDashboards, loadDashboard, loadHomeDashboard, saveDashboard, setHomeDashboard } from './store.ts';

const tags = ['analytics'];
const IdParams = T.Object({ id: PathId });
// Loose on the way in: definition.ts checks widgets and filters and names each field it refuses (widgets[2].w).
const Widget = T.Object({
  id: T.String({ maxLength: 40 }), reportId: T.String({ maxLength: 64 }), kind: T.String({ description: 'chart, kpi, table or list' }), title: T.Optional(T.Union([T.String({ maxLength: 120 }), T.Null()])),
  x: T.Integer(), y: T.Integer(), w: T.Integer(), h: T.Integer(), dateField: T.Optional(T.Union([T.String({ maxLength: 64 }), T.Null()])),
  kpi: T.Optional(T.Union([T.Object({ measure: T.String({ maxLength: 200 }), compare: T.Optional(T.Union([T.Literal('previous_period'), T.Null()])) }), T.Null()])),
}, { additionalProperties: true, description: 'A widget on the 12-column grid showing a saved report (checked on save; docs/analytics.md#dashboards)' });
const Filters = T.Object({ offered: T.Optional(T.Array(T.String(), { maxItems: 4 })), defaultDateRange: T.Optional(T.Union([DateRangeSchema, T.Null()])) }, { additionalProperties: true, description: 'Which dashboard-wide filters the filter bar offers (dateRange, owner, team, pipeline) and the default date range' });
const DashboardInput = T.Object({
  name: T.String({ maxLength: 200 }), description: T.Optional(T.Union([T.String({ maxLength: 2000 }), T.Null()])), folder: T.Optional(T.Union([T.String(), T.Null()])),
  sharing: T.Optional(T.Object({ groups: T.Optional(T.Array(T.String({ maxLength: 100 }), { maxItems: 50 })), roles: T.Optional(T.Array(T.String({ maxLength: 100 }), { maxItems: 50 })) })),
  filters: T.Optional(Filters), widgets: T.Optional(T.Array(Widget, { maxItems: 100 })),
}, { additionalProperties: false });
const RunBody = T.Object({
  filters: T.Optional(T.Object({
    dateRange: T.Optional(T.Union([DateRangeSchema, T.Null()])), ownerId: T.Optional(T.Union([T.String({ maxLength: 64, description: 'A user id or "me"' }), T.Null()])),
    teamId: T.Optional(T.Union([T.String({ maxLength: 100, description: 'A group name' }), T.Null()])), pipeline: T.Optional(T.Union([T.String({ maxLength: 64 }), T.Null()])),
  }, { additionalProperties: true })),
  refresh: T.Optional(T.Boolean({ description: 'Run anew even when a kept answer is fresh enough (the Refresh button)' })),
}, { additionalProperties: false });
const HomeInput = T.Object({ profile: T.String({ maxLength: 100 }), dashboardId: T.Union([T.String({ maxLength: 64 }), T.Null()]) }, { additionalProperties: false });

/** Dashboards (docs/analytics.md#dashboards). Thin: parse, one command, answer. */
export function registerDashboardRoutes(app: FastifyInstance, platform: Platform): void {
  const ctxOf = (request: FastifyRequest) => recordContext(platform, request);
  const idOf = (request: FastifyRequest) => (request.params as { id: string }).id;

  app.get('/api/v1/dashboards', {
    schema: routeSchema({ tags, operationId: 'listDashboards', summary: 'Dashboards you may open: your own, those shared with your groups or role, your profile\'s home', querystring: T.Object({ folder: T.Optional(T.String({ maxLength: 64 })) }), response: { 200: DataList(DashboardSchema) } }),
  }, async (request) => ({ data: await listDashboards({ ctx: ctxOf(request), folder: (request.query as { folder?: string }).folder }) }));
  app.post('/api/v1/dashboards', { schema: routeSchema({ tags, operationId: 'createDashboard', summary: 'Save a dashboard (each widget\'s report must be one you may open)', body: DashboardInput, response: { 201: DashboardSchema } }) },
    async (request, reply) => reply.status(201).send(await saveDashboard({ ctx: ctxOf(request), input: request.body as never })));
  app.get('/api/v1/dashboards/home', { schema: routeSchema({ tags, operationId: 'getHomeDashboard', summary: 'Your profile\'s home dashboard, or null', response: { 200: HomeDashboardSchema } }) },
    async (request) => loadHomeDashboard(ctxOf(request)));
  app.get('/api/v1/dashboards/home/profiles', { schema: routeSchema({ tags, operationId: 'listHomeDashboards', summary: 'The home dashboard of each profile (admins)', response: { 200: DataList(ProfileHomeSchema) } }) },
    async (request) => ({ data: await listHomeDashboards(ctxOf(request)) }));
  app.put('/api/v1/dashboards/home', { schema: routeSchema({ tags, operationId: 'setHomeDashboard', summary: 'Choose (or with null clear) a profile\'s home dashboard (admins)', body: HomeInput, response: { 200: SetHomeSchema } }) },
    async (request) => setHomeDashboard({ ctx: ctxOf(request), input: request.body as never }));
  app.get('/api/v1/dashboards/:id', { schema: routeSchema({ tags, operationId: 'getDashboard', summary: 'A dashboard', params: IdParams, response: { 200: DashboardSchema } }) },
    async (request) => loadDashboard(ctxOf(request), idOf(request)));
  app.put('/api/v1/dashboards/:id', { schema: routeSchema({ tags, operationId: 'replaceDashboard', summary: 'Replace a dashboard (owner or admin)', params: IdParams, body: DashboardInput, response: { 200: DashboardSchema } }) },
    async (request) => saveDashboard({ ctx: ctxOf(request), id: idOf(request), input: request.body as never }));
  app.delete('/api/v1/dashboards/:id', { schema: routeSchema({ tags, operationId: 'deleteDashboard', summary: 'Delete a dashboard (owner or admin)', params: IdParams, response: { 204: NoContent } }) },
    async (request, reply) => {
      await deleteDashboard({ ctx: ctxOf(request), id: idOf(request) });
      return reply.status(204).send();
    });
  app.post('/api/v1/dashboards/:id/run', {
    schema: routeSchema({ tags, operationId: 'runDashboard', summary: 'Run every widget as the caller with the dashboard-wide filters; a broken widget answers its own error; a slow answer is kept a few minutes per viewer (asOf, refresh)', params: IdParams, body: T.Optional(RunBody), response: { 200: DashboardRunSchema } }),
  }, async (request) => {
    const body = request.body as { filters?: unknown; refresh?: boolean } | undefined;
    return runDashboardCached({ ctx: ctxOf(request), id: idOf(request), filters: body?.filters, refresh: body?.refresh });
  });
}
