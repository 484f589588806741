import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import { getTestServer, anonymous, type TestServer } from './server.ts';
import { prepareFirstRun } from '../src/platform/auth/setup.ts';

let server: TestServer;
beforeAll(async () => {
  server = await getTestServer();
});
afterAll(async () => server?.close());

const cookieFrom = (res: { cookies: Array<{ name: string; value: string }> }) => res.cookies.find((c) => c.name === 'meridian_session')!;

describe('sessions', () => {
  it('logs in with a session cookie, serves /me, and logs out', async () => {
    const anon = anonymous(server);
    const login = await anon('POST', '/api/v1/auth/login', { email: 'ADMIN@example.com', password: 'test-password-123' });
    expect(login.status).toBe(200);
    const cookie = cookieFrom(login);
    expect(cookie.value).toMatch(/^ms_/);
    expect((login as any).cookies.find((c: any) => c.name === 'meridian_session').httpOnly).toBe(true);
    const me = await server.app.inject({ method: 'GET', url: '/api/v1/me', cookies: { meridian_session: cookie.value } });
    expect(me.statusCode).toBe(200);
    expect(me.json()).toMatchObject({ email: 'admin@example.com', isAdmin: true, via: 'ui' });
    // The session id is stored hashed, never as is.
    const stored = await sql<{ id: string }>`SELECT id FROM auth_session`.execute(server.platform.db);
    expect(stored.rows.map((r) => r.id)).not.toContain(cookie.value);
    await server.app.inject({ method: 'POST', url: '/api/v1/auth/logout', cookies: { meridian_session: cookie.value } });
    const after = await server.app.inject({ method: 'GET', url: '/api/v1/me', cookies: { meridian_session: cookie.value } });
    expect(after.statusCode).toBe(401);
  });

  it('gives the same answer for a wrong password and an unknown user', async () => {
    const anon = anonymous(server);
    const wrong = await anon('POST', '/api/v1/auth/login', { email: 'admin@example.com', password: 'nope-nope-nope' });
    const unknown = await anon('POST', '/api/v1/auth/login', { email: 'ghost@example.com', password: 'nope-nope-nope' });
    expect(wrong.status).toBe(401);
    expect(unknown.status).toBe(401);
    expect(wrong.body.detail).toBe(unknown.body.detail);
    expect((await anon('POST', '/api/v1/auth/login', { email: 'admin@example.com' })).status).toBe(400);
  });

  it('refuses cross-site writes made with the session cookie', async () => {
    const login = await anonymous(server)('POST', '/api/v1/auth/login', { email: 'admin@example.com', password: 'test-password-123' });
    const res = await server.app.inject({
      method: 'POST', url: '/api/v1/account', cookies: { meridian_session: cookieFrom(login).value },
      headers: { origin: 'https://evil.example', host: 'localhost:3000', 'content-type': 'application/json' }, payload: '{"name":"csrf"}',
    });
    expect(res.statusCode).toBe(401);
  });

  it('stops an inactive user at once', async () => {
    const user = await server.createUser();
    expect((await user.request('GET', '/api/v1/account')).status).toBe(200);
    await server.admin.request('PATCH', `/api/v1/user/${user.id}`, { body: { active: false } });
    expect((await user.request('GET', '/api/v1/account')).status).toBe(401);
  });
});

describe('API tokens', () => {
  it('shows a token once, stores only its hash, lists and revokes it', async () => {
    const res = await server.admin.request('POST', '/api/v1/auth/tokens', { body: { name: 'Accounting sync' } });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ name: 'Accounting sync' });
    expect(res.body.token).toMatch(/^mrd_/);
    const stored = await sql<{ token_hash: string }>`SELECT token_hash FROM api_token WHERE id = ${res.body.id}`.execute(server.platform.db);
    expect(stored.rows[0]!.token_hash).not.toContain(res.body.token);
    const list = await server.admin.request('GET', '/api/v1/auth/tokens');
    expect(list.body.data.find((t: any) => t.id === res.body.id).token).toBeUndefined();
    const use = await server.app.inject({ method: 'GET', url: '/api/v1/account', headers: { authorization: `Bearer ${res.body.token}` } });
    expect(use.statusCode).toBe(200);
    await server.admin.request('DELETE', `/api/v1/auth/tokens/${res.body.id}`);
    const after = await server.app.inject({ method: 'GET', url: '/api/v1/account', headers: { authorization: `Bearer ${res.body.token}` } });
    expect(after.statusCode).toBe(401);
    expect((await server.admin.request('POST', '/api/v1/auth/tokens', { body: { name: '' } })).status).toBe(400);
  });

  it('never gives a token more than its user', async () => {
    const user = await server.createUser();
    const t = await user.request('POST', '/api/v1/auth/tokens', { body: { name: 'mine' } });
    const res = await server.app.inject({ method: 'POST', url: '/api/v1/metadata/objects', headers: { authorization: `Bearer ${t.body.token}`, 'content-type': 'application/json' }, payload: '{"apiName":"hack","label":"Hack"}' });
    expect(res.statusCode).toBe(403);
    // A standard user cannot make themselves admin through the user object.
    expect((await user.request('PATCH', `/api/v1/user/${user.id}`, { body: { profile: 'admin' } })).status).toBe(403);
  });
});

describe('first run', () => {
  it('issues a one-time setup link when no user exists, and setup creates the admin', async () => {
    const fresh = await (await import('./db.ts')).createTestDatabase();
    const { bootPlatform, createLogger } = await import('../src/platform/boot.ts');
    const { buildApp } = await import('../src/platform/http/app.ts');
    const { loadConfig } = await import('../src/platform/config.ts');
    const { modules } = await import('../src/modules/index.ts');
    const platform = await bootPlatform({ config: { ...loadConfig({}), publicUrl: 'http://crm.example' }, modules, database: fresh.database, logger: createLogger('silent') });
    const app = await buildApp(platform, { logger: false });
    try {
      const first = await prepareFirstRun(platform);
      expect(first.kind).toBe('setup');
      const url = new URL((first as { url: string }).url);
      expect(url.origin + url.pathname).toBe('http://crm.example/setup');
      expect((await app.inject({ method: 'GET', url: '/api/v1/auth/status' })).json()).toEqual({ setupRequired: true });
      const bad = await app.inject({ method: 'POST', url: '/api/v1/auth/setup', payload: { token: 'setup_wrong', email: 'boss@example.com', password: 'long-enough-pw' } });
      expect(bad.statusCode).toBe(400);
      const ok = await app.inject({ method: 'POST', url: '/api/v1/auth/setup', payload: { token: url.searchParams.get('token'), email: 'boss@example.com', password: 'long-enough-pw', firstName: 'Bo', lastName: 'Ss' } });
      expect(ok.statusCode).toBe(201);
      expect(ok.cookies.find((c) => c.name === 'meridian_session')).toBeTruthy();
      const again = await app.inject({ method: 'POST', url: '/api/v1/auth/setup', payload: { token: url.searchParams.get('token'), email: 'x@example.com', password: 'long-enough-pw' } });
      expect(again.statusCode).toBe(409);
      expect((await prepareFirstRun(platform)).kind).toBe('ready');
    } finally {
      await app.close();
      await fresh.cleanup();
    }
  });
});
