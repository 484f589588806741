import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PgBoss } from 'pg-boss';
import { getTestServer, type TestServer } from '../server.ts';
import { createBoss } from '../../src/platform/jobs/boss.ts';

/**
 * The jobs page's data (issue 14 item 5, AUT-5): every declared job with its cron and next run,
 * schedules created at run time, and each queue's last run, duration, result and failures —
 * read from a real pg-boss's tables after real runs (fetched and completed or failed by hand, so
 * the test waits for no worker).
 */
let server: TestServer;
let boss: PgBoss;

beforeAll(async () => {
  server = await getTestServer();
  boss = createBoss(server.platform);
  await boss.start();
}, 120_000);
afterAll(async () => {
  await boss?.stop({ graceful: false });
  await server?.close();
});

describe('GET /api/v1/jobs', () => {
  it('lists declared jobs with their next run before anything ran, for admins only', async () => {
    const user = await server.createUser();
    expect((await user.request('GET', '/api/v1/jobs')).status).toBe(403);
    const res = await server.admin.request('GET', '/api/v1/jobs');
    expect(res.status, res.text).toBe(200);
    const credit = res.body.data.find((j: { name: string }) => j.name === 'credit.nightly');
    expect(credit).toMatchObject({ source: 'credit', cron: '35 * * * *', lastRun: null, failures24h: 0 });
    const next = Date.parse(credit.nextRun);
    expect(next).toBeGreaterThan(Date.now());
    expect(new Date(next).getUTCMinutes()).toBe(35);
    expect(res.body.data.some((j: { name: string; source: string }) => j.name === 'maintenance.expire' && j.source === 'platform')).toBe(true);
  });

  it('shows the last run with its duration and result, failures with their message, and run-time schedules', async () => {
    await boss.createQueue('maintenance.expire');
    await boss.send('maintenance.expire', {});
    const [done] = await boss.fetch('maintenance.expire');
    await boss.complete('maintenance.expire', done!.id);

    await boss.createQueue('automation.scheduled-rule', { retryLimit: 0 });
    await boss.schedule('automation.scheduled-rule', '0 8 * * 1', { rule: 'r1' }, { key: 'rule-r1', tz: 'Europe/Berlin' });
    await boss.send('automation.scheduled-rule', { rule: 'r1' }, { retryLimit: 0 });
    const [bad] = await boss.fetch('automation.scheduled-rule');
    await boss.fail('automation.scheduled-rule', bad!.id, { message: 'the filter names a deleted field' });
    await boss.send('automation.scheduled-rule', { rule: 'r1' });

    const { data } = (await server.admin.request('GET', '/api/v1/jobs')).body;
    const expire = data.find((j: { name: string }) => j.name === 'maintenance.expire');
    expect(expire.lastRun.state).toBe('completed');
    expect(expire.lastRun.durationMs).toBeGreaterThanOrEqual(0);
    expect(expire.failures24h).toBe(0);

    const rule = data.find((j: { name: string; key: string }) => j.name === 'automation.scheduled-rule' && j.key === 'rule-r1');
    expect(rule).toMatchObject({ source: 'schedule', cron: '0 8 * * 1', timeZone: 'Europe/Berlin', failures24h: 1, queued: 1 });
    expect(rule.lastRun).toMatchObject({ state: 'failed', error: 'the filter names a deleted field' });
    expect(rule.lastFailure.error).toBe('the filter names a deleted field');
    // Monday 08:00 in Berlin is 07:00 UTC in winter, 06:00 in summer.
    const next = new Date(rule.nextRun);
    expect(next.getUTCDay()).toBe(1);
    expect([6, 7]).toContain(next.getUTCHours());
  });

  it("lists the workflow rules' schedules, which automation fires itself", async () => {
    const created = await server.admin.request('POST', '/api/v1/automation_rule', {
      body: { name: 'Friday dormant check', target_object: 'account', trigger: 'scheduled', schedule_cron: '30 16 * * 5', phase: 'after_save', actions: JSON.stringify([{ type: 'update_fields', values: { description: 'checked' } }]) },
    });
    expect(created.status, created.text).toBe(201);
    const { data } = (await server.admin.request('GET', '/api/v1/jobs')).body;
    const rule = data.find((j: { key: string }) => j.key === created.body.id);
    expect(rule).toMatchObject({ name: 'Friday dormant check', source: 'automation', cron: '30 16 * * 5', lastRun: null });
    expect(new Date(rule.nextRun).getTime()).toBeGreaterThan(Date.now());
  });
});
