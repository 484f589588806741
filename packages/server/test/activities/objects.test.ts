import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getTestServer, type TestServer, type TestUser } from '../server.ts';
import { buildAccount, buildContact, buildOpportunity, buildRecord, buildTask } from '../factories.ts';

let server: TestServer;
let admin: TestUser;
beforeAll(async () => {
  server = await getTestServer();
  admin = server.admin;
});
afterAll(async () => server?.close());

const timeline = async (user: TestUser, object: string, id: string, query = '') => {
  const res = await user.request('GET', `/api/v1/${object}/${id}/timeline${query}`);
  expect(res.status, res.text).toBe(200);
  return res.body as { data: Array<Record<string, any>>; nextCursor: string | null };
};

describe('activity objects (ACT-1)', () => {
  it('defines task, meeting, call and email_log with their statuses', async () => {
    const meeting = await buildRecord(admin, 'meeting', { subject: 'Kick-off', start_at: '2030-03-01T09:00:00Z', end_at: '2030-03-01T10:00:00Z', time_zone: 'Europe/Berlin', reminder_minutes: 15 });
    expect(meeting).toMatchObject({ status: 'scheduled', priority: 'normal', time_zone: 'Europe/Berlin', reminder_minutes: 15, owner: admin.id });
    const call = await buildRecord(admin, 'call', { subject: 'Intro call', start_at: '2024-03-01T09:00:00Z', status: 'held', outcome: 'voicemail' });
    expect(call).toMatchObject({ status: 'held', outcome: 'voicemail' });
    const bad = await admin.request('POST', '/api/v1/call', { body: { subject: 'x', start_at: '2024-03-01T09:00:00Z', outcome: 'hung_up' } });
    expect(bad.status).toBe(400);
    const badTask = await admin.request('POST', '/api/v1/task', { body: { subject: 'x', status: 'held' } });
    expect(badTask.status).toBe(400);
    const email = await buildRecord(admin, 'email_log', { subject: 'Proposal sent', sent_at: '2024-02-01T08:00:00Z', to_addresses: 'a@example.com' });
    expect(email).toMatchObject({ direction: 'outbound' });
  });

  it('stamps completed_at when a task is completed and clears it when reopened', async () => {
    const task = await buildTask(admin);
    expect(task.completed_at).toBeNull();
    const done = await admin.request('PATCH', `/api/v1/task/${task.id}`, { body: { status: 'completed' } });
    expect(done.body.completed_at).toEqual(expect.any(String));
    expect(Date.now() - Date.parse(done.body.completed_at)).toBeLessThan(60_000);
    const again = await admin.request('PATCH', `/api/v1/task/${task.id}`, { body: { priority: 'high' } });
    expect(again.body.completed_at).toBe(done.body.completed_at);
    const reopened = await admin.request('PATCH', `/api/v1/task/${task.id}`, { body: { status: 'in_progress' } });
    expect(reopened.body.completed_at).toBeNull();
    const direct = await admin.request('PATCH', `/api/v1/task/${task.id}`, { body: { completed_at: '2020-01-01T00:00:00Z' } });
    expect(direct.status).toBe(400);
    const created = await buildTask(admin, { status: 'completed' });
    expect(created.completed_at).toEqual(expect.any(String));
  });

  it('relates one meeting to an account, two contacts and an opportunity: it is on each timeline', async () => {
    const account = await buildAccount(admin);
    const [c1, c2] = [await buildContact(admin, { account: account.id }), await buildContact(admin, { account: account.id })];
    const opp = await buildOpportunity(admin, { account: account.id });
    const meeting = await buildRecord(admin, 'meeting', { subject: 'Quarterly review', start_at: '2031-05-01T09:00:00Z', account: account.id });
    for (const [object, id] of [['contact', c1.id], ['contact', c2.id], ['opportunity', opp.id]] as const) {
      const link = await admin.request('POST', '/api/v1/activity_link', { body: { activity_object: 'meeting', activity_id: meeting.id, record_object: object, record_id: id } });
      expect(link.status, link.text).toBe(201);
    }
    const dup = await admin.request('POST', '/api/v1/activity_link', { body: { activity_object: 'meeting', activity_id: meeting.id, record_object: 'contact', record_id: c1.id } });
    expect(dup.status).toBe(400);
    expect(dup.body.errors[0].code).toBe('duplicate');
    const missing = await admin.request('POST', '/api/v1/activity_link', { body: { activity_object: 'meeting', activity_id: meeting.id, record_object: 'contact', record_id: account.id } });
    expect(missing.status).toBe(400);
    const wrongKind = await admin.request('POST', '/api/v1/activity_link', { body: { activity_object: 'account', activity_id: account.id, record_object: 'contact', record_id: c1.id } });
    expect(wrongKind.status).toBe(400);
    for (const [object, id] of [['account', account.id], ['contact', c1.id], ['contact', c2.id], ['opportunity', opp.id]] as const) {
      const t = await timeline(admin, object, id);
      expect(t.data.filter((i) => i.kind === 'meeting').map((i) => i.id)).toEqual([meeting.id]);
    }
    // Deleting the meeting takes it off every timeline; the links stay for a restore.
    expect((await admin.request('DELETE', `/api/v1/meeting/${meeting.id}`)).status).toBe(204);
    expect((await timeline(admin, 'contact', c1.id)).data.filter((i) => i.kind === 'meeting')).toEqual([]);
  });
});

describe('follow-ups (seed 004)', () => {
  it('creates a task for yourself or another user, linked to the record', async () => {
    const opp = await buildOpportunity(admin);
    const mine = await admin.request('POST', `/api/v1/opportunity/${opp.id}/follow-ups`, { body: { description: 'Send the revised quote\nwith the discount', dueDate: '2031-01-10' } });
    expect(mine.status, mine.text).toBe(201);
    expect(mine.body).toMatchObject({ subject: 'Follow up: Send the revised quote', due_date: '2031-01-10', owner: admin.id, opportunity: opp.id, status: 'not_started' });
    const colleague = await server.createUser();
    const theirs = await admin.request('POST', `/api/v1/opportunity/${opp.id}/follow-ups`, { body: { description: 'Call the CFO', dueDate: '2031-01-12', assignee: colleague.id } });
    expect(theirs.status).toBe(201);
    expect(theirs.body.owner).toBe(colleague.id);
    const t = await timeline(admin, 'opportunity', opp.id);
    expect(t.data.filter((i) => i.kind === 'task').map((i) => i.id)).toEqual([mine.body.id, theirs.body.id]);
    expect(t.data[0]).toMatchObject({ upcoming: true, title: 'Follow up: Send the revised quote' });

    // Any object works, also one without a typed lookup on task (here: a pipeline).
    const pipeline = (await admin.request('GET', '/api/v1/pipeline')).body.data[0];
    const onPipeline = await admin.request('POST', `/api/v1/pipeline/${pipeline.id}/follow-ups`, { body: { description: 'Review stages', dueDate: null } });
    expect(onPipeline.status).toBe(201);
    expect((await timeline(admin, 'pipeline', pipeline.id)).data.some((i) => i.id === onPipeline.body.id)).toBe(true);

    const extra = await admin.request('POST', `/api/v1/opportunity/${opp.id}/follow-ups`, { body: { description: 'x', extra: 1 } });
    expect(extra.status).toBe(400);
    expect(extra.body.errors).toEqual([expect.objectContaining({ field: 'extra', code: 'unknown_property' })]);
    const invalid = await admin.request('POST', `/api/v1/opportunity/${opp.id}/follow-ups`, { body: { description: '', dueDate: '10/01/2031' } });
    expect(invalid.status).toBe(400);
    expect(invalid.body.errors.map((e: { field: string }) => e.field).sort()).toEqual(['description', 'dueDate']);
    const unknownUser = await admin.request('POST', `/api/v1/opportunity/${opp.id}/follow-ups`, { body: { description: 'x', assignee: '01890000-0000-7000-8000-000000000000' } });
    expect(unknownUser.status).toBe(400);
    expect((await admin.request('POST', `/api/v1/opportunity/01890000-0000-7000-8000-000000000000/follow-ups`, { body: { description: 'x' } })).status).toBe(404);
  });
});

describe('rich-text notes', () => {
  const save = async (body: string) => (await buildRecord(admin, 'note', { title: 'N', body })).body as string;

  it('keeps the allowed formatting', async () => {
    const html = '<h2>Summary</h2><p>We <strong>agreed</strong> on <em>terms</em>, <b>b</b> <i>i</i> <u>u</u><br></p><ul><li>one</li></ul><ol><li>two</li></ol><blockquote>quote</blockquote><pre><code>x = 1</code></pre><p><a href="https://example.com/a?b=1">link</a> <a href="mailto:a@example.com">mail</a></p>';
    expect(await save(html)).toBe(html.replace('<br>', '<br />'));
  });

  it('removes scripts, handlers, javascript: URLs and unknown tags', async () => {
    expect(await save('<p>hi<script>alert(1)</script></p>')).toBe('<p>hi</p>');
    expect(await save('<img src=x onerror="alert(1)"><p onclick="x()">t</p>')).toBe('<p>t</p>');
    expect(await save('<a href="javascript:alert(1)">x</a>')).toBe('<a>x</a>');
    expect(await save('<a href="JaVaScRiPt&#58;alert(1)">x</a>')).toBe('<a>x</a>');
    expect(await save('<a href=" data:text/html;base64,PHNjcmlwdD4=">x</a>')).toBe('<a>x</a>');
    expect(await save('<a href="//evil.example/x" target="_blank" style="x">x</a>')).toBe('<a>x</a>');
    expect(await save('<style>p{}</style><iframe src="https://evil.example"></iframe><svg><script>1</script></svg><p>ok</p>')).toBe('<p>ok</p>');
    expect(await save('<div><span>text</span></div>')).toBe('text');
    expect(await save('1 < 2 & "q"')).toBe('1 &lt; 2 &amp; "q"');
    const patched = await admin.request('POST', '/api/v1/note', { body: { title: 'P', body: '<p>ok</p>' } });
    const upd = await admin.request('PATCH', `/api/v1/note/${patched.body.id}`, { body: { body: '<p onmouseover="x">ok</p><script>x</script>' } });
    expect(upd.body.body).toBe('<p>ok</p>');
  });
});

describe('activity links are records like any other', () => {
  it('a link written by a regarding lookup has history and an activity_link.created event', async () => {
    const account = await buildAccount(admin, { name: 'Linked Ltd' });
    const task = await buildTask(admin, { subject: 'Call about the link', account: account.id });
    const links = await admin.request('POST', '/api/v1/activity_link/query', { body: { filter: { field: 'activity_id', op: 'eq', value: task.id }, fields: ['id', 'activity_object', 'record_object', 'record_id'] } });
    expect(links.status, links.text).toBe(200);
    const [link] = links.body.data;
    expect(link).toMatchObject({ activity_object: 'task', record_object: 'account', record_id: account.id });
    const history = await admin.request('GET', `/api/v1/activity_link/${link.id}/history`);
    expect(history.status, history.text).toBe(200);
    expect(history.body.data.some((h: any) => h.operation === 'create')).toBe(true);
    const { sql } = await import('kysely');
    const events = await sql<{ type: string }>`SELECT type FROM outbox_event WHERE record_id = ${link.id}::uuid`.execute(server.platform.db);
    expect(events.rows.map((e) => e.type)).toEqual(['activity_link.created']);
  });
});
