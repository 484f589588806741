import { DateTime } from 'luxon';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getTestServer, type TestServer } from './server.ts';
import { seedDemo } from '../src/modules/demo/seed.ts';

/** The demo organisation (`meridian seed demo`, the first-run offer): "My day" is alive for everyone. */
let server: TestServer;
let counts: Record<string, number>;
beforeAll(async () => {
  server = await getTestServer();
  counts = await seedDemo({ platform: server.platform });
}, 180_000);
afterAll(async () => server?.close());

describe('demo organisation', () => {
  it('loads accounts, people, leads and deals in every stage', async () => {
    expect(counts).toMatchObject({ users: 6 });
    expect(counts.accounts).toBeGreaterThan(100);
    expect(counts.opportunities).toBeGreaterThan(100);
    const stages = await server.admin.request('POST', '/api/v1/opportunity/query', { body: { fields: ['stage'], limit: 200 } });
    expect(new Set(stages.body.data.map((o: { stage: string }) => o.stage)).size).toBeGreaterThanOrEqual(5);
  });

  it('gives the admin meetings and a call today, tasks due today and overdue, and notes on deals', async () => {
    const today = DateTime.utc().startOf('day');
    const agenda = await server.admin.request('GET', `/api/v1/me/agenda?from=${today.toISO()}&to=${today.plus({ days: 1 }).toISO()}`);
    expect(agenda.status, agenda.text).toBe(200);
    const kinds = agenda.body.data.map((i: { object: string }) => i.object);
    expect(kinds.filter((k: string) => k === 'meeting').length).toBeGreaterThanOrEqual(2);
    expect(kinds).toContain('call');
    expect(kinds).toContain('task');
    const overdue = await server.admin.request('POST', '/api/v1/task/query', {
      body: { filter: { and: [{ field: 'owner', op: 'eq', value: server.admin.id }, { field: 'due_date', op: 'lt', value: today.toISODate() }, { field: 'status', op: 'in', value: ['not_started', 'in_progress'] }] } },
    });
    expect(overdue.body.data.length).toBeGreaterThanOrEqual(2);
    const notes = await server.admin.request('POST', '/api/v1/note/query', { body: { filter: { field: 'owner', op: 'eq', value: server.admin.id } } });
    expect(notes.body.data.length).toBeGreaterThanOrEqual(2);
    const timeline = await server.admin.request('GET', `/api/v1/opportunity/${notes.body.data[0].opportunity}/timeline`);
    expect(timeline.body.data.some((i: { kind: string }) => i.kind === 'note')).toBe(true);
  });

  it('lists activity links of the demo data, open tasks included (their open-ended timeline key has an ISO form)', async () => {
    for (const [method, url, body] of [['GET', '/api/v1/activity_link?limit=200', undefined], ['POST', '/api/v1/activity_link/query', { limit: 200 }]] as const) {
      const res = await server.admin.request(method, url, body ? { body } : {});
      expect(res.status, res.text.slice(0, 200)).toBe(200);
      expect(res.body.data.some((l: { upcoming_until: string | null }) => l.upcoming_until === '9999-12-31T23:59:59.999Z')).toBe(true);
    }
  });
});

describe('the demo offer', () => {
  it('tells administrators whether the organisation is still empty, so the home page can offer the demo', async () => {
    const fresh = await getTestServer();
    try {
      const before = await fresh.admin.request('GET', '/api/v1/admin/seed-demo');
      expect(before.status, before.text).toBe(200);
      expect(before.body).toMatchObject({ state: 'idle', orgEmpty: true });
      const created = await fresh.admin.request('POST', '/api/v1/lead', { body: { last_name: 'Nakamura', company: 'Kumo Print' } });
      expect(created.status, created.text).toBe(201);
      expect((await fresh.admin.request('GET', '/api/v1/admin/seed-demo')).body.orgEmpty).toBe(false);
      const rep = await fresh.createUser();
      expect((await rep.request('GET', '/api/v1/admin/seed-demo')).status).toBe(403);
    } finally {
      await fresh.close();
    }
  }, 120_000);
});
