import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import { getTestServer, type TestServer, type TestUser } from '../server.ts';
import { buildAccount, buildContact, buildLead } from '../factories.ts';
import { companyNameSql, phoneKeySql, webDomainSql } from '../../src/modules/sales/duplicates/sql.ts';
import { normalizeCompanyName, webDomain } from '../../src/modules/sales/domain/normalize.ts';

let server: TestServer;
let admin: TestUser;
beforeAll(async () => {
  server = await getTestServer();
  admin = server.admin;
});
afterAll(async () => server?.close());

describe('duplicate rules (PLT-6)', () => {
  it('normalises names and domains in SQL exactly as in TypeScript', async () => {
    const names = ['Acme, Inc.', 'ACME', 'Müller & Söhne GmbH & Co. KG', 'Widgets Co Ltd', '  The  Company Store ', 'Inc', 'O\'Reilly Media', 'a.b.c. llc'];
    const urls = ['https://WWW.Acme.com/about?x=1', 'http://shop.acme.co.uk:8080', 'acme.com', 'https://user@www.example.org/', 'https://example.org./'];
    for (const n of names) {
      const r = await sql<{ v: string }>`SELECT ${companyNameSql(sql`${n}::text`)} AS v`.execute(server.platform.db);
      expect(r.rows[0]!.v).toBe(normalizeCompanyName(n));
    }
    for (const u of urls) {
      const r = await sql<{ v: string }>`SELECT ${webDomainSql(sql`${u}::text`)} AS v`.execute(server.platform.db);
      expect(r.rows[0]!.v).toBe(webDomain(u));
    }
  });

  it('contacts: the same e-mail in any case is a duplicate unless confirmed', async () => {
    const first = await buildContact(admin, { email: 'Dup.Tester@Example.com' });
    const r = await admin.request('POST', '/api/v1/contact', { body: { last_name: 'Other', email: 'dup.tester@example.COM' } });
    expect(r.status).toBe(409);
    expect(r.body.code).toBe('duplicate');
    expect(r.body.candidates).toEqual([{ id: first.id, name: first.full_name, rule: 'email', score: 1 }]);
    expect(r.body.errors[0]).toMatchObject({ field: 'email', code: 'duplicate' });
    const ok = await admin.request('POST', '/api/v1/contact?allowDuplicate=true', { body: { last_name: 'Other', email: 'dup.tester@example.COM' } });
    expect(ok.status).toBe(201);
    // Updating another field does not re-run the rule; changing the e-mail does.
    expect((await admin.request('PATCH', `/api/v1/contact/${ok.body.id}`, { body: { title: 'Boss' } })).status).toBe(200);
    const other = await buildContact(admin, { email: 'unique.one@example.com' });
    expect((await admin.request('PATCH', `/api/v1/contact/${other.id}`, { body: { email: 'DUP.tester@example.com' } })).status).toBe(409);
    // Bulk reports the duplicate per record.
    const bulk = await admin.request('POST', '/api/v1/contact/bulk', { body: { operation: 'create', records: [{ last_name: 'B1', email: 'dup.tester@example.com' }, { last_name: 'B2', email: 'fresh.bulk@example.com' }] } });
    expect(bulk.body.results[0]).toMatchObject({ ok: false, status: 409, code: 'duplicate' });
    expect(bulk.body.results[1]).toMatchObject({ ok: true });
  });

  it('contacts and leads: phones match in E.164 (US default), across phone and mobile', async () => {
    const c = await buildContact(admin, { phone: '(212) 555-0188' });
    const r = await admin.request('POST', '/api/v1/contact', { body: { last_name: 'Caller', mobile: '+1 212.555.0188' } });
    expect(r.status).toBe(409);
    expect(r.body.candidates[0]).toMatchObject({ id: c.id, rule: 'phone', score: 0.9 });
    // Same last 7 digits, other area code: not a duplicate.
    expect((await admin.request('POST', '/api/v1/contact', { body: { last_name: 'Caller', phone: '(646) 555-0188' } })).status).toBe(201);
    const l = await buildLead(admin, { phone: '+44 20 7946 0958', email: 'lead.one@example.org' });
    const lr = await admin.request('POST', '/api/v1/lead', { body: { last_name: 'UK', phone: '+442079460958' } });
    expect(lr.status).toBe(409);
    expect(lr.body.candidates[0].id).toBe(l.id);
    expect((await admin.request('POST', '/api/v1/lead', { body: { last_name: 'Mail', email: 'LEAD.ONE@example.org' } })).status).toBe(409);
  });

  it('accounts: website domain, normalised name and similar names', async () => {
    const acme = await buildAccount(admin, { name: 'Acme Rocket Works', website: 'https://www.acme-rockets.example/home' });
    const domain = await admin.request('POST', '/api/v1/account', { body: { name: 'Something Else', website: 'acme-rockets.example' } });
    expect(domain.status).toBe(409);
    expect(domain.body.candidates).toEqual([expect.objectContaining({ id: acme.id, rule: 'website_domain', score: 0.9 })]);
    const named = await admin.request('POST', '/api/v1/account', { body: { name: 'ACME Rocket Works, LLC' } });
    expect(named.status).toBe(409);
    expect(named.body.candidates[0]).toMatchObject({ id: acme.id, rule: 'name', score: 0.95 });
    const similar = await admin.request('POST', '/api/v1/account', { body: { name: 'Acme Rocket Work' } });
    expect(similar.status).toBe(409);
    expect(similar.body.candidates[0]).toMatchObject({ id: acme.id, rule: 'similar_name' });
    expect(similar.body.candidates[0].score).toBeGreaterThanOrEqual(0.6);
    expect(similar.body.candidates[0].score).toBeLessThan(1);
    expect((await admin.request('POST', '/api/v1/account', { body: { name: 'Zenith Bakery' } })).status).toBe(201);
    const deleted = await buildAccount(admin, { name: 'Gone Forever Ltd' });
    await admin.request('DELETE', `/api/v1/account/${deleted.id}`);
    expect((await admin.request('POST', '/api/v1/account', { body: { name: 'Gone Forever Ltd' } })).status).toBe(201);
  });

  it('lists likely duplicate pairs, best first, bounded', async () => {
    const a = await buildAccount(admin, { name: 'Pairwise Analytics', website: 'pairwise.example' });
    const b = (await admin.request('POST', '/api/v1/account?allowDuplicate=true', { body: { name: 'Pairwise Analytics GmbH', website: 'https://pairwise.example' } })).body;
    const r = await admin.request('GET', '/api/v1/account/duplicates');
    expect(r.status).toBe(200);
    const pair = r.body.data.find((p: { records: Array<{ id: string }> }) => p.records.some((x) => x.id === a.id) && p.records.some((x) => x.id === b.id));
    expect(pair).toBeDefined();
    expect(pair.rules).toEqual(expect.arrayContaining(['website_domain', 'name']));
    expect(pair.score).toBe(0.95);
    const scores = r.body.data.map((p: { score: number }) => p.score);
    expect([...scores].sort((x: number, y: number) => y - x)).toEqual(scores);
    expect((await admin.request('GET', '/api/v1/account/duplicates?limit=1')).body.data).toHaveLength(1);
    const contacts = await admin.request('GET', '/api/v1/contact/duplicates');
    expect(contacts.body.data.some((p: { rules: string[] }) => p.rules.includes('email'))).toBe(true);
    expect((await admin.request('GET', '/api/v1/lead/duplicates')).status).toBe(200);
    expect((await admin.request('GET', '/api/v1/account/duplicates?limit=0')).status).toBe(400);
  });

  it('finds duplicates through the expression and trigram indexes', async () => {
    await sql`INSERT INTO obj_account (id, name, website, currency)
      SELECT md5('dup' || i)::uuid, 'Company ' || md5('name' || i), 'https://' || md5('site' || i) || '.example', 'USD' FROM generate_series(1, 5000) AS i`.execute(server.platform.db);
    await sql`VACUUM ANALYZE obj_account`.execute(server.platform.db); // also flushes the GIN pending list
    const plan = async (q: ReturnType<typeof sql>) => (await sql<{ 'QUERY PLAN': string }>`EXPLAIN ${q}`.execute(server.platform.db)).rows.map((r) => r['QUERY PLAN']).join('\n');
    expect(await plan(sql`SELECT id FROM obj_account t WHERE ${companyNameSql(sql.ref('t.name'))} = 'acme' AND t.deleted_at IS NULL`)).toMatch(/ix_sales__obj_account__name_normalized_ranked/);
    expect(await plan(sql`SELECT id FROM obj_account t WHERE ${webDomainSql(sql.ref('t.website'))} = 'acme.com' AND t.deleted_at IS NULL`)).toMatch(/ix_sales__obj_account__website_domain_ranked/);
    // A probe keeps a key's oldest few: read in order from the ranked index, never all of a shared key's rows sorted.
    await sql`INSERT INTO obj_contact (id, last_name, phone, created_at)
      SELECT md5('c' || i)::uuid, 'Switchboard ' || i, '+1 212 555 01' || lpad((i % 50)::text, 2, '0'), now() - i * interval '1 minute' FROM generate_series(1, 5000) AS i`.execute(server.platform.db);
    await sql`VACUUM ANALYZE obj_contact`.execute(server.platform.db);
    const probe = await plan(sql`SELECT id FROM obj_contact t WHERE ${phoneKeySql(sql.ref('t.phone'))} = '5550101' AND t.deleted_at IS NULL ORDER BY t.created_at, t.id LIMIT 8`);
    expect(probe).toMatch(/ix_sales__obj_contact__phone_key_ranked/);
    expect(probe).not.toMatch(/Sort/);
    const trgm = await plan(sql`SELECT id FROM obj_account t WHERE t.name % 'Acme Rocket Works' AND t.deleted_at IS NULL`);
    expect(trgm).toMatch(/ix_sales__obj_account__name_trgm/);
    // And the rule still answers among 5,000 more accounts.
    const quasar = await buildAccount(admin, { name: 'Quasar Optical Instruments' });
    const r = await admin.request('POST', '/api/v1/account', { body: { name: 'Quasar Optical Instrument' } });
    expect(r.status).toBe(409);
    expect(r.body.candidates[0]).toMatchObject({ id: quasar.id, rule: 'similar_name' });
  });
});
