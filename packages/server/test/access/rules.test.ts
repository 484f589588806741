import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getTestServer, type TestResponse, type TestServer, type TestUser } from '../server.ts';
import { buildAccount, buildContact, buildLead, buildOpportunity, buildRecord } from '../factories.ts';
import { createRepProfile, createSiblingRoles, ok } from './fixture.ts';

/**
 * Issue 18 items 4–9: rules, errors, duplicates, delete blockers, upserts, the recycle bin, the
 * account tree and lead conversion tell a restricted rep nothing about records they cannot see.
 * Each refusal is compared with the answer for an id that does not exist, and the records are
 * checked unchanged afterwards.
 *
 * Fixture: account, contact, opportunity and the account junctions private; a "rep" profile with
 * hidden annual revenue and an unreadable custom object; reps A and B in sibling roles; B owns a
 * blacklisted account and one that does not allow negative profit.
 */
let server: TestServer;
let admin: TestUser;
let repA: TestUser;
let repB: TestUser;
let blacklisted: { id: string };
let noNegative: { id: string };

const RANDOM = '01a2aaaa-0000-7000-8000-000000000000';

beforeAll(async () => {
  server = await getTestServer();
  admin = server.admin;
  repA = await server.createUser();
  repB = await server.createUser();
  await createSiblingRoles(admin);
  await createRepProfile(admin, { account: { annual_revenue: 'hidden' }, lead: { annual_revenue: 'hidden' } });
  ok(await admin.request('POST', '/api/v1/metadata/objects/audit_case/fields', { body: { apiName: 'account', label: 'Account', type: 'lookup', lookup: { object: 'account' } } }));
  ok(await admin.request('POST', '/api/v1/metadata/objects/opportunity/fields', { body: { apiName: 'audit', label: 'Audit', type: 'lookup', lookup: { object: 'audit_case' } } }));
  ok(await admin.request('PATCH', `/api/v1/user/${repA.id}`, { body: { profile: 'rep', role: 'sales_east' } }));
  ok(await admin.request('PATCH', `/api/v1/user/${repB.id}`, { body: { profile: 'rep', role: 'sales_west' } }));
  for (const o of ['account', 'contact', 'opportunity', 'account_contact_role', 'account_team_member']) {
    ok(await admin.request('PUT', `/api/v1/sharing-settings/${o}`, { body: { sharing: 'private' } }));
  }
  blacklisted = await buildAccount(repB, { name: 'Bravo Blacklisted Ltd', blacklisted: true });
  noNegative = await buildAccount(repB, { name: 'Bravo Industries', allow_negative_profit: false });
}, 60_000);
afterAll(async () => server?.close());

/** The answer with the given ids replaced by a placeholder, so two answers can be compared. */
const normal = (r: TestResponse, ...ids: string[]) => `${r.status} ${ids.reduce((t, id) => t.split(id).join('<id>'), r.text)}`;

/** The answer for an invisible record is the answer for a record that does not exist. */
async function expectLikeMissing(send: (id: string) => Promise<TestResponse>, secretId: string): Promise<TestResponse> {
  const real = await send(secretId);
  const fake = await send(RANDOM);
  expect(normal(real, secretId)).toBe(normal(fake, RANDOM));
  return real;
}

const count = async (object: string, field: string, value: unknown) =>
  (await admin.request('GET', `/api/v1/${object}?limit=200&filter=${encodeURIComponent(JSON.stringify({ field, op: 'eq', value }))}`)).body.data.length;

describe('a lookup to what the caller cannot see answers like a missing record, before any rule reads it (items 4 and 5)', () => {
  it("an opportunity on B's blacklisted account, or with negative profit on B's account, is refused as an invalid reference", async () => {
    for (const [account, extra] of [[blacklisted, {}], [noNegative, { gross_profit: -50 }]] as const) {
      const r = await expectLikeMissing((id) => repA.request('POST', '/api/v1/opportunity', { body: { name: 'Probe deal', close_date: '2031-01-01', amount: 100, account: id, ...extra } }), account.id);
      expect(r.status).toBe(400);
      expect(r.body.errors).toEqual([expect.objectContaining({ field: 'account', code: 'invalid_reference' })]);
      expect(r.text).not.toMatch(/Bravo|blacklist|negative/i);
    }
    // Moving A's own deal onto B's account is refused the same way.
    const own = await buildOpportunity(repA, { name: 'Alpha own deal', amount: 100 });
    await expectLikeMissing((id) => repA.request('PATCH', `/api/v1/opportunity/${own.id}`, { body: { account: id } }), blacklisted.id);
    expect(await count('opportunity', 'name', 'Probe deal')).toBe(0);
    expect((await admin.request('GET', `/api/v1/opportunity/${own.id}`)).body).toMatchObject({ account: null, version: own.version });
    // B, who sees the account, gets the rule's own answer.
    const b = await repB.request('POST', '/api/v1/opportunity', { body: { name: 'B deal', close_date: '2031-01-01', account: blacklisted.id } });
    expect(b.status).toBe(422);
    expect(b.body.errors[0]).toMatchObject({ field: 'account', code: 'blacklisted' });
  });

  it('a lookup to a record of an object the profile cannot read is refused as if it did not exist', async () => {
    const audit = await buildRecord(admin, 'audit_case', { name: 'Confidential audit' });
    const r = await expectLikeMissing((id) => repA.request('POST', '/api/v1/opportunity', { body: { name: 'Audit probe', close_date: '2031-01-01', audit: id } }), audit.id);
    expect(r.body.errors).toEqual([expect.objectContaining({ field: 'audit', code: 'invalid_reference' })]);
    expect(await count('opportunity', 'name', 'Audit probe')).toBe(0);
  });

  it("a rule meeting an invisible account on the caller's own deal neither names it nor lets its settings show", async () => {
    const allows = await buildAccount(repB, { name: 'Bravo Lenient Corp', allow_negative_profit: true });
    for (const account of [noNegative, allows]) {
      const deal = await buildOpportunity(admin, { name: `Alpha deal on ${account.id}`, owner: repA.id, account: account.id, amount: 100 });
      const r = await repA.request('PATCH', `/api/v1/opportunity/${deal.id}`, { body: { gross_profit: -5 } });
      expect(r.status).toBe(422);
      expect(r.body.errors[0]).toMatchObject({ field: 'gross_profit', code: 'negative_profit', message: 'Gross profit cannot be negative unless the account allows negative profit' });
      expect(r.text).not.toContain('Bravo');
      expect((await admin.request('GET', `/api/v1/opportunity/${deal.id}`)).body.gross_profit).toBeNull();
    }
  });
});

describe('uniqueness and duplicates name nothing the caller cannot see (item 6)', () => {
  it("a second contact role or team row that only B's invisible row already records is refused without naming or identifying it", async () => {
    const account = await buildAccount(repA, { name: 'Alpha Works' });
    const contact = await buildContact(repA, { first_name: 'Alan', last_name: 'Alpha' });
    const teammate = await server.createUser();
    const hiddenRole = await buildRecord(admin, 'account_contact_role', { account: account.id, contact: contact.id, role: 'billing', owner: repB.id });
    const hiddenTeam = await buildRecord(admin, 'account_team_member', { account: account.id, user: teammate.id, role: 'support', owner: repB.id });
    for (const [object, body, hidden] of [
      ['account_contact_role', { account: account.id, contact: contact.id, role: 'billing' }, hiddenRole],
      ['account_team_member', { account: account.id, user: teammate.id, role: 'support' }, hiddenTeam],
    ] as const) {
      expect((await repA.request('GET', `/api/v1/${object}/${hidden.id}`)).status).toBe(404);
      const r = await repA.request('POST', `/api/v1/${object}`, { body });
      expect(r.status).toBe(409);
      expect(r.body).toMatchObject({ code: 'duplicate', candidates: [], hiddenMatches: 1 });
      expect(r.text).not.toContain(hidden.id);
      expect(await count(object, 'account', account.id)).toBe(1);
    }
    // A row A can see is named as the candidate it is.
    const visible = await repA.request('POST', '/api/v1/account_contact_role', { body: { account: account.id, contact: contact.id, role: 'technical' } });
    expect(visible.status, visible.text).toBe(201);
    const again = await repA.request('POST', '/api/v1/account_contact_role', { body: { account: account.id, contact: contact.id, role: 'technical' } });
    expect(again.body).toMatchObject({ code: 'duplicate', hiddenMatches: 0, candidates: [expect.objectContaining({ id: visible.body.id })] });
  });

  it('the duplicate check on create counts an invisible match without id, name, rule or score, so a score cannot be climbed', async () => {
    const answers: string[] = [];
    for (const name of ['Bravo Industr', 'Bravo Industrie', 'Bravo Industries']) {
      const r = await repA.request('POST', '/api/v1/account', { body: { name } });
      expect(r.status).toBe(409);
      expect(r.body).toMatchObject({ code: 'duplicate', candidates: [], hiddenMatches: 1 });
      expect(r.text).not.toMatch(/score|"rule"|Bravo Industries|0\.\d/);
      expect(r.text).not.toContain(noNegative.id);
      answers.push(r.text);
    }
    // Near and exact matches answer alike.
    expect(new Set(answers).size).toBe(1);
    expect(await count('account', 'name', 'Bravo Industr')).toBe(0);
  });

  it('the duplicate check on lead conversion counts an invisible match and converts nothing', async () => {
    const lead = await buildLead(repA, { company: 'Bravo Industries', last_name: 'Prospect' });
    const r = await repA.request('POST', `/api/v1/lead/${lead.id}/convert`, { body: {} });
    expect(r.status).toBe(409);
    expect(r.body).toMatchObject({ candidates: [], hiddenMatches: 1 });
    expect(r.text).not.toMatch(/score|"rule"/);
    expect(r.text).not.toContain(noNegative.id);
    expect((await admin.request('GET', `/api/v1/lead/${lead.id}`)).body).toMatchObject({ status: lead.status, converted_account: null });
  });

  it("a unique value taken by an invisible record is refused naming only the field", async () => {
    const secret = await buildAccount(repB, { name: 'Bravo Numbered', account_number: 'B-7001' });
    const r = await repA.request('POST', '/api/v1/account?allowDuplicate=true', { body: { name: 'Alpha Numbered', account_number: 'B-7001' } });
    expect(r.status).toBe(409);
    expect(r.body).toMatchObject({ code: 'unique_violation', errors: [{ field: 'account_number', code: 'unique', message: 'Must be unique' }] });
    expect(r.text).not.toContain(secret.id);
    expect(r.text).not.toContain('Bravo');
    expect(await count('account', 'name', 'Alpha Numbered')).toBe(0);
  });
});

describe('refused deletes, upserts and the recycle bin reveal no invisible record (items 7, 8, 9)', () => {
  it('a refused delete names only the blockers the caller can see and counts the others, even of an unreadable object', async () => {
    const parent = await buildAccount(repA, { name: 'Alpha Parent' });
    const mine = await buildAccount(repA, { name: 'Alpha Child', parent_account: parent.id });
    const secret = await buildAccount(admin, { name: 'Bravo Secret Child', parent_account: parent.id, owner: repB.id });
    const audit = await buildRecord(admin, 'audit_case', { name: 'Bravo Audit Blocker', account: parent.id });
    const r = await repA.request('DELETE', `/api/v1/account/${parent.id}`);
    expect(r.status).toBe(409);
    expect(r.body.code).toBe('referenced');
    expect(r.text).not.toMatch(/Bravo|audit/i);
    for (const id of [secret.id, audit.id]) expect(r.text).not.toContain(id);
    expect(r.body.blockers).toEqual(expect.arrayContaining([
      { object: 'account', field: 'parent_account', count: 2, hiddenCount: 1, examples: [{ id: mine.id, name: 'Alpha Child' }] },
      { object: 'other', field: '', count: 1, hiddenCount: 1, examples: [] },
    ]));
    expect((await admin.request('GET', `/api/v1/account/${parent.id}`)).body.deleted_at ?? null).toBeNull();
  });

  it('an upsert whose external id matches an invisible record answers neutrally, writes nothing, and carries on', async () => {
    const secret = await buildAccount(repB, { name: 'Bravo ERP Account', account_number: 'ERP-9' });
    const readOnly = await buildAccount(repB, { name: 'Bravo Shared Read', account_number: 'ERP-10' });
    ok(await repB.request('POST', `/api/v1/account/${readOnly.id}/team`, { body: { userId: repA.id, access: 'read' } }));
    const r = await repA.request('POST', '/api/v1/account/bulk', {
      body: { operation: 'upsert', externalIdField: 'account_number', allowDuplicate: true, records: [{ account_number: 'ERP-9', name: 'Overwritten' }, { account_number: 'ERP-10', name: 'Overwritten' }, { account_number: 'ERP-11', name: 'Alpha New' }] },
    });
    expect(r.status, r.text).toBe(200);
    const [invisible, visibleReadOnly, created] = r.body.results;
    // An invisible match and a visible read-only one answer alike (but for their index).
    const unindexed = (x: object) => JSON.stringify(x).replace(/"index":\d+|records\[\d+\]/g, '');
    expect(unindexed(invisible)).toBe(unindexed(visibleReadOnly));
    expect(invisible).toMatchObject({ ok: false, code: 'forbidden' });
    expect(created).toMatchObject({ ok: true, created: true });
    expect(r.text).not.toContain(secret.id);
    expect(r.text).not.toContain('Bravo');
    expect((await admin.request('GET', `/api/v1/account/${secret.id}`)).body).toMatchObject({ name: 'Bravo ERP Account', version: secret.version });
  });

  it("another user's deleted record and their recycle-bin entry answer 404 like random ids, and stay deleted", async () => {
    const gone = await buildAccount(repB, { name: 'Bravo Deleted Co' });
    expect((await repB.request('DELETE', `/api/v1/account/${gone.id}`)).status).toBe(204);
    const entry = (await repB.request('GET', '/api/v1/recycle-bin?object=account')).body.data.find((e: { recordId: string }) => e.recordId === gone.id);
    await expectLikeMissing((id) => repA.request('POST', `/api/v1/account/${id}/restore`), gone.id);
    await expectLikeMissing((id) => repA.request('POST', `/api/v1/recycle-bin/${id}/restore`), entry.id);
    await expectLikeMissing((id) => repA.request('DELETE', `/api/v1/recycle-bin/${id}`), entry.id);
    expect(JSON.stringify((await repA.request('GET', '/api/v1/recycle-bin')).body)).not.toContain(gone.id);
    expect((await admin.request('GET', `/api/v1/account/${gone.id}`)).status).toBe(404);
  });

  it('a record the caller deleted and may no longer see leaves their recycle bin and cannot be restored', async () => {
    const shared = await buildAccount(repB, { name: 'Bravo Shared Then Gone' });
    const rule = await admin.request('POST', '/api/v1/sharing-rules', { body: { object: 'account', name: 'shared_then_gone', condition: { field: 'name', op: 'eq', value: 'Bravo Shared Then Gone' }, shareWithType: 'role', shareWith: 'sales_east', access: 'edit' } });
    ok(rule);
    expect((await repA.request('DELETE', `/api/v1/account/${shared.id}`)).status).toBe(204);
    const bin = async () => (await repA.request('GET', '/api/v1/recycle-bin?object=account')).body.data.filter((e: { recordId: string }) => e.recordId === shared.id);
    const [entry] = await bin();
    expect(entry).toMatchObject({ name: 'Bravo Shared Then Gone' });
    ok(await admin.request('DELETE', `/api/v1/sharing-rules/${rule.body.id}`));
    expect(await bin()).toEqual([]);
    await expectLikeMissing((id) => repA.request('POST', `/api/v1/recycle-bin/${id}/restore`), entry.id);
    await expectLikeMissing((id) => repA.request('POST', `/api/v1/account/${id}/restore`), shared.id);
    expect((await admin.request('GET', `/api/v1/account/${shared.id}`)).status).toBe(404);
    // An administrator can still restore it.
    expect((await admin.request('POST', `/api/v1/account/${shared.id}/restore`)).status).toBe(200);
  });
});

describe('the account tree, the cycle check and lead conversion (item 9)', () => {
  it('the tree counts only visible levels, and the cycle check answers an invisible parent like a missing one', async () => {
    const root = await buildAccount(repA, { name: 'Alpha Tree Root' });
    const hidden = await buildAccount(admin, { name: 'Bravo Tree Middle', parent_account: root.id, owner: repB.id });
    const leaf = await buildAccount(admin, { name: 'Alpha Tree Leaf', parent_account: hidden.id, owner: repA.id });
    const tree = await repA.request('GET', `/api/v1/account/${root.id}/tree?depth=1`);
    expect(tree.status).toBe(200);
    expect(tree.body.nodes).toEqual([
      { id: root.id, name: 'Alpha Tree Root', parent_account: null, depth: 0, path: [root.id], has_children: true },
      { id: leaf.id, name: 'Alpha Tree Leaf', parent_account: root.id, depth: 1, path: [root.id, leaf.id], has_children: false },
    ]);
    const leafTree = await repA.request('GET', `/api/v1/account/${leaf.id}/tree`);
    expect(leafTree.body.nodes[0].parent_account).toBeNull();
    for (const t of [tree, leafTree]) expect(t.text).not.toMatch(new RegExp(`${hidden.id}|Bravo`));
    // Re-parenting onto the invisible middle answers like a missing account, not "cycle".
    const r = await expectLikeMissing((id) => repA.request('PATCH', `/api/v1/account/${root.id}`, { body: { parent_account: id } }), hidden.id);
    expect(r.body.errors).toEqual([expect.objectContaining({ field: 'parent_account', code: 'invalid_reference' })]);
    // Onto the leaf it is a loop, which the tree shows A anyway.
    const loop = await repA.request('PATCH', `/api/v1/account/${root.id}`, { body: { parent_account: leaf.id } });
    expect(loop.body.errors[0]).toMatchObject({ field: 'parent_account', code: 'cycle' });
    expect(loop.text).not.toContain(hidden.id);
    expect((await admin.request('GET', `/api/v1/account/${root.id}`)).body).toMatchObject({ parent_account: null, version: root.version });
  });

  it('a lead with a value hidden from the rep converts, carrying the value without answering it', async () => {
    const lead = await buildLead(admin, { company: 'Alpha Hidden Revenue', last_name: 'Quiet', annual_revenue: 900_000, owner: repA.id });
    const r = await repA.request('POST', `/api/v1/lead/${lead.id}/convert`, { body: { allowDuplicate: true } });
    expect(r.status, r.text).toBe(200);
    expect(r.text).not.toMatch(/annual_revenue|900000/);
    expect((await admin.request('GET', `/api/v1/account/${r.body.account.id}`)).body.annual_revenue).toBe(900_000);
    expect((await repA.request('GET', `/api/v1/account/${r.body.account.id}`)).body.annual_revenue).toBeUndefined();
  });
});
