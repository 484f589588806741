import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getTestServer, type TestServer, type TestUser } from '../server.ts';
import { ok } from '../access/fixture.ts';

/**
 * Issue 15 item 7: every object — standard or custom — can carry an external id field (unique
 * among live records), and bulk upsert by it creates the missing records and updates the rest.
 */
let server: TestServer;
let admin: TestUser;
beforeAll(async () => {
  server = await getTestServer();
  admin = server.admin;
});
afterAll(async () => server?.close());

describe('external ids', () => {
  it('a standard and a custom object get an external id field; upsert by it is idempotent and unique', async () => {
    ok(await admin.request('POST', '/api/v1/metadata/objects', { body: { apiName: 'site', label: 'Site', pluralLabel: 'Sites' } }));
    for (const object of ['contact', 'site']) {
      const field = await admin.request('POST', `/api/v1/metadata/objects/${object}/fields`, { body: { apiName: 'erp_id', label: 'ERP id', type: 'text', externalId: true } });
      ok(field);
      expect(field.body).toMatchObject({ externalId: true, unique: true });
      const name = object === 'contact' ? 'last_name' : 'name';
      const first = await admin.request('POST', `/api/v1/${object}/bulk`, { body: { operation: 'upsert', externalIdField: 'erp_id', records: [{ erp_id: 'E-1', [name]: 'One' }, { erp_id: 'E-2', [name]: 'Two' }] } });
      expect(first.body.succeeded, first.text).toBe(2);
      expect(first.body.results.map((r: { created: boolean }) => r.created)).toEqual([true, true]);
      const again = await admin.request('POST', `/api/v1/${object}/bulk`, { body: { operation: 'upsert', externalIdField: 'erp_id', records: [{ erp_id: 'E-1', [name]: 'One again' }, { erp_id: 'E-3', [name]: 'Three' }] } });
      expect(again.body.results.map((r: { created: boolean }) => r.created)).toEqual([false, true]);
      const listed = await admin.request('GET', `/api/v1/${object}?filter=${encodeURIComponent(JSON.stringify({ field: 'erp_id', op: 'in', value: ['E-1', 'E-2', 'E-3'] }))}&sort=erp_id`);
      expect(listed.body.data.map((r: Record<string, unknown>) => [r.erp_id, r[name]])).toEqual([['E-1', 'One again'], ['E-2', 'Two'], ['E-3', 'Three']]);
      // Unique among live records: a second record with the same external id is refused.
      const dup = await admin.request('POST', `/api/v1/${object}`, { body: { erp_id: 'E-2', [name]: 'Copy' } });
      expect(dup.status, dup.text).toBe(409);
    }
  });
});
