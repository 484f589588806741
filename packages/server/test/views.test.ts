import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getTestServer, type TestServer, type TestUser } from './server.ts';

let server: TestServer;
let admin: TestUser;
let rep: TestUser;
beforeAll(async () => {
  server = await getTestServer();
  admin = server.admin;
  rep = await server.createUser();
});
afterAll(async () => server?.close());

describe('saved list views', () => {
  it('saves private and shared views; others see only shared ones and cannot change them', async () => {
    const mine = await rep.request('POST', '/api/v1/views', { body: { object: 'opportunity', name: 'My big deals', filter: { field: 'amount', op: 'gte', value: 50000 }, sort: '-amount', columns: ['name', 'amount', 'stage'] } });
    expect(mine.status, mine.text).toBe(201);
    const shared = await admin.request('POST', '/api/v1/views', { body: { object: 'opportunity', name: 'Pipeline board', kind: 'kanban', groupBy: 'stage', shared: true } });
    expect(shared.status).toBe(201);
    const repViews = (await rep.request('GET', '/api/v1/views?object=opportunity')).body.data.map((v: any) => v.name);
    expect(repViews).toEqual(expect.arrayContaining(['My big deals', 'Pipeline board']));
    const adminViews = (await admin.request('GET', '/api/v1/views?object=opportunity')).body.data.map((v: any) => v.name);
    expect(adminViews).not.toContain('My big deals');
    expect((await rep.request('PATCH', `/api/v1/views/${shared.body.id}`, { body: { name: 'Mine now' } })).status).toBe(403);
    expect((await admin.request('PATCH', `/api/v1/views/${mine.body.id}`, { body: { name: 'x' } })).status).toBe(404);
    const renamed = await rep.request('PATCH', `/api/v1/views/${mine.body.id}`, { body: { name: 'Biggest deals', sort: '-amount,name' } });
    expect(renamed.body).toMatchObject({ name: 'Biggest deals', sort: '-amount,name', columns: ['name', 'amount', 'stage'] });
    expect((await rep.request('DELETE', `/api/v1/views/${mine.body.id}`)).status).toBe(204);
  });

  it('validates filters, sorts, columns and grouping against the metadata', async () => {
    const bad = [
      { object: 'nope', name: 'x' },
      { object: 'opportunity', name: '' },
      { object: 'opportunity', name: 'x', filter: { field: 'nope', op: 'eq', value: 1 } },
      { object: 'opportunity', name: 'x', sort: 'nope' },
      { object: 'opportunity', name: 'x', columns: ['name', 'nope'] },
      { object: 'opportunity', name: 'x', kind: 'kanban', groupBy: 'amount' },
    ];
    for (const body of bad) expect((await rep.request('POST', '/api/v1/views', { body })).status, JSON.stringify(body)).toBe(400);
  });
});
