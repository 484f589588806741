import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Platform } from '../../../platform/kernel.ts';
import { recordContext } from '../../../platform/http/context.ts';
import { DataList, NoContent, PathId, T, routeSchema } from '../../../platform/http/schema/common.ts';
import { validationFailed } from '../../../platform/errors.ts';
import { assertObjectPermission } from '../../../platform/access/policy.ts';
import { analyticsSettings } from '../settings.ts';
import { readDefinition } from './definition.ts';
import { runDefinition, runReport } from './run.ts';
import { exportReport, reportFileName } from './file.ts';
import { TABLE_CONTENT_TYPE } from '../../../platform/records/export/streamTable.ts';
import { FolderSchema, ReportAnswerSchema, ReportSchema } from './schema.ts';
import { deleteFolder, deleteReport, listFolders, listReports, loadReport, saveFolder, saveReport } from './store.ts';

const tags = ['analytics'];
const IdParams = T.Object({ id: PathId });
// Loose on the way in: readDefinition checks it against the metadata and names each field it refuses (definition.groupings.rows[1]).
const Definition = T.Object({}, { additionalProperties: true, description: '{columns, filter, sort, groupings: {rows, column}, measures, totals, chart: {type, measure}} (docs/analytics.md)' });
const ReportInput = T.Object({
  name: T.String({ maxLength: 200 }), description: T.Optional(T.Union([T.String({ maxLength: 2000 }), T.Null()])), folder: T.Optional(T.Union([T.String(), T.Null()])),
  object: T.Optional(T.String({ maxLength: 64 })), definition: Definition,
  sharing: T.Optional(T.Object({ groups: T.Optional(T.Array(T.String({ maxLength: 100 }), { maxItems: 50 })), roles: T.Optional(T.Array(T.String({ maxLength: 100 }), { maxItems: 50 })) })),
}, { additionalProperties: false });
const FolderInput = T.Object({ name: T.String({ maxLength: 200 }), shared: T.Optional(T.Boolean()) }, { additionalProperties: false });
const Page = { cursor: T.Optional(T.String({ maxLength: 2000 })), limit: T.Optional(T.Integer({ minimum: 1, maximum: 200 })) };

/** Reports and folders (docs/analytics.md#reports). Thin: parse, one command, answer. */
export function registerReportRoutes(app: FastifyInstance, platform: Platform): void {
  const ctxOf = (request: FastifyRequest) => recordContext(platform, request);
  const idOf = (request: FastifyRequest) => (request.params as { id: string }).id;

  app.get('/api/v1/report-folders', { schema: routeSchema({ tags, operationId: 'listReportFolders', summary: 'Report folders: your own and shared ones', response: { 200: DataList(FolderSchema) } }) },
    async (request) => ({ data: await listFolders(ctxOf(request)) }));
  app.post('/api/v1/report-folders', { schema: routeSchema({ tags, operationId: 'createReportFolder', summary: 'Create a report folder', body: FolderInput, response: { 201: FolderSchema } }) },
    async (request, reply) => reply.status(201).send(await saveFolder({ ctx: ctxOf(request), input: request.body as never })));
  app.put('/api/v1/report-folders/:id', { schema: routeSchema({ tags, operationId: 'replaceReportFolder', summary: 'Rename or (un)share a folder (owner or admin)', params: IdParams, body: FolderInput, response: { 200: FolderSchema } }) },
    async (request) => saveFolder({ ctx: ctxOf(request), id: idOf(request), input: request.body as never }));
  app.delete('/api/v1/report-folders/:id', { schema: routeSchema({ tags, operationId: 'deleteReportFolder', summary: 'Delete a folder; its reports stay, outside any folder', params: IdParams, response: { 204: NoContent } }) },
    async (request, reply) => {
      await deleteFolder({ ctx: ctxOf(request), id: idOf(request) });
      return reply.status(204).send();
    });

  app.get('/api/v1/reports', {
    schema: routeSchema({ tags, operationId: 'listReports', summary: 'Reports you may open: your own and those shared with your groups or role', querystring: T.Object({ folder: T.Optional(T.String({ maxLength: 64 })) }), response: { 200: DataList(ReportSchema) } }),
  }, async (request) => ({ data: await listReports({ ctx: ctxOf(request), folder: (request.query as { folder?: string }).folder }) }));
  app.post('/api/v1/reports', { schema: routeSchema({ tags, operationId: 'createReport', summary: 'Save a report', body: ReportInput, response: { 201: ReportSchema } }) },
    async (request, reply) => reply.status(201).send(await saveReport({ ctx: ctxOf(request), input: request.body as never })));
  app.post('/api/v1/reports/preview', {
    schema: routeSchema({ tags, operationId: 'previewReport', summary: "Run an unsaved report definition (the builder's live preview), as the caller", body: T.Object({ object: T.String({ maxLength: 64 }), definition: Definition, ...Page }, { additionalProperties: false }), response: { 200: ReportAnswerSchema } }),
  }, async (request) => {
    const ctx = ctxOf(request);
    const body = request.body as { object: string; definition: unknown; cursor?: string; limit?: number };
    await platform.registry.ensureFresh();
    const object = platform.registry.getObject(body.object);
    if (!object) throw validationFailed([{ field: 'object', code: 'unknown_object', message: 'Name the primary object of the report' }]);
    assertObjectPermission(ctx.actor, object, 'read');
    const definition = readDefinition(ctx.actor, platform.registry, object, body.definition, analyticsSettings.of(platform).maxGroups);
    return runDefinition({ ctx, object, definition, cursor: body.cursor, limit: body.limit });
  });
  app.get('/api/v1/reports/:id', { schema: routeSchema({ tags, operationId: 'getReport', summary: 'A report', params: IdParams, response: { 200: ReportSchema } }) },
    async (request) => loadReport(ctxOf(request), idOf(request)));
  app.put('/api/v1/reports/:id', { schema: routeSchema({ tags, operationId: 'replaceReport', summary: 'Replace a report (owner or admin)', params: IdParams, body: ReportInput, response: { 200: ReportSchema } }) },
    async (request) => saveReport({ ctx: ctxOf(request), id: idOf(request), input: request.body as never }));
  app.delete('/api/v1/reports/:id', { schema: routeSchema({ tags, operationId: 'deleteReport', summary: 'Delete a report (owner or admin)', params: IdParams, response: { 204: NoContent } }) },
    async (request, reply) => {
      await deleteReport({ ctx: ctxOf(request), id: idOf(request) });
      return reply.status(204).send();
    });
  app.post('/api/v1/reports/:id/run', {
    schema: routeSchema({ tags, operationId: 'runReport', summary: 'Run a report as the caller: a page of records (tabular) or its groups with subtotals (summary, matrix)', params: IdParams, body: T.Optional(T.Object(Page, { additionalProperties: false })), response: { 200: ReportAnswerSchema } }),
  }, async (request) => {
    const page = (request.body ?? {}) as { cursor?: string; limit?: number };
    const { answer } = await runReport({ ctx: ctxOf(request), id: idOf(request), ...page });
    return answer;
  });
  app.get('/api/v1/reports/:id/export', {
    schema: routeSchema({
      tags, operationId: 'exportReport', summary: 'Download a report as CSV or XLSX, run as the caller (every row of a tabular report; a grouped one with its subtotals); audited',
      params: IdParams, querystring: T.Object({ format: T.Optional(T.Union([T.Literal('csv'), T.Literal('xlsx')], { description: 'csv (default) or xlsx' })) }),
      response: { 200: T.Unsafe({ description: 'The report as a file (streamed)', content: { 'text/csv': { schema: { type: 'string' } }, [TABLE_CONTENT_TYPE.xlsx]: { schema: { type: 'string', format: 'binary' } } } }) },
    }),
  }, async (request, reply) => {
    const ctx = ctxOf(request);
    const format = (request.query as { format?: 'csv' | 'xlsx' }).format ?? 'csv';
    const report = await loadReport(ctx, idOf(request));
    if (report.broken) throw validationFailed([{ field: 'definition', code: 'report_broken', message: report.broken }]);
    const body = await exportReport({ ctx, report, format, origin: { ip: request.ip, userAgent: request.headers['user-agent'] ?? null } });
    return reply
      .header('content-type', TABLE_CONTENT_TYPE[format])
      .header('content-disposition', `attachment; filename="${reportFileName(report.name, format)}"`)
      .header('cache-control', 'private, no-store')
      .header('x-content-type-options', 'nosniff')
      .send(body);
  });
}
