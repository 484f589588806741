import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import Fastify from 'fastify';
import { getTestServer, type TestServer } from './server.ts';
import { installValidator } from '../src/platform/http/schema/validator.ts';
import { checkResponsesAgainstSchemas } from '../src/platform/http/schema/response-check.ts';
import { routeSchema, T } from '../src/platform/http/schema/common.ts';
import { sendProblem } from '../src/platform/http/problem.ts';

/** Fixed routes declare their schemas once: validated on input, published in OpenAPI, checked on output. */
let server: TestServer;
beforeAll(async () => {
  server = await getTestServer();
});
afterAll(async () => server?.close());

describe('declared route schemas', () => {
  it('refuses unknown properties and wrong types in a body, naming each field, without coercion', async () => {
    const res = await server.admin.request('POST', '/api/v1/auth/tokens', { body: { name: 42, expiresInDays: '30', scope: 'all' } });
    expect(res.status).toBe(400);
    expect(res.headers['content-type']).toContain('application/problem+json');
    expect(res.body.code).toBe('validation_failed');
    const fields = res.body.errors.map((e: { field: string; code: string }) => `${e.field}:${e.code}`);
    expect(fields).toEqual(expect.arrayContaining(['name:type', 'scope:unknown_property']));
    expect(fields.some((f: string) => f.startsWith('expiresInDays:'))).toBe(true);
    const login = await server.app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { email: 'a@example.com' } });
    expect(login.statusCode).toBe(400);
    expect(login.json().errors).toEqual([expect.objectContaining({ field: 'password', code: 'required' })]);
  });

  it('checks query parameters, coercing numbers; a malformed id in a path answers 404 like a missing one', async () => {
    const bad = await server.admin.request('GET', '/api/v1/search?q=acme&limit=many');
    expect(bad.status).toBe(400);
    expect(bad.body.errors[0]).toMatchObject({ field: 'limit', code: 'type' });
    expect((await server.admin.request('GET', '/api/v1/search?q=acme&limit=3')).status).toBe(200);
    expect((await server.admin.request('DELETE', '/api/v1/auth/tokens/not-a-uuid')).status).toBe(404);
  });

  it('publishes the declared schemas, operation ids and public operations in the OpenAPI document', async () => {
    const doc = (await server.admin.request('GET', '/api/v1/openapi.json')).body;
    const create = doc.paths['/api/v1/auth/tokens'].post;
    expect(create.operationId).toBe('createApiToken');
    expect(create.requestBody.content['application/json'].schema).toMatchObject({ type: 'object', additionalProperties: false, required: ['name'] });
    expect(create.responses['201'].content['application/json'].schema).toBeDefined();
    expect(doc.paths['/api/v1/auth/login'].post.security).toEqual([]);
    expect(doc.paths['/api/v1/auth/tokens/{id}'].delete.responses['204']).toEqual({ description: 'No content' });
    expect(doc.components.schemas.Problem.required).toEqual(expect.arrayContaining(['type', 'title', 'status', 'code', 'detail', 'errors']));
  });

  it('a test server answers 500 when a route answers what its schema does not declare', async () => {
    const app = Fastify();
    installValidator(app);
    app.setSerializerCompiler(() => (data) => JSON.stringify(data));
    app.setErrorHandler((error, request, reply) => sendProblem(error, request, reply));
    checkResponsesAgainstSchemas(app);
    const schema = routeSchema({ summary: 'x', operationId: 'x', response: { 200: T.Object({ count: T.Integer() }, { additionalProperties: false }) } });
    app.get('/good', { schema }, async () => ({ count: 1 }));
    app.get('/bad', { schema }, async () => ({ count: 'one', secret: 'leaked' }));
    app.get('/created', { schema }, async (_r, reply) => reply.status(201).send({ count: 1 }));
    expect((await app.inject('/good')).statusCode).toBe(200);
    const bad = await app.inject('/bad');
    expect(bad.statusCode).toBe(500);
    expect(bad.json()).toMatchObject({ code: 'response_schema_mismatch' });
    expect(bad.json().detail).toContain('count');
    expect((await app.inject('/created')).json().detail).toContain('status not declared');
    await app.close();
  });
});

describe('the OpenAPI document describes every operation', () => {
  it('every operation has a unique operationId and a summary; every fixed JSON route declares its answers', async () => {
    const doc = (await server.admin.request('GET', '/api/v1/openapi.json')).body;
    const ids = new Map<string, string>();
    const undeclared: string[] = [];
    for (const [path, item] of Object.entries<Record<string, any>>(doc.paths)) {
      for (const [method, op] of Object.entries<any>(item)) {
        const where = `${method.toUpperCase()} ${path}`;
        expect(op.summary, where).toEqual(expect.any(String));
        if (op.operationId) {
          expect(ids.get(op.operationId), `${op.operationId} at ${where}`).toBeUndefined();
          ids.set(op.operationId, where);
        } else undeclared.push(where);
        const ok = Object.entries<any>(op.responses).filter(([status]) => status.startsWith('2'));
        expect(ok.length, where).toBeGreaterThan(0);
      }
    }
    // Routes whose body or answer is not JSON (uploads, downloads, the event stream) are described by hand.
    expect(undeclared).toEqual([]);
  });
});

describe('lint', () => {
  it('passes redocly lint with the recommended rules, without errors or ambiguous paths', async () => {
    const { createConfig, lintFromString } = await import('@redocly/openapi-core');
    const doc = (await server.admin.request('GET', '/api/v1/openapi.json')).body;
    const config = await createConfig({ extends: ['recommended'] });
    const problems = await lintFromString({ source: JSON.stringify(doc), absoluteRef: 'openapi.json', config });
    const errors = problems.filter((p) => p.severity === 'error').map((p) => `${p.ruleId}: ${p.message}`);
    expect(errors).toEqual([]);
    // localhost as the server URL is this test server's public URL, not a defect of the document.
    const warnings = problems.filter((p) => p.severity === 'warn' && p.ruleId !== 'no-server-example.com').map((p) => `${p.ruleId}: ${p.message}`);
    expect(warnings).toEqual([]);
    expect(doc.paths['/api/v1/account/merge'].post.operationId).toBe('mergeRecordsAccount');
    expect(doc.paths['/api/v1/{object}/merge']).toBeUndefined();
  });
});
