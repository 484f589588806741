import type { FieldDefinition, MetadataRegistry, ObjectDefinition } from '../metadata/types.ts';
import type { Actor } from '../records/context.ts';
import { ProblemSchema } from './schema/common.ts';
import { permissionsFor, readableFields } from '../access/policy.ts';
import { LONG_TEXT_MAX, TEXT_MAX } from '../records/values.ts';

/**
 * OpenAPI 3.1 generated from the metadata on each request, so custom objects and fields appear
 * the moment they exist, and only the fields the caller may read are described.
 */
function fieldSchema(f: FieldDefinition): Record<string, unknown> {
  const base: Record<string, unknown> = { title: f.label };
  if (f.helpText) base.description = f.helpText;
  if (f.readOnly) base.readOnly = true;
  const nullable = (s: Record<string, unknown>) => ({ ...base, ...s, type: [s.type as string, 'null'] });
  switch (f.type) {
    case 'id':
      return { ...base, type: 'string', format: 'uuid', readOnly: true };
    case 'text':
      // A generated text (full_name = first + last) is as long as its parts allow, not TEXT_MAX.
      return nullable(f.generated ? { type: 'string' } : { type: 'string', maxLength: TEXT_MAX });
    case 'long_text':
      return nullable({ type: 'string', maxLength: LONG_TEXT_MAX });
    case 'email':
      // Meridian accepts internationalised addresses (fz@exämple.com): the document says so.
      return nullable({ type: 'string', format: 'idn-email' });
    case 'phone':
      return nullable({ type: 'string' });
    case 'url':
      return nullable({ type: 'string', format: 'uri' });
    case 'number':
    case 'percent':
      return nullable({ type: 'number' });
    case 'currency':
      return nullable({ type: 'number', multipleOf: 0.01 });
    case 'boolean':
      return nullable({ type: 'boolean' });
    case 'date':
      return nullable({ type: 'string', format: 'date' });
    case 'datetime':
      return nullable({ type: 'string', format: 'date-time' });
    case 'picklist':
      return { ...base, enum: [...(f.picklist?.values.map((v) => v.value) ?? []), null] };
    case 'multi_picklist':
      return { ...base, type: ['array', 'null'], items: { enum: f.picklist?.values.map((v) => v.value) ?? [] }, uniqueItems: true };
    case 'lookup':
    case 'user':
      return { ...base, type: ['string', 'null'], format: 'uuid', description: `${f.helpText ? `${f.helpText} ` : ''}Id of a ${f.lookup?.object} record.` };
    case 'autonumber':
      return { ...base, type: 'string', readOnly: true };
  }
}

const pascal = (s: string) => s.replace(/(^|_)([a-z0-9])/g, (_m, _u, c: string) => c.toUpperCase());

const problem = { $ref: '#/components/responses/Problem' };
const errors = { '400': problem, '401': problem, '403': problem, '404': problem, '409': problem, '422': problem, '429': problem };

function objectPaths(o: ObjectDefinition) {
  const name = pascal(o.apiName);
  const rec = { $ref: `#/components/schemas/${name}` };
  const input = { $ref: `#/components/schemas/${name}Input` };
  const json = (schema: unknown) => ({ 'application/json': { schema } });
  const idParam = { name: 'id', in: 'path', required: true, schema: { type: 'string', format: 'uuid' } };
  const tag = [o.label];
  return {
    [`/api/v1/${o.apiName}`]: {
      get: {
        tags: tag, operationId: `list${name}`, summary: `List ${o.pluralLabel.toLowerCase()}`,
        parameters: [{ $ref: '#/components/parameters/filter' }, { $ref: '#/components/parameters/sort' }, { $ref: '#/components/parameters/fields' }, { $ref: '#/components/parameters/limit' }, { $ref: '#/components/parameters/cursor' }],
        responses: { '200': { description: 'A page of records', content: json({ type: 'object', properties: { data: { type: 'array', items: rec }, nextCursor: { type: ['string', 'null'] } } }) }, ...errors },
      },
      post: {
        tags: tag, operationId: `create${name}`, summary: `Create a ${o.label.toLowerCase()}`,
        parameters: [{ $ref: '#/components/parameters/idempotencyKey' }, { name: 'allowDuplicate', in: 'query', schema: { type: 'boolean' } }],
        requestBody: { required: true, content: json(input) },
        responses: { '201': { description: 'Created', content: json(rec) }, ...errors },
      },
    },
    [`/api/v1/${o.apiName}/query`]: {
      post: {
        tags: tag, operationId: `query${name}`, summary: `List ${o.pluralLabel.toLowerCase()} with the query in the body`,
        requestBody: { content: json({ type: 'object', properties: { filter: { $ref: '#/components/schemas/Condition' }, sort: { type: 'string' }, fields: { type: 'array', items: { type: 'string' } }, limit: { type: 'integer' }, cursor: { type: 'string' } } }) },
        responses: { '200': { description: 'A page of records', content: json({ type: 'object', properties: { data: { type: 'array', items: rec }, nextCursor: { type: ['string', 'null'] } } }) }, ...errors },
      },
    },
    [`/api/v1/${o.apiName}/count`]: {
      post: {
        tags: tag, operationId: `count${name}`, summary: `Count ${o.pluralLabel.toLowerCase()} matching a filter (exact up to 10,000, else the planner's estimate)`,
        requestBody: { content: json({ type: 'object', additionalProperties: false, properties: { filter: { $ref: '#/components/schemas/Condition' } } }) },
        responses: { '200': { description: 'The count', content: json({ type: 'object', required: ['count', 'exact'], properties: { count: { type: 'integer' }, exact: { type: 'boolean' } } }) }, ...errors },
      },
    },
    [`/api/v1/${o.apiName}/bulk`]: {
      post: {
        tags: tag, operationId: `bulk${name}`, summary: `Create, update or upsert up to 1,000 ${o.pluralLabel.toLowerCase()}`,
        parameters: [{ $ref: '#/components/parameters/idempotencyKey' }],
        requestBody: { required: true, content: json({ type: 'object', required: ['operation', 'records'], properties: { operation: { enum: ['create', 'update', 'upsert'] }, externalIdField: { type: 'string' }, records: { type: 'array', maxItems: 1000, items: input } } }) },
        responses: { '200': { description: 'Per-record results', content: json({ $ref: '#/components/schemas/BulkResult' }) }, ...errors },
      },
    },
    [`/api/v1/${o.apiName}/{id}`]: {
      get: { tags: tag, operationId: `get${name}`, summary: `Get one ${o.label.toLowerCase()}`, parameters: [idParam, { $ref: '#/components/parameters/fields' }], responses: { '200': { description: 'The record', content: json(rec) }, ...errors } },
      patch: {
        tags: tag, operationId: `update${name}`, summary: `Change a ${o.label.toLowerCase()} (If-Match guards against lost updates)`, parameters: [idParam, { $ref: '#/components/parameters/ifMatch' }],
        requestBody: { required: true, content: json(input) }, responses: { '200': { description: 'Updated', content: json(rec) }, ...errors },
      },
      delete: { tags: tag, operationId: `delete${name}`, summary: `Delete a ${o.label.toLowerCase()} to the recycle bin`, parameters: [idParam, { $ref: '#/components/parameters/ifMatch' }], responses: { '204': { description: 'Deleted' }, ...errors } },
    },
    [`/api/v1/${o.apiName}/{id}/restore`]: { post: { tags: tag, operationId: `restore${name}`, summary: `Restore a deleted ${o.label.toLowerCase()}`, parameters: [idParam], responses: { '200': { description: 'Restored', content: json(rec) }, ...errors } } },
    [`/api/v1/${o.apiName}/{id}/related-counts`]: { get: {
        tags: tag, operationId: `relatedCounts${name}`, summary: `How many records of each related list point at a ${o.label.toLowerCase()}`, parameters: [idParam],
        responses: {
          '200': {
            description: 'One entry per (object, lookup field) pointing here',
            content: json({ type: 'object', required: ['data'], properties: { data: { type: 'array', items: { type: 'object', required: ['object', 'field', 'count', 'exact'], properties: { object: { type: 'string' }, field: { type: 'string' }, count: { type: 'integer' }, exact: { type: 'boolean' } } } } } }),
          },
          ...errors,
        },
      } },
    [`/api/v1/${o.apiName}/{id}/history`]: { get: {
        tags: tag, operationId: `history${name}`, summary: `Field history of a ${o.label.toLowerCase()}, newest first`, parameters: [idParam, { $ref: '#/components/parameters/cursor' }],
        responses: {
          '200': {
            description: 'Field history, newest first',
            content: json({ type: 'object', required: ['data', 'nextCursor'], properties: { data: { type: 'array', items: { type: 'object', additionalProperties: true } }, nextCursor: { type: ['string', 'null'] } } }),
          },
          ...errors,
        },
      }  },
  };
}

/** Summaries of the fixed routes (module and platform); the rest get a generic description. */
const SUMMARIES: Record<string, string> = {
  'GET /api/v1/health': 'Health and database kind',
  'POST /api/v1/auth/login': 'Sign in (sets the session cookie)',
  'POST /api/v1/auth/logout': 'Sign out',
  'GET /api/v1/auth/status': 'Whether first-run setup is needed',
  'POST /api/v1/auth/setup': 'Create the first administrator with the one-time setup token',
  'GET /api/v1/me': 'The signed-in user',
  'GET /api/v1/auth/tokens': 'Your API tokens',
  'POST /api/v1/auth/tokens': 'Create an API token (the secret is shown once)',
  'DELETE /api/v1/auth/tokens/{id}': 'Revoke an API token',
  'GET /api/v1/metadata/objects': 'All objects with their fields and validation rules',
  'POST /api/v1/metadata/objects': 'Create a custom object',
  'POST /api/v1/metadata/objects/{object}/fields': 'Add a field',
  'PATCH /api/v1/metadata/objects/{object}/fields/{field}': 'Change a field (label, picklist values, safe type changes…)',
  'DELETE /api/v1/metadata/objects/{object}/fields/{field}': 'Delete a field (needs ?confirm=true; goes to the metadata recycle bin)',
  'GET /api/v1/recycle-bin': 'Deleted records (yours; admins: all)',
  'POST /api/v1/recycle-bin/{id}/restore': 'Restore a deleted record with everything deleted along with it',
  'DELETE /api/v1/recycle-bin/{id}': 'Purge a deleted record for good',
  'GET /api/v1/search': 'Global search across objects (q, objects, limit)',
  'GET /api/v1/views': 'Saved list views',
  'POST /api/v1/views': 'Save a list view',
  'GET /api/v1/users': 'Users',
  'POST /api/v1/users': 'Create a user with password, profile and role (admins)',
  'GET /api/v1/profiles': 'Profiles (admins)',
  'GET /api/v1/roles': 'Role hierarchy (admins)',
  'GET /api/v1/sharing-rules': 'Sharing rules (admins)',
  'GET /api/v1/sharing-settings': 'Org-wide sharing per object (admins)',
  'GET /api/v1/{object}/{id}/team': 'Team of a record',
  'POST /api/v1/{object}/{id}/team': 'Add or change a team member',
  'GET /api/v1/account/{id}/tree': 'Subtree of an account',
  'GET /api/v1/account/{id}/rollup': 'Roll-ups over an account subtree',
  'GET /api/v1/lead/{id}/convert-preview': 'Matching account and contact for a lead conversion',
  'POST /api/v1/lead/{id}/convert': 'Convert a lead to account, contact and opportunity',
  'POST /api/v1/opportunity/{id}/close': 'Close an opportunity as won, partially won or lost',
  'POST /api/v1/{object}/merge': 'Merge duplicates into a master record',
  'POST /api/v1/{object}/{id}/activities': 'Log an activity linked to a record: {type: task|meeting|call|email_log|note, values}',
  'POST /api/v1/{object}/{id}/attachments': 'Attach a file to a record (multipart/form-data: file, description)',
  'GET /api/v1/attachment/{id}/content': 'Download the file of an attachment (?inline=1 for images and PDFs)',
  'GET /api/v1/public/booking/{slug}': 'Public: what a booking link publishes (no sign-in)',
  'GET /api/v1/public/booking/{slug}/slots': 'Public: free slots of a booking link in UTC (from, to: dates, at most 31 days)',
  'POST /api/v1/public/booking/{slug}': 'Public: book a slot ({start, name, email, note?}); 409 slot_taken',
  'GET /api/v1/webhooks': 'Webhook subscriptions (admins)',
  'POST /api/v1/webhooks': 'Subscribe a URL to events (the signing secret is shown once)',
  'GET /api/v1/audit-log': 'Audit log (admins)',
};

/** Fixed routes whose body or answer is not JSON. */
const NON_JSON: Record<string, { operationId: string; status: string; request?: Record<string, unknown>; response?: Record<string, unknown> }> = {
  'POST /api/v1/{object}/{id}/attachments': {
    operationId: 'uploadAttachment',
    status: '201',
    response: { 'application/json': { schema: { type: 'object', required: ['id'], properties: { id: { type: 'string', format: 'uuid' } }, additionalProperties: true } } },
    request: {
      'multipart/form-data': {
        schema: {
          type: 'object', required: ['file'],
          properties: { file: { type: 'string', format: 'binary' }, description: { type: 'string' }, document_type: { type: 'string' }, expires_on: { type: 'string', format: 'date' } },
        },
      },
    },
  },
  // The answer carries the stored file's detected type (images and PDF inline, the rest as downloads).
  'GET /api/v1/attachment/{id}/content': { operationId: 'downloadAttachment', status: '200', response: { '*/*': { schema: { type: 'string', format: 'binary' } } } },
  'GET /api/v1/me/notifications/stream': { operationId: 'streamNotifications', status: '200', response: { 'text/event-stream': { schema: { type: 'string' } } } },
};

/**
 * Paths over any object published once per object (see buildOpenApi): a fixed word after
 * {object} (merge, export, a module's aggregate) reads as ambiguous against /{object}/{id}.
 */
const isAmbiguousPerObject = (path: string) => /^\/api\/v1\/\{object\}\/[^{}/]+$/.test(path) && !GENERIC_RECORD_ROUTES.has(path);

const GENERIC_RECORD_ROUTES = new Set(['/api/v1/{object}', '/api/v1/{object}/query', '/api/v1/{object}/count', '/api/v1/{object}/bulk', '/api/v1/{object}/{id}/related-counts', '/api/v1/{object}/{id}', '/api/v1/{object}/{id}/restore', '/api/v1/{object}/{id}/history', '/api/v1/openapi.json', '/*']);

/** A registered route and the schema it declares (schema/common.ts routeSchema), as app.ts collects them. */
export interface RouteInfo {
  method: string;
  url: string;
  schema?: {
    summary?: string;
    operationId?: string;
    tags?: string[];
    description?: string;
    security?: unknown[];
    params?: JsonSchema;
    querystring?: JsonSchema;
    body?: JsonSchema;
    response?: Record<string, JsonSchema>;
  };
}
type JsonSchema = { properties?: Record<string, JsonSchema & { description?: string }>; required?: string[]; description?: string; type?: unknown };

const STATUS_TEXT: Record<string, string> = { '200': 'OK', '201': 'Created', '202': 'Accepted', '204': 'No content' };

/** TypeBox schemas carry symbol keys; the document wants plain JSON. */
const plain = <T>(schema: T): T => JSON.parse(JSON.stringify(schema)) as T;

/** The OpenAPI operation of a fixed route that declares its schemas. */
function declaredOperation(r: RouteInfo, path: string) {
  const s = r.schema!;
  const asParams = (schema: JsonSchema | undefined, where: 'path' | 'query') =>
    Object.entries(schema?.properties ?? {}).map(([name, p]) => ({
      name,
      in: where,
      required: where === 'path' || (schema?.required ?? []).includes(name),
      ...(p.description ? { description: p.description } : {}),
      schema: plain(p),
    }));
  const responses: Record<string, unknown> = {};
  for (const [status, schema] of Object.entries(s.response ?? {})) {
    const description = schema.description ?? STATUS_TEXT[status] ?? 'OK';
    // A schema that names its own content (a PDF, a file) is published as declared; the rest is JSON.
    const own = (schema as { content?: Record<string, unknown> }).content;
    responses[status] = status === '204' || (schema as { type?: unknown }).type === 'null' ? { description }
      : own ? { description, content: plain(own) } : { description, content: { 'application/json': { schema: plain(schema) } } };
  }
  return {
    tags: s.tags ?? [path.split('/')[3] ?? 'api'],
    summary: s.summary ?? SUMMARIES[`${r.method} ${path}`] ?? `${r.method} ${path}`,
    ...(s.description ? { description: s.description } : {}),
    ...(s.operationId ? { operationId: s.operationId } : {}),
    ...(s.security ? { security: s.security } : {}),
    parameters: [...asParams(s.params, 'path'), ...asParams(s.querystring, 'query')],
    ...(s.body ? { requestBody: { required: true, content: { 'application/json': { schema: plain(s.body) } } } } : {}),
    // Bodies over MERIDIAN_BODY_LIMIT are refused before the route runs.
    responses: { ...responses, ...errors, ...(s.body ? { '413': problem } : {}) },
  };
}

function fixedPaths(routes: RouteInfo[]) {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const r of routes) {
    const path = r.url.replace(/:([A-Za-z]+)/g, '{$1}');
    if (!path.startsWith('/api/') || GENERIC_RECORD_ROUTES.has(path)) continue;
    if (r.schema?.response) {
      paths[path] ??= {};
      paths[path]![r.method.toLowerCase()] = declaredOperation(r, path);
      continue;
    }
    const params = [...path.matchAll(/\{([A-Za-z]+)\}/g)].map((m) => ({ name: m[1], in: 'path', required: true, schema: { type: 'string' } }));
    const method = r.method.toLowerCase();
    paths[path] ??= {};
    const special = NON_JSON[`${r.method} ${path}`];
    paths[path]![method] = {
      tags: [path.split('/')[3] ?? 'api'],
      summary: SUMMARIES[`${r.method} ${path}`] ?? `${r.method} ${path}`,
      ...(special ? { operationId: special.operationId } : {}),
      parameters: params,
      ...(['post', 'patch', 'put'].includes(method) ? { requestBody: { content: special?.request ?? { 'application/json': { schema: { type: 'object' } } } } } : {}),
      responses: { [special?.status ?? '200']: { description: 'OK', content: special?.response ?? { 'application/json': { schema: { type: 'object' } } } }, ...errors },
    };
  }
  return paths;
}

export function buildOpenApi(args: { registry: MetadataRegistry; actor: Actor; serverUrl: string; routes?: RouteInfo[] }) {
  const schemas: Record<string, unknown> = {
    Condition: {
      description: 'The condition language: {and:[…]}, {or:[…]}, {not:…} or {field, op, value}. Fields may be paths through lookups (account.industry).',
      oneOf: [
        { type: 'object', required: ['and'], properties: { and: { type: 'array', items: { $ref: '#/components/schemas/Condition' } } } },
        { type: 'object', required: ['or'], properties: { or: { type: 'array', items: { $ref: '#/components/schemas/Condition' } } } },
        { type: 'object', required: ['not'], properties: { not: { $ref: '#/components/schemas/Condition' } } },
        { type: 'object', required: ['field', 'op'], properties: { field: { type: 'string' }, op: { enum: ['eq', 'ne', 'lt', 'lte', 'gt', 'gte', 'in', 'nin', 'contains', 'startsWith', 'isNull', 'between'] }, value: {} } },
      ],
    },
    Problem: plain(ProblemSchema),
    BulkResult: {
      type: 'object',
      properties: {
        succeeded: { type: 'integer' }, failed: { type: 'integer' },
        results: { type: 'array', items: { type: 'object', properties: { index: { type: 'integer' }, ok: { type: 'boolean' }, id: { type: 'string' }, created: { type: 'boolean' }, errors: { type: 'array' } } } },
      },
    },
  };
  let paths: Record<string, unknown> = fixedPaths(args.routes ?? []);
  // Fixed routes over any object whose path would be ambiguous against /{object}/{id} (merge) are
  // published per object, like the generic record routes.
  const ambiguous = Object.keys(paths).filter(isAmbiguousPerObject);
  const perObject = (fixed: Record<string, unknown>, o: ObjectDefinition) =>
    Object.fromEntries(
      ambiguous.filter((p) => fixed[p] && !(o.apiName === 'user' && p.endsWith('/merge'))).map((p) => {
        const item = structuredClone(fixed[p]) as Record<string, { operationId?: string; parameters?: Array<{ name: string }> }>;
        for (const op of Object.values(item)) {
          if (op.operationId) op.operationId = `${op.operationId}${pascal(o.apiName)}`;
          op.parameters = (op.parameters ?? []).filter((x) => x.name !== 'object');
        }
        return [p.replace('{object}', o.apiName), item];
      }),
    );
  // A user's document lists the objects their profile may read, with the fields it does not hide.
  for (const o of args.registry.listObjects().filter((x) => permissionsFor(args.actor, x).read)) {
    const fields = readableFields(args.actor, o);
    const name = pascal(o.apiName);
    schemas[name] = { type: 'object', title: o.label, description: o.description, properties: Object.fromEntries(fields.map((f) => [f.apiName, fieldSchema(f)])) };
    const writable = fields.filter((f) => !f.readOnly);
    schemas[`${name}Input`] = {
      type: 'object',
      additionalProperties: false,
      properties: Object.fromEntries(writable.map((f) => [f.apiName, fieldSchema(f)])),
      required: writable.filter((f) => f.required && f.defaultValue === undefined).map((f) => f.apiName),
    };
    paths = { ...paths, ...objectPaths(o), ...perObject(paths, o) };
  }
  for (const p of ambiguous) delete paths[p];
  return {
    openapi: '3.1.0',
    info: {
      title: 'Meridian API',
      version: '1',
      description: 'Records, metadata and automation of a Meridian CRM. Errors are RFC 9457 problem documents.',
      license: { name: 'AGPL-3.0-only', identifier: 'AGPL-3.0-only' },
    },
    servers: [{ url: args.serverUrl }],
    security: [{ bearer: [] }, { session: [] }],
    paths,
    components: {
      schemas,
      securitySchemes: { bearer: { type: 'http', scheme: 'bearer' }, session: { type: 'apiKey', in: 'cookie', name: 'meridian_session' } },
      responses: { Problem: { description: 'A problem', content: { 'application/problem+json': { schema: { $ref: '#/components/schemas/Problem' } } } } },
      parameters: {
        filter: { name: 'filter', in: 'query', description: 'A condition as URL-encoded JSON', schema: { type: 'string' }, example: '{"field":"amount","op":"gte","value":1000}' },
        sort: { name: 'sort', in: 'query', description: 'Comma-separated fields, - for descending', schema: { type: 'string' }, example: '-amount,name' },
        fields: { name: 'fields', in: 'query', description: 'Comma-separated fields to return', schema: { type: 'string' } },
        limit: { name: 'limit', in: 'query', schema: { type: 'integer', minimum: 1, maximum: 200, default: 50 } },
        cursor: { name: 'cursor', in: 'query', description: 'nextCursor of the previous page', schema: { type: 'string' } },
        idempotencyKey: { name: 'Idempotency-Key', in: 'header', schema: { type: 'string', maxLength: 255 } },
        ifMatch: { name: 'If-Match', in: 'header', description: 'The version you read; 409 if the record changed since', schema: { type: 'string' } },
      },
    },
  };
}
