import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getTestServer, type TestServer } from './server.ts';
import { RESERVED_OBJECT_NAMES } from '../src/platform/metadata/validate-definition.ts';

/** Issue 10 item 15: names that collide with the database, JavaScript objects or a route are refused. */
let server: TestServer;
beforeAll(async () => {
  server = await getTestServer();
});
afterAll(async () => server?.close());

describe('reserved names', () => {
  it('refuses PostgreSQL system columns and JavaScript object properties as field names, naming the field', async () => {
    for (const apiName of ['ctid', 'xmin', 'xmax', 'cmin', 'cmax', 'tableoid', 'constructor', 'prototype', '__proto__', 'toString']) {
      const res = await server.admin.request('POST', '/api/v1/metadata/objects/account/fields', { body: { apiName, label: 'x', type: 'text' } });
      expect(res.status, apiName).toBe(400);
      expect(res.body.errors[0].field).toBe('apiName');
    }
    // And creates on the object still work.
    expect((await server.admin.request('POST', '/api/v1/account', { body: { name: 'After the refusals' } })).status).toBe(201);
  });

  it('reserves the first segment of every fixed route as an object name', async () => {
    const doc = (await server.admin.request('GET', '/api/v1/openapi.json')).body;
    const objects = new Set(server.platform.registry.listObjects().map((o) => o.apiName));
    const segments = new Set(Object.keys(doc.paths).map((p) => p.split('/')[3]!).filter((s) => s && !s.startsWith('{') && !objects.has(s)));
    const missing = [...segments].map((s) => s.replace(/-/g, '_').replace(/\.json$/, '')).filter((s) => !RESERVED_OBJECT_NAMES.has(s));
    expect(missing).toEqual([]);
    const groups = await server.admin.request('POST', '/api/v1/metadata/objects', { body: { apiName: 'groups', label: 'Groups', pluralLabel: 'Groups' } });
    expect(groups.status).toBe(400);
    expect(groups.body.errors[0]).toMatchObject({ field: 'apiName', code: 'reserved' });
  });
});
