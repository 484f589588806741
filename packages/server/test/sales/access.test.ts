import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getTestServer, type TestServer, type TestUser } from '../server.ts';
import { buildAccount, buildLead, buildOpportunity, buildTask } from '../factories.ts';

/**
 * Sales rules for a restricted user: accounts, contacts and tasks private; the profile may not
 * create tasks or stage history itself. The rules' own writes (stage history, the lost-review
 * task, moving a lead's tasks) still happen; suggestions never reveal records the rep cannot see.
 */
let server: TestServer;
let admin: TestUser;
let rep: TestUser;

beforeAll(async () => {
  server = await getTestServer();
  admin = server.admin;
  const none = { read: true, create: false, edit: false, delete: false };
  expect((await admin.request('POST', '/api/v1/profiles', {
    body: { name: 'restricted_rep', label: 'Restricted rep', permissions: { default: { read: true, create: true, edit: true, delete: true }, objects: { task: none, opportunity_stage_history: none, account_contact_role: none } } },
  })).status).toBe(201);
  for (const object of ['account', 'contact', 'task', 'opportunity']) {
    expect((await admin.request('PUT', `/api/v1/sharing-settings/${object}`, { body: { sharing: 'private' } })).status).toBe(200);
  }
  rep = await server.createUser();
  expect((await admin.request('PATCH', `/api/v1/user/${rep.id}`, { body: { profile: 'restricted_rep' } })).status).toBe(200);
});
afterAll(async () => server?.close());

describe('sales rules for a restricted user', () => {
  it('writes stage history and the lost-review task on the rep\'s behalf', async () => {
    expect((await rep.request('POST', '/api/v1/task', { body: { subject: 'Not allowed' } })).status).toBe(403);
    const opp = await buildOpportunity(rep, { amount: 100 });
    const lost = await rep.request('PATCH', `/api/v1/opportunity/${opp.id}`, { body: { stage: 'closed_lost', lost_reason: 'competitor' } });
    expect(lost.status).toBe(200);
    const history = await admin.request('GET', `/api/v1/opportunity_stage_history?filter=${encodeURIComponent(JSON.stringify({ field: 'opportunity', op: 'eq', value: opp.id }))}`);
    expect(history.body.data).toHaveLength(2);
    expect(history.body.data[1]).toMatchObject({ changed_by: rep.id, created_by: rep.id });
    const tasks = await admin.request('GET', `/api/v1/task?filter=${encodeURIComponent(JSON.stringify({ field: 'opportunity', op: 'eq', value: opp.id }))}`);
    expect(tasks.body.data).toEqual([expect.objectContaining({ owner: rep.id })]);
  });

  it('converts a lead, moving tasks the rep cannot see, without reusing accounts the rep cannot see', async () => {
    const hidden = await buildAccount(admin, { name: 'Secret Holdings Group' });
    const lead = await buildLead(rep, { company: 'Secret Holdings Group', last_name: 'Mole' });
    const task = await buildTask(admin, { lead: lead.id, subject: 'Admin follow-up' });
    expect((await rep.request('GET', `/api/v1/task/${task.id}`)).status).toBe(404);
    const preview = await rep.request('GET', `/api/v1/lead/${lead.id}/convert-preview`);
    expect(preview.body.accounts).toEqual([]);
    const blocked = await rep.request('POST', `/api/v1/lead/${lead.id}/convert`, { body: {} });
    expect(blocked.status).toBe(409);
    // An invisible match is only counted: no id, name, rule or score (issue 18, item 6).
    expect(blocked.body).toMatchObject({ candidates: [], hiddenMatches: 1 });
    expect(blocked.text).not.toContain(hidden.id);
    const r = await rep.request('POST', `/api/v1/lead/${lead.id}/convert`, { body: { allowDuplicate: true } });
    expect(r.status).toBe(200);
    expect(r.body.account.created).toBe(true);
    expect((await admin.request('GET', `/api/v1/task/${task.id}`)).body).toMatchObject({ lead: null, contact: r.body.contact.id });
  });

  it('shows the rep only their accounts in a tree and counts only those in roll-ups; invisible ones leave no trace', async () => {
    const root = await buildAccount(rep, { name: 'Rep Root Account' });
    const hidden = await buildAccount(admin, { name: 'Admin Branch Office', parent_account: root.id });
    const tree = await rep.request('GET', `/api/v1/account/${root.id}/tree`);
    expect(tree.body.nodes.map((n: { name: string }) => n.name)).toEqual(['Rep Root Account']);
    expect(tree.body.nodes[0].has_children).toBe(false);
    const grandchild = await buildAccount(admin, { name: 'Rep Grandchild', parent_account: hidden.id, owner: rep.id });
    const deeper = await rep.request('GET', `/api/v1/account/${root.id}/tree`);
    expect(deeper.body.nodes.find((n: { id: string }) => n.id === grandchild.id)).toMatchObject({ parent_account: root.id, path: [root.id, grandchild.id] });
    expect(JSON.stringify(deeper.body)).not.toContain(hidden.id);
    const rollup = await rep.request('GET', `/api/v1/account/${root.id}/rollup`);
    expect(rollup.body.accounts).toBe(2);
    expect((await admin.request('GET', `/api/v1/account/${root.id}/rollup`)).body.accounts).toBe(3);
    const adminRoot = await buildAccount(admin, { name: 'Admin Only Root' });
    expect((await rep.request('GET', `/api/v1/account/${adminRoot.id}/tree`)).status).toBe(404);
    expect((await rep.request('GET', `/api/v1/account/${adminRoot.id}/rollup`)).status).toBe(404);
  });
});
