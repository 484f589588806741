import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getTestServer, type TestServer } from './server.ts';
import { buildAccount } from './factories.ts';

let server: TestServer;
beforeAll(async () => {
  server = await getTestServer();
});
afterAll(async () => server?.close());

describe('smoke', () => {
  it('answers health with the database kind', async () => {
    const res = await server.admin.request('GET', '/api/v1/health');
    expect(res.status).toBe(200);
    expect(res.body.database.kind).toBe(process.env.DATABASE_URL ? 'postgres' : 'pglite');
  });
  it('describes every route in OpenAPI 3.1, including module routes', async () => {
    const res = await server.admin.request('GET', '/api/v1/openapi.json');
    expect(res.body.openapi).toBe('3.1.0');
    expect(res.body.paths['/api/v1/lead/{id}/convert'].post.summary).toMatch(/Convert a lead/);
    expect(res.body.paths['/api/v1/search'].get).toBeTruthy();
    expect(res.body.paths['/api/v1/account/{id}'].patch.operationId).toBe('updateAccount');
    expect(res.body.paths['/api/v1/{object}/{id}']).toBeUndefined();
  });

  it('creates and reads an account', async () => {
    const a = await buildAccount(server.admin, { website: 'example.org' });
    const res = await server.admin.request('GET', `/api/v1/account/${a.id}`);
    expect(res.status).toBe(200);
    expect(res.body.website).toBe('https://example.org');
    expect(res.headers.etag).toBe('"1"');
  });
});
