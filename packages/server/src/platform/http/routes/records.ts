import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { sql } from 'kysely';
import { badRequest, validationFailed } from '../../errors.ts';
import type { Platform } from '../../kernel.ts';
import { bulkWrite } from '../../records/bulk.ts';
import { deleteRecord, findBinEntry, restoreRecord } from '../../records/delete.ts';
import { countRecords, getRecord, listRecords, resolveDisplayNames } from '../../records/read.ts';
import { createRecord, updateRecord } from '../../records/write.ts';
import { readHistory } from '../../records/readHistory.ts';
import { recordContext } from '../context.ts';
import { withIdempotency } from '../idempotency.ts';
import { UUID_RE } from '../../records/values.ts';
import type { ApiRecord } from '../../records/hooks.ts';
import { isFieldReadable, permissionsFor, readableFields } from '../../access/policy.ts';
import { registerExportRoutes } from '../../records/export/routes.ts';

type Params = { object: string; id: string };
type Query = Record<string, string | undefined>;

function parseJsonParam(value: string | undefined, name: string): unknown {
  if (value === undefined || value === '') return undefined;
  if (value.length > 20_000) throw badRequest(`${name} is too long`, [{ field: name, code: 'too_long', message: 'At most 20,000 characters; use POST /query for long filters' }]);
  try {
    return JSON.parse(value);
  } catch {
    throw badRequest(`${name} is not valid JSON`, [{ field: name, code: 'invalid_json', message: `${name} must be URL-encoded JSON` }]);
  }
}

function parseLimit(value: unknown): number | undefined {
  if (value === undefined || value === '') return undefined;
  const n = typeof value === 'number' ? value : /^\d{1,6}$/.test(String(value)) ? Number(value) : NaN;
  if (!Number.isInteger(n)) throw badRequest('limit must be an integer', [{ field: 'limit', code: 'type', message: 'An integer between 1 and 200' }]);
  return n;
}

function parseFields(value: unknown): string[] | undefined {
  if (value === undefined || value === '') return undefined;
  if (Array.isArray(value)) return value.map(String);
  if (typeof value !== 'string') throw badRequest('fields must be a comma-separated list', [{ field: 'fields', code: 'type', message: 'e.g. fields=name,amount' }]);
  return value.split(',').map((s) => s.trim()).filter(Boolean);
}

function flag(value: unknown): boolean {
  return value === 'true' || value === '1' || value === true;
}

/** If-Match: `3`, `"3"` or `W/"3"` → 3. */
export function parseIfMatch(request: FastifyRequest): number | undefined {
  const h = request.headers['if-match'];
  if (h === undefined) return undefined;
  const m = /^(?:W\/)?"?(\d{1,9})"?$/.exec(String(h).trim());
  if (!m) throw badRequest('If-Match must be the record version', [{ field: 'If-Match', code: 'invalid', message: 'Send the version you read, e.g. If-Match: "3"' }]);
  return Number(m[1]);
}

function withEtag(reply: FastifyReply, record: ApiRecord) {
  if (typeof record.version === 'number') reply.header('etag', `"${record.version}"`);
  return record;
}

export function registerRecordRoutes(app: FastifyInstance, platform: Platform) {
  // /{object}/export beside the list it exports (a static segment, so it wins over /{object}/{id}).
  registerExportRoutes(app, platform);
  const objectOf = async (name: string) => {
    await platform.registry.ensureFresh();
    return platform.registry.requireObject(name);
  };

  const list = async (request: FastifyRequest, input: { filter?: unknown; sort?: unknown; fields?: unknown; limit?: unknown; cursor?: unknown; display?: unknown }) => {
    const { object: name } = request.params as Params;
    const object = await objectOf(name);
    const ctx = recordContext(platform, request);
    if (input.sort !== undefined && typeof input.sort !== 'string') throw badRequest('sort must be a string', [{ field: 'sort', code: 'type', message: 'e.g. sort=-amount,name' }]);
    if (input.cursor !== undefined && typeof input.cursor !== 'string') throw badRequest('cursor must be a string', [{ field: 'cursor', code: 'type', message: 'Use nextCursor unchanged' }]);
    const result = await listRecords({
      ctx,
      object,
      filter: input.filter,
      sort: input.sort as string | undefined,
      fields: parseFields(input.fields),
      limit: parseLimit(input.limit),
      cursor: (input.cursor as string | undefined) || undefined,
    });
    if (flag(input.display)) return { ...result, display: await resolveDisplayNames(ctx, object, result.data) };
    return result;
  };

  app.get('/api/v1/:object', async (request) => {
    const q = request.query as Query;
    return list(request, { ...q, filter: parseJsonParam(q.filter, 'filter') });
  });

  app.post('/api/v1/:object/query', async (request) => {
    const body = (request.body ?? {}) as Record<string, unknown>;
    if (typeof body !== 'object' || Array.isArray(body)) throw validationFailed([{ field: '', code: 'type', message: 'Send {filter, sort, fields, limit, cursor}' }]);
    const unknown = Object.keys(body).filter((k) => !['filter', 'sort', 'fields', 'limit', 'cursor', 'display'].includes(k));
    if (unknown.length) throw validationFailed(unknown.map((k) => ({ field: k.slice(0, 64), code: 'unknown_property', message: `Unknown property '${k.slice(0, 64)}'` })));
    return list(request, body);
  });

  // How many records a list shows: exact while cheap, else the planner's estimate (exact: false).
  app.post('/api/v1/:object/count', async (request) => {
    const { object: name } = request.params as Params;
    const object = await objectOf(name);
    const body = (request.body ?? {}) as Record<string, unknown>;
    if (typeof body !== 'object' || Array.isArray(body)) throw validationFailed([{ field: '', code: 'type', message: 'Send {filter}' }]);
    const unknown = Object.keys(body).filter((k) => k !== 'filter');
    if (unknown.length) throw validationFailed(unknown.map((k) => ({ field: k.slice(0, 64), code: 'unknown_property', message: `Unknown property '${k.slice(0, 64)}'` })));
    return countRecords({ ctx: recordContext(platform, request), object, filter: body.filter });
  });

  // The record's related lists with their sizes (the "Related" tab): every lookup of a readable
  // object that points at this one, counted under the caller's access.
  app.get('/api/v1/:object/:id/related-counts', async (request) => {
    const { object: name, id } = request.params as Params & { id: string };
    const object = await objectOf(name);
    const ctx = recordContext(platform, request);
    await getRecord({ ctx, object, id, fields: ['id'] });
    const data: Array<{ object: string; field: string; count: number; exact: boolean }> = [];
    for (const child of platform.registry.listObjects()) {
      if (!permissionsFor(ctx.actor, child).read) continue;
      for (const f of child.fields) {
        if (f.type !== 'lookup' || f.lookup?.object !== object.apiName || !isFieldReadable(ctx.actor, child, f)) continue;
        data.push({ object: child.apiName, field: f.apiName, ...(await countRecords({ ctx, object: child, filter: { field: f.apiName, op: 'eq', value: id } })) });
      }
    }
    return { data };
  });

  app.post('/api/v1/:object', async (request, reply) => {
    const { object: name } = request.params as Params;
    const object = await objectOf(name);
    const q = request.query as Query;
    return withIdempotency({
      request,
      reply,
      ctx: recordContext(platform, request),
      status: 201,
      run: async (ctx) => {
        const record = await createRecord({ ctx, object, input: request.body, options: { allowDuplicate: flag(q.allowDuplicate) } });
        reply.header('location', `/api/v1/${object.apiName}/${record.id}`);
        return withEtag(reply, record);
      },
    });
  });

  app.post('/api/v1/:object/bulk', async (request, reply) => {
    const { object: name } = request.params as Params;
    const object = await objectOf(name);
    const body = request.body as Record<string, unknown> | null;
    if (!body || typeof body !== 'object' || Array.isArray(body)) throw validationFailed([{ field: '', code: 'type', message: 'Send {operation, records, externalIdField?}' }]);
    const unknown = Object.keys(body).filter((k) => !['operation', 'records', 'externalIdField', 'allowDuplicate'].includes(k));
    if (unknown.length) throw validationFailed(unknown.map((k) => ({ field: k.slice(0, 64), code: 'unknown_property', message: `Unknown property '${k.slice(0, 64)}'` })));
    return withIdempotency({
      request,
      reply,
      ctx: recordContext(platform, request),
      status: 200,
      run: (ctx) => bulkWrite({ ctx, object, operation: body.operation, externalIdField: body.externalIdField, records: body.records, allowDuplicate: body.allowDuplicate === true }),
    });
  });

  app.get('/api/v1/:object/:id', async (request, reply) => {
    const { object: name, id } = request.params as Params;
    const object = await objectOf(name);
    const q = request.query as Query;
    const ctx = recordContext(platform, request);
    const record = await getRecord({ ctx, object, id, fields: parseFields(q.fields) });
    withEtag(reply, record);
    if (flag(q.display)) return { ...record, _display: await resolveDisplayNames(ctx, object, [record]) };
    return record;
  });

  app.patch('/api/v1/:object/:id', async (request, reply) => {
    const { object: name, id } = request.params as Params;
    const object = await objectOf(name);
    const q = request.query as Query;
    const record = await updateRecord({
      ctx: recordContext(platform, request),
      object,
      id,
      input: request.body,
      expectedVersion: parseIfMatch(request),
      options: { allowDuplicate: flag(q.allowDuplicate) },
    });
    return withEtag(reply, record);
  });

  app.delete('/api/v1/:object/:id', async (request, reply) => {
    const { object: name, id } = request.params as Params;
    const object = await objectOf(name);
    await deleteRecord({ ctx: recordContext(platform, request), object, id, expectedVersion: parseIfMatch(request) });
    return reply.status(204).send();
  });

  app.post('/api/v1/:object/:id/restore', async (request) => {
    const { object: name, id } = request.params as Params;
    const object = await objectOf(name);
    const ctx = recordContext(platform, request);
    const entryId = await findBinEntry(ctx, object.apiName, id);
    await restoreRecord({ ctx, entryId });
    return getRecord({ ctx, object, id });
  });

  app.get('/api/v1/:object/:id/history', async (request) => {
    const { object: name, id } = request.params as Params;
    const object = await objectOf(name);
    const ctx = recordContext(platform, request);
    await getRecord({ ctx, object, id, fields: ['id'] }); // visibility of the record governs its history
    // Hidden fields are left out; pseudo-fields such as merged_from stay visible.
    const readable = new Set(readableFields(ctx.actor, object).map((f) => f.apiName));
    const hidden = object.fields.filter((f) => !readable.has(f.apiName)).map((f) => f.apiName);
    const q = request.query as Query;
    const limit = parseLimit(q.limit) ?? 100;
    if (limit < 1 || limit > 500) throw badRequest('limit must be between 1 and 500', [{ field: 'limit', code: 'out_of_range', message: 'Between 1 and 500' }]);
    if (q.cursor && !UUID_RE.test(q.cursor)) throw badRequest('Invalid cursor', [{ field: 'cursor', code: 'invalid_cursor', message: 'Use nextCursor unchanged' }]);
    return readHistory({ db: platform.db, object, recordId: id, hidden, limit, cursor: q.cursor });
  });
}
