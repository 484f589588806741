import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import { getTestServer, type TestServer, type TestUser } from '../server.ts';
import { buildAccount, buildContact, buildLead, buildRecord, buildTask } from '../factories.ts';

let server: TestServer;
let admin: TestUser;
beforeAll(async () => {
  server = await getTestServer();
  admin = server.admin;
});
afterAll(async () => server?.close());

const convert = (id: string, body: Record<string, unknown> = {}) => admin.request('POST', `/api/v1/lead/${id}/convert`, { body });

async function counts() {
  const one = async (q: ReturnType<typeof sql<{ n: string }>>) => Number((await q.execute(server.platform.db)).rows[0]!.n);
  return {
    accounts: await one(sql<{ n: string }>`SELECT count(*) AS n FROM obj_account`),
    contacts: await one(sql<{ n: string }>`SELECT count(*) AS n FROM obj_contact`),
    opportunities: await one(sql<{ n: string }>`SELECT count(*) AS n FROM obj_opportunity`),
    history: await one(sql<{ n: string }>`SELECT count(*) AS n FROM record_history`),
    outbox: await one(sql<{ n: string }>`SELECT count(*) AS n FROM outbox_event`),
  };
}

describe('lead rules (SAL-5)', () => {
  it('requires a reason to disqualify', async () => {
    const lead = await buildLead(admin);
    const r = await admin.request('PATCH', `/api/v1/lead/${lead.id}`, { body: { status: 'disqualified' } });
    expect(r.status).toBe(422);
    expect(r.body.errors[0]).toMatchObject({ field: 'disqualified_reason', code: 'required' });
    const ok = await admin.request('PATCH', `/api/v1/lead/${lead.id}`, { body: { status: 'disqualified', disqualified_reason: 'no_budget' } });
    expect(ok.status).toBe(200);
    expect((await convert(lead.id)).status).toBe(422);
  });

  it('refuses setting the converted status by hand, and the converted_* fields', async () => {
    const lead = await buildLead(admin);
    const r = await admin.request('PATCH', `/api/v1/lead/${lead.id}`, { body: { status: 'converted' } });
    expect(r.status).toBe(422);
    expect(r.body.errors[0]).toMatchObject({ field: 'status', code: 'use_conversion' });
    const f = await admin.request('PATCH', `/api/v1/lead/${lead.id}`, { body: { converted_at: new Date().toISOString() } });
    expect(f.status).toBe(400);
  });
});

describe('lead conversion (SAL-5)', () => {
  it('creates account, contact and opportunity, maps fields, moves tasks and notes, locks the lead', async () => {
    const lead = await buildLead(admin, {
      first_name: 'Jane', last_name: 'Doe', company: 'Initech Systems', email: 'jane@initech.example', phone: '+1 415 555 0100', title: 'CTO',
      website: 'https://www.initech.example', industry: 'technology', source: 'web', address_city: 'Austin',
    });
    const task = await buildTask(admin, { lead: lead.id });
    const note = await buildRecord(admin, 'note', { title: 'Met at the fair', lead: lead.id });
    const preview = await admin.request('GET', `/api/v1/lead/${lead.id}/convert-preview`);
    expect(preview.status).toBe(200);
    expect(preview.body).toMatchObject({ accounts: [], contacts: [], newAccount: { name: 'Initech Systems', website: 'https://www.initech.example', billing_city: 'Austin' } });

    const r = await convert(lead.id, { opportunity: { name: 'Initech rollout', amount: 25000, close_date: '2027-03-31' } });
    expect(r.status).toBe(200);
    expect(r.body.account).toMatchObject({ name: 'Initech Systems', created: true });
    expect(r.body.contact).toMatchObject({ name: 'Jane Doe', created: true });
    expect(r.body.opportunity).toMatchObject({ name: 'Initech rollout' });
    expect(r.body.moved).toEqual({ task: 1, note: 1 });
    expect(r.body.lead).toMatchObject({ status: 'converted', converted_account: r.body.account.id, converted_contact: r.body.contact.id, converted_opportunity: r.body.opportunity.id });
    expect(r.body.lead.converted_at).toEqual(expect.any(String));

    const account = (await admin.request('GET', `/api/v1/account/${r.body.account.id}`)).body;
    expect(account).toMatchObject({ industry: 'technology', billing_city: 'Austin', phone: '+1 415 555 0100' });
    const contact = (await admin.request('GET', `/api/v1/contact/${r.body.contact.id}`)).body;
    expect(contact).toMatchObject({ first_name: 'Jane', email: 'jane@initech.example', title: 'CTO', account: account.id, lead_source: 'web', mailing_city: 'Austin' });
    const opp = (await admin.request('GET', `/api/v1/opportunity/${r.body.opportunity.id}`)).body;
    expect(opp).toMatchObject({ account: account.id, lead: lead.id, amount: 25000, lead_source: 'web', stage: 'prospecting' });
    const movedTask = (await admin.request('GET', `/api/v1/task/${task.id}`)).body;
    expect(movedTask).toMatchObject({ lead: null, contact: contact.id, account: account.id, opportunity: opp.id });
    const movedNote = (await admin.request('GET', `/api/v1/note/${note.id}`)).body;
    expect(movedNote).toMatchObject({ lead: null, contact: contact.id });

    const edit = await admin.request('PATCH', `/api/v1/lead/${lead.id}`, { body: { title: 'CEO' } });
    expect(edit.status).toBe(422);
    expect(edit.body.errors[0].code).toBe('converted_read_only');
    expect((await convert(lead.id)).status).toBe(409);
  });

  it('reuses an account by website domain or normalised name and a contact by e-mail', async () => {
    const byDomain = await buildAccount(admin, { name: 'Umbrella Corporation', website: 'umbrella.example/about' });
    const existing = await buildContact(admin, { last_name: 'Wesker', email: 'Albert.Wesker@Umbrella.example', account: byDomain.id });
    const lead = await buildLead(admin, { last_name: 'Wesker', company: 'Umbrella Pharma', website: 'http://WWW.umbrella.example', email: 'albert.wesker@umbrella.example' });
    const preview = await admin.request('GET', `/api/v1/lead/${lead.id}/convert-preview`);
    expect(preview.body.accounts[0]).toMatchObject({ id: byDomain.id, rule: 'website_domain', reuse: true });
    expect(preview.body.contacts[0]).toMatchObject({ id: existing.id, rule: 'email', reuse: true });
    const before = await counts();
    const r = await convert(lead.id);
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ account: { id: byDomain.id, created: false }, contact: { id: existing.id, created: false }, opportunity: null });
    const after = await counts();
    expect(after.accounts).toBe(before.accounts);
    expect(after.contacts).toBe(before.contacts);

    const byName = await buildAccount(admin, { name: 'Stark Industries, Inc.' });
    const lead2 = await buildLead(admin, { company: 'STARK INDUSTRIES LLC', last_name: 'Potts' });
    const r2 = await convert(lead2.id, { createOpportunity: true });
    expect(r2.body.account).toMatchObject({ id: byName.id, created: false });
    expect(r2.body.contact.created).toBe(true);
    expect(r2.body.opportunity.name).toBe('STARK INDUSTRIES LLC – new deal');
  });

  it('uses explicit ids and links a contact of another account through a contact role', async () => {
    const target = await buildAccount(admin, { name: 'Cyberdyne Robotics' });
    const elsewhere = await buildAccount(admin, { name: 'Tyrell Replicants' });
    const person = await buildContact(admin, { last_name: 'Connor', account: elsewhere.id });
    const lead = await buildLead(admin, { last_name: 'Connor', company: 'Whatever' });
    const r = await convert(lead.id, { accountId: target.id, contactId: person.id });
    expect(r.status).toBe(200);
    const roles = await admin.request('GET', `/api/v1/account_contact_role?filter=${encodeURIComponent(JSON.stringify({ field: 'contact', op: 'eq', value: person.id }))}`);
    expect(roles.body.data).toEqual([expect.objectContaining({ account: target.id, role: 'other' })]);
    const missing = await convert((await buildLead(admin)).id, { accountId: '01900000-0000-7000-8000-000000000000' });
    expect(missing.status).toBe(400);
    expect(missing.body.errors[0].field).toBe('accountId');
  });

  it('an individual becomes an account of their own', async () => {
    const lead = await buildLead(admin, { first_name: 'Solo', last_name: 'Trader', company: null });
    const r = await convert(lead.id);
    expect(r.body.account).toMatchObject({ name: 'Solo Trader', created: true });
  });

  it('maps custom lead fields to same-named custom fields', async () => {
    for (const object of ['lead', 'contact']) {
      const f = await admin.request('POST', `/api/v1/metadata/objects/${object}/fields`, { body: { apiName: 'shoe_size', label: 'Shoe size', type: 'number' } });
      expect(f.status).toBe(201);
    }
    const lead = await buildLead(admin, { shoe_size: 44 });
    const r = await convert(lead.id);
    const contact = (await admin.request('GET', `/api/v1/contact/${r.body.contact.id}`)).body;
    expect(contact.shoe_size).toBe(44);
  });

  it('leaves nothing behind when a step fails halfway', async () => {
    const lead = await buildLead(admin, { company: 'Halfway House Corp', email: 'half@way.example' });
    await buildTask(admin, { lead: lead.id });
    const before = await counts();
    const r = await convert(lead.id, { opportunity: { name: 'Bad deal', close_date: 'not a date' } });
    expect(r.status).toBe(400);
    expect(r.body.errors[0].field).toBe('opportunity.close_date');
    expect(await counts()).toEqual(before);
    const unchanged = (await admin.request('GET', `/api/v1/lead/${lead.id}`)).body;
    expect(unchanged).toMatchObject({ status: 'new', converted_account: null, version: lead.version });
    const unknown = await convert(lead.id, { opportunity: { nope: 1 } });
    expect(unknown.status).toBe(400);
    expect(await counts()).toEqual(before);
    const blacklisted = await buildAccount(admin, { name: 'Blacklisted Bros', blacklisted: true });
    const refused = await convert(lead.id, { accountId: blacklisted.id, createOpportunity: true });
    expect(refused.status).toBe(422);
    expect((await counts()).contacts).toBe(before.contacts);
  });
});
