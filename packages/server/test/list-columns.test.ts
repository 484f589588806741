import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getTestServer, type TestServer } from './server.ts';

// Issue 17 item 7: a list's default columns come from the object's definition.
let server: TestServer;
beforeAll(async () => {
  server = await getTestServer();
});
afterAll(async () => server?.close());

const columnsOf = async (object: string) => {
  const res = await server.admin.request('GET', `/api/v1/metadata/objects/${object}`);
  expect(res.status).toBe(200);
  return res.body.listColumns as string[];
};

describe('default list columns', () => {
  it('are declared by the standard objects and published in the metadata and OpenAPI', async () => {
    expect(await columnsOf('opportunity')).toEqual(['name', 'stage', 'close_date', 'owner', 'amount']);
    expect(await columnsOf('contact')).toEqual(['full_name', 'account', 'email', 'phone', 'owner']);
    expect(await columnsOf('task')).toEqual(['subject', 'status', 'due_date', 'priority', 'owner']);
    const list = await server.admin.request('GET', '/api/v1/metadata/objects');
    for (const o of list.body.data as Array<{ apiName: string; nameField: string; listColumns: string[] }>) {
      expect(o.listColumns[0], o.apiName).toBe(o.nameField);
      // A composed name is never listed next to its parts.
      if (o.nameField === 'full_name') expect(o.listColumns, o.apiName).not.toEqual(expect.arrayContaining(['first_name']));
      if (o.nameField === 'full_name') expect(o.listColumns, o.apiName).not.toContain('last_name');
      expect(o.listColumns.length, o.apiName).toBeLessThanOrEqual(5);
    }
    const openapi = await server.admin.request('GET', '/api/v1/openapi.json');
    expect(JSON.stringify(openapi.body)).toContain('listColumns');
  });

  it('are derived for a custom object: name and up to four short fields in their order', async () => {
    const admin = server.admin;
    expect((await admin.request('POST', '/api/v1/metadata/objects', { body: { apiName: 'vehicle', label: 'Vehicle', pluralLabel: 'Vehicles' } })).status).toBe(201);
    const fields = [
      { apiName: 'notes', label: 'Notes', type: 'long_text' },
      { apiName: 'plate', label: 'Plate', type: 'text' },
      { apiName: 'in_service', label: 'In service', type: 'boolean' },
      { apiName: 'bought_on', label: 'Bought on', type: 'date' },
      { apiName: 'value', label: 'Value', type: 'currency' },
      { apiName: 'seats', label: 'Seats', type: 'number' },
    ];
    for (const f of fields) expect((await admin.request('POST', '/api/v1/metadata/objects/vehicle/fields', { body: f })).status).toBe(201);
    expect(await columnsOf('vehicle')).toEqual(['name', 'plate', 'in_service', 'bought_on', 'value']);
  });
});
