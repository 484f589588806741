import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import { getTestServer, type TestServer, type TestUser } from './server.ts';
import { buildAccount, buildContact, buildOpportunity } from './factories.ts';

let server: TestServer;
let admin: TestUser;
beforeAll(async () => {
  server = await getTestServer();
  admin = server.admin;
  const a = await buildAccount(admin, { name: 'Northwind Power Systems', website: 'northwind-power.com' });
  await buildContact(admin, { first_name: 'Greta', last_name: 'Northcott', email: 'greta@northwind-power.com', account: a.id });
  await buildOpportunity(admin, { name: 'Northwind standby generator', account: a.id });
  await buildAccount(admin, { name: 'Summit Roofing Group' });
});
afterAll(async () => server?.close());

const search = (user: TestUser, q: string, extra = '') => user.request('GET', `/api/v1/search?q=${encodeURIComponent(q)}${extra}`);

describe('global search', () => {
  it('finds records across objects, grouped by object', async () => {
    const res = await search(admin, 'northwind');
    expect(res.status).toBe(200);
    const byObject = Object.fromEntries(res.body.groups.map((g: any) => [g.object, g.records.map((r: any) => r.name)]));
    expect(byObject.account).toEqual(['Northwind Power Systems']);
    expect(byObject.opportunity).toEqual(['Northwind standby generator']);
    expect(byObject.contact).toEqual(['Greta Northcott']); // matched through the e-mail
  });

  it('tolerates typos', async () => {
    const res = await search(admin, 'nortwind', '&objects=account');
    expect(res.body.groups[0].records[0].name).toBe('Northwind Power Systems');
    const roofing = await search(admin, 'sumit rofing');
    expect(roofing.body.groups.flatMap((g: any) => g.records.map((r: any) => r.name))).toContain('Summit Roofing Group');
    // A part of a word is no whole-word match: the trigram search behind it answers.
    const part = await search(admin, 'northw', '&objects=account');
    expect(part.body.groups[0].records[0].name).toBe('Northwind Power Systems');
  });

  it('uses the indexes on the searchable fields', async () => {
    const idx = await sql<{ indexname: string }>`SELECT indexname FROM pg_indexes WHERE tablename = 'obj_account' AND (indexname LIKE '%fts%' OR indexname LIKE '%trgm%')`.execute(server.platform.db);
    expect(idx.rows.length).toBeGreaterThanOrEqual(2);
  });

  it('includes new custom objects and fields, and respects access', async () => {
    await admin.request('POST', '/api/v1/metadata/objects', { body: { apiName: 'generator', label: 'Generator', pluralLabel: 'Generators' } });
    await admin.request('POST', '/api/v1/metadata/objects/generator/fields', { body: { apiName: 'serial_number', label: 'Serial', type: 'text', searchable: true } });
    await admin.request('POST', '/api/v1/generator', { body: { name: 'Unit 7', serial_number: 'CAT-XQ-90210' } });
    const res = await search(admin, 'xq-90210');
    expect(res.body.groups.find((g: any) => g.object === 'generator')?.records[0]).toMatchObject({ name: 'Unit 7' });

    await admin.request('PUT', '/api/v1/sharing-settings/opportunity', { body: { sharing: 'private' } });
    const rep = await server.createUser();
    const seen = await search(rep, 'northwind');
    expect(seen.body.groups.map((g: any) => g.object)).not.toContain('opportunity');
    expect(seen.body.groups.map((g: any) => g.object)).toContain('account');
  });

  it('searches the objects people navigate to, and a configuration object only when named', async () => {
    // pipeline_stage is configuration (inNavigation: false): reached from its pipeline or a picker.
    const global = await search(admin, 'negotiation');
    expect(global.body.groups.map((g: any) => g.object)).not.toContain('pipeline_stage');
    const named = await search(admin, 'negotiation', '&objects=pipeline_stage');
    expect(named.body.groups[0]).toMatchObject({ object: 'pipeline_stage' });
    expect(named.body.groups[0].records.map((r: any) => r.name)).toContain('Negotiation');
  });

  it('refuses an empty query and treats wildcards literally', async () => {
    expect((await search(admin, '  ')).status).toBe(400);
    const res = await search(admin, '%_%');
    expect(res.status).toBe(200);
    expect(res.body.groups).toEqual([]);
  });
});
