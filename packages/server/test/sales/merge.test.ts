import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import { getTestServer, type TestServer, type TestUser } from '../server.ts';
import { buildAccount, buildContact, buildLead, buildOpportunity, buildRecord, buildTask } from '../factories.ts';

let server: TestServer;
let admin: TestUser;
beforeAll(async () => {
  server = await getTestServer();
  admin = server.admin;
  // A custom object with lookups to contact and account: merges must re-point it too.
  expect((await admin.request('POST', '/api/v1/metadata/objects', { body: { apiName: 'site_visit', label: 'Site visit' } })).status).toBe(201);
  for (const target of ['contact', 'account']) {
    const f = await admin.request('POST', '/api/v1/metadata/objects/site_visit/fields', { body: { apiName: `visited_${target}`, label: `Visited ${target}`, type: 'lookup', lookup: { object: target, onDelete: 'clear' } } });
    expect(f.status).toBe(201);
  }
});
afterAll(async () => server?.close());

const merge = (object: string, body: unknown) => admin.request('POST', `/api/v1/${object}/merge`, { body });
const get = async (object: string, id: string) => (await admin.request('GET', `/api/v1/${object}/${id}`)).body;

describe('merge (PLT-6)', () => {
  it('merges contacts: re-points every lookup, keeps chosen values, dedupes roles, records history', async () => {
    const account = await buildAccount(admin);
    const master = await buildContact(admin, { first_name: 'Ann', last_name: 'Lee', email: 'ann.lee@old.example', account: account.id });
    const dup = (await admin.request('POST', '/api/v1/contact?allowDuplicate=true', { body: { first_name: 'Anne', last_name: 'Lee', email: 'ann@new.example', title: 'Buyer', phone: '+1 303 555 0101' } })).body;
    const task = await buildTask(admin, { contact: dup.id, subject: 'Call Anne' });
    const note = await buildRecord(admin, 'note', { title: 'Anne likes tea', contact: dup.id });
    const visit = await buildRecord(admin, 'site_visit', { name: 'Plant tour', visited_contact: dup.id });
    const keep = await buildRecord(admin, 'account_contact_role', { account: account.id, contact: master.id, role: 'billing' });
    await buildRecord(admin, 'account_contact_role', { account: account.id, contact: dup.id, role: 'billing' });
    const other = await buildRecord(admin, 'account_contact_role', { account: account.id, contact: dup.id, role: 'technical' });

    const r = await merge('contact', { masterId: master.id, duplicateIds: [dup.id], fieldChoices: { email: dup.id } });
    expect(r.status).toBe(200);
    expect(r.body.record).toMatchObject({ id: master.id, first_name: 'Ann', email: 'ann@new.example', title: 'Buyer', phone: '+1 303 555 0101', account: account.id });
    expect(r.body.merged).toEqual([dup.id]);
    expect(r.body.repointed).toEqual(expect.arrayContaining([
      { object: 'task', field: 'contact', count: 1 },
      { object: 'note', field: 'contact', count: 1 },
      { object: 'site_visit', field: 'visited_contact', count: 1 },
      { object: 'account_contact_role', field: 'contact', count: 2 },
    ]));
    expect((await get('task', task.id)).contact).toBe(master.id);
    expect((await get('note', note.id)).contact).toBe(master.id);
    expect((await get('site_visit', visit.id)).visited_contact).toBe(master.id);
    const roles = await admin.request('GET', `/api/v1/account_contact_role?sort=role&filter=${encodeURIComponent(JSON.stringify({ field: 'contact', op: 'eq', value: master.id }))}`);
    expect(roles.body.data.map((x: { id: string; role: string }) => [x.id, x.role])).toEqual([[keep.id, 'billing'], [other.id, 'technical']]);
    expect((await admin.request('GET', `/api/v1/contact/${dup.id}`)).status).toBe(404);
    const bin = await admin.request('GET', '/api/v1/recycle-bin?object=contact');
    expect(bin.body.data.some((e: { recordId: string }) => e.recordId === dup.id)).toBe(true);

    const history = (await admin.request('GET', `/api/v1/contact/${master.id}/history`)).body.data;
    // The merge itself is a history row (and outbox event) of the master with the pseudo-field merged_from.
    const trail = await sql<{ new_value: unknown }>`SELECT new_value FROM record_history WHERE object = 'contact' AND record_id = ${master.id} AND field = 'merged_from'`.execute(server.platform.db);
    expect(trail.rows.map((x) => x.new_value)).toEqual([[dup.id]]);
    const event = await sql<{ type: string }>`SELECT type FROM outbox_event WHERE record_id = ${master.id} AND changes ? 'merged_from'`.execute(server.platform.db);
    expect(event.rows.map((x) => x.type)).toEqual(['contact.updated']);
    expect(history).toContainEqual(expect.objectContaining({ field: 'email', oldValue: 'ann.lee@old.example', newValue: 'ann@new.example' }));
    const taskHistory = (await admin.request('GET', `/api/v1/task/${task.id}/history`)).body.data;
    expect(taskHistory).toContainEqual(expect.objectContaining({ field: 'contact', oldValue: dup.id, newValue: master.id }));
  });

  it('merges accounts with contacts, opportunities, child accounts, team, tasks and converted leads', async () => {
    const master = await buildAccount(admin, { name: 'Hooli Search' });
    const dup = (await admin.request('POST', '/api/v1/account?allowDuplicate=true', { body: { name: 'Hooli Search Inc', website: 'hooli.example', industry: 'technology' } })).body;
    const dup2 = (await admin.request('POST', '/api/v1/account?allowDuplicate=true', { body: { name: 'HOOLI SEARCH' } })).body;
    const contact = await buildContact(admin, { account: dup.id });
    const opp = await buildOpportunity(admin, { account: dup2.id });
    const child = await buildAccount(admin, { parent_account: dup.id });
    const task = await buildTask(admin, { account: dup.id });
    const visit = await buildRecord(admin, 'site_visit', { name: 'Visit', visited_account: dup2.id });
    const rep = await server.createUser();
    await buildRecord(admin, 'account_team_member', { account: dup.id, user: rep.id, role: 'backup_pm' });
    await buildRecord(admin, 'account_team_member', { account: master.id, user: rep.id, role: 'backup_pm' });
    const lead = await buildLead(admin, { company: 'Something Unmatched' });
    const conv = await admin.request('POST', `/api/v1/lead/${lead.id}/convert`, { body: { accountId: dup.id } });
    expect(conv.status).toBe(200);

    const r = await merge('account', { masterId: master.id, duplicateIds: [dup.id, dup2.id], fieldChoices: { name: master.id } });
    expect(r.status).toBe(200);
    expect(r.body.record).toMatchObject({ name: 'Hooli Search', website: 'https://hooli.example', industry: 'technology' });
    expect((await get('contact', contact.id)).account).toBe(master.id);
    expect((await get('opportunity', opp.id)).account).toBe(master.id);
    expect((await get('account', child.id)).parent_account).toBe(master.id);
    expect((await get('task', task.id)).account).toBe(master.id);
    expect((await get('site_visit', visit.id)).visited_account).toBe(master.id);
    expect((await get('lead', lead.id)).converted_account).toBe(master.id);
    const team = await admin.request('GET', `/api/v1/account_team_member?filter=${encodeURIComponent(JSON.stringify({ field: 'account', op: 'eq', value: master.id }))}`);
    expect(team.body.data).toHaveLength(1);
    const rollup = await admin.request('GET', `/api/v1/account/${master.id}/rollup`);
    expect(rollup.body).toMatchObject({ accounts: 2, openOpportunities: 1 });
  });

  it('refuses a merge that would make a loop in the tree, and leaves everything as it was', async () => {
    const top = await buildAccount(admin, { name: 'Loop Top' });
    const middle = await buildAccount(admin, { name: 'Loop Middle', parent_account: top.id });
    const bottom = await buildAccount(admin, { name: 'Loop Bottom', parent_account: middle.id });
    const task = await buildTask(admin, { account: top.id });
    const r = await merge('account', { masterId: bottom.id, duplicateIds: [top.id], fieldChoices: {} });
    expect(r.status).toBe(422);
    expect(r.body.errors[0]).toMatchObject({ code: 'cycle' });
    expect((await get('task', task.id)).account).toBe(top.id);
    expect((await get('account', middle.id)).parent_account).toBe(top.id);
    expect((await admin.request('GET', `/api/v1/account/${top.id}`)).status).toBe(200);
    // Merging the other way round is fine: the master takes the duplicate's place.
    const ok = await merge('account', { masterId: top.id, duplicateIds: [middle.id], fieldChoices: {} });
    expect(ok.status).toBe(200);
    expect((await get('account', bottom.id)).parent_account).toBe(top.id);
    expect(ok.body.record.parent_account).toBeNull();
  });

  it('merges leads but not converted ones, and validates the request', async () => {
    const a = await buildLead(admin, { email: 'x@lead-merge.example' });
    const b = (await admin.request('POST', '/api/v1/lead?allowDuplicate=true', { body: { last_name: 'Other', email: 'X@lead-merge.example', company: 'Merged Co' } })).body;
    const ok = await merge('lead', { masterId: a.id, duplicateIds: [b.id], fieldChoices: { last_name: b.id } });
    expect(ok.status).toBe(200);
    expect(ok.body.record).toMatchObject({ last_name: 'Other' });
    const c = await buildLead(admin);
    const d = await buildLead(admin);
    await admin.request('POST', `/api/v1/lead/${d.id}/convert`, { body: {} });
    expect((await merge('lead', { masterId: c.id, duplicateIds: [d.id], fieldChoices: {} })).status).toBe(422);
    expect((await merge('lead', { masterId: c.id, duplicateIds: [c.id] })).status).toBe(400);
    expect((await merge('lead', { masterId: c.id, duplicateIds: [a.id], fieldChoices: { nope: a.id } })).status).toBe(400);
    expect((await merge('lead', { masterId: c.id, duplicateIds: [a.id], fieldChoices: { full_name: a.id } })).status).toBe(400);
    expect((await merge('lead', { masterId: c.id, duplicateIds: [a.id], fieldChoices: { company: d.id } })).status).toBe(400);
    expect((await merge('user', { masterId: c.id, duplicateIds: [a.id] })).status).toBe(422);
  });
});

describe('account roles (SAL-2, SAL-4)', () => {
  it('keeps backup PMs unique per account and apart from the main PM', async () => {
    const pm = await server.createUser();
    const backup = await server.createUser();
    const account = await buildAccount(admin, { name: 'Roles Test Account', main_pm: pm.id });
    const r = await admin.request('POST', '/api/v1/account_team_member', { body: { account: account.id, user: backup.id, role: 'backup_pm' } });
    expect(r.status).toBe(201);
    expect(r.body.name).toMatch(/Backup PM at Roles Test Account$/);
    const again = await admin.request('POST', '/api/v1/account_team_member', { body: { account: account.id, user: backup.id, role: 'backup_pm' } });
    expect(again.status).toBe(409);
    expect(again.body.candidates[0].id).toBe(r.body.id);
    const main = await admin.request('POST', '/api/v1/account_team_member', { body: { account: account.id, user: pm.id, role: 'backup_pm' } });
    expect(main.status).toBe(422);
    expect((await admin.request('POST', '/api/v1/account_team_member', { body: { account: account.id, user: pm.id, role: 'sales_rep' } })).status).toBe(201);
  });

  it('links a contact to several accounts with roles', async () => {
    const a = await buildAccount(admin);
    const b = await buildAccount(admin);
    const c = await buildContact(admin, { first_name: 'Multi', last_name: 'Account', account: a.id, is_primary: true });
    const r = await admin.request('POST', '/api/v1/account_contact_role', { body: { account: b.id, contact: c.id, role: 'decision_maker' } });
    expect(r.status).toBe(201);
    expect(r.body.name).toBe(`Multi Account – Decision maker at ${b.name}`);
  });
});
