import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { anonymous, getTestServer, type TestServer, type TestUser } from '../server.ts';
import { buildAccount } from '../factories.ts';
import { ok } from '../access/fixture.ts';
import { startTestSmtp, type TestSmtp } from '../smtp.ts';
import { waitFor } from '../events/helpers.ts';

/**
 * Approval processes (issue 14 items 6 and 12, AUT-3): submit, the lock (409 for others, admins
 * allowed), the submitter's manager from the role hierarchy, first response vs unanimous steps,
 * step criteria, field updates on submit / approval / rejection / recall, and the e-mail's
 * single-use links — used, forged and expired links refused — against a real SMTP server.
 */
let server: TestServer;
let admin: TestUser;
let rep: TestUser;
let boss: TestUser;
let fin1: TestUser;
let fin2: TestUser;
let other: TestUser;
let smtp: TestSmtp;
let processId: string;

const process = (overrides: Record<string, unknown> = {}) => ({
  name: 'big_accounts', label: 'Big account review', object: 'account', active: true,
  entryCriteria: { field: 'employees', op: 'gte', value: 100 },
  submitters: [{ kind: 'owner' }],
  steps: [
    { name: 'Manager', approvers: [{ kind: 'manager' }, { kind: 'user', value: other.id }], mode: 'first' },
    { name: 'Finance', criteria: { field: 'annual_revenue', op: 'gte', value: 1_000_000 }, approvers: [{ kind: 'group', value: 'finance' }], mode: 'unanimous' },
  ],
  fieldUpdates: { submit: { description: 'Awaiting approval' }, approve: { type: 'customer' }, reject: { type: 'prospect', description: 'Rejected' }, recall: { description: 'Recalled' } },
  ...overrides,
});

beforeAll(async () => {
  server = await getTestServer();
  admin = server.admin;
  smtp = await startTestSmtp();
  server.platform.config.smtpUrl = smtp.url;
  [rep, boss, fin1, fin2, other] = await Promise.all([1, 2, 3, 4, 5].map(() => server.createUser()));
  ok(await admin.request('POST', '/api/v1/roles', { body: { name: 'sales_lead', label: 'Sales lead' } }));
  ok(await admin.request('POST', '/api/v1/roles', { body: { name: 'sales_rep', label: 'Sales rep', parent: 'sales_lead' } }));
  ok(await admin.request('PATCH', `/api/v1/user/${rep.id}`, { body: { role: 'sales_rep' } }));
  ok(await admin.request('PATCH', `/api/v1/user/${boss.id}`, { body: { role: 'sales_lead' } }));
  ok(await admin.request('POST', '/api/v1/groups', { body: { name: 'finance', label: 'Finance', members: [fin1.id, fin2.id] } }));
  const res = await admin.request('POST', '/api/v1/approval-processes', { body: process() });
  expect(res.status, res.text).toBe(201);
  processId = res.body.id;
}, 120_000);
afterAll(async () => {
  await server?.close();
  await smtp?.close();
});

const account = async (fields: Record<string, unknown>) => (await buildAccount(rep, fields)).id as string;
const read = async (id: string) => (await admin.request('GET', `/api/v1/account/${id}`)).body;
const submit = (user: TestUser, id: string) => user.request('POST', '/api/v1/approvals', { body: { object: 'account', recordId: id, comment: 'Please' } });
const decide = (user: TestUser, request: string, what: 'approve' | 'reject' | 'recall', comment?: string) => user.request('POST', `/api/v1/approvals/${request}/${what}`, { body: comment ? { comment } : {} });
const inbox = async (user: TestUser) => (await user.request('GET', '/api/v1/approvals/inbox')).body.data as Array<{ request: string; step: string }>;
const history = async (id: string, user: TestUser = rep) => {
  const res = await user.request('GET', `/api/v1/approvals/history/account/${id}`);
  expect(res.status, res.text).toBe(200);
  return res.body.data;
};

describe('setting up a process', () => {
  it('is for admins, and a process naming unknown fields, groups or conditions is refused naming each', async () => {
    expect((await rep.request('POST', '/api/v1/approval-processes', { body: process({ name: 'x' }) })).status).toBe(403);
    const bad = await admin.request('POST', '/api/v1/approval-processes', {
      body: process({ name: 'broken', entryCriteria: { field: 'nope', op: 'eq', value: 1 }, fieldUpdates: { approve: { created_at: '2020-01-01', ghost: 1 } }, steps: [{ name: 'S', approvers: [{ kind: 'group', value: 'ghosts' }], mode: 'first' }] }),
    });
    expect(bad.status, bad.text).toBe(400);
    const fields = bad.body.errors.map((e: { field: string }) => e.field);
    expect(fields).toEqual(expect.arrayContaining(['entryCriteria', 'fieldUpdates.approve.created_at', 'fieldUpdates.approve.ghost', 'steps[0].approvers[0].value']));
    expect((await admin.request('POST', '/api/v1/approval-processes', { body: { ...process({ name: 'y' }), steps: [] } })).status).toBe(400);
    expect((await admin.request('POST', '/api/v1/approval-processes', { body: process({ name: 'z', object: 'approval_request' }) })).status).toBe(400);
    const list = await admin.request('GET', '/api/v1/approval-processes');
    // Besides the processes billing and credit seed for quotes and orders.
    expect(list.body.data.map((p: { name: string }) => p.name).sort()).toEqual(['big_accounts', 'order_credit_hold', 'quote_discount']);
  });
});

describe('submitting, the lock and the steps', () => {
  it('refuses a record no process applies to, and a user who is not a submitter', async () => {
    const small = await account({ employees: 5 });
    const canSubmit = async (id: string, user: TestUser = rep) => (await user.request('GET', `/api/v1/approvals/history/account/${id}`)).body.canSubmit;
    // The panel offers Submit only where it would work.
    expect(await canSubmit(small)).toBe(false);
    const res = await submit(rep, small);
    expect(res.status, res.text).toBe(422);
    expect(res.body.errors[0].code).toBe('no_process');
    const big = await account({ employees: 500 });
    expect(await canSubmit(big)).toBe(true);
    ok(await admin.request('PATCH', `/api/v1/account/${big}`, { body: { owner: boss.id } }));
    expect(await canSubmit(big)).toBe(false);
    expect((await submit(rep, big)).status).toBeGreaterThanOrEqual(403);
    expect(await canSubmit(big, admin)).toBe(true);
  });

  it('locks the record while pending: 409 record_locked for the owner, admins may still write; manager from the role hierarchy; first response closes the step', async () => {
    const id = await account({ employees: 500, annual_revenue: 10 });
    const res = await submit(rep, id);
    expect(res.status, res.text).toBe(201);
    expect(res.body.status).toBe('pending');
    const request = res.body.request;
    expect((await read(id)).description).toBe('Awaiting approval');
    expect((await submit(rep, id)).status).toBe(409);

    const patch = await rep.request('PATCH', `/api/v1/account/${id}`, { body: { phone: '+1 555 0100' } });
    expect(patch.status, patch.text).toBe(409);
    expect(patch.body.code).toBe('record_locked');
    expect(patch.headers['content-type']).toContain('application/problem+json');
    const del = await rep.request('DELETE', `/api/v1/account/${id}`);
    expect(del.status).toBe(409);
    ok(await admin.request('PATCH', `/api/v1/account/${id}`, { body: { website: 'https://admin.example' } }));

    // The submitter's manager: the user in the parent role of rep's role; and the named user.
    expect((await inbox(boss)).map((i) => i.request)).toContain(request);
    expect((await inbox(other)).map((i) => i.request)).toContain(request);
    expect(await inbox(fin1)).toEqual([]);
    const notified = await sql<{ n: number }>`SELECT count(*)::int AS n FROM user_notification WHERE user_id = ${boss.id}::uuid AND kind = 'approval.requested' AND record_id = ${id}::uuid`.execute(server.platform.db);
    expect(notified.rows[0]!.n).toBe(1);

    // Someone who is not an approver cannot answer; the first approver's answer decides the step.
    expect((await decide(fin1, request, 'approve')).status).toBe(403);
    const approved = await decide(boss, request, 'approve', 'Fine');
    expect(approved.status, approved.text).toBe(200);
    // The finance step's criteria (revenue ≥ 1M) do not hold: approved after the manager.
    expect(approved.body.status).toBe('approved');
    expect((await read(id)).type).toBe('customer');
    expect(await inbox(other)).toEqual([]);
    const [entry] = await history(id);
    expect(entry.status).toBe('approved');
    expect(entry.results.map((r: { approver: string; decision: string }) => [r.approver, r.decision])).toEqual(
      expect.arrayContaining([[boss.id, 'approved'], [other.id, 'not_needed']]),
    );
    ok(await rep.request('PATCH', `/api/v1/account/${id}`, { body: { phone: '+1 555 0101' } }));

    // The history is on the record's timeline, as notes by the people who acted.
    const timeline = await rep.request('GET', `/api/v1/account/${id}/timeline`);
    expect(timeline.status, timeline.text).toBe(200);
    const titles = timeline.body.data.filter((i: { kind: string }) => i.kind === 'note').map((i: { title: string }) => i.title);
    expect(titles).toEqual(expect.arrayContaining([expect.stringMatching(/^Submitted for approval — Big account review/), expect.stringMatching(/^Step "Manager" approved/), expect.stringMatching(/^Approved — /)]));
  });

  it('a unanimous step waits for every approver', async () => {
    const id = await account({ employees: 500, annual_revenue: 2_000_000 });
    const { request } = (await submit(rep, id)).body;
    expect((await decide(other, request, 'approve')).body.status).toBe('pending');
    expect((await inbox(fin1)).map((i) => i.step)).toEqual(['Finance']);
    expect((await decide(fin1, request, 'approve')).body.status).toBe('pending');
    expect((await decide(fin1, request, 'approve')).status).toBe(403);
    expect((await rep.request('PATCH', `/api/v1/account/${id}`, { body: { phone: '555 0001' } })).status).toBe(409);
    const last = await decide(fin2, request, 'approve');
    expect(last.body.status).toBe('approved');
    expect((await read(id)).type).toBe('customer');
  });

  it('a rejection needs a comment, rejects the request, writes the reject updates and tells the submitter', async () => {
    const id = await account({ employees: 500, type: 'partner' });
    const { request } = (await submit(rep, id)).body;
    const bare = await decide(boss, request, 'reject');
    expect(bare.status).toBe(400);
    expect(bare.body.errors[0].field).toBe('comment');
    const res = await decide(boss, request, 'reject', 'Not this quarter');
    expect(res.body.status).toBe('rejected');
    const after = await read(id);
    expect([after.type, after.description]).toEqual(['prospect', 'Rejected']);
    const told = await sql<{ body: string }>`SELECT body FROM user_notification WHERE user_id = ${rep.id}::uuid AND kind = 'approval.rejected' AND record_id = ${id}::uuid`.execute(server.platform.db);
    expect(told.rows[0]?.body).toBe('Not this quarter');
    expect((await decide(other, request, 'approve')).status).toBe(409);
  });

  it('the submitter recalls (others may not): recall updates written, record unlocked, answers refused after', async () => {
    const id = await account({ employees: 500 });
    const { request } = (await submit(rep, id)).body;
    expect((await decide(other, request, 'recall')).status).toBe(403);
    const res = await decide(rep, request, 'recall');
    expect(res.status, res.text).toBe(200);
    expect((await read(id)).description).toBe('Recalled');
    expect((await decide(boss, request, 'approve')).status).toBe(409);
    ok(await rep.request('PATCH', `/api/v1/account/${id}`, { body: { phone: '555 0002' } }));
    expect((await history(id))[0].results.every((r: { decision: string }) => r.decision === 'recalled')).toBe(true);
  });

  it('a deactivated process no longer applies or locks', async () => {
    const id = await account({ employees: 500 });
    const { request } = (await submit(rep, id)).body;
    ok(await admin.request('PUT', `/api/v1/approval-processes/${processId}`, { body: process({ active: false }) }));
    ok(await rep.request('PATCH', `/api/v1/account/${id}`, { body: { phone: '555 0003' } }));
    expect((await submit(rep, await account({ employees: 500 }))).status).toBe(422);
    // Renaming it while the request waits would orphan the request: refused, naming the field.
    const renamed = await admin.request('PUT', `/api/v1/approval-processes/${processId}`, { body: process({ active: false, name: 'big_accounts_v2' }) });
    expect(renamed.status, renamed.text).toBe(409);
    expect(renamed.body.errors[0]).toMatchObject({ field: 'name', code: 'pending_requests' });
    // Its pending request still runs to the end on the process's definition.
    expect((await decide(boss, request, 'approve')).body.status).toBe('approved');
    ok(await admin.request('PUT', `/api/v1/approval-processes/${processId}`, { body: process() }));
  });
});

describe('bad input and edge cases', () => {
  it('refuses hostile submits and answers with problem+json naming the field', async () => {
    expect((await rep.request('POST', '/api/v1/approvals', { body: { object: 'no_such_object', recordId: 'x' } })).status).toBe(404);
    expect((await rep.request('POST', '/api/v1/approvals', { body: { object: 'approval_request', recordId: 'x' } })).status).toBe(404);
    expect((await rep.request('POST', '/api/v1/approvals', { body: { object: 'account', recordId: "1' OR '1'='1" } })).status).toBe(404);
    const long = await rep.request('POST', '/api/v1/approvals', { body: { object: 'account', recordId: await account({ employees: 500 }), comment: 'x'.repeat(5000) } });
    expect(long.status).toBe(400);
    expect(JSON.stringify(long.body.errors)).toContain('comment');
    expect((await rep.request('POST', '/api/v1/approvals/not-a-uuid/approve', { body: {} })).status).toBe(404);
    expect((await rep.request('POST', '/api/v1/approvals/not-a-uuid/approve', { body: { comment: 1 } })).status).toBe(400);
    expect((await rep.request('GET', '/api/v1/approvals/history/account/not-a-uuid')).status).toBe(404);
    const deep = await admin.request('POST', '/api/v1/approval-processes', { body: process({ name: 'deep', entryCriteria: JSON.parse('{"not":'.repeat(40) + '{"field":"name","op":"eq","value":"x"}' + '}'.repeat(40)) }) });
    expect(deep.status).toBe(400);
  });

  it('an admin deleting a pending record recalls its request: nobody is asked to approve a record that is gone', async () => {
    const id = await account({ employees: 500 });
    const { request } = (await submit(rep, id)).body;
    expect((await inbox(boss)).map((i) => i.request)).toContain(request);
    ok(await admin.request('DELETE', `/api/v1/account/${id}`));
    expect((await inbox(boss)).map((i) => i.request)).not.toContain(request);
    expect((await decide(boss, request, 'approve')).status).toBe(409);
    const status = await sql<{ status: string }>`SELECT status FROM obj_approval_request WHERE id = ${request}::uuid`.execute(server.platform.db);
    expect(status.rows[0]!.status).toBe('recalled');
  });
});

describe('answering from the e-mail (item 12: reused or forged links)', () => {
  const respond = (token: string, decision: 'approve' | 'reject', comment?: string) => anonymous(server)('POST', '/api/v1/public/approvals/respond', { token, decision, ...(comment ? { comment } : {}) });
  const linkIn = async (to: string, after: number) => {
    const mail = await waitFor(() => smtp.inbox.slice(after).find((m) => m.to.includes(to)), `the e-mail to ${to}`);
    const raw = mail.raw.replace(/=\r?\n/g, '').replace(/=3D/g, '=');
    return /approvals\/respond\?token=([A-Za-z0-9_-]{43})/.exec(raw)![1]!;
  };

  it('approves once with a valid link; the same link again, a forged one and an expired one are refused', async () => {
    const before = smtp.inbox.length;
    const id = await account({ employees: 500 });
    const { request } = (await submit(rep, id)).body;
    const token = await linkIn(boss.email, before);
    const stored = await sql<{ n: number }>`SELECT count(*)::int AS n FROM approval_link WHERE token_hash = ${token}`.execute(server.platform.db);
    expect(stored.rows[0]!.n).toBe(0); // only a hash is kept

    const forged = await respond(`${token.slice(0, -2)}AA`, 'approve');
    expect(forged.status).toBe(404);
    expect(forged.headers['content-type']).toContain('application/problem+json');
    expect((await respond('not-a-token', 'approve')).status).toBe(404);

    const res = await respond(token, 'approve', 'From my phone');
    expect(res.status, res.text).toBe(200);
    expect(res.body.status).toBe('approved');
    const [entry] = await history(id);
    expect(entry.results.find((r: { approver: string }) => r.approver === boss.id)).toMatchObject({ decision: 'approved', via: 'email', comment: 'From my phone' });
    expect(entry.id).toBe(request);

    const again = await respond(token, 'reject', 'changed my mind');
    expect(again.status).toBe(409);
    expect(again.body.code).toBe('link_used');
    // The other approver's link stopped working when the step closed.
    const othersToken = await linkIn(other.email, before);
    expect((await respond(othersToken, 'approve')).body.code).toBe('link_used');
  });

  it('an expired link is refused with 410 and leaves the request pending; a rejection by link needs a comment', async () => {
    const before = smtp.inbox.length;
    const id = await account({ employees: 500 });
    const { request } = (await submit(rep, id)).body;
    const token = await linkIn(boss.email, before);
    const bare = await respond(token, 'reject');
    expect(bare.status).toBe(400);
    await sql`UPDATE approval_link SET expires_at = now() - interval '1 minute' WHERE step_result_id IN (SELECT id FROM obj_approval_step_result WHERE request_id = ${request}::uuid AND approver_id = ${boss.id}::uuid)`.execute(server.platform.db);
    const expired = await respond(token, 'approve');
    expect(expired.status).toBe(410);
    expect(expired.body.code).toBe('link_expired');
    expect((await history(id))[0].status).toBe('pending');
  });
});
