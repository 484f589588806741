import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { sql } from 'kysely';
import { getTestServer, anonymous, type TestServer, type TestUser } from './server.ts';
import { bootPlatform, createLogger } from '../src/platform/boot.ts';
import { openDatabase } from '../src/platform/db/connection.ts';
import { buildApp } from '../src/platform/http/app.ts';
import { modules } from '../src/modules/index.ts';
import type { Platform } from '../src/platform/kernel.ts';

/**
 * The authentication cache (platform/auth/cache.ts): tokens, sessions and access information are
 * served from each process's memory, and every change that alters them — revocation, sign-out,
 * deactivation, a profile change, expiry — is in force for the very next request, in this process
 * and (on PostgreSQL) in a second one on the same database.
 */
let server: TestServer;
beforeAll(async () => {
  server = await getTestServer();
});
afterAll(async () => server?.close());
afterEach(() => vi.useRealTimers());

type Send = (method: string, url: string, headers?: Record<string, string>, body?: unknown) => Promise<{ status: number; body: any }>;
const sender = (app: FastifyInstance): Send => async (method, url, headers = {}, body) => {
  const res = await app.inject({ method: method as 'GET', url, headers: { ...headers, ...(body ? { 'content-type': 'application/json' } : {}) }, ...(body ? { payload: JSON.stringify(body) } : {}) });
  return { status: res.statusCode, body: res.body ? JSON.parse(res.body) : undefined };
};
const bearer = (user: TestUser) => ({ authorization: `Bearer ${user.token}` });

async function signIn(email: string): Promise<Record<string, string>> {
  const res = await anonymous(server)('POST', '/api/v1/auth/login', { email, password: 'test-password-123' });
  expect(res.status).toBe(200);
  return { cookie: `meridian_session=${res.cookies.find((c) => c.name === 'meridian_session')!.value}` };
}

async function tokenIdOf(user: TestUser): Promise<string> {
  const res = await user.request('GET', '/api/v1/auth/tokens');
  return res.body.data[0].id;
}

describe('in one process', () => {
  const send = () => sender(server.app);

  it('serves a known token from the cache, and drops it once the shared version moves', async () => {
    const user = await server.createUser();
    expect((await user.request('GET', '/api/v1/me')).status).toBe(200);
    // Change the stored token behind the cache's back (the trigger disabled): still served.
    const db = server.platform.db;
    await sql`ALTER TABLE api_token DISABLE TRIGGER meridian_auth_version`.execute(db);
    try {
      await sql`UPDATE api_token SET token_hash = 'gone' WHERE user_id = ${user.id}`.execute(db);
    } finally {
      await sql`ALTER TABLE api_token ENABLE TRIGGER meridian_auth_version`.execute(db);
    }
    expect((await user.request('GET', '/api/v1/me')).status).toBe(200);
    // Any change that bumps the version sends the next request to the database.
    await sql`UPDATE auth_cache_version SET version = version + 1`.execute(db);
    expect((await user.request('GET', '/api/v1/me')).status).toBe(401);
  });

  it('refuses a revoked token at once', async () => {
    const user = await server.createUser();
    expect((await user.request('GET', '/api/v1/account')).status).toBe(200);
    expect((await user.request('DELETE', `/api/v1/auth/tokens/${await tokenIdOf(user)}`)).status).toBe(204);
    expect((await user.request('GET', '/api/v1/account')).status).toBe(401);
  });

  it('refuses a deactivated user at once, by token and by session', async () => {
    const user = await server.createUser();
    const session = await signIn(user.email);
    expect((await send()('GET', '/api/v1/me', session)).status).toBe(200);
    expect((await user.request('GET', '/api/v1/me')).status).toBe(200);
    expect((await server.admin.request('PATCH', `/api/v1/user/${user.id}`, { body: { active: false } })).status).toBe(200);
    expect((await user.request('GET', '/api/v1/me')).status).toBe(401);
    expect((await send()('GET', '/api/v1/me', session)).status).toBe(401);
  });

  it('puts a profile change in force at once', async () => {
    const user = await server.createUser();
    expect((await user.request('GET', '/api/v1/me')).body.isAdmin).toBe(false);
    expect((await user.request('GET', '/api/v1/profiles')).status).toBe(403);
    await server.admin.request('PATCH', `/api/v1/user/${user.id}`, { body: { profile: 'admin' } });
    expect((await user.request('GET', '/api/v1/me')).body.isAdmin).toBe(true);
    expect((await user.request('GET', '/api/v1/profiles')).status).toBe(200);
    await server.admin.request('PATCH', `/api/v1/user/${user.id}`, { body: { profile: 'standard' } });
    expect((await user.request('GET', '/api/v1/profiles')).status).toBe(403);
  });

  it('refuses a signed-out session at once', async () => {
    const user = await server.createUser();
    const session = await signIn(user.email);
    expect((await send()('GET', '/api/v1/me', session)).status).toBe(200);
    expect((await send()('POST', '/api/v1/auth/logout', session)).status).toBeLessThan(300);
    expect((await send()('GET', '/api/v1/me', session)).status).toBe(401);
  });

  it('refuses a cached token and session once they expire', async () => {
    const user = await server.createUser();
    const created = await user.request('POST', '/api/v1/auth/tokens', { body: { name: 'short', expiresInDays: 1 } });
    const short = { authorization: `Bearer ${created.body.token}` };
    const session = await signIn(user.email);
    expect((await send()('GET', '/api/v1/me', short)).status).toBe(200);
    expect((await send()('GET', '/api/v1/me', session)).status).toBe(200);
    // The clock moves past the token's expiry (a day) and the session's (14 days, sliding).
    vi.useFakeTimers({ toFake: ['Date'], now: Date.now() + 2 * 86400_000 });
    expect((await send()('GET', '/api/v1/me', short)).status).toBe(401);
    expect((await user.request('GET', '/api/v1/me')).status).toBe(200);
    vi.setSystemTime(Date.now() + 15 * 86400_000);
    expect((await send()('GET', '/api/v1/me', session)).status).toBe(401);
  });
});

// PGlite is one process by nature: a second one cannot open its data.
describe.skipIf(!process.env.DATABASE_URL)('in a second process on the same PostgreSQL', () => {
  let other: { platform: Platform; app: FastifyInstance };
  beforeAll(async () => {
    const database = await openDatabase({ databaseUrl: server.db.database.connectionString, poolSize: 3 });
    const platform = await bootPlatform({ config: server.platform.config, modules, database, logger: createLogger('silent') });
    const app = await buildApp(platform, { logger: false });
    await app.ready();
    other = { platform, app };
  });
  afterAll(async () => {
    await other?.app.close();
    await other?.platform.database.close();
  });
  const there = () => sender(other.app);

  it('refuses a token revoked here at once there', async () => {
    const user = await server.createUser();
    expect((await there()('GET', '/api/v1/account', bearer(user))).status).toBe(200);
    expect((await user.request('DELETE', `/api/v1/auth/tokens/${await tokenIdOf(user)}`)).status).toBe(204);
    expect((await there()('GET', '/api/v1/account', bearer(user))).status).toBe(401);
  });

  it('refuses a user deactivated here at once there', async () => {
    const user = await server.createUser();
    const session = await signIn(user.email);
    expect((await there()('GET', '/api/v1/me', bearer(user))).status).toBe(200);
    expect((await there()('GET', '/api/v1/me', session)).status).toBe(200);
    await server.admin.request('PATCH', `/api/v1/user/${user.id}`, { body: { active: false } });
    expect((await there()('GET', '/api/v1/me', bearer(user))).status).toBe(401);
    expect((await there()('GET', '/api/v1/me', session)).status).toBe(401);
  });

  it('puts a profile change made here in force at once there', async () => {
    const user = await server.createUser();
    expect((await there()('GET', '/api/v1/profiles', bearer(user))).status).toBe(403);
    await server.admin.request('PATCH', `/api/v1/user/${user.id}`, { body: { profile: 'admin' } });
    expect((await there()('GET', '/api/v1/profiles', bearer(user))).status).toBe(200);
  });

  it('refuses a session signed out here at once there', async () => {
    const user = await server.createUser();
    const session = await signIn(user.email);
    expect((await there()('GET', '/api/v1/me', session)).status).toBe(200);
    await sender(server.app)('POST', '/api/v1/auth/logout', session);
    expect((await there()('GET', '/api/v1/me', session)).status).toBe(401);
  });
});
