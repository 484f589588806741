import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import { ClientCredentials } from 'simple-oauth2';
import { overrideSettings } from '../../src/platform/settings.ts';
import { oauthSettings } from '../../src/platform/auth/oauth/settings.ts';
import { getTestServer, type TestServer } from '../server.ts';

/**
 * Integration clients (issue 15 item 8, PLT-12) over a real socket, with simple-oauth2 as an
 * independent OAuth 2.0 client: the client credentials grant by HTTP Basic and client_secret_post,
 * RFC 6749 errors, scopes enforced by the record pipeline, rotation, revocation, expiry, audit.
 */
let server: TestServer;
let base: string;
beforeAll(async () => {
  server = await getTestServer();
  await server.app.listen({ port: 0, host: '127.0.0.1' });
  base = `http://127.0.0.1:${(server.app.server.address() as AddressInfo).port}`;
});
afterAll(async () => server?.close());

const createClient = async (body: { name: string; scopes: string[]; userId: string }) => {
  const res = await server.admin.request('POST', '/api/v1/integration-clients', { body });
  expect(res.status, res.text).toBe(201);
  return res.body as { id: string; clientId: string; clientSecret: string; scopes: string[] };
};

const oauth = (id: string, secret: string, method: 'header' | 'body' = 'header') =>
  new ClientCredentials({ client: { id, secret }, auth: { tokenHost: base, tokenPath: '/oauth/token' }, options: { authorizationMethod: method } });

const api = (token: string, method: string, path: string, body?: unknown) =>
  fetch(`${base}${path}`, { method, headers: { authorization: `Bearer ${token}`, ...(body ? { 'content-type': 'application/json' } : {}) }, ...(body ? { body: JSON.stringify(body) } : {}) });

const tokenError = async (body: Record<string, string>, headers: Record<string, string> = {}) => {
  const res = await fetch(`${base}/oauth/token`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers }, body: new URLSearchParams(body) });
  return { status: res.status, body: (await res.json()) as { error: string; error_description: string }, headers: res.headers };
};

describe('integration clients', () => {
  it('issues tokens by HTTP Basic and client_secret_post; a records:read token reads but cannot write anywhere', async () => {
    const client = await createClient({ name: 'Warehouse sync', scopes: ['records:read'], userId: server.admin.id });
    expect(client.clientSecret).toMatch(/^mcs_/);
    // Only the hash is kept, and the listing never shows the secret.
    const stored = await sql<{ secret_hash: string }>`SELECT secret_hash FROM oauth_client WHERE id = ${client.id}`.execute(server.platform.db);
    expect(stored.rows[0]!.secret_hash).not.toContain(client.clientSecret);
    const list = await server.admin.request('GET', '/api/v1/integration-clients');
    expect(list.text).not.toContain(client.clientSecret);

    const viaHeader = await oauth(client.clientId, client.clientSecret, 'header').getToken({});
    expect(viaHeader.token).toMatchObject({ token_type: 'Bearer', expires_in: 3600, scope: 'records:read' });
    const viaBody = await oauth(client.clientId, client.clientSecret, 'body').getToken({ scope: 'records:read' });
    const token = viaBody.token.access_token as string;
    expect(token).toMatch(/^mat_/);

    expect((await api(token, 'GET', '/api/v1/account')).status).toBe(200);
    // The acting user is an admin, yet the token is limited to its scope: no writes, no admin routes.
    const created = await server.admin.request('POST', '/api/v1/account', { body: { name: 'Scoped Ltd' } });
    expect((await api(token, 'POST', '/api/v1/account', { name: 'Nope' })).status).toBe(403);
    expect((await api(token, 'PATCH', `/api/v1/account/${created.body.id}`, { name: 'Changed' })).status).toBe(403);
    expect((await api(token, 'DELETE', `/api/v1/account/${created.body.id}`)).status).toBe(403);
    expect((await api(token, 'POST', '/api/v1/auth/tokens', { name: 'escape' })).status).toBe(403);
    expect((await api(token, 'GET', '/api/v1/integration-clients')).status).toBe(403);
    const after = await server.admin.request('GET', `/api/v1/account/${created.body.id}`);
    expect(after.body.name).toBe('Scoped Ltd');
  });

  it('per-object scopes and the acting user’s own access both narrow the token', async () => {
    const rep = await server.createUser({ profile: 'standard' });
    const client = await createClient({ name: 'Accounts only', scopes: ['records:write:account'], userId: rep.id });
    const { token } = await oauth(client.clientId, client.clientSecret).getToken({});
    const made = await api(token.access_token as string, 'POST', '/api/v1/account', { name: 'Written by a client' });
    expect(made.status).toBe(201);
    expect((await made.json()).owner).toBe(rep.id);
    expect((await api(token.access_token as string, 'GET', '/api/v1/contact')).status).toBe(403);
    expect((await api(token.access_token as string, 'POST', '/api/v1/contact', { last_name: 'Nope' })).status).toBe(403);
    // The user cannot manage users; neither can a client acting as them.
    expect((await api(token.access_token as string, 'POST', '/api/v1/user', { email: 'x@example.com', last_name: 'X' })).status).toBe(403);
  });

  it('answers RFC 6749 errors: invalid_client, invalid_scope, unsupported_grant_type', async () => {
    const client = await createClient({ name: 'Errors', scopes: ['records:read:account'], userId: server.admin.id });
    const wrong = await tokenError({ grant_type: 'client_credentials', client_id: client.clientId, client_secret: 'mcs_wrong' });
    expect(wrong.status).toBe(401);
    expect(wrong.body.error).toBe('invalid_client');
    const unknown = await tokenError({ grant_type: 'client_credentials' }, { authorization: `Basic ${Buffer.from('mci_nobody:secret').toString('base64')}` });
    expect(unknown).toMatchObject({ status: 401, body: { error: 'invalid_client' } });
    expect(unknown.headers.get('www-authenticate')).toContain('Basic');
    const scope = await tokenError({ grant_type: 'client_credentials', client_id: client.clientId, client_secret: client.clientSecret, scope: 'records:write' });
    expect(scope).toMatchObject({ status: 400, body: { error: 'invalid_scope' } });
    const grant = await tokenError({ grant_type: 'password', client_id: client.clientId, client_secret: client.clientSecret });
    expect(grant).toMatchObject({ status: 400, body: { error: 'unsupported_grant_type' } });
    // simple-oauth2 sees the same error.
    await expect(oauth(client.clientId, 'mcs_wrong').getToken({})).rejects.toMatchObject({ data: { payload: { error: 'invalid_client' } } });
    // Bad scopes are refused when the client is registered, naming the field.
    const bad = await server.admin.request('POST', '/api/v1/integration-clients', { body: { name: 'Bad', scopes: ['records:read:nothing_here'], userId: server.admin.id } });
    expect(bad.status).toBe(400);
    expect(bad.body.errors[0].field).toBe('scopes');
    const rep = await server.createUser();
    expect((await rep.request('POST', '/api/v1/integration-clients', { body: { name: 'Mine', scopes: ['records:read'], userId: rep.id } })).status).toBe(403);
  });

  it('rotation ends the old secret and its tokens at once; revocation ends the client', async () => {
    const client = await createClient({ name: 'Rotating', scopes: ['records:read'], userId: server.admin.id });
    const old = (await oauth(client.clientId, client.clientSecret).getToken({})).token.access_token as string;
    expect((await api(old, 'GET', '/api/v1/account')).status).toBe(200);
    const rotated = await server.admin.request('POST', `/api/v1/integration-clients/${client.id}/rotate-secret`);
    expect(rotated.status).toBe(200);
    expect(rotated.body.clientSecret).not.toBe(client.clientSecret);
    expect((await api(old, 'GET', '/api/v1/account')).status).toBe(401);
    await expect(oauth(client.clientId, client.clientSecret).getToken({})).rejects.toMatchObject({ data: { payload: { error: 'invalid_client' } } });
    const fresh = (await oauth(client.clientId, rotated.body.clientSecret).getToken({})).token.access_token as string;
    expect((await api(fresh, 'GET', '/api/v1/account')).status).toBe(200);

    expect((await server.admin.request('DELETE', `/api/v1/integration-clients/${client.id}`)).status).toBe(204);
    expect((await api(fresh, 'GET', '/api/v1/account')).status).toBe(401);
    await expect(oauth(client.clientId, rotated.body.clientSecret).getToken({})).rejects.toMatchObject({ data: { payload: { error: 'invalid_client' } } });

    const audit = await sql<{ action: string }>`SELECT action FROM audit_log WHERE target_id = ${client.id} ORDER BY id`.execute(server.platform.db);
    expect(audit.rows.map((r) => r.action)).toEqual(['oauth.client.created', 'oauth.token.issued', 'oauth.client.secret_rotated', 'oauth.token.issued', 'oauth.client.revoked']);
  });

  it('tokens expire after the configured lifetime', async () => {
    overrideSettings(server.platform, oauthSettings, { tokenLifetime: 1500 });
    try {
      const client = await createClient({ name: 'Short-lived', scopes: ['records:read'], userId: server.admin.id });
      const issued = (await oauth(client.clientId, client.clientSecret).getToken({})).token;
      expect(issued.expires_in).toBe(1);
      expect((await api(issued.access_token as string, 'GET', '/api/v1/account')).status).toBe(200);
      // Wait for the state (the token refused), not for a fixed time.
      await expect.poll(async () => (await api(issued.access_token as string, 'GET', '/api/v1/account')).status, { timeout: 10_000, interval: 200 }).toBe(401);
    } finally {
      overrideSettings(server.platform, oauthSettings, { tokenLifetime: 3600_000 });
    }
  });
});
