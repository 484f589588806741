import type { FieldDefinition, MetadataRegistry, ObjectDefinition } from '../metadata/types.ts';
import type { Actor } from '../records/context.ts';
import { readableFields } from '../access/policy.ts';
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
      return nullable({ type: 'string', maxLength: TEXT_MAX });
    case 'long_text':
      return nullable({ type: 'string', maxLength: LONG_TEXT_MAX });
    case 'email':
      return nullable({ type: 'string', format: 'email' });
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
    [`/api/v1/${o.apiName}/bulk`]: {
      post: {
        tags: tag, operationId: `bulk${name}`, summary: `Create, update or upsert up to 1,000 ${o.pluralLabel.toLowerCase()}`,
        parameters: [{ $ref: '#/components/parameters/idempotencyKey' }],
        requestBody: { required: true, content: json({ type: 'object', required: ['operation', 'records'], properties: { operation: { enum: ['create', 'update', 'upsert'] }, externalIdField: { type: 'string' }, records: { type: 'array', maxItems: 1000, items: input } } }) },
        responses: { '200': { description: 'Per-record results', content: json({ $ref: '#/components/schemas/BulkResult' }) }, ...errors },
      },
    },
    [`/api/v1/${o.apiName}/{id}`]: {
      get: { tags: tag, operationId: `get${name}`, parameters: [idParam, { $ref: '#/components/parameters/fields' }], responses: { '200': { description: 'The record', content: json(rec) }, ...errors } },
      patch: {
        tags: tag, operationId: `update${name}`, parameters: [idParam, { $ref: '#/components/parameters/ifMatch' }],
        requestBody: { required: true, content: json(input) }, responses: { '200': { description: 'Updated', content: json(rec) }, ...errors },
      },
      delete: { tags: tag, operationId: `delete${name}`, summary: 'Move to the recycle bin', parameters: [idParam, { $ref: '#/components/parameters/ifMatch' }], responses: { '204': { description: 'Deleted' }, ...errors } },
    },
    [`/api/v1/${o.apiName}/{id}/restore`]: { post: { tags: tag, operationId: `restore${name}`, parameters: [idParam], responses: { '200': { description: 'Restored', content: json(rec) }, ...errors } } },
    [`/api/v1/${o.apiName}/{id}/history`]: { get: { tags: tag, operationId: `history${name}`, parameters: [idParam, { $ref: '#/components/parameters/cursor' }], responses: { '200': { description: 'Field history, newest first' }, ...errors } } },
  };
}

export function buildOpenApi(args: { registry: MetadataRegistry; actor: Actor; serverUrl: string }) {
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
    Problem: {
      type: 'object',
      properties: {
        type: { type: 'string' }, title: { type: 'string' }, status: { type: 'integer' }, code: { type: 'string' }, detail: { type: 'string' },
        errors: { type: 'array', items: { type: 'object', properties: { field: { type: 'string' }, code: { type: 'string' }, message: { type: 'string' } } } },
      },
    },
    BulkResult: {
      type: 'object',
      properties: {
        succeeded: { type: 'integer' }, failed: { type: 'integer' },
        results: { type: 'array', items: { type: 'object', properties: { index: { type: 'integer' }, ok: { type: 'boolean' }, id: { type: 'string' }, created: { type: 'boolean' }, errors: { type: 'array' } } } },
      },
    },
  };
  let paths: Record<string, unknown> = {};
  for (const o of args.registry.listObjects()) {
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
    paths = { ...paths, ...objectPaths(o) };
  }
  return {
    openapi: '3.1.0',
    info: { title: 'Meridian API', version: '1', description: 'Records, metadata and automation of a Meridian CRM. Errors are RFC 9457 problem documents.' },
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
