import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import { getTestServer, type TestServer } from '../server.ts';
import { browser, startOidcProvider, type TestProvider } from './provider.ts';

/**
 * Single sign-on (issue 15 item 9) against a real OpenID provider started here, through the API:
 * the browser's redirects are followed with fetch and a cookie jar. Hostile answers — another
 * state, another nonce, an unverified e-mail, a domain not allowed, a provider whose issuer is not
 * the configured one, a callback in another browser — each end on the sign-in page with a
 * reason, and no session.
 */
let server: TestServer;
let base: string;
let idp: TestProvider;
let providerId: string;

const ACCOUNTS = {
  carol: { email: 'carol@acme.test', email_verified: true },
  newbie: { email: 'Newbie@Acme.test', email_verified: true },
  unverified: { email: 'unverified@acme.test', email_verified: false },
  mallory: { email: 'mallory@evil.test', email_verified: true },
};

beforeAll(async () => {
  server = await getTestServer();
  await server.app.listen({ port: 0, host: '127.0.0.1' });
  base = `http://127.0.0.1:${(server.app.server.address() as AddressInfo).port}`;
  // The callback URL is built from the public URL: this instance's real address.
  (server.platform.config as { publicUrl: string }).publicUrl = base;
  idp = await startOidcProvider({ redirectUri: `${base}/auth/sso/callback`, accounts: ACCOUNTS });
  const created = await server.admin.request('POST', '/api/v1/sso/providers', {
    body: { name: 'Acme ID', issuer: idp.issuer, clientId: idp.clientId, clientSecret: idp.clientSecret, allowedDomains: ['acme.test'], defaultProfile: 'standard' },
  });
  expect(created.status, created.text).toBe(201);
  providerId = created.body.id;
});
afterAll(async () => {
  await idp?.close();
  await server?.close();
});

/** Starts at "Sign in with …", fills the provider's form, and stops before or at Meridian's callback. */
async function signIn(login: string, options: { provider?: string; beforeCallback?: (url: URL) => Promise<URL | void> | URL | void; otherBrowser?: boolean } = {}) {
  const b = browser();
  let res = await b.request(`${base}/auth/sso/${options.provider ?? providerId}/start`);
  for (let hops = 0; hops < 20; hops++) {
    const location = res.headers.get('location');
    if (res.status >= 300 && res.status < 400 && location) {
      let next = new URL(location, res.url || base);
      if (next.href.startsWith(`${base}/auth/sso/callback`)) {
        next = (await options.beforeCallback?.(next)) ?? next;
        const final = await (options.otherBrowser ? browser() : b).request(next.href);
        return { location: final.headers.get('location')!, session: b.cookie(base, 'meridian_session') ?? null, status: final.status };
      }
      if (next.origin === base) return { location: next.pathname + next.search, session: b.cookie(base, 'meridian_session') ?? null, status: res.status };
      res = await b.request(next.href);
      continue;
    }
    const html = await res.text();
    const action = /<form[^>]*action="([^"]+)"/.exec(html)?.[1];
    if (!action) throw new Error(`no form on ${res.url}: ${html.slice(0, 300)}`);
    const prompt = /name="prompt" value="([^"]+)"/.exec(html)?.[1] ?? 'login';
    const form: Record<string, string> = { prompt };
    if (prompt === 'login') Object.assign(form, { login, password: 'any' });
    res = await b.request(new URL(action, idp.issuer).href, { method: 'POST', form });
  }
  throw new Error('too many redirects');
}

const me = (session: string) => server.app.inject({ method: 'GET', url: '/api/v1/me', cookies: { meridian_session: session } });
const sessions = async () => Number((await sql<{ n: string }>`SELECT count(*) AS n FROM auth_session`.execute(server.platform.db)).rows[0]!.n);

describe('single sign-on with OpenID Connect', () => {
  it('lists the provider on the sign-in page without a session, never its secret', async () => {
    const res = await fetch(`${base}/api/v1/auth/sso/providers`);
    expect(await res.json()).toEqual({ data: [{ id: providerId, name: 'Acme ID' }] });
    const admin = await server.admin.request('GET', '/api/v1/sso/providers');
    expect(admin.text).not.toContain(idp.clientSecret);
    const stored = await sql<{ client_secret_enc: string }>`SELECT client_secret_enc FROM sso_provider`.execute(server.platform.db);
    expect(stored.rows[0]!.client_secret_enc).not.toContain(idp.clientSecret);
    const test = await server.admin.request('POST', `/api/v1/sso/providers/${providerId}/test`);
    expect(test.body).toMatchObject({ ok: true });
  });

  it('signs in an existing user matched by verified e-mail', async () => {
    const carol = await server.createUser({ email: 'carol@acme.test' });
    const result = await signIn('carol');
    expect(result.location).toBe('/');
    expect(result.session).toMatch(/^ms_/);
    const answer = await me(result.session!);
    expect(answer.statusCode).toBe(200);
    expect(answer.json()).toMatchObject({ id: carol.id, email: 'carol@acme.test', via: 'ui' });
  });

  it('creates a user just in time with the default profile', async () => {
    const result = await signIn('newbie');
    expect(result.location).toBe('/');
    const user = (await me(result.session!)).json();
    expect(user).toMatchObject({ email: 'Newbie@Acme.test', profile: 'standard', isAdmin: false });
    const audit = await sql<{ action: string }>`SELECT action FROM audit_log WHERE action = 'auth.sso.user_created'`.execute(server.platform.db);
    expect(audit.rows).toHaveLength(1);
  });

  it('password sign-in can be turned off per user; single sign-on still works', async () => {
    const dave = await server.createUser({ email: 'dave@acme.test', password: 'dave-password-123' });
    const login = () => server.app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { email: 'dave@acme.test', password: 'dave-password-123' } });
    expect((await login()).statusCode).toBe(200);
    const off = await server.admin.request('PUT', `/api/v1/users/${dave.id}/password-sign-in`, { body: { enabled: false } });
    expect(off.body).toEqual({ userId: dave.id, passwordSignIn: false });
    const refused = await login();
    expect(refused.statusCode).toBe(401);
    expect(refused.json().detail).toContain('single sign-on');
    expect((await server.admin.request('GET', `/api/v1/users/${dave.id}/password-sign-in`)).body.passwordSignIn).toBe(false);
    expect((await server.admin.request('GET', '/api/v1/sso/password-sign-in-off')).body.data).toEqual([dave.id]);
    await server.admin.request('PUT', `/api/v1/users/${dave.id}/password-sign-in`, { body: { enabled: true } });
    expect((await login()).statusCode).toBe(200);
  });

  it('refuses a state that is not this sign-in’s, another nonce, and a callback in another browser', async () => {
    const before = await sessions();
    const state = await signIn('carol', { beforeCallback: (url) => (url.searchParams.set('state', 'forged-state'), url) });
    expect(state).toMatchObject({ location: '/login?sso_error=state_mismatch', session: null });
    const nonce = await signIn('carol', { beforeCallback: async () => void (await sql`UPDATE sso_sign_in SET nonce = 'another-nonce'`.execute(server.platform.db)) });
    expect(nonce).toMatchObject({ location: '/login?sso_error=token_invalid', session: null });
    const other = await signIn('carol', { otherBrowser: true });
    expect(other.location).toBe('/login?sso_error=flow_expired');
    expect(await sessions()).toBe(before);
  });

  it('refuses an unverified e-mail and a domain that is not allowed', async () => {
    const before = await sessions();
    expect(await signIn('unverified')).toMatchObject({ location: '/login?sso_error=email_unverified', session: null });
    expect(await signIn('mallory')).toMatchObject({ location: '/login?sso_error=domain_not_allowed', session: null });
    expect(await sessions()).toBe(before);
    const users = await sql`SELECT 1 FROM obj_user WHERE email IN ('unverified@acme.test', 'mallory@evil.test')`.execute(server.platform.db);
    expect(users.rows).toHaveLength(0);
    const failures = await sql<{ reason: string }>`SELECT details->>'reason' AS reason FROM audit_log WHERE action = 'auth.login.failed' AND details->>'method' = 'sso'`.execute(server.platform.db);
    expect(failures.rows.map((r) => r.reason)).toEqual(expect.arrayContaining(['state_mismatch', 'token_invalid', 'email_unverified', 'domain_not_allowed']));
  });

  it('refuses a provider whose discovery document names another issuer', async () => {
    // Same provider, reached under another host name: its metadata names 127.0.0.1, not localhost.
    const wrong = await server.admin.request('POST', '/api/v1/sso/providers', {
      body: { name: 'Wrong issuer', issuer: idp.issuer.replace('127.0.0.1', 'localhost'), clientId: idp.clientId, clientSecret: idp.clientSecret, allowedDomains: ['acme.test'] },
    });
    const test = await server.admin.request('POST', `/api/v1/sso/providers/${wrong.body.id}/test`);
    expect(test.body.ok).toBe(false);
    const result = await signIn('carol', { provider: wrong.body.id });
    expect(result).toMatchObject({ location: '/login?sso_error=provider_unavailable', session: null });
    await server.admin.request('DELETE', `/api/v1/sso/providers/${wrong.body.id}`);
  });

  it('checks provider settings, naming the field, and keeps them for admins', async () => {
    const bad = await server.admin.request('POST', '/api/v1/sso/providers', { body: { name: 'Plain', issuer: 'http://idp.example.com', clientId: 'x', clientSecret: 'y', allowedDomains: ['not a domain'] } });
    expect(bad.status).toBe(400);
    expect(bad.body.errors.map((e: { field: string }) => e.field).sort()).toEqual(['allowedDomains', 'issuer']);
    const rep = await server.createUser();
    expect((await rep.request('GET', '/api/v1/sso/providers')).status).toBe(403);
    expect((await rep.request('PUT', `/api/v1/users/${rep.id}/password-sign-in`, { body: { enabled: false } })).status).toBe(403);
  });
});
