import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { loadConfig } from '../src/platform/config.ts';
import { bootPlatform, createLogger } from '../src/platform/boot.ts';
import { modules } from '../src/modules/index.ts';
import { buildApp } from '../src/platform/http/app.ts';
import type { Platform } from '../src/platform/kernel.ts';
import { createUser } from '../src/platform/auth/users.ts';
import { createApiToken } from '../src/platform/auth/sessions.ts';
import { actorFor } from '../src/platform/auth/sessions.ts';
import { systemActor } from '../src/platform/records/context.ts';
import { createTestDatabase, type TestDatabase } from './db.ts';

/**
 * Boots the real app on a throwaway database (PGlite in memory, or PostgreSQL when DATABASE_URL
 * is set) for an integration suite — Outline's getTestServer, in spirit. Requests go through
 * Fastify's inject: the same routing, hooks and serialisation as a socket, without the port.
 */
export interface TestServer {
  app: FastifyInstance;
  platform: Platform;
  db: TestDatabase;
  admin: TestUser;
  /** Creates a user with a token; `profile` defaults to standard. */
  createUser(input?: { email?: string; profile?: 'admin' | 'standard'; password?: string }): Promise<TestUser>;
  close(): Promise<void>;
}

export interface TestUser {
  id: string;
  email: string;
  token: string;
  /** Sends a request as this user (Bearer token). `body` is JSON-encoded unless `raw` is given. */
  request(method: string, url: string, options?: { body?: unknown; raw?: string; headers?: Record<string, string> }): Promise<TestResponse>;
}

export interface TestResponse {
  status: number;
  headers: LightMyRequestResponse['headers'];
  body: any;
  text: string;
}

let counter = 0;

export async function getTestServer(): Promise<TestServer> {
  const db = await createTestDatabase();
  const config = { ...loadConfig({}), publicUrl: 'http://localhost:3000', bodyLimitBytes: 1024 * 1024 };
  const platform = await bootPlatform({ config, modules, database: db.database, logger: createLogger('silent') });
  const app = await buildApp(platform, { logger: false, checkResponses: true });
  await app.ready();

  const send = async (token: string | undefined, method: string, url: string, options: { body?: unknown; raw?: string; headers?: Record<string, string> } = {}): Promise<TestResponse> => {
    const headers: Record<string, string> = { ...(token ? { authorization: `Bearer ${token}` } : {}), ...options.headers };
    let payload: string | undefined;
    if (options.raw !== undefined) payload = options.raw;
    else if (options.body !== undefined) payload = JSON.stringify(options.body);
    if (payload !== undefined && !Object.keys(headers).some((h) => h.toLowerCase() === 'content-type')) headers['content-type'] = 'application/json';
    const res = await app.inject({ method: method as 'GET', url, headers, ...(payload !== undefined ? { payload } : {}) });
    let body: unknown = undefined;
    try {
      body = res.body ? JSON.parse(res.body) : undefined;
    } catch {
      body = undefined;
    }
    return { status: res.statusCode, headers: res.headers, body, text: res.body };
  };

  const makeUser = async (input: { email?: string; profile?: 'admin' | 'standard'; password?: string } = {}): Promise<TestUser> => {
    const email = input.email ?? `user${++counter}.${Date.now()}@example.com`;
    const user = await createUser({ platform, actor: systemActor('system'), input: { email, password: input.password ?? 'test-password-123', profile: input.profile ?? 'standard', lastName: `Tester ${counter}` } });
    const actor = actorFor({ id: user.id, email, profile: input.profile ?? 'standard', active: true, time_zone: 'UTC', locale: 'en-US', full_name: '' }, 'api');
    const { token } = await createApiToken({ platform, actor, name: 'test' });
    return { id: user.id, email, token, request: (method, url, options) => send(token, method, url, options) };
  };

  const admin = await makeUser({ profile: 'admin', email: 'admin@example.com' });
  return {
    app,
    platform,
    db,
    admin,
    createUser: makeUser,
    async close() {
      await app.close();
      await db.cleanup();
    },
  };
}

/** Sends an unauthenticated request. */
export function anonymous(server: TestServer) {
  return async (method: string, url: string, body?: unknown) => {
    const res = await server.app.inject({ method: method as 'GET', url, ...(body !== undefined ? { payload: JSON.stringify(body), headers: { 'content-type': 'application/json' } } : {}) });
    return { status: res.statusCode, headers: res.headers, body: res.body ? JSON.parse(res.body) : undefined, text: res.body, cookies: res.cookies };
  };
}
