import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { badRequest } from '../../errors.ts';
import type { Platform } from '../../kernel.ts';
import { recordContext } from '../../http/context.ts';
import { T, routeSchema } from '../../http/schema/common.ts';
import { planExport, type ExportInput } from './planExport.ts';
import { EXPORT_CONTENT_TYPE, exportFileName, streamExport } from './streamExport.ts';

const tags = ['exports'];
const Params = T.Object({ object: T.String({ maxLength: 64 }) });
const Format = T.Optional(T.Union([T.Literal('csv'), T.Literal('xlsx')], { description: 'csv (default) or xlsx' }));
const Header = T.Optional(T.Union([T.Literal('label'), T.Literal('api')], { description: 'label (default): field labels, lookups by name; api: API names, lookups by id' }));
const FileAnswer = T.Unsafe({
  description: 'The rows as a file (streamed)',
  content: { 'text/csv': { schema: { type: 'string' } }, [EXPORT_CONTENT_TYPE.xlsx]: { schema: { type: 'string', format: 'binary' } } },
});

function parseFilter(value: string | undefined): unknown {
  if (value === undefined || value === '') return undefined;
  try {
    return JSON.parse(value);
  } catch {
    throw badRequest('filter is not valid JSON', [{ field: 'filter', code: 'invalid_json', message: 'filter must be URL-encoded JSON' }]);
  }
}

/**
 * GET /api/v1/{object}/export (a link the browser downloads) and POST (long filters in the body):
 * the list endpoint's rows as CSV or XLSX, streamed. Everything is checked and the first page
 * read before the answer starts, so bad input is a problem+json naming the field.
 */
export function registerExportRoutes(app: FastifyInstance, platform: Platform) {
  const run = async (request: FastifyRequest, reply: FastifyReply, input: ExportInput) => {
    const { object: name } = request.params as { object: string };
    await platform.registry.ensureFresh();
    const object = platform.registry.requireObject(name);
    const plan = await planExport({ ctx: recordContext(platform, request), object, input });
    const body = streamExport(plan, { ip: request.ip, userAgent: request.headers['user-agent'] ?? null });
    return reply
      .header('content-type', EXPORT_CONTENT_TYPE[plan.format])
      .header('content-disposition', `attachment; filename="${exportFileName(plan)}"`)
      .header('cache-control', 'private, no-store')
      .header('x-content-type-options', 'nosniff')
      .send(body);
  };

  app.get('/api/v1/:object/export', {
    schema: routeSchema({
      tags, operationId: 'exportRecords', summary: 'Export a list (a saved view and/or a filter) as CSV or XLSX, streamed; audited',
      params: Params,
      querystring: T.Object({
        format: Format, header: Header,
        view: T.Optional(T.String({ maxLength: 64, description: 'A saved list view: its filter, sort and columns' })),
        filter: T.Optional(T.String({ maxLength: 20_000, description: 'A condition (URL-encoded JSON), ANDed with the view\'s' })),
        sort: T.Optional(T.String({ maxLength: 500 })),
        fields: T.Optional(T.String({ maxLength: 10_000, description: 'Columns, comma-separated (default: the view\'s, else every readable field)' })),
      }),
      response: { 200: FileAnswer },
    }),
  }, async (request, reply) => {
    const q = request.query as Record<string, string | undefined>;
    return run(request, reply, { ...q, filter: parseFilter(q.filter) });
  });

  app.post('/api/v1/:object/export', {
    schema: routeSchema({
      tags, operationId: 'exportRecordsByQuery', summary: 'Export with the filter in the body (long filters); as GET /{object}/export',
      params: Params,
      body: T.Object({
        format: Format, header: Header,
        view: T.Optional(T.String({ maxLength: 64 })),
        filter: T.Optional(T.Unknown({ description: 'A condition (the condition language)' })),
        sort: T.Optional(T.String({ maxLength: 500 })),
        fields: T.Optional(T.Array(T.String({ maxLength: 64 }), { maxItems: 200 })),
      }, { additionalProperties: false }),
      response: { 200: FileAnswer },
    }),
  }, async (request, reply) => run(request, reply, (request.body ?? {}) as ExportInput));
}
