import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import { getTestServer, type TestServer, type TestUser } from '../server.ts';
import { buildAccount, buildContact } from '../factories.ts';
import { fastSettings, startReceiver, verifyStandardWebhook, waitFor } from '../events/helpers.ts';
import { startTestSmtp } from '../smtp.ts';
import { startEventBackbone } from '../../src/platform/events/index.ts';
import { automationSettings, listAutomationSchedules, registerAutomationAction, runDueRuns, runScheduledRules, setSmsProvider } from '../../src/modules/automation/index.ts';
import { bootPlatform, createLogger } from '../../src/platform/boot.ts';
import { openDatabase } from '../../src/platform/db/connection.ts';
import { createRecord } from '../../src/platform/records/write.ts';
import { systemActor } from '../../src/platform/records/context.ts';
import { invoicingSettings } from '../../src/modules/invoicing/index.ts';
import { overrideSettings } from '../../src/platform/settings.ts';
import { startDueTimers } from '../../src/platform/jobs/boss.ts';

/**
 * Workflow rules (issue 14 items 1–3, 7, 12; AUT-1, AUT-4): rules checked on save, before-save
 * changes in the same write, after-save actions after the commit with the log, loop protection,
 * retries and the retry button, a rule whose field was deleted, redelivery, the dry run. Through
 * the real app on PGlite and on PostgreSQL (DATABASE_URL).
 */
let server: TestServer;
let admin: TestUser;
let n = 0;

beforeAll(async () => {
  server = await getTestServer();
  admin = server.admin;
});
afterAll(async () => {
  await server?.close();
});

const ok = <T extends { status: number; text: string }>(r: T, status = 200): T => {
  expect(r.status, r.text).toBe(status);
  return r;
};

async function makeRule(input: Record<string, unknown>): Promise<any> {
  const body: Record<string, unknown> = { name: `Rule ${++n}`, phase: 'after_save', ...input };
  for (const k of ['condition', 'actions'] as const) if (body[k] !== undefined && typeof body[k] !== 'string') body[k] = JSON.stringify(body[k]);
  return ok(await admin.request('POST', '/api/v1/automation_rule', { body }), 201).body;
}
const runsOf = async (query: Record<string, string>) => ok(await admin.request('GET', `/api/v1/automation/runs?${new URLSearchParams(query)}`)).body.data as any[];
const get = async (object: string, id: string) => ok(await admin.request('GET', `/api/v1/${object}/${id}`)).body;

describe('saving a rule', () => {
  it('refuses what cannot work, naming the field', async () => {
    const post = (body: Record<string, unknown>) => admin.request('POST', '/api/v1/automation_rule', { body: { name: 'Bad', trigger: 'created', phase: 'after_save', target_object: 'account', actions: '[{"type":"notify","to":"owner","title":"Hi"}]', ...body } });
    const cases: Array<[Record<string, unknown>, string]> = [
      [{ target_object: 'spaceship' }, 'target_object'],
      [{ condition: '{"field":"warp","op":"eq","value":1}' }, 'condition'],
      [{ condition: 'not json' }, 'condition'],
      [{ actions: '[{"type":"teleport"}]' }, 'actions[0].type'],
      [{ actions: '[]' }, 'actions'],
      [{ actions: '[{"type":"create_record","object":"task","values":{"subject":"Call {{ record.nmae }}"}}]' }, 'actions[0].values.subject'],
      [{ actions: '[{"type":"create_record","object":"task","values":{"subject":"Call {{ parent.name }}"}}]' }, 'actions[0].values.subject'],
      [{ actions: '[{"type":"update_fields","values":{"employees":"many"}}]' }, 'actions[0].values.employees'],
      [{ actions: '[{"type":"update_fields","values":{"created_at":"2020-01-01"}}]' }, 'actions[0].values.created_at'],
      [{ trigger: 'field_changed', trigger_field: 'nope' }, 'trigger_field'],
      [{ trigger: 'field_changed', trigger_field: 'type', trigger_to: 'emperor' }, 'trigger_to'],
      [{ phase: 'before_save', actions: '[{"type":"notify","to":"owner","title":"x"}]' }, 'actions[0].type'],
      [{ phase: 'before_save', actions: '[{"type":"update_fields","target":"parent_account","values":{"description":"x"}}]' }, 'actions[0].target'],
      [{ actions: '[{"type":"notify","to":"field:website","title":"x"}]' }, 'actions[0].to'],
    ];
    for (const [body, field] of cases) {
      const r = await post(body);
      expect(r.status, `${JSON.stringify(body)} → ${r.text}`).toBe(400);
      expect(r.headers['content-type']).toContain('application/problem+json');
      expect(r.body.errors.map((e: any) => e.field), JSON.stringify(body)).toContain(field);
    }
    // A template over the record and its lookups that exist is fine.
    ok(await post({ actions: '[{"type":"create_record","object":"task","values":{"subject":"Call {{ record.name }} ({{ parent_account.name | default: \\"-\\" }})"}}]', active: false }), 201);
  });

  it('needs the permission to manage rules: they act as the system', async () => {
    const rep = await server.createUser();
    const r = await rep.request('POST', '/api/v1/automation_rule', { body: { name: 'Mine', trigger: 'created', target_object: 'account', actions: '[{"type":"notify","to":"owner","title":"x"}]' } });
    expect(r.status, r.text).toBe(403);
    expect((await rep.request('GET', '/api/v1/automation/runs')).status).toBe(403);
  });
});

describe('before save', () => {
  it('changes the record in the same write, on the trigger and condition, in order', async () => {
    await makeRule({
      target_object: 'account', trigger: 'created_or_updated', phase: 'before_save', run_order: 1,
      condition: { field: 'industry', op: 'eq', value: 'technology' },
      actions: [{ type: 'update_fields', values: { description: 'Tech: {{ record.name }}', type: 'prospect' } }],
    });
    await makeRule({
      target_object: 'account', trigger: 'field_changed', trigger_field: 'type', trigger_to: 'customer', phase: 'before_save', run_order: 2,
      actions: [{ type: 'update_fields', values: { payment_terms: 'net_15' } }],
    });
    const tech = await buildAccount(admin, { name: 'Beta Labs', industry: 'technology' });
    expect(tech.description).toBe('Tech: Beta Labs');
    expect(tech.type).toBe('prospect');
    expect(tech.version).toBe(1);
    const other = await buildAccount(admin, { name: 'Gamma Farm', industry: 'agriculture' });
    expect(other.description ?? null).toBeNull();

    const changed = ok(await admin.request('PATCH', `/api/v1/account/${other.id}`, { body: { type: 'customer' } })).body;
    expect(changed.payment_terms).toBe('net_15');
    // One write: version 2 after one update, and the history shows the rule's field in the same change.
    expect(changed.version).toBe(2);
    const h = await sql<{ n: string }>`SELECT count(DISTINCT change_id) AS n FROM record_history WHERE record_id = ${other.id}::uuid AND operation = 'update'`.execute(server.platform.db);
    expect(Number(h.rows[0]!.n)).toBe(1);
  });

  it('"only when the record starts to meet the condition" runs once, not on every later save', async () => {
    await makeRule({
      target_object: 'account', trigger: 'updated', phase: 'before_save', only_on_change: true,
      condition: { field: 'employees', op: 'gte', value: 1000 },
      actions: [{ type: 'update_fields', values: { description: 'Became large at {{ record.employees }}' } }],
    });
    const a = await buildAccount(admin, { name: 'Growing', employees: 10 });
    ok(await admin.request('PATCH', `/api/v1/account/${a.id}`, { body: { employees: 1500 } }));
    expect((await get('account', a.id)).description).toBe('Became large at 1500');
    ok(await admin.request('PATCH', `/api/v1/account/${a.id}`, { body: { description: 'edited', employees: 2000 } }));
    expect((await get('account', a.id)).description).toBe('edited');
  });
});

describe('after save', () => {
  it('runs the actions after the commit through the record pipeline, logged per action', async () => {
    const rule = await makeRule({
      target_object: 'contact', trigger: 'created', condition: { field: 'title', op: 'eq', value: 'CEO' },
      actions: [
        { type: 'create_record', object: 'task', values: { subject: 'Call {{ record.last_name }} at {{ account.name }}', owner: '{{ record.owner }}', due_date: '2030-01-02' } },
        { type: 'update_fields', target: 'account', values: { rating_note: undefined, description: 'CEO contact: {{ record.last_name }}' } },
        { type: 'notify', to: 'owner', title: 'New CEO contact {{ record.last_name }}' },
      ].map((a) => JSON.parse(JSON.stringify(a))),
    });
    const account = await buildAccount(admin, { name: 'Delta Corp' });
    const contact = await buildContact(admin, { last_name: 'Jones', title: 'CEO', account: account.id });
    const ignored = await buildContact(admin, { last_name: 'Smith', title: 'Clerk', account: account.id });
    const [run] = await waitFor(async () => {
      const runs = await runsOf({ record: contact.id });
      return runs.length && runs[0].status === 'succeeded' ? runs : null;
    }, 'the run');
    expect(run.rule).toBe(rule.id);
    expect(run.conditionResult).toBe(true);
    expect(run.actedFor).toBe(admin.id);
    expect(run.actions.map((a: any) => [a.type, a.status])).toEqual([['create_record', 'succeeded'], ['update_fields', 'succeeded'], ['notify', 'succeeded']]);
    const task = await get('task', run.actions[0].result.id);
    expect(task.subject).toBe('Call Jones at Delta Corp');
    expect(task.owner).toBe(admin.id);
    expect((await get('account', account.id)).description).toBe('CEO contact: Jones');
    // Written through the pipeline: history attributed to the user, via the workflow.
    const h = await sql<{ actor_id: string; via: string }>`SELECT actor_id, via FROM record_history WHERE record_id = ${account.id}::uuid AND field = 'description'`.execute(server.platform.db);
    expect(h.rows).toEqual([{ actor_id: admin.id, via: 'workflow' }]);
    const notes = await sql<{ title: string }>`SELECT title FROM user_notification WHERE user_id = ${admin.id}::uuid AND record_id = ${contact.id}::uuid`.execute(server.platform.db);
    expect(notes.rows.map((r) => r.title)).toEqual(['New CEO contact Jones']);
    expect(await runsOf({ record: ignored.id })).toEqual([]);
    // Searchable by rule and status.
    expect((await runsOf({ rule: rule.id, status: 'succeeded' })).map((r) => r.id)).toEqual([run.id]);
    expect(ok(await admin.request('GET', `/api/v1/automation/runs/${run.id}`)).body.id).toBe(run.id);
  });

  it('stops rules triggering each other at the depth limit and logs where', async () => {
    const cond = { field: 'name', op: 'startsWith', value: 'Loop' };
    await makeRule({ name: 'Ping', target_object: 'account', trigger: 'updated', condition: cond, actions: [{ type: 'update_fields', values: { employees: '{{ record.employees | plus: 1 }}' } }] });
    await makeRule({ name: 'Pong', target_object: 'account', trigger: 'updated', condition: cond, actions: [{ type: 'update_fields', values: { annual_revenue: '{{ record.annual_revenue | plus: 1 }}' } }] });
    const a = await buildAccount(admin, { name: 'Loop Inc', employees: 0, annual_revenue: 0 });
    ok(await admin.request('PATCH', `/api/v1/account/${a.id}`, { body: { phone: '+1 555 0100' } }));
    const stopped = await waitFor(async () => (await runsOf({ record: a.id, status: 'stopped' }))[0], 'the stopped run');
    expect(stopped.depth).toBe(6);
    expect(stopped.error).toMatch(/5 deep/);
    expect(stopped.chain).toHaveLength(6);
    await waitFor(async () => !(await runsOf({ record: a.id, status: 'pending' })).length, 'no pending run');
    const all = await runsOf({ record: a.id });
    // The user's update triggers both (depth 1); each write triggers the other rule only.
    expect(all.filter((r) => r.status === 'succeeded').length).toBeGreaterThanOrEqual(5);
    expect(all.every((r) => r.depth <= 6)).toBe(true);
  });

  it('retries a failing action with backoff, then shows it failed, notifies the owner, and the retry button runs it again', async () => {
    overrideSettings(server.platform, automationSettings, { maxAttempts: 2, retrySeconds: 0 });
    try {
      await makeRule({
        target_object: 'account', trigger: 'created', condition: { field: 'name', op: 'startsWith', value: 'Fragile' },
        actions: [{ type: 'create_record', object: 'task', values: { subject: '{{ record.description }}' } }],
      });
      const a = await buildAccount(admin, { name: 'Fragile Ltd' });
      const first = await waitFor(async () => (await runsOf({ record: a.id }))[0], 'the run');
      await waitFor(async () => {
        await runDueRuns(server.platform);
        return (await runsOf({ record: a.id, status: 'failed' }))[0];
      }, 'the failed run');
      const failed = ok(await admin.request('GET', `/api/v1/automation/runs/${first.id}`)).body;
      expect(failed.attempts).toBe(2);
      expect(failed.error).toMatch(/subject/);
      expect(failed.actions[0]).toMatchObject({ type: 'create_record', status: 'failed' });
      const notes = await sql<{ title: string }>`SELECT title FROM user_notification WHERE user_id = ${admin.id}::uuid AND kind = 'automation.failed' AND record_id = ${a.id}::uuid`.execute(server.platform.db);
      expect(notes.rows).toHaveLength(1);

      ok(await admin.request('PATCH', `/api/v1/account/${a.id}`, { body: { description: 'Call about the fragile order' } }));
      expect((await admin.request('POST', `/api/v1/automation/runs/${first.id}/retry`, { body: {} })).status).toBe(200);
      const done = await waitFor(async () => {
        const r = ok(await admin.request('GET', `/api/v1/automation/runs/${first.id}`)).body;
        return r.status === 'succeeded' ? r : null;
      }, 'the retried run');
      expect((await get('task', done.actions[0].result.id)).subject).toBe('Call about the fragile order');
      expect((await admin.request('POST', `/api/v1/automation/runs/${first.id}/retry`, { body: {} })).status).toBe(409);
    } finally {
      overrideSettings(server.platform, automationSettings, { maxAttempts: 5, retrySeconds: 30 });
    }
  });

  it('runs a run once when it is delivered again or workers race', async () => {
    await makeRule({
      target_object: 'account', trigger: 'created', condition: { field: 'name', op: 'startsWith', value: 'Once' },
      actions: [{ type: 'create_record', object: 'task', values: { subject: 'Welcome {{ record.name }}' } }],
    });
    const a = await buildAccount(admin, { name: 'Once Only' });
    await Promise.all([runDueRuns(server.platform), runDueRuns(server.platform), runDueRuns(server.platform)]);
    await waitFor(async () => (await runsOf({ record: a.id, status: 'succeeded' }))[0], 'the run');
    // The same event again (a redelivery): the idempotency key (rule, record, event) keeps one run.
    const [run] = await runsOf({ record: a.id });
    await sql`INSERT INTO automation_run (id, rule_id, rule_name, object, record_id, event_id, trigger, operation, status)
      VALUES (gen_random_uuid(), ${run.rule}::uuid, 'x', 'account', ${a.id}::uuid, ${run.event}::uuid, 'created', 'create', 'pending')
      ON CONFLICT (rule_id, record_id, event_id) DO NOTHING`.execute(server.platform.db);
    await runDueRuns(server.platform);
    const tasks = await sql<{ n: string }>`SELECT count(*) AS n FROM obj_task WHERE subject = 'Welcome Once Only' AND deleted_at IS NULL`.execute(server.platform.db);
    expect(Number(tasks.rows[0]!.n)).toBe(1);
    expect(await runsOf({ record: a.id })).toHaveLength(1);
  });

  it('keeps the good runs of a batch once when another run of it fails (the batch runs again, each run under its savepoint)', async () => {
    // A batch of transactional runs goes without savepoints; a failure abandons that attempt, and
    // the guarded re-run must keep neither its writes nor its after-commit work twice.
    let afterCommits = 0;
    registerAutomationAction<Record<string, never>>({
      type: 'test_after_commit', label: 'Count after commit (test)', phases: ['after_save'], transactional: true, check: () => ({}),
      async run({ afterCommit }) {
        afterCommit(async () => void afterCommits++);
        return {};
      },
      describe: async () => 'count',
    });
    await makeRule({
      target_object: 'account', trigger: 'created', condition: { field: 'name', op: 'startsWith', value: 'Mixed' },
      actions: [{ type: 'create_record', object: 'task', values: { subject: 'Hello {{ record.name }}' } }, { type: 'test_after_commit' }],
    });
    await makeRule({
      target_object: 'account', trigger: 'created', condition: { field: 'name', op: 'startsWith', value: 'Mixed' },
      actions: [{ type: 'create_record', object: 'task', values: { subject: '{{ record.description }}' } }],
    });
    const a = await buildAccount(admin, { name: 'Mixed Batch' });
    await runDueRuns(server.platform);
    const runs = await waitFor(async () => {
      const all = await runsOf({ record: a.id });
      return all.length === 2 && all.every((r) => r.status !== 'pending' || r.attempts > 0) ? all : null;
    }, 'both runs tried');
    const good = runs.find((r) => r.status === 'succeeded');
    const bad = runs.find((r) => r.status === 'pending');
    expect(good?.attempts).toBe(1);
    expect(bad?.attempts).toBe(1);
    expect(bad?.error).toMatch(/subject/);
    const tasks = await sql<{ n: string }>`SELECT count(*) AS n FROM obj_task WHERE subject = 'Hello Mixed Batch' AND deleted_at IS NULL`.execute(server.platform.db);
    expect(Number(tasks.rows[0]!.n)).toBe(1);
    expect(afterCommits).toBe(1);
  });
});

describe('actions', () => {
  it('e-mails the owner and an e-mail field through real SMTP, texts through the plugged-in SMS provider', async () => {
    const smtp = await startTestSmtp();
    const texts: Array<{ to: string; text: string }> = [];
    server.platform.config.smtpUrl = smtp.url;
    setSmsProvider(server.platform, { name: 'test-gateway', send: async (_p, m) => (texts.push(m), { id: `sms-${texts.length}` }) });
    try {
      await makeRule({
        target_object: 'account', trigger: 'created', condition: { field: 'name', op: 'startsWith', value: 'Mail' },
        actions: [
          { type: 'send_email', to: ['owner', 'field:email'], subject: 'Welcome {{ record.name }}', body: 'Hello {{ record.name }}, owned by {{ owner.email }}.' },
          { type: 'send_sms', field: 'phone', text: 'Hi {{ record.name }}' },
        ],
      });
      const a = await buildAccount(admin, { name: 'Mail Order', email: 'orders@mail-order.example', phone: '+1 555 0199' });
      const run = await waitFor(async () => (await runsOf({ record: a.id, status: 'succeeded' }))[0], 'the run');
      expect(run.actions.map((x: any) => x.type)).toEqual(['send_email', 'send_sms']);
      const mail = await waitFor(() => smtp.inbox.find((m) => m.to.includes('orders@mail-order.example')), 'the e-mail');
      expect(mail.to.sort()).toEqual([admin.email, 'orders@mail-order.example'].sort());
      expect(mail.raw).toContain('Welcome Mail Order');
      expect(texts).toEqual([{ to: '+1 555 0199', text: 'Hi Mail Order' }]);
    } finally {
      server.platform.config.smtpUrl = undefined as unknown as string;
      await smtp.close();
    }
  });

  it('calls a webhook through the platform deliveries, signed per Standard Webhooks', async () => {
    const receiver = await startReceiver();
    const sub = ok(await admin.request('POST', '/api/v1/webhooks', { body: { url: receiver.url, events: ['automation_rule.webhook'] } }), 201).body;
    const backbone = await startEventBackbone(server.platform, { settings: fastSettings() });
    try {
      const rule = await makeRule({
        target_object: 'account', trigger: 'created', condition: { field: 'name', op: 'startsWith', value: 'Hooked' },
        actions: [{ type: 'webhook', name: 'erp-sync', fields: ['name', 'industry'] }],
      });
      const a = await buildAccount(admin, { name: 'Hooked Co', industry: 'retail' });
      const got = await waitFor(() => receiver.received.find((r) => r.json?.data?.changes?.recordId?.new === a.id), 'the webhook');
      expect(verifyStandardWebhook(sub.secret, got)).toBe(true);
      expect(got.json.type).toBe('automation_rule.webhook');
      expect(got.json.data.recordId).toBe(rule.id);
      expect(got.json.data.changes.record.new).toEqual({ name: 'Hooked Co', industry: 'retail' });
      expect(got.json.data.changes.name.new).toBe('erp-sync');
    } finally {
      await backbone.stop();
      await receiver.close();
    }
  });

  it('assigns owners round robin in a group, fairly under concurrent writes', async () => {
    const reps = await Promise.all([1, 2, 3, 4].map(() => server.createUser()));
    ok(await admin.request('POST', '/api/v1/groups', { body: { name: 'inside_sales', label: 'Inside sales', members: reps.map((r) => r.id) } }), 201);
    await makeRule({ target_object: 'account', trigger: 'created', condition: { field: 'name', op: 'startsWith', value: 'Robin' }, actions: [{ type: 'assign_owner', group: 'inside_sales' }] });
    const accounts = await Promise.all(Array.from({ length: 12 }, (_, i) => buildAccount(admin, { name: `Robin ${i}` })));
    await Promise.all([runDueRuns(server.platform), runDueRuns(server.platform)]);
    const owners = await waitFor(async () => {
      const r = await sql<{ owner_id: string }>`SELECT owner_id FROM obj_account WHERE id = ANY(${accounts.map((a) => a.id)}::uuid[])`.execute(server.platform.db);
      return r.rows.every((x) => x.owner_id !== admin.id) ? r.rows.map((x) => x.owner_id) : null;
    }, 'every account assigned');
    const counts = reps.map((rep) => owners.filter((o) => o === rep.id).length);
    expect(counts).toEqual([3, 3, 3, 3]);
  });

  it('assigns a lead by the assignment rules when told to', async () => {
    const rep = await server.createUser();
    ok(await admin.request('POST', '/api/v1/assignment_rule', { body: { name: 'Dutch leads', sort_order: 1, condition: JSON.stringify({ field: 'company', op: 'startsWith', value: 'Reassign' }), target: 'user', user: rep.id } }), 201);
    await makeRule({ target_object: 'lead', trigger: 'updated', condition: { field: 'rating', op: 'eq', value: 'hot' }, only_on_change: true, actions: [{ type: 'assign_owner', rules: true }] });
    const lead = ok(await admin.request('POST', '/api/v1/lead', { body: { last_name: 'Visser', company: 'Reassign BV', owner: admin.id } }), 201).body;
    ok(await admin.request('PATCH', `/api/v1/lead/${lead.id}`, { body: { owner: admin.id, rating: 'hot' } }));
    const run = await waitFor(async () => (await runsOf({ record: lead.id, status: 'succeeded' }))[0], 'the run');
    expect(run.actions[0].result).toMatchObject({ owner: rep.id, rule: 'Dutch leads' });
    expect((await get('lead', lead.id)).owner).toBe(rep.id);
    expect((await admin.request('POST', '/api/v1/automation_rule', { body: { name: 'x', target_object: 'account', trigger: 'created', actions: '[{"type":"assign_owner","rules":true}]' } })).body.errors.map((e: any) => e.field)).toContain('actions[0].rules');
  });
});

describe('time-based rules', () => {
  const day = (n: number) => new Date(Date.now() + n * 86_400_000).toISOString().slice(0, 10);
  const dueOf = async (record: string) => (await runsOf({ record, status: 'pending' }))[0];
  const makeDue = (id: string) => sql`UPDATE automation_run SET next_attempt_at = now() - interval '1 second' WHERE id = ${id}::uuid`.execute(server.platform.db);

  it('plans a run relative to a date field, moves it when the date changes, cancels it when the condition stops holding', async () => {
    await makeRule({
      target_object: 'opportunity', trigger: 'created_or_updated', condition: { field: 'name', op: 'startsWith', value: 'Timed' },
      delay_amount: -3, delay_unit: 'days', delay_from: 'close_date',
      actions: [{ type: 'create_record', object: 'task', values: { subject: 'Close {{ record.name }} soon' } }],
    });
    const account = await buildAccount(admin, { name: 'Timed Buyer' });
    const opp = ok(await admin.request('POST', '/api/v1/opportunity', { body: { name: 'Timed deal', account: account.id, close_date: day(10) } }), 201).body;
    const planned = await waitFor(() => dueOf(opp.id), 'the planned run');
    expect(planned.dueAt.slice(0, 10)).toBe(day(7));
    ok(await admin.request('PATCH', `/api/v1/opportunity/${opp.id}`, { body: { close_date: day(20) } }));
    const moved = await dueOf(opp.id);
    expect(moved.id).toBe(planned.id);
    expect(moved.dueAt.slice(0, 10)).toBe(day(17));
    ok(await admin.request('PATCH', `/api/v1/opportunity/${opp.id}`, { body: { name: 'Renamed deal' } }));
    expect(await dueOf(opp.id)).toBeUndefined();
    const cancelled = ok(await admin.request('GET', `/api/v1/automation/runs/${planned.id}`)).body;
    expect(cancelled).toMatchObject({ status: 'skipped' });
    expect(cancelled.error).toMatch(/no longer holds/);
  });

  it('runs relative to the event when due, re-evaluating the condition then', async () => {
    await makeRule({
      target_object: 'account', trigger: 'created', condition: { field: 'industry', op: 'eq', value: 'energy' },
      delay_amount: 2, delay_unit: 'hours', actions: [{ type: 'update_fields', values: { description: 'Two hours later' } }],
    });
    const a = await buildAccount(admin, { name: 'Later Power', industry: 'energy' });
    const b = await buildAccount(admin, { name: 'Changed Power', industry: 'energy' });
    const runA = await waitFor(() => dueOf(a.id), 'the planned run');
    expect(Date.parse(runA.dueAt) - Date.parse(a.created_at)).toBeGreaterThan(2 * 3_600_000 - 60_000);
    await runDueRuns(server.platform);
    expect((await get('account', a.id)).description ?? null).toBeNull();
    const runB = await dueOf(b.id);
    // B changes without a write through Meridian (an import fixing data in SQL is not a trigger): checked when it fires.
    await sql`UPDATE obj_account SET industry = 'retail' WHERE id = ${b.id}::uuid`.execute(server.platform.db);
    await makeDue(runA.id);
    await makeDue(runB.id);
    await runDueRuns(server.platform);
    expect((await get('account', a.id)).description).toBe('Two hours later');
    expect(ok(await admin.request('GET', `/api/v1/automation/runs/${runB.id}`)).body).toMatchObject({ status: 'skipped', error: expect.stringMatching(/when it was due/) });
    expect((await get('account', b.id)).description ?? null).toBeNull();
  });

  it('starts a run the moment it falls due, through the platform’s due timer (not the next minute’s sweep)', async () => {
    await makeRule({
      target_object: 'account', trigger: 'created', condition: { field: 'industry', op: 'eq', value: 'agriculture' },
      delay_amount: 2, delay_unit: 'hours', actions: [{ type: 'update_fields', values: { description: 'Due timer' } }],
    });
    const a = await buildAccount(admin, { name: 'Timer Farm', industry: 'agriculture' });
    const run = await waitFor(() => dueOf(a.id), 'the planned run');
    const dueAt = (await sql<{ at: Date }>`UPDATE automation_run SET next_attempt_at = now() + interval '1500 milliseconds' WHERE id = ${run.id}::uuid RETURNING next_attempt_at AS at`.execute(server.platform.db)).rows[0]!.at;
    const job = server.platform.modules.find((m) => m.name === 'automation')!.jobs!.find((j) => j.name === 'automation.runs')!;
    const timers = startDueTimers(server.platform, [job]);
    try {
      const done = await waitFor(async () => {
        const r = ok(await admin.request('GET', `/api/v1/automation/runs/${run.id}`)).body;
        return r.status === 'succeeded' ? r : null;
      }, 'the run started by the timer');
      expect(Date.parse(done.finishedAt)).toBeGreaterThanOrEqual(new Date(dueAt).getTime());
      expect((await get('account', a.id)).description).toBe('Due timer');
    } finally {
      await timers.stop();
    }
  });

  it('refuses a delay on a before-save rule and a delay from a field that is not a date', async () => {
    const post = (body: Record<string, unknown>) => admin.request('POST', '/api/v1/automation_rule', { body: { name: 'Bad delay', trigger: 'created', phase: 'after_save', target_object: 'opportunity', actions: '[{"type":"notify","to":"owner","title":"x"}]', delay_amount: 1, ...body } });
    expect((await post({ phase: 'before_save', actions: '[{"type":"update_fields","values":{"description":"x"}}]' })).body.errors.map((e: any) => e.field)).toContain('delay_amount');
    expect((await post({ delay_from: 'name' })).body.errors.map((e: any) => e.field)).toContain('delay_from');
  });
});

describe('scheduled rules', () => {
  it('fires on its cron in the organisation’s zone, once per firing, with a run per matching record', async () => {
    const zone = invoicingSettings.of(server.platform).timeZone;
    overrideSettings(server.platform, invoicingSettings, { timeZone: 'Europe/Berlin' });
    try {
      const rule = await makeRule({
        name: 'Monday check of dormant accounts', target_object: 'account', trigger: 'scheduled', schedule_cron: '0 8 * * 1',
        condition: { field: 'name', op: 'startsWith', value: 'Dormant' },
        actions: [{ type: 'update_fields', values: { description: 'Checked on {{ today }}' } }],
      });
      const dormant = await Promise.all([1, 2, 3].map((i) => buildAccount(admin, { name: `Dormant ${i}` })));
      const awake = await buildAccount(admin, { name: 'Awake Inc' });
      // Not yet: Monday 07:30 in Berlin is 06:30 UTC; the firing before that is a week earlier, before the rule existed.
      const monday = (utc: string) => new Date(`${new Date(Date.now() + ((8 - new Date().getUTCDay()) % 7 || 7) * 86_400_000).toISOString().slice(0, 10)}T${utc}Z`);
      expect(await runScheduledRules(server.platform, monday('06:30:00'))).toEqual({ fired: 0, runs: 0 });
      // 08:30 in Berlin: the 08:00 firing, once however often the job looks.
      const results = await Promise.all([runScheduledRules(server.platform, monday('07:30:00')), runScheduledRules(server.platform, monday('07:31:00'))]);
      expect(results.map((r) => r.fired).sort()).toEqual([0, 1]);
      await runDueRuns(server.platform);
      for (const d of dormant) await waitFor(async () => (await get('account', d.id)).description?.startsWith('Checked on'), 'the action');
      expect((await get('account', awake.id)).description ?? null).toBeNull();
      expect(await runsOf({ rule: rule.id, status: 'succeeded' })).toHaveLength(3);
      const [schedule] = (await listAutomationSchedules(server.platform)).filter((s) => s.key === rule.id);
      expect(schedule).toMatchObject({ cron: '0 8 * * 1', timeZone: 'Europe/Berlin', lastRun: { records: 3 } });
      expect(new Date(schedule!.nextRun!).getUTCHours()).toBe(7);
    } finally {
      overrideSettings(server.platform, invoicingSettings, { timeZone: zone });
    }
  });
});

describe('faults and the dry run', () => {
  it('disables a rule whose field was deleted, with the reason; writes keep working', async () => {
    ok(await admin.request('POST', '/api/v1/metadata/objects/account/fields', { body: { apiName: 'tier', label: 'Tier', type: 'text' } }), 201);
    const rule = await makeRule({ target_object: 'account', trigger: 'created', phase: 'before_save', actions: [{ type: 'update_fields', values: { tier: 'gold' } }] });
    expect((await buildAccount(admin, { name: 'Tiered' })).tier).toBe('gold');
    ok(await admin.request('DELETE', '/api/v1/metadata/objects/account/fields/tier?confirm=true'), 204);
    const after = await buildAccount(admin, { name: 'After the field' });
    expect(after.id).toBeTruthy();
    const disabled = await waitFor(async () => {
      const r = await get('automation_rule', rule.id);
      return r.active === false ? r : null;
    }, 'the rule disabled');
    expect(disabled.disabled_reason).toMatch(/tier/);
    // Saving it again is refused until it is corrected; the correction clears the reason.
    expect((await admin.request('PATCH', `/api/v1/automation_rule/${rule.id}`, { body: { active: true } })).status).toBe(400);
    const fixed = ok(await admin.request('PATCH', `/api/v1/automation_rule/${rule.id}`, { body: { active: true, condition: '{"field":"name","op":"eq","value":"Tiered"}', actions: '[{"type":"update_fields","values":{"description":"tiered"}}]' } })).body;
    expect(fixed.disabled_reason ?? null).toBeNull();
  });

  // PostgreSQL only by nature: a second worker process is a second platform with its own
  // connections, and killing it is ending its connection mid-transaction. PGlite is one process.
  it.runIf(process.env.DATABASE_URL)('a worker killed mid-run: the next worker runs the actions once', async () => {
    let calls = 0;
    let holding: (() => void) | undefined;
    const held = new Promise<number>((reached) => {
      // An action that, the first time, stops the worker mid-run after the run's first action wrote.
      registerAutomationAction<Record<string, never>>({
        type: 'test_hold', label: 'Hold (test)', phases: ['after_save'], check: () => ({}),
        async run({ ctx }) {
          if (++calls > 1) return {};
          const pid = (await sql<{ pid: number }>`SELECT pg_backend_pid() AS pid`.execute(ctx.trx)).rows[0]!.pid;
          reached(pid);
          await new Promise<void>((resume) => (holding = resume));
          return {};
        },
        describe: async () => 'hold',
      });
    });
    await makeRule({
      target_object: 'account', trigger: 'created', condition: { field: 'name', op: 'startsWith', value: 'Crash' },
      actions: [{ type: 'create_record', object: 'task', values: { subject: 'After the crash: {{ record.name }}' } }, { type: 'test_hold' }],
    });
    const database = await openDatabase({ databaseUrl: server.platform.database.connectionString, poolSize: 3 });
    const worker = await bootPlatform({ config: server.platform.config, modules: server.platform.modules, database, logger: createLogger('silent') });
    try {
      // Written through the second platform: its after-commit wake starts the run there.
      const a = await createRecord({ ctx: { platform: worker, actor: systemActor('api') }, object: worker.registry.requireObject('account'), input: { name: 'Crash Test' } });
      const pid = await held;
      await sql`SELECT pg_terminate_backend(${pid})`.execute(server.platform.db);
      holding!();
      // The ended backend lets go of the run's lock a moment later: the next worker (the minute job) takes it then.
      const run = await waitFor(async () => {
        await runDueRuns(server.platform);
        return (await runsOf({ record: a.id, status: 'succeeded' }))[0];
      }, 'the run after the restart');
      expect(run.attempts).toBe(1);
      const tasks = await sql<{ n: string }>`SELECT count(*) AS n FROM obj_task WHERE subject = 'After the crash: Crash Test' AND deleted_at IS NULL`.execute(server.platform.db);
      expect(Number(tasks.rows[0]!.n)).toBe(1);
      expect(calls).toBe(2);
    } finally {
      await database.close().catch(() => {});
    }
  });

  it('previews a rule being edited on one record: condition, actions, every template rendered; saves and sends nothing', async () => {
    const a = await buildAccount(admin, { name: 'Preview Works', industry: 'retail' });
    const before = await sql<{ n: string }>`SELECT count(*) AS n FROM automation_run`.execute(server.platform.db);
    const rule = {
      name: 'Unsaved', target_object: 'account', trigger: 'created', phase: 'after_save',
      condition: JSON.stringify({ field: 'industry', op: 'eq', value: 'retail' }),
      actions: JSON.stringify([
        { type: 'send_email', to: ['owner'], subject: 'Welcome {{ record.name }}', body: 'Owned by {{ owner.email }} since {{ record.industry }}' },
        { type: 'update_fields', values: { description: 'Seen {{ record.name | upcase }}' } },
      ]),
    };
    const r = ok(await admin.request('POST', '/api/v1/automation/rules/preview', { body: { rule, record: a.id } })).body;
    expect(r.record).toEqual({ id: a.id, name: 'Preview Works' });
    expect(r.conditionMet).toBe(true);
    expect(r.actions[0].description).toContain('Welcome Preview Works');
    expect(r.actions[0].texts).toEqual([
      { path: 'actions[0].subject', text: 'Welcome Preview Works', error: null },
      { path: 'actions[0].body', text: expect.stringMatching(/^Owned by \S+@\S+ since retail$/), error: null },
    ]);
    expect(r.actions[1].texts).toEqual([{ path: 'actions[1].values.description', text: 'Seen PREVIEW WORKS', error: null }]);
    // Nothing saved, nothing run, the record untouched.
    expect((await get('account', a.id)).description ?? null).toBeNull();
    const after = await sql<{ n: string }>`SELECT count(*) AS n FROM automation_run`.execute(server.platform.db);
    expect(after.rows[0]!.n).toBe(before.rows[0]!.n);
    // A rule that would not save is refused the same way, naming the field.
    const bad = await admin.request('POST', '/api/v1/automation/rules/preview', { body: { rule: { ...rule, actions: JSON.stringify([{ type: 'notify', to: 'owner', title: '{{ record.nmae }}' }]) }, record: a.id } });
    expect(bad.status).toBe(400);
    expect(bad.body.errors[0].field).toBe('actions[0].title');
    // A record the rule's object does not have: 404, as for any read.
    expect((await admin.request('POST', '/api/v1/automation/rules/preview', { body: { rule, record: '0190a3b4-0000-7000-8000-000000000000' } })).status).toBe(404);
  });

  it('dry-runs a rule against existing records without side effects', async () => {
    const a = await buildAccount(admin, { name: 'Dry Goods', industry: 'retail' });
    const rule = await makeRule({
      target_object: 'account', trigger: 'updated', active: false, condition: { field: 'industry', op: 'eq', value: 'retail' },
      actions: [{ type: 'create_record', object: 'task', values: { subject: 'Visit {{ record.name }}' } }, { type: 'update_fields', values: { description: 'visited' } }],
    });
    const r = ok(await admin.request('POST', `/api/v1/automation/rules/${rule.id}/dry-run`, { body: { limit: 100 } })).body;
    const mine = r.records.find((x: any) => x.id === a.id);
    expect(mine.conditionMet).toBe(true);
    expect(mine.actions[0].description).toContain('Visit Dry Goods');
    expect(mine.actions[1].description).toContain('visited');
    expect(r.records.some((x: any) => x.conditionMet === false)).toBe(true);
    expect((await get('account', a.id)).description ?? null).toBeNull();
    const tasks = await sql<{ n: string }>`SELECT count(*) AS n FROM obj_task WHERE subject = 'Visit Dry Goods'`.execute(server.platform.db);
    expect(Number(tasks.rows[0]!.n)).toBe(0);
  });
});
