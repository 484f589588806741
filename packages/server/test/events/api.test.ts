import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomUUID } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { sql } from 'kysely';
import { getTestServer, type TestServer, type TestUser } from '../server.ts';
import { buildApp } from '../../src/platform/http/app.ts';
import { decryptSecret } from '../../src/platform/events/webhooks/secrets.ts';
import { matchesPattern } from '../../src/platform/events/webhooks/fanout.ts';
import { parseRetryAfter, retryDelay } from '../../src/platform/events/webhooks/retry.ts';
import { DEFAULT_RETRY_SCHEDULE, parseSchedule } from '../../src/platform/events/config.ts';
import { describeFailure, post } from '../../src/platform/events/webhooks/deliver.ts';
import { sleep, startReceiver } from './helpers.ts';

/**
 * The admin APIs of the event backbone — webhook subscriptions, the audit log — and the sign-in
 * lock-out and rate limits, on one server (booting one is the slow part).
 */

// Read when an app is built: a short lock-out so the test can wait it out. Restored after: test
// files share their worker process (vitest.config.ts, isolate: false).
const lockoutBefore = process.env.MERIDIAN_LOGIN_LOCKOUT;
process.env.MERIDIAN_LOGIN_LOCKOUT = '1500ms';

let server: TestServer;
let admin: TestUser;
let standard: TestUser;
beforeAll(async () => {
  server = await getTestServer();
  admin = server.admin;
  standard = await server.createUser({ email: 'standard.audit@example.com', password: 'standard-password-1' });
});
afterAll(async () => {
  if (lockoutBefore === undefined) delete process.env.MERIDIAN_LOGIN_LOCKOUT;
  else process.env.MERIDIAN_LOGIN_LOCKOUT = lockoutBefore;
  await server?.close();
});

const fields = (res: { body: any }) => res.body.errors.map((e: any) => `${e.field}:${e.code}`);

describe('/api/v1/webhooks', () => {
  it('is for administrators only', async () => {
    expect((await standard.request('GET', '/api/v1/webhooks')).status).toBe(403);
    const res = await standard.request('POST', '/api/v1/webhooks', { body: { url: 'https://example.com/hook', events: ['*'] } });
    expect(res.status).toBe(403);
    expect(res.headers['content-type']).toMatch(/application\/problem\+json/);
    const id = randomUUID();
    expect((await standard.request('GET', `/api/v1/webhooks/${id}/deliveries`)).status).toBe(403);
    expect((await standard.request('POST', `/api/v1/webhooks/${id}/replay`, { body: {} })).status).toBe(403);
    expect((await standard.request('POST', `/api/v1/webhooks/deliveries/${id}/replay`)).status).toBe(403);
    expect((await standard.request('DELETE', `/api/v1/webhooks/${id}`)).status).toBe(403);
  });

  it('creates a subscription and shows its secret once, stored encrypted', async () => {
    const res = await admin.request('POST', '/api/v1/webhooks', {
      body: { url: 'https://hooks.example.com/meridian?x=1', events: ['opportunity.*', 'contact.created'], description: 'ERP sync' },
    });
    expect(res.status, res.text).toBe(201);
    expect(res.headers.location).toBe(`/api/v1/webhooks/${res.body.id}`);
    expect(res.body).toMatchObject({ url: 'https://hooks.example.com/meridian?x=1', events: ['opportunity.*', 'contact.created'], active: true, condition: null, description: 'ERP sync', createdBy: admin.id });
    const secret: string = res.body.secret;
    expect(secret).toMatch(/^whsec_/);
    expect(Buffer.from(secret.slice(6), 'base64').length).toBeGreaterThanOrEqual(24);
    expect(res.body.secretHint).toBe(`${secret.slice(0, 10)}…`);
    const got = await admin.request('GET', `/api/v1/webhooks/${res.body.id}`);
    expect(got.body.secret).toBeUndefined();
    expect(got.text).not.toContain(secret.slice(6));
    const list = await admin.request('GET', '/api/v1/webhooks');
    expect(list.body.data.map((w: any) => w.id)).toContain(res.body.id);
    expect(list.text).not.toContain(secret.slice(6));
    const row = (await sql<{ secret_enc: string }>`SELECT secret_enc FROM webhook_subscription WHERE id = ${res.body.id}`.execute(server.platform.db)).rows[0]!;
    expect(row.secret_enc).not.toContain(secret.slice(6, 20));
    expect(decryptSecret(server.platform.signingKey, res.body.id, row.secret_enc)).toBe(secret);
    // Bound to its row: the ciphertext does not open under another id.
    expect(() => decryptSecret(server.platform.signingKey, randomUUID(), row.secret_enc)).toThrow();
  });

  it('refuses bad input with problem+json naming the fields', async () => {
    const post = (body: unknown) => admin.request('POST', '/api/v1/webhooks', { body });
    expect(fields(await post({ url: 'ftp://example.com/x', events: ['*'] }))).toEqual(['url:invalid_scheme']);
    expect(fields(await post({ url: 'https://user:pw@example.com/x', events: ['*'] }))).toEqual(['url:credentials_in_url']);
    expect(fields(await post({ url: 'not a url', events: ['*'] }))).toEqual(['url:invalid_url']);
    expect(fields(await post({ events: ['*'] }))).toEqual(['url:required']);
    expect(fields(await post({ url: 'https://example.com', events: [] }))).toEqual(['events:required']);
    // The declared schema is checked first (types, unknown properties), then the meaning of each event.
    expect(fields(await post({ url: 'https://example.com', events: ['*', 7] }))).toEqual(['events[1]:type']);
    expect(fields(await post({ url: 'https://example.com', events: ['*', 'nosuch.created', 'contact.exploded', 'Contact'] }))).toEqual([
      'events[1]:unknown_object', 'events[2]:unknown_event', 'events[3]:invalid_event',
    ]);
    expect(fields(await post({ url: 'https://example.com', events: ['*'], condition: { field: 'title', op: 'eq', value: 'x' } }))).toEqual(['condition:needs_one_object']);
    expect(fields(await post({ url: 'https://example.com', events: ['contact.*', 'account.*'], condition: { field: 'title', op: 'eq', value: 'x' } }))).toEqual(['condition:needs_one_object']);
    const cond = await post({ url: 'https://example.com', events: ['contact.*'], condition: { field: 'nope', op: 'eq', value: 'x' } });
    expect(cond.status).toBe(400);
    expect(cond.body.errors[0]).toMatchObject({ field: 'condition', code: 'invalid_filter' });
    expect(cond.body.errors[0].message).toMatch(/unknown field 'nope'/);
    expect(fields(await post({ url: 'https://example.com', events: ['*'], secret: 'mine' }))).toEqual(['secret:unknown_property']);
    expect(fields(await post({ url: 'https://example.com', events: ['*'], active: 'yes' }))).toEqual(['active:type']);
    const res = await post([1]);
    expect(res.status).toBe(400);
    expect(res.headers['content-type']).toMatch(/application\/problem\+json/);
  });

  it('accepts a condition over one object and checks it', async () => {
    const res = await admin.request('POST', '/api/v1/webhooks', {
      body: { url: 'http://127.0.0.1:9/x', events: ['opportunity.created', 'opportunity.updated'], condition: { field: 'amount', op: 'gte', value: 10000 } },
    });
    expect(res.status, res.text).toBe(201);
    expect(res.body.condition).toEqual({ field: 'amount', op: 'gte', value: 10000 });
  });

  it('updates, deactivates and deletes, recording each change in the audit log', async () => {
    const created = (await admin.request('POST', '/api/v1/webhooks', { body: { url: 'https://example.com/a', events: ['contact.*'] } })).body;
    const patched = await admin.request('PATCH', `/api/v1/webhooks/${created.id}`, { body: { url: 'https://example.com/b', condition: { field: 'title', op: 'eq', value: 'CEO' }, description: 'only CEOs' } });
    expect(patched.status, patched.text).toBe(200);
    expect(patched.body).toMatchObject({ url: 'https://example.com/b', condition: { field: 'title', op: 'eq', value: 'CEO' }, description: 'only CEOs', active: true });
    expect(patched.body.secret).toBeUndefined();
    // Widening the events past one object is refused while the condition stands.
    expect(fields(await admin.request('PATCH', `/api/v1/webhooks/${created.id}`, { body: { events: ['*'] } }))).toEqual(['condition:needs_one_object']);
    const off = await admin.request('PATCH', `/api/v1/webhooks/${created.id}`, { body: { active: false, condition: null } });
    expect(off.body).toMatchObject({ active: false, disabledReason: 'manual', condition: null });
    expect((await admin.request('PATCH', `/api/v1/webhooks/${created.id}`, { body: { url: 'javascript:alert(1)' } })).status).toBe(400);
    expect((await admin.request('DELETE', `/api/v1/webhooks/${created.id}`)).status).toBe(204);
    expect((await admin.request('GET', `/api/v1/webhooks/${created.id}`)).status).toBe(404);
    expect((await admin.request('PATCH', `/api/v1/webhooks/${randomUUID()}`, { body: { active: true } })).status).toBe(404);
    expect((await admin.request('GET', '/api/v1/webhooks/not-a-uuid')).status).toBe(404);
    const audit = await admin.request('GET', `/api/v1/audit-log?action=webhook.*`);
    const mine = audit.body.data.filter((e: any) => e.target?.id === created.id).map((e: any) => e.action);
    expect(mine).toEqual(['webhook.deleted', 'webhook.updated', 'webhook.updated', 'webhook.created']);
    expect(audit.text).not.toContain('whsec_');
  });
});

describe('webhook building blocks', () => {
  it('matches event patterns', () => {
    expect(matchesPattern('*', 'contact.created')).toBe(true);
    expect(matchesPattern('contact.*', 'contact.deleted')).toBe(true);
    expect(matchesPattern('contact.*', 'contact_role.deleted')).toBe(false);
    expect(matchesPattern('*.created', 'account.created')).toBe(true);
    expect(matchesPattern('*.created', 'account.updated')).toBe(false);
    expect(matchesPattern('contact.created', 'contact.created')).toBe(true);
    expect(matchesPattern('contact.created', 'contact.updated')).toBe(false);
  });

  it('spreads retries with jitter inside each band of the schedule and spans over two hours by default', () => {
    const schedule = parseSchedule(DEFAULT_RETRY_SCHEDULE);
    expect(schedule.length + 1).toBeGreaterThanOrEqual(6);
    const minSpan = [...Array(schedule.length).keys()].reduce((s, i) => s + retryDelay(schedule, i + 1, () => 0)!, 0);
    expect(minSpan).toBeGreaterThanOrEqual(2 * 3600_000);
    expect(retryDelay(schedule, 1, () => 0)).toBe(0);
    expect(retryDelay(schedule, 1, () => 1)).toBe(5000);
    expect(retryDelay(schedule, 2, () => 0.5)).toBe(17_500);
    expect(retryDelay(schedule, schedule.length + 1)).toBeNull();
    expect(() => parseSchedule('5s,1s')).toThrow();
    expect(parseSchedule('250ms, 2s ,1m,1h')).toEqual([250, 2000, 60_000, 3_600_000]);
  });

  it('gives each attempt a deadline for the whole exchange and reads error bodies for the log', async () => {
    const rx = await startReceiver((r) => (r.n === 1 ? { status: 200, delayMs: 1000 } : { status: 503, headers: { 'retry-after': '7' } }));
    try {
      const slow = await post(rx.url, { 'content-type': 'application/json' }, '{}', 150, 300).catch((e: unknown) => e);
      expect(describeFailure(slow, 150)).toBe('timed out after 150 ms');
      const no = await post(rx.url, { 'content-type': 'application/json' }, '{"a":1}', 2000, 5);
      expect(no).toMatchObject({ status: 503, excerpt: 'recei' });
      expect(no.headers['retry-after']).toBe('7');
      expect(rx.received[1]!.body).toBe('{"a":1}');
    } finally {
      await rx.close();
    }
    const refused = await post('http://127.0.0.1:9/x', {}, '{}', 2000, 300).catch((e: unknown) => e);
    expect(describeFailure(refused, 2000)).toBe('connection failed: ECONNREFUSED');
  });

  it('reads Retry-After as seconds or an HTTP date, capped', () => {
    const now = Date.parse('2026-05-01T12:00:00Z');
    expect(parseRetryAfter('120', 3600_000, now)).toBe(120_000);
    expect(parseRetryAfter('Fri, 01 May 2026 12:00:30 GMT', 3600_000, now)).toBe(30_000);
    expect(parseRetryAfter('Fri, 01 May 2026 11:00:00 GMT', 3600_000, now)).toBe(0);
    expect(parseRetryAfter('999999', 3600_000, now)).toBe(3600_000);
    expect(parseRetryAfter('soon', 3600_000, now)).toBeUndefined();
    expect(parseRetryAfter(null, 3600_000, now)).toBeUndefined();
  });
});

const audit = async (query = '') => {
  const res = await admin.request('GET', `/api/v1/audit-log${query}`);
  expect(res.status, res.text).toBe(200);
  return res.body as { data: any[]; nextCursor: string | null };
};

const login = (email: string, password: string, ip = '203.0.113.7') =>
  server.app.inject({ method: 'POST', url: '/api/v1/auth/login', remoteAddress: ip, headers: { 'content-type': 'application/json', 'user-agent': 'audit-test/1' }, payload: JSON.stringify({ email, password }) });

describe('audit log', () => {
  it('records sign-in success and failure with the address, and sign-out', async () => {
    const ok = await login('Standard.Audit@example.com', 'standard-password-1');
    expect(ok.statusCode).toBe(200);
    const bad = await login('standard.audit@example.com', 'wrong-password-0');
    expect(bad.statusCode).toBe(401);
    const ghost = await login('nobody@example.com', 'wrong-password-0');
    expect(ghost.statusCode).toBe(401);
    const cookie = ok.cookies.find((c) => c.name === 'meridian_session')!.value;
    const out = await server.app.inject({ method: 'POST', url: '/api/v1/auth/logout', cookies: { meridian_session: cookie }, remoteAddress: '203.0.113.7' });
    expect(out.statusCode).toBe(204);
    const entries = (await audit('?action=auth.*')).data;
    const [logout, ghostFail, fail, success] = entries;
    expect(success).toMatchObject({ action: 'auth.login.succeeded', actor: { id: standard.id, label: 'standard.audit@example.com' }, ip: '203.0.113.7', userAgent: 'audit-test/1' });
    expect(fail).toMatchObject({ action: 'auth.login.failed', actor: { id: null, label: 'standard.audit@example.com' }, ip: '203.0.113.7', details: { reason: 'bad_credentials', consecutiveFailures: 1 } });
    expect(ghostFail).toMatchObject({ action: 'auth.login.failed', actor: { label: 'nobody@example.com' } });
    expect(logout).toMatchObject({ action: 'auth.logout', actor: { id: standard.id } });
    expect(JSON.stringify(entries)).not.toContain('wrong-password');
  });

  it('records API token creation and revocation, without the token', async () => {
    const t = await standard.request('POST', '/api/v1/auth/tokens', { body: { name: 'Audit me' } });
    expect(t.status).toBe(201);
    expect((await standard.request('DELETE', `/api/v1/auth/tokens/${t.body.id}`)).status).toBe(204);
    const entries = (await audit(`?action=token.created,token.revoked&actor=${standard.id}`)).data;
    // (The test harness made this user's own token first: that is audited too.)
    expect(entries.map((e) => e.action)).toEqual(['token.revoked', 'token.created', 'token.created']);
    expect(entries[1]).toMatchObject({ target: { type: 'api_token', id: t.body.id }, details: { name: 'Audit me', prefix: t.body.prefix } });
    expect(JSON.stringify(entries)).not.toContain(t.body.token);
  });

  it('records metadata changes: objects, fields and validation rules', async () => {
    const obj = await admin.request('POST', '/api/v1/metadata/objects', { body: { apiName: 'audit_thing', label: 'Audit thing' } });
    expect(obj.status, obj.text).toBe(201);
    const f = await admin.request('POST', '/api/v1/metadata/objects/audit_thing/fields', { body: { apiName: 'size', label: 'Size', type: 'number' } });
    expect(f.status, f.text).toBe(201);
    expect((await admin.request('PATCH', '/api/v1/metadata/objects/audit_thing/fields/size', { body: { label: 'Bigness' } })).status).toBe(200);
    const rule = await admin.request('POST', '/api/v1/metadata/objects/audit_thing/validation-rules', { body: { name: 'positive', condition: { field: 'size', op: 'gte', value: 0 }, message: 'No negatives' } });
    expect(rule.status, rule.text).toBe(201);
    expect((await admin.request('DELETE', `/api/v1/metadata/objects/audit_thing/validation-rules/${rule.body.id}`)).status).toBe(204);
    expect((await admin.request('DELETE', '/api/v1/metadata/objects/audit_thing/fields/size?confirm=true')).status).toBe(204);
    const entries = (await audit('?action=metadata.*')).data;
    expect(entries.map((e) => `${e.action} ${e.target.id}`).slice(0, 6)).toEqual([
      'metadata.field.deleted audit_thing.size',
      `metadata.rule.deleted ${rule.body.id}`,
      `metadata.rule.created ${rule.body.id}`,
      'metadata.field.updated audit_thing.size',
      'metadata.field.created audit_thing.size',
      'metadata.object.created audit_thing',
    ]);
    expect(entries[0].actor).toMatchObject({ id: admin.id, via: 'api' });
  });

  it('pages newest first with a keyset cursor and filters by actor and time', async () => {
    for (let i = 0; i < 5; i++) await admin.request('POST', '/api/v1/auth/tokens', { body: { name: `page ${i}` } });
    const all: any[] = [];
    let cursor: string | null = null;
    do {
      const page: { data: any[]; nextCursor: string | null } = await audit(`?action=token.created&actor=${admin.id}&limit=2${cursor ? `&cursor=${cursor}` : ''}`);
      all.push(...page.data);
      cursor = page.nextCursor;
    } while (cursor);
    const names = all.map((e) => e.details.name).filter((n: string) => n.startsWith('page '));
    expect(names).toEqual(['page 4', 'page 3', 'page 2', 'page 1', 'page 0']);
    const times = all.map((e) => Date.parse(e.occurredAt));
    expect([...times].sort((a, b) => b - a)).toEqual(times);
    const future = await audit(`?from=${new Date(Date.now() + 60_000).toISOString()}`);
    expect(future.data).toHaveLength(0);
    const past = await audit(`?to=${new Date(Date.now() - 3600_000).toISOString()}`);
    expect(past.data).toHaveLength(0);
    const bad = await admin.request('GET', '/api/v1/audit-log?actor=bob&from=never');
    expect(bad.status).toBe(400);
    expect(bad.body.errors[0].field).toBe('actor');
    expect((await admin.request('GET', '/api/v1/audit-log?action=DROP%20TABLE')).body.errors[0].field).toBe('action');
    const stale = await admin.request('GET', `/api/v1/audit-log?action=auth.*&cursor=${(await audit('?limit=1')).nextCursor}`);
    expect(stale.status).toBe(400);
  });

  it('is admin-only and append-only', async () => {
    expect((await standard.request('GET', '/api/v1/audit-log')).status).toBe(403);
    const [entry] = (await audit('?limit=1')).data;
    expect((await admin.request('DELETE', `/api/v1/audit-log/${entry.id}`)).status).toBe(404);
    expect((await admin.request('PATCH', `/api/v1/audit-log/${entry.id}`, { body: { action: 'x' } })).status).toBe(404);
    await expect(sql`UPDATE audit_log SET action = 'x' WHERE id = ${entry.id}`.execute(server.platform.db)).rejects.toThrow(/append-only/);
    await expect(sql`DELETE FROM audit_log WHERE id = ${entry.id}`.execute(server.platform.db)).rejects.toThrow(/append-only/);
  });
});

describe('sign-in lock-out', () => {
  it('locks an e-mail after 10 consecutive failures with the same 401, audits it, and lets it in again later', async () => {
    const email = 'standard.audit@example.com';
    expect((await login(email, 'standard-password-1')).statusCode).toBe(200); // start from zero failures
    let first: string | undefined;
    for (let i = 0; i < 10; i++) {
      // Different addresses: the lock-out is per e-mail, whatever the address.
      const r = await login(email, `wrong-password-${i}`, `198.51.100.${i}`);
      expect(r.statusCode).toBe(401);
      first ??= r.body;
    }
    const locked = await login(email, 'standard-password-1');
    expect(locked.statusCode).toBe(401);
    expect(JSON.parse(locked.body).detail).toBe(JSON.parse(first!).detail);
    const entries = (await audit('?action=auth.lockout,auth.login.failed&limit=3')).data;
    expect(entries[0]).toMatchObject({ action: 'auth.login.failed', actor: { label: email }, details: { reason: 'locked_out' } });
    expect(entries[1]).toMatchObject({ action: 'auth.lockout', actor: { label: email }, details: { failures: 10 } });
    expect(entries[2]).toMatchObject({ action: 'auth.login.failed', details: { consecutiveFailures: 10 } });
    // Another user is not affected.
    expect((await login('admin@example.com', 'test-password-123')).statusCode).toBe(200);
    await sleep(1600);
    expect((await login(email, 'standard-password-1')).statusCode).toBe(200);
    expect((await sql`SELECT 1 FROM auth_login_failure WHERE email = ${email}`.execute(server.platform.db)).rows).toHaveLength(0);
  });

  it('counts only consecutive failures: a success resets the count', async () => {
    const email = 'standard.audit@example.com';
    for (let i = 0; i < 9; i++) expect((await login(email, 'nope-nope-nope')).statusCode).toBe(401);
    expect((await login(email, 'standard-password-1')).statusCode).toBe(200);
    for (let i = 0; i < 9; i++) expect((await login(email, 'nope-nope-nope')).statusCode).toBe(401);
    expect((await login(email, 'standard-password-1')).statusCode).toBe(200);
  });
});

describe('rate limits', () => {
  // Off under Vitest unless turned on: a second app on the same platform, with small limits.
  let limitedApp: FastifyInstance;
  beforeAll(async () => {
    const limits = { MERIDIAN_RATE_LIMIT: 'on', MERIDIAN_RATE_LIMIT_TOKEN: '5', MERIDIAN_RATE_LIMIT_IP: '30', MERIDIAN_RATE_LIMIT_LOGIN: '3', MERIDIAN_RATE_LIMIT_OAUTH: '4', MERIDIAN_RATE_LIMIT_WINDOW: '1m' };
    Object.assign(process.env, limits);
    try {
      limitedApp = await buildApp(server.platform, { logger: false });
      await limitedApp.ready();
    } finally {
      for (const k of Object.keys(limits)) delete process.env[k];
    }
  });
  afterAll(async () => limitedApp?.close());
  const get = (token: string, ip: string, url = '/api/v1/me') => limitedApp.inject({ method: 'GET', url, remoteAddress: ip, headers: { authorization: `Bearer ${token}` } });
  const attempt = (email: string, ip: string) =>
    limitedApp.inject({ method: 'POST', url: '/api/v1/auth/login', remoteAddress: ip, headers: { 'content-type': 'application/json' }, payload: JSON.stringify({ email, password: 'wrong-password-1' }) });

  it('limits each API token, answering 429 problem+json with Retry-After', async () => {
    const other = await server.createUser();
    // Counters belong to this app: the admin's earlier requests went to the main one.
    for (let i = 0; i < 5; i++) {
      const ok = await get(server.admin.token, '10.0.0.1');
      expect(ok.statusCode).toBe(200);
      expect(ok.headers['x-ratelimit-remaining']).toBeDefined();
    }
    const limited = await get(server.admin.token, '10.0.0.2');
    expect(limited.statusCode).toBe(429);
    expect(limited.headers['content-type']).toMatch(/application\/problem\+json/);
    expect(Number(limited.headers['retry-after'])).toBeGreaterThanOrEqual(1);
    expect(Number(limited.headers['retry-after'])).toBeLessThanOrEqual(60);
    expect(JSON.parse(limited.body)).toMatchObject({ status: 429, code: 'rate_limited' });
    // Another token (from the same address) has its own budget.
    expect((await get(other.token, '10.0.0.1')).statusCode).toBe(200);
  });

  it('limits sign-in attempts per address and e-mail', async () => {
    for (let i = 0; i < 3; i++) expect((await attempt('victim@example.com', '10.0.1.1')).statusCode).toBe(401);
    const limited = await attempt('victim@example.com', '10.0.1.1');
    expect(limited.statusCode).toBe(429);
    expect(limited.headers['retry-after']).toBeDefined();
    expect((await attempt('victim@example.com', '10.0.1.2')).statusCode).toBe(401);
    expect((await attempt('someone.else@example.com', '10.0.1.1')).statusCode).toBe(401);
  });

  it('limits token requests at /oauth/token per address, outside /api too', async () => {
    const token = (ip: string) => limitedApp.inject({
      method: 'POST', url: '/oauth/token', remoteAddress: ip,
      headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: `Basic ${Buffer.from('mcl_guess:wrong').toString('base64')}` },
      payload: 'grant_type=client_credentials',
    });
    for (let i = 0; i < 4; i++) expect((await token('10.0.3.1')).statusCode).toBe(401);
    const limited = await token('10.0.3.1');
    expect(limited.statusCode).toBe(429);
    expect(limited.headers['retry-after']).toBeDefined();
    expect(JSON.parse(limited.body)).toMatchObject({ error: 'rate_limited' });
    expect((await token('10.0.3.2')).statusCode).toBe(401);
  });

  it('limits each client address, even when its credentials are refused', async () => {
    let status = 0;
    let n = 0;
    while (n < 40) {
      n++;
      status = (await get('mrd_not-a-real-token', '10.0.2.1', '/api/v1/auth/status')).statusCode;
      if (status === 429) break;
    }
    expect(status).toBe(429);
    expect(n).toBe(31);
    expect((await get('mrd_not-a-real-token', '10.0.2.2', '/api/v1/auth/status')).statusCode).toBe(401);
    // Health checks of a load balancer are never limited.
    expect((await limitedApp.inject({ method: 'GET', url: '/api/v1/health', remoteAddress: '10.0.2.1' })).statusCode).toBe(200);
  });
});
