import type { ValidateFunction } from 'ajv';
import type { FastifyInstance } from 'fastify';
import { createAjv } from './ajv.ts';
import { fieldOf } from './validator.ts';

/**
 * For test servers: every JSON answer of a route that declares a response schema is checked
 * against the schema declared for its status. A mismatch is answered as a 500 naming the route,
 * status and the first mismatching paths, so every integration suite proves that the server
 * says what its OpenAPI document says. A status the route does not declare counts as a mismatch,
 * except problem documents (4xx/5xx), which all share one schema.
 */
export function checkResponsesAgainstSchemas(app: FastifyInstance): void {
  const ajv = createAjv({});
  const compiled = new WeakMap<object, ValidateFunction>();
  app.addHook('onSend', async (request, reply, payload) => {
    const declared = (request.routeOptions.schema as { response?: Record<string, object> } | undefined)?.response;
    if (!declared || typeof payload !== 'string') return payload;
    const status = reply.statusCode;
    const type = String(reply.getHeader('content-type') ?? '');
    if (type.startsWith('application/problem+json')) return payload;
    const schema = declared[status] ?? declared[String(status) as unknown as number];
    const route = `${request.method} ${request.routeOptions.url}`;
    if (!schema) return mismatch(reply, route, status, ['status not declared']);
    if (!type.startsWith('application/json')) return payload;
    const validate = compiled.get(schema) ?? ajv.compile(schema);
    compiled.set(schema, validate);
    const body = payload === '' ? null : JSON.parse(payload);
    if (validate(body)) return payload;
    return mismatch(reply, route, status, (validate.errors ?? []).slice(0, 5).map((e) => `${fieldOf(e) || '(body)'}: ${e.message}`));
  });
}

function mismatch(reply: { status(code: number): unknown; header(k: string, v: string): unknown }, route: string, status: number, problems: string[]): string {
  reply.status(500);
  reply.header('content-type', 'application/problem+json');
  return JSON.stringify({
    type: 'https://meridian.dev/problems/response-schema',
    title: 'Internal server error',
    status: 500,
    code: 'response_schema_mismatch',
    detail: `${route} answered ${status} with a body its declared schema refuses: ${problems.join('; ')}`,
    errors: [],
  });
}
