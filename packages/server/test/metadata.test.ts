import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import { getTestServer, type TestServer, type TestUser } from './server.ts';
import { buildAccount } from './factories.ts';

let server: TestServer;
let admin: TestUser;
beforeAll(async () => {
  server = await getTestServer();
  admin = server.admin;
});
afterAll(async () => server?.close());

const columns = async (table: string) =>
  (await sql<{ column_name: string; data_type: string }>`SELECT column_name, data_type FROM information_schema.columns WHERE table_name = ${table} AND table_schema = current_schema()`.execute(server.platform.db)).rows;

describe('custom objects and fields', () => {
  it('creates an object as a real table with a name field, and it appears in the API and OpenAPI at once', async () => {
    const res = await admin.request('POST', '/api/v1/metadata/objects', { body: { apiName: 'generator', label: 'Generator', pluralLabel: 'Generators' } });
    expect(res.status).toBe(201);
    expect(res.body.fields.map((f: any) => f.apiName)).toContain('name');
    expect((await columns('obj_generator')).map((c) => c.column_name)).toEqual(expect.arrayContaining(['id', 'name', 'owner_id', 'version', 'deleted_at']));
    const openapi = await admin.request('GET', '/api/v1/openapi.json');
    expect(openapi.body.paths['/api/v1/generator']).toBeTruthy();
    expect(openapi.body.components.schemas.Generator.properties.name).toBeTruthy();
  });

  it('adds fields of every type and stores records with them', async () => {
    const fields = [
      { apiName: 'serial_number', label: 'Serial number', type: 'text', unique: true, externalId: true },
      { apiName: 'notes', label: 'Notes', type: 'long_text' },
      { apiName: 'service_email', label: 'Service e-mail', type: 'email' },
      { apiName: 'site_phone', label: 'Site phone', type: 'phone' },
      { apiName: 'manual_url', label: 'Manual', type: 'url' },
      { apiName: 'kw', label: 'kW', type: 'number' },
      { apiName: 'list_price', label: 'List price', type: 'currency' },
      { apiName: 'load_pct', label: 'Load %', type: 'percent' },
      { apiName: 'under_warranty', label: 'Under warranty', type: 'boolean', defaultValue: false },
      { apiName: 'installed_on', label: 'Installed on', type: 'date' },
      { apiName: 'last_run_at', label: 'Last run', type: 'datetime' },
      { apiName: 'fuel', label: 'Fuel', type: 'picklist', picklist: { values: [{ value: 'diesel', label: 'Diesel' }, { value: 'natural_gas', label: 'Natural gas' }] }, defaultValue: 'diesel' },
      { apiName: 'certifications', label: 'Certifications', type: 'multi_picklist', picklist: { values: [{ value: 'nfpa110', label: 'NFPA 110' }, { value: 'carb', label: 'CARB' }] } },
      { apiName: 'customer', label: 'Customer', type: 'lookup', lookup: { object: 'account', onDelete: 'restrict' } },
      { apiName: 'technician', label: 'Technician', type: 'user' },
      { apiName: 'asset_no', label: 'Asset number', type: 'autonumber', autonumber: { prefix: 'GEN-', digits: 5 } },
    ];
    for (const f of fields) {
      const res = await admin.request('POST', '/api/v1/metadata/objects/generator/fields', { body: f });
      expect(res.status, `${f.apiName}: ${res.text}`).toBe(201);
    }
    const cols = Object.fromEntries((await columns('obj_generator')).map((c) => [c.column_name, c.data_type]));
    expect(cols).toMatchObject({ customer_id: 'uuid', technician_id: 'uuid', list_price: 'numeric', certifications: 'ARRAY', installed_on: 'date', last_run_at: 'timestamp with time zone' });
    const account = await buildAccount(admin);
    const rec = await admin.request('POST', '/api/v1/generator', {
      body: {
        name: 'Unit 7', serial_number: 'SN-0007', notes: 'Long\ntext', service_email: 'svc@example.com', site_phone: '+1 (555) 010-2000', manual_url: 'example.com/manual',
        kw: 250, list_price: 48000.99, load_pct: 62.5, installed_on: '2021-06-01', last_run_at: '2026-11-01T08:00:00+01:00', certifications: ['carb', 'nfpa110', 'carb'],
        customer: account.id, technician: admin.id,
      },
    });
    expect(rec.status, rec.text).toBe(201);
    expect(rec.body).toMatchObject({ fuel: 'diesel', under_warranty: false, asset_no: 'GEN-00001', manual_url: 'https://example.com/manual', last_run_at: '2026-11-01T07:00:00.000Z', certifications: ['nfpa110', 'carb'], list_price: 48000.99 });
    const dup = await admin.request('POST', '/api/v1/generator', { body: { name: 'Unit 8', serial_number: 'SN-0007' } });
    expect(dup.status).toBe(409);
    expect(dup.body.errors[0]).toMatchObject({ field: 'serial_number', code: 'unique' });
    const upsert = await admin.request('POST', '/api/v1/generator/bulk', { body: { operation: 'upsert', externalIdField: 'serial_number', records: [{ serial_number: 'SN-0007', name: 'Unit 7b' }, { serial_number: 'SN-0009', name: 'Unit 9' }] } });
    expect(upsert.body.results.map((r: any) => r.created)).toEqual([false, true]);
  });

  it('relabels without touching data, and refuses to change an API name', async () => {
    const before = await admin.request('GET', '/api/v1/generator?fields=kw');
    const res = await admin.request('PATCH', '/api/v1/metadata/objects/generator/fields/kw', { body: { label: 'Power (kW)' } });
    expect(res.status).toBe(200);
    expect(res.body.label).toBe('Power (kW)');
    expect((await admin.request('GET', '/api/v1/generator?fields=kw')).body.data).toEqual(before.body.data);
    const rename = await admin.request('PATCH', '/api/v1/metadata/objects/generator/fields/kw', { body: { apiName: 'kilowatts' } });
    expect(rename.status).toBe(400);
    const obj = await admin.request('PATCH', '/api/v1/metadata/objects/account', { body: { label: 'Customer', pluralLabel: 'Customers' } });
    expect(obj.body.label).toBe('Customer');
    const std = await admin.request('PATCH', '/api/v1/metadata/objects/account/fields/industry', { body: { label: 'Sector', picklist: { values: [{ value: 'energy', label: 'Energy' }, { value: 'mining', label: 'Mining' }] } } });
    expect(std.status).toBe(200);
    expect((await admin.request('POST', '/api/v1/account', { body: { name: 'Mine Co', industry: 'mining' } })).status).toBe(201);
  });

  it('refuses bad definitions with clear errors', async () => {
    const cases: Array<[string, string, unknown, number, string]> = [
      ['POST', '/api/v1/metadata/objects', { apiName: 'Generator', label: 'x' }, 400, 'invalid_name'],
      ['POST', '/api/v1/metadata/objects', { apiName: 'metadata', label: 'x' }, 400, 'reserved'],
      ['POST', '/api/v1/metadata/objects', { apiName: 'generator', label: 'x' }, 409, 'conflict'],
      ['POST', '/api/v1/metadata/objects', { apiName: 'a__b', label: 'x' }, 400, 'invalid_name'],
      ['POST', '/api/v1/metadata/objects', { apiName: 'site; drop table x', label: 'x' }, 400, 'invalid_name'],
      ['POST', '/api/v1/metadata/objects/generator/fields', { apiName: 'kw', label: 'x', type: 'text' }, 409, 'conflict'],
      ['POST', '/api/v1/metadata/objects/generator/fields', { apiName: 'owner', label: 'x', type: 'text' }, 400, 'reserved'],
      ['POST', '/api/v1/metadata/objects/generator/fields', { apiName: 'SerialNo', label: 'x', type: 'text' }, 400, 'invalid_name'],
      ['POST', '/api/v1/metadata/objects/generator/fields', { apiName: 'site', label: 'x', type: 'lookup', lookup: { object: 'nowhere' } }, 400, 'unknown_object'],
      ['POST', '/api/v1/metadata/objects/generator/fields', { apiName: 'grade', label: 'x', type: 'picklist', picklist: { values: [] } }, 400, 'required'],
      ['POST', '/api/v1/metadata/objects/generator/fields', { apiName: 'grade', label: 'x', type: 'formula9' }, 400, 'invalid_choice'],
      ['POST', '/api/v1/metadata/objects/generator/fields', { apiName: 'grade', label: 'x', type: 'text', sneaky: true }, 400, 'unknown_property'],
      ['PATCH', '/api/v1/metadata/objects/generator/fields/kw', { type: 'date' }, 409, 'type_change_loses_data'],
      ['PATCH', '/api/v1/metadata/objects/account/fields/name', { type: 'long_text' }, 422, 'rule_violation'],
    ];
    for (const [method, url, body, status, code] of cases) {
      const res = await admin.request(method, url, { body });
      expect(res.status, `${JSON.stringify(body)} → ${res.text}`).toBe(status);
      expect([res.body.code, ...res.body.errors.map((e: any) => e.code)], JSON.stringify(body)).toContain(code);
    }
  });

  it('converts types only when no value is lost', async () => {
    await admin.request('POST', '/api/v1/metadata/objects/generator/fields', { body: { apiName: 'contact_info', label: 'Contact', type: 'text' } });
    const g = await admin.request('POST', '/api/v1/generator', { body: { name: 'Unit 10', contact_info: 'not an email' } });
    expect(g.status).toBe(201);
    const refused = await admin.request('PATCH', '/api/v1/metadata/objects/generator/fields/contact_info', { body: { type: 'email' } });
    expect(refused.status).toBe(409);
    await admin.request('PATCH', `/api/v1/generator/${g.body.id}`, { body: { contact_info: 'ops@example.com' } });
    const ok = await admin.request('PATCH', '/api/v1/metadata/objects/generator/fields/contact_info', { body: { type: 'email' } });
    expect(ok.status, ok.text).toBe(200);
    expect((await admin.request('GET', `/api/v1/generator/${g.body.id}`)).body.contact_info).toBe('ops@example.com');
  });

  it('deletes a field only with confirm, into the metadata recycle bin, and restores or purges it', async () => {
    const noConfirm = await admin.request('DELETE', '/api/v1/metadata/objects/generator/fields/notes');
    expect(noConfirm.status).toBe(428);
    expect((await admin.request('DELETE', '/api/v1/metadata/objects/generator/fields/notes?confirm=true')).status).toBe(204);
    expect((await admin.request('GET', '/api/v1/generator?fields=notes')).status).toBe(400);
    const bin = await admin.request('GET', '/api/v1/metadata/recycle-bin');
    const entry = bin.body.data.find((e: any) => e.apiName === 'notes');
    expect(entry).toBeTruthy();
    const reuse = await admin.request('POST', '/api/v1/metadata/objects/generator/fields', { body: { apiName: 'notes', label: 'x', type: 'text' } });
    expect(reuse.status).toBe(409);
    expect((await admin.request('POST', `/api/v1/metadata/recycle-bin/${entry.id}/restore`)).status).toBe(200);
    const back = await admin.request('GET', '/api/v1/generator?fields=name,notes&filter=' + encodeURIComponent(JSON.stringify({ field: 'name', op: 'eq', value: 'Unit 7b' })));
    expect(back.body.data[0].notes).toBe('Long\ntext');
    await admin.request('DELETE', '/api/v1/metadata/objects/generator/fields/notes?confirm=true');
    expect((await admin.request('DELETE', `/api/v1/metadata/recycle-bin/${entry.id}`)).status).toBe(204);
    expect((await columns('obj_generator')).map((c) => c.column_name)).not.toContain('notes');
  });

  it('checks validation rules on every write, including through lookups', async () => {
    const rule = await admin.request('POST', '/api/v1/metadata/objects/generator/validation-rules', {
      body: { name: 'diesel_needs_kw', condition: { or: [{ field: 'fuel', op: 'ne', value: 'diesel' }, { not: { field: 'kw', op: 'isNull' } }] }, message: 'Diesel units need their kW rating', field: 'kw' },
    });
    expect(rule.status, rule.text).toBe(201);
    const bad = await admin.request('POST', '/api/v1/generator', { body: { name: 'Unit 11', fuel: 'diesel' } });
    expect(bad.status).toBe(422);
    expect(bad.body.errors[0]).toMatchObject({ field: 'kw', message: 'Diesel units need their kW rating' });
    expect((await admin.request('POST', '/api/v1/generator', { body: { name: 'Unit 11', fuel: 'natural_gas' } })).status).toBe(201);
    const bulk = await admin.request('POST', '/api/v1/generator/bulk', { body: { operation: 'create', records: [{ name: 'Unit 12', fuel: 'diesel' }, { name: 'Unit 13', fuel: 'diesel', kw: 10 }] } });
    expect(bulk.body).toMatchObject({ succeeded: 1, failed: 1 });
    expect(bulk.body.results[0].errors[0].field).toBe('records[0].kw');

    const blacklisted = await buildAccount(admin, { name: 'Blocked Co', blacklisted: true });
    const viaLookup = await admin.request('POST', '/api/v1/metadata/objects/generator/validation-rules', {
      body: { name: 'no_blacklisted_customers', condition: { not: { field: 'customer.blacklisted', op: 'eq', value: true } }, message: 'This customer is blacklisted', field: 'customer' },
    });
    expect(viaLookup.status, viaLookup.text).toBe(201);
    const refused = await admin.request('POST', '/api/v1/generator', { body: { name: 'Unit 14', fuel: 'natural_gas', customer: blacklisted.id } });
    expect(refused.status).toBe(422);
    const badRule = await admin.request('POST', '/api/v1/metadata/objects/generator/validation-rules', { body: { name: 'broken', condition: { field: 'nope', op: 'eq', value: 1 }, message: 'x' } });
    expect(badRule.status).toBe(400);
    expect(badRule.body.errors[0].field).toBe('condition');
  });

  it('keeps metadata changes for admins only', async () => {
    const user = await server.createUser();
    const res = await user.request('POST', '/api/v1/metadata/objects', { body: { apiName: 'site', label: 'Site' } });
    expect(res.status).toBe(403);
    expect((await user.request('POST', '/api/v1/metadata/objects/account/fields', { body: { apiName: 'x1', label: 'x', type: 'text' } })).status).toBe(403);
    expect((await user.request('GET', '/api/v1/metadata/objects')).status).toBe(200);
  });

  it('deletes an object with confirm; its records come back on restore', async () => {
    await admin.request('POST', '/api/v1/metadata/objects', { body: { apiName: 'site_visit', label: 'Site visit', pluralLabel: 'Site visits' } });
    await admin.request('POST', '/api/v1/site_visit', { body: { name: 'Visit 1' } });
    expect((await admin.request('DELETE', '/api/v1/metadata/objects/site_visit')).status).toBe(428);
    expect((await admin.request('DELETE', '/api/v1/metadata/objects/site_visit?confirm=true')).status).toBe(204);
    expect((await admin.request('GET', '/api/v1/site_visit')).status).toBe(404);
    const bin = await admin.request('GET', '/api/v1/metadata/recycle-bin');
    const entry = bin.body.data.find((e: any) => e.kind === 'object' && e.apiName === 'site_visit');
    await admin.request('POST', `/api/v1/metadata/recycle-bin/${entry.id}/restore`);
    expect((await admin.request('GET', '/api/v1/site_visit')).body.data[0].name).toBe('Visit 1');
    expect((await admin.request('DELETE', '/api/v1/metadata/objects/account?confirm=true')).status).toBe(422);
  });
});
