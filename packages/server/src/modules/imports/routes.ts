import { Readable } from 'node:stream';
import type { FastifyInstance } from 'fastify';
import multipart from '@fastify/multipart';
import { AppError, unauthenticated } from '../../platform/errors.ts';
import type { Platform } from '../../platform/kernel.ts';
import { recordContext } from '../../platform/http/context.ts';
import { PathId, T, routeSchema } from '../../platform/http/schema/common.ts';
import { createImport, receiveImportFile } from './commands/upload.ts';
import { cancelImport, configureImport, errorReport, getImportSetup, listImports, presentImport, startImport, undoImport, type ConfigureInput } from './commands/manage.ts';
import { loadImport } from './store.ts';
import { cancelDryRun, getDryRun, startDryRun } from './commands/dryRun.ts';
import { ENCODINGS, DELIMITERS } from './file/detect.ts';

const tags = ['imports'];
const Id = T.Object({ id: PathId });
const Nullable = <S extends ReturnType<typeof T.String> | ReturnType<typeof T.Number> | ReturnType<typeof T.Integer>>(s: S) => T.Union([s, T.Null()]);
const Column = T.Object({
  field: T.Union([T.String({ maxLength: 64 }), T.Null()]),
  lookupField: T.Optional(T.String({ maxLength: 64 })),
  createParent: T.Optional(T.Boolean()),
}, { additionalProperties: false });
const Options = {
  mode: T.Union([T.Literal('insert'), T.Literal('update'), T.Literal('upsert')]),
  matchField: T.Optional(T.String({ maxLength: 64 })),
  duplicates: T.Union([T.Literal('skip'), T.Literal('update'), T.Literal('create')], { description: 'A row the duplicate rules match: skip it, update the match, or create anyway' }),
  dateOrder: T.Union([T.Literal('dmy'), T.Literal('mdy'), T.Literal('ymd')], { description: 'How 01/02/2026 is read: dd/mm/yyyy, mm/dd/yyyy or yyyy/mm/dd (ISO dates always work)' }),
  decimalComma: T.Boolean({ description: '1.234,56 rather than 1,234.56' }),
  columns: T.Array(Column, { maxItems: 1000, description: 'One per column of the file, in order' }),
  picklistValues: T.Record(T.String({ maxLength: 64 }), T.Record(T.String({ maxLength: 200 }), T.String({ maxLength: 100 })), { description: 'Per picklist field: the file’s values → the list’s values' }),
};
const ImportSchema = T.Object({
  id: T.String(), object: T.String(), fileName: T.String(), fileBytes: T.Number(), format: T.String(), encoding: Nullable(T.String()), delimiter: Nullable(T.String()),
  headers: T.Array(T.String()), status: T.String(),
  options: T.Object({ ...Options, columns: T.Array(Column) }),
  progress: T.Object({
    rowsDone: T.Integer(), created: T.Integer(), updated: T.Integer(), skipped: T.Integer(), rejected: T.Integer(), totalRows: Nullable(T.Integer()),
    fraction: T.Number(), rowsPerSecond: Nullable(T.Number()), secondsLeft: Nullable(T.Number()),
  }),
  error: Nullable(T.String()), createdBy: Nullable(T.String()), createdAt: T.String(), startedAt: Nullable(T.String()), finishedAt: Nullable(T.String()),
});
const FieldChoice = T.Object({
  apiName: T.String(), label: T.String(), type: T.String(), required: T.Boolean(),
  lookup: T.Optional(T.Object({ object: T.String(), label: T.String(), keys: T.Array(T.String()), nameField: T.String() })),
  values: T.Optional(T.Array(T.Object({ value: T.String(), label: T.String() }))),
});
const Outcome = T.Object({ row: T.Integer(), outcome: T.String(), recordId: T.Optional(T.String()), error: T.Optional(T.String()) });
const DryRunSchema = T.Object({
  status: T.Union([T.Literal('queued'), T.Literal('running'), T.Literal('completed'), T.Literal('failed'), T.Literal('cancelled')]),
  rowsTried: T.Integer(), wholeFile: T.Boolean({ description: 'Every row of the file was tried (status completed)' }), totalRows: Nullable(T.Integer()),
  created: T.Integer(), updated: T.Integer(), skipped: T.Integer(), rejected: T.Integer(),
  carried: T.Integer({ description: 'Rows counted differently because an earlier batch would create the record they match (rolled-back batches do not see each other)' }),
  current: T.Boolean({ description: 'false: the import’s options changed since this dry run started' }),
  rows: T.Array(Outcome, { description: 'The first 100 rows’ outcomes' }), unknownPicklistValues: T.Record(T.String(), T.Array(T.String())),
  progress: T.Object({ fraction: T.Number(), rowsPerSecond: Nullable(T.Number()), secondsLeft: Nullable(T.Number()) }),
  error: Nullable(T.String()), startedAt: T.String(), finishedAt: Nullable(T.String()),
});
const Csv = T.Unsafe({ description: 'The rejected rows as they were, with an Error column', content: { 'text/csv': { schema: { type: 'string' } } } });

/**
 * Imports (docs/imports.md): upload (multipart), the mapping and options, dry run, start,
 * progress, cancel, the error report and undo. Thin: each calls one command.
 */
export function registerImportRoutes(app: FastifyInstance, platform: Platform): void {
  // multipart/form-data only in this scope; every other route keeps JSON-only bodies.
  void app.register(async (scope) => {
    await scope.register(multipart, { throwFileSizeLimit: true });
    scope.post('/api/v1/imports', {
      schema: routeSchema({
        tags, operationId: 'uploadImport', summary: 'Upload a CSV or XLSX file (multipart parts: object, then file) as a draft import; answers the detected format, encoding, delimiter and columns',
        response: { 201: ImportSchema },
      }),
    }, async (request, reply) => {
      await platform.registry.ensureFresh();
      const ctx = recordContext(platform, request);
      // A form can be posted across sites with the session cookie: browsers send Origin on a POST, app.ts refuses a foreign one.
      if (!request.headers.authorization && !request.headers.origin) throw unauthenticated('Cross-site request refused: send Origin or use an API token');
      if (!request.isMultipart()) throw new AppError('unsupported_media_type', 'Send the file as multipart/form-data', { errors: [{ field: 'file', code: 'multipart_required', message: 'Use multipart/form-data with the parts object and file' }] });
      const id = await createImport(ctx, await receiveImportFile(ctx, request));
      reply.status(201).header('location', `/api/v1/imports/${id}`);
      return presentImport(await loadImport(ctx, id));
    });
  });

  app.get('/api/v1/imports', {
    schema: routeSchema({
      tags, operationId: 'listImports', summary: 'Imports you started (an administrator: all), newest first',
      querystring: T.Object({ object: T.Optional(T.String({ maxLength: 64 })), limit: T.Optional(T.Integer({ minimum: 1, maximum: 200 })) }, { additionalProperties: false }),
      response: { 200: T.Object({ data: T.Array(ImportSchema) }) },
    }),
  }, async (request) => {
    const q = request.query as { object?: string; limit?: number };
    return { data: await listImports(recordContext(platform, request), { object: q.object, limit: q.limit ?? 50 }) };
  });

  app.get('/api/v1/imports/:id', {
    schema: routeSchema({ tags, operationId: 'getImport', summary: 'An import with its progress (rows done, rows per second, time left)', params: Id, response: { 200: ImportSchema } }),
  }, async (request) => presentImport(await loadImport(recordContext(platform, request), (request.params as { id: string }).id)));

  app.get('/api/v1/imports/:id/setup', {
    schema: routeSchema({
      tags, operationId: 'getImportSetup', summary: 'The mapping step: the first rows, the fields to map to, and a suggested field per column', params: Id,
      response: { 200: T.Object({ import: ImportSchema, sample: T.Array(T.Array(T.String())), fields: T.Array(FieldChoice), matchKeys: T.Array(T.String()), suggested: T.Array(T.Union([T.String(), T.Null()])) }) },
    }),
  }, async (request) => {
    await platform.registry.ensureFresh();
    return getImportSetup(recordContext(platform, request), (request.params as { id: string }).id);
  });

  app.patch('/api/v1/imports/:id', {
    schema: routeSchema({
      tags, operationId: 'configureImport', summary: 'A draft’s encoding, delimiter, mapping and options (the mapping is kept for the next import of the object)', params: Id,
      body: T.Object({
        encoding: T.Optional(T.Union(ENCODINGS.map((e) => T.Literal(e)))),
        delimiter: T.Optional(T.Union(DELIMITERS.map((d) => T.Literal(d)))),
        mode: T.Optional(Options.mode), matchField: Options.matchField, duplicates: T.Optional(Options.duplicates), dateOrder: T.Optional(Options.dateOrder),
        decimalComma: T.Optional(Options.decimalComma), columns: T.Optional(Options.columns), picklistValues: T.Optional(Options.picklistValues),
      }, { additionalProperties: false }),
      response: { 200: ImportSchema },
    }),
  }, async (request) => {
    await platform.registry.ensureFresh();
    return configureImport(recordContext(platform, request), (request.params as { id: string }).id, request.body as ConfigureInput);
  });

  app.post('/api/v1/imports/:id/dry-run', {
    schema: routeSchema({
      tags, operationId: 'dryRunImport',
      summary: 'Start a dry run of the whole file: what the import would do to every row (created, updated, skipped, rejected; the first 100 rows’ outcomes; picklist values not in their lists) — nothing is written. A file that ends within MERIDIAN_IMPORT_DRY_RUN_ROWS answers 200 with the result; a longer one goes on in the background: 202, then GET …/dry-run for its progress',
      params: Id,
      response: { 200: DryRunSchema, 202: DryRunSchema },
    }),
  }, async (request, reply) => {
    await platform.registry.ensureFresh();
    const id = (request.params as { id: string }).id;
    const { done, view } = await startDryRun(recordContext(platform, request), id);
    reply.header('location', `/api/v1/imports/${id}/dry-run`);
    return reply.status(done ? 200 : 202).send(view);
  });

  app.get('/api/v1/imports/:id/dry-run', {
    schema: routeSchema({ tags, operationId: 'getImportDryRun', summary: 'The import’s latest dry run: its status, progress (rows tried, rows per second, time left) and counts so far', params: Id, response: { 200: DryRunSchema } }),
  }, async (request) => getDryRun(recordContext(platform, request), (request.params as { id: string }).id));

  app.post('/api/v1/imports/:id/dry-run/cancel', {
    schema: routeSchema({ tags, operationId: 'cancelImportDryRun', summary: 'Stop a queued or running dry run after its batch in flight (the counts so far stay readable)', params: Id, response: { 200: DryRunSchema } }),
  }, async (request) => cancelDryRun(recordContext(platform, request), (request.params as { id: string }).id));

  const command = (path: string, operationId: string, summary: string, run: typeof startImport) => app.post(path, {
    schema: routeSchema({ tags, operationId, summary, params: Id, response: { 200: ImportSchema } }),
  }, async (request) => run(recordContext(platform, request), (request.params as { id: string }).id));
  command('/api/v1/imports/:id/start', 'startImport', 'Run the import in the background (through the record pipeline, in batches)', startImport);
  command('/api/v1/imports/:id/cancel', 'cancelImport', 'Stop a queued or running import after its current batch', cancelImport);
  command('/api/v1/imports/:id/undo', 'undoImport', 'Undo a finished import in the background: created records to the recycle bin, updated ones back to their previous values', undoImport);

  app.get('/api/v1/imports/:id/errors.csv', {
    schema: routeSchema({ tags, operationId: 'getImportErrors', summary: 'The error report: each rejected row as it was, with an Error column', params: Id, response: { 200: Csv } }),
  }, async (request, reply) => {
    const ctx = recordContext(platform, request);
    const id = (request.params as { id: string }).id;
    const job = await loadImport(ctx, id);
    const name = `${job.file_name.replace(/\.[^.]*$/, '').replace(/[^A-Za-z0-9._-]+/g, '_').slice(0, 80) || 'import'}-errors.csv`;
    return reply.header('content-type', 'text/csv; charset=utf-8').header('content-disposition', `attachment; filename="${name}"`)
      .send(Readable.from(errorReport(ctx, id)));
  });
}
