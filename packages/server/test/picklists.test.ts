import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getTestServer, type TestServer, type TestUser } from './server.ts';
import { buildAccount, buildRecord } from './factories.ts';

/** Global picklists (issue 10 item 10; seed 000 "standardise picklist values across platforms"). */
let server: TestServer;
let admin: TestUser;
beforeAll(async () => {
  server = await getTestServer();
  admin = server.admin;
});
afterAll(async () => server?.close());

const ok = <R extends { status: number; text: string }>(r: R, status = 200): R => {
  expect(r.status, r.text).toBe(status);
  return r;
};
const field = async (object: string, name: string) => (await admin.request('GET', `/api/v1/metadata/objects/${object}`)).body.fields.find((f: any) => f.apiName === name);

describe('global picklists', () => {
  it('one value set shared by fields on two objects; relabelling and adding values changes both', async () => {
    ok(await admin.request('POST', '/api/v1/metadata/picklists', { body: { name: 'fuel_type', label: 'Fuel type', values: [{ value: 'diesel', label: 'Diesel' }, { value: 'gas', label: 'Natural gas' }] } }), 201);
    ok(await admin.request('POST', '/api/v1/metadata/objects/account/fields', { body: { apiName: 'fuel', label: 'Fuel', type: 'picklist', picklist: { global: 'fuel_type' } } }), 201);
    ok(await admin.request('POST', '/api/v1/metadata/objects/lead/fields', { body: { apiName: 'fuels', label: 'Fuels', type: 'multi_picklist', picklist: { global: 'fuel_type' } } }), 201);
    expect((await field('account', 'fuel')).picklist).toMatchObject({ global: 'fuel_type', values: [{ value: 'diesel' }, { value: 'gas' }] });

    ok(await admin.request('PATCH', '/api/v1/metadata/picklists/fuel_type', { body: { values: [{ value: 'diesel', label: 'Diesel fuel' }, { value: 'gas', label: 'Natural gas' }, { value: 'propane', label: 'Propane' }] } }));
    expect((await field('account', 'fuel')).picklist.values.map((v: any) => v.label)).toEqual(['Diesel fuel', 'Natural gas', 'Propane']);
    expect((await field('lead', 'fuels')).picklist.values.map((v: any) => v.value)).toEqual(['diesel', 'gas', 'propane']);
    // Validation follows the set: a new value is accepted at once, an unknown one refused.
    ok(await admin.request('POST', '/api/v1/account', { body: { name: 'Propane Co', fuel: 'propane' } }), 201);
    expect((await admin.request('POST', '/api/v1/account', { body: { name: 'Coal Co', fuel: 'coal' } })).status).toBe(400);
    const list = ok(await admin.request('GET', '/api/v1/metadata/picklists'));
    expect(list.body.data.find((p: any) => p.name === 'fuel_type').usedBy.sort()).toEqual(['account.fuel', 'lead.fuels']);
  });

  it('renames a value everywhere in one step, data included; a value in use can be deactivated but not removed', async () => {
    const acc = await buildAccount(admin, { name: 'Diesel Works', fuel: 'diesel' });
    const lead = await buildRecord(admin, 'lead', { last_name: 'Okafor', company: 'Okafor Power', fuels: ['diesel', 'gas'] });
    const removed = await admin.request('PATCH', '/api/v1/metadata/picklists/fuel_type', { body: { values: [{ value: 'gas', label: 'Natural gas' }, { value: 'propane', label: 'Propane' }] } });
    expect(removed.status).toBe(409);
    expect(removed.body.errors[0]).toMatchObject({ field: 'values', code: 'value_in_use' });

    const renamed = ok(await admin.request('POST', '/api/v1/metadata/picklists/fuel_type/values/diesel/rename', { body: { to: 'diesel_fuel' } }));
    expect(renamed.body.renamed).toMatchObject({ 'account.fuel': 1, 'lead.fuels': 1 });
    expect(renamed.body.values[0]).toMatchObject({ value: 'diesel_fuel', label: 'Diesel fuel' });
    expect((await admin.request('GET', `/api/v1/account/${acc.id}`)).body.fuel).toBe('diesel_fuel');
    expect((await admin.request('GET', `/api/v1/lead/${lead.id}`)).body.fuels).toEqual(['diesel_fuel', 'gas']);
    const audit = await admin.request('GET', '/api/v1/audit-log?action=metadata.picklist.value_renamed');
    expect(audit.body.data[0]).toMatchObject({ details: { from: 'diesel', to: 'diesel_fuel', renamed: { 'account.fuel': 1, 'lead.fuels': 1 } } });

    const clash = await admin.request('POST', '/api/v1/metadata/picklists/fuel_type/values/gas/rename', { body: { to: 'propane' } });
    expect(clash.status).toBe(400);
    expect(clash.body.errors[0]).toMatchObject({ field: 'to', code: 'duplicate' });
    expect((await admin.request('POST', '/api/v1/metadata/picklists/fuel_type/values/coal/rename', { body: { to: 'anthracite' } })).body.errors[0]).toMatchObject({ field: 'value', code: 'not_found' });
  });

  it('refuses bad definitions naming the field, deleting a set in use, and changes by non-admins', async () => {
    const bad = await admin.request('POST', '/api/v1/metadata/picklists', { body: { name: 'Bad Name', label: '', values: [] } });
    expect(bad.status).toBe(400);
    expect(bad.body.errors.map((e: any) => e.field).sort()).toEqual(['label', 'name', 'values']);
    const unknown = await admin.request('POST', '/api/v1/metadata/objects/contact/fields', { body: { apiName: 'fuel', label: 'Fuel', type: 'picklist', picklist: { global: 'nope' } } });
    expect(unknown.status).toBe(400);
    expect(unknown.body.errors[0]).toMatchObject({ field: 'picklist.global', code: 'unknown_picklist' });
    expect((await admin.request('DELETE', '/api/v1/metadata/picklists/fuel_type')).status).toBe(409);
    const rep = await server.createUser();
    expect((await rep.request('GET', '/api/v1/metadata/picklists')).status).toBe(200);
    expect((await rep.request('PATCH', '/api/v1/metadata/picklists/fuel_type', { body: { label: 'Mine' } })).status).toBe(403);
    expect((await rep.request('POST', '/api/v1/metadata/picklists/fuel_type/values/gas/rename', { body: { to: 'lng' } })).status).toBe(403);
    // A field can leave the set for values of its own; then the set can go.
    ok(await admin.request('PATCH', '/api/v1/metadata/objects/account/fields/fuel', { body: { picklist: { values: [{ value: 'diesel_fuel', label: 'Diesel' }, { value: 'gas', label: 'Gas' }, { value: 'propane', label: 'Propane' }] } } }));
    ok(await admin.request('PATCH', '/api/v1/metadata/objects/lead/fields/fuels', { body: { picklist: { values: [{ value: 'diesel_fuel', label: 'Diesel' }, { value: 'gas', label: 'Gas' }, { value: 'propane', label: 'Propane' }] } } }));
    expect((await field('account', 'fuel')).picklist.global).toBeUndefined();
    expect((await admin.request('DELETE', '/api/v1/metadata/picklists/fuel_type')).status).toBe(204);
  });

  it('an empty or blank label defaults to the value (no blank options), for fields and global picklists', async () => {
    const f = await admin.request('POST', '/api/v1/metadata/objects/account/fields', { body: { apiName: 'fuel_kind', label: 'Fuel kind', type: 'picklist', picklist: { values: [{ value: 'diesel', label: '' }, { value: 'gas', label: '   ' }, { value: 'lpg' }] } } });
    expect(f.status, f.text).toBe(201);
    expect(f.body.picklist.values.map((v: { label: string }) => v.label)).toEqual(['diesel', 'gas', 'lpg']);
    const g = await admin.request('POST', '/api/v1/metadata/picklists', { body: { name: 'sizes', label: 'Sizes', values: [{ value: 'xl', label: '' }] } });
    expect(g.body.values[0].label).toBe('xl');
  });
});
