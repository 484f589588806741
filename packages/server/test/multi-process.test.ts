import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createTestDatabase, type TestDatabase } from './db.ts';
import { startReceiver } from './events/helpers.ts';
import { freePorts } from './ports.ts';

/**
 * Issue 10, item 13: two API processes (`meridian start` twice, on two ports) and a `meridian
 * worker`, real processes on one throwaway PostgreSQL database, behave as one system: rate limits
 * and sign-in throttling count across processes, a token revoked in one is refused at once in
 * the other, a metadata or permission change made in one holds at once in the other, and a
 * notification reaches a user whose stream is connected to the other process.
 *
 * PostgreSQL only by nature: PGlite's data belongs to one process (see docs/operations.md).
 */
const PG = process.env.DATABASE_URL;
if (!PG) console.info('multi-process.test.ts: skipped — several processes need PostgreSQL (set DATABASE_URL); PGlite is one process.');

const MAIN = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../src/cli/main.ts');
const children: ChildProcess[] = [];
let db: TestDatabase | undefined;

function spawnMeridian(args: string[], env: NodeJS.ProcessEnv, ready: string): Promise<ChildProcess> {
  const child = spawn(process.execPath, [MAIN, ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  children.push(child);
  let out = '';
  child.stdout!.setEncoding('utf8').on('data', (d: string) => (out += d));
  child.stderr!.setEncoding('utf8').on('data', (d: string) => (out += d));
  return new Promise((resolve, reject) => {
    child.stdout!.on('data', () => {
      if (out.includes(ready)) resolve(child);
    });
    child.on('exit', (code, signal) => reject(new Error(`meridian ${args.join(' ')} exited (${code ?? signal}):\n${out.slice(-3000)}`)));
  });
}

async function runMeridian(args: string[], env: NodeJS.ProcessEnv): Promise<void> {
  const child = spawn(process.execPath, [MAIN, ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout!.setEncoding('utf8').on('data', (d: string) => (out += d));
  child.stderr!.setEncoding('utf8').on('data', (d: string) => (out += d));
  const code = await new Promise((resolve) => child.on('exit', resolve));
  if (code !== 0) throw new Error(`meridian ${args.join(' ')} failed:\n${out}`);
}

interface Answer {
  status: number;
  body: any;
  headers: Headers;
}

describe.skipIf(!PG)('two API processes and a worker on one PostgreSQL (PostgreSQL only: PGlite is one process)', () => {
  let A: string;
  let B: string;
  let env: NodeJS.ProcessEnv;
  let adminCookie: string;

  const call = async (base: string, method: string, url: string, options: { token?: string; cookie?: string; body?: unknown } = {}): Promise<Answer> => {
    const res = await fetch(base + url, {
      method,
      headers: {
        ...(options.body !== undefined ? { 'content-type': 'application/json' } : {}),
        ...(options.token ? { authorization: `Bearer ${options.token}` } : {}),
        ...(options.cookie ? { cookie: options.cookie } : {}),
      },
      body: options.body === undefined ? undefined : JSON.stringify(options.body),
    });
    const text = await res.text();
    return { status: res.status, body: text ? JSON.parse(text) : undefined, headers: res.headers };
  };
  const signIn = async (base: string, email: string, password: string) => {
    const res = await call(base, 'POST', '/api/v1/auth/login', { body: { email, password } });
    expect(res.status).toBe(200);
    return res.headers.get('set-cookie')!.split(';')[0]!;
  };
  /** A fresh token of the admin (each token has its own rate-limit budget). */
  const newToken = async (cookie = adminCookie): Promise<{ id: string; token: string }> => {
    const res = await call(A, 'POST', '/api/v1/auth/tokens', { cookie, body: { name: 'multi-process' } });
    expect(res.status).toBe(201);
    return res.body;
  };

  beforeAll(async () => {
    const [portA, portB] = await freePorts(2);
    A = `http://127.0.0.1:${portA}`;
    B = `http://127.0.0.1:${portB}`;
    db = await createTestDatabase();
    const url = db.database.connectionString!;
    await db.database.close();
    env = {
      ...process.env,
      DATABASE_URL: url,
      HOST: '127.0.0.1',
      MERIDIAN_ADMIN_EMAIL: 'multi@example.com',
      MERIDIAN_ADMIN_PASSWORD: 'multi-process-password',
      // Limits small enough to reach, windows long enough that none ends during the test.
      MERIDIAN_RATE_LIMIT: 'on',
      MERIDIAN_RATE_LIMIT_WINDOW: '1h',
      MERIDIAN_RATE_LIMIT_TOKEN: '30',
      MERIDIAN_RATE_LIMIT_IP: '100000',
      MERIDIAN_RATE_LIMIT_LOGIN: '3',
      MERIDIAN_EVENTS_POLL_MS: '50',
      LOG_LEVEL: 'info',
    };
    await spawnMeridian(['start'], { ...env, PORT: String(portA), MERIDIAN_PUBLIC_URL: A }, 'Meridian is running');
    await Promise.all([
      spawnMeridian(['start'], { ...env, PORT: String(portB), MERIDIAN_PUBLIC_URL: B }, 'Meridian is running'),
      spawnMeridian(['worker'], env, 'worker started'),
    ]);
    adminCookie = await signIn(A, 'multi@example.com', 'multi-process-password');
  }, 180_000);

  afterAll(async () => {
    await Promise.all(children.map((c) => (c.exitCode === null && c.signalCode === null ? new Promise((resolve) => {
      c.once('exit', resolve);
      c.kill('SIGTERM');
    }) : undefined)));
    await db?.cleanup();
  });

  it('counts one API token\'s requests across both processes', async () => {
    const { token } = await newToken();
    for (let i = 0; i < 15; i++) {
      expect((await call(A, 'GET', '/api/v1/me', { token })).status).toBe(200);
      const b = await call(B, 'GET', '/api/v1/me', { token });
      expect(b.status).toBe(200);
      expect(Number(b.headers.get('x-ratelimit-remaining'))).toBe(30 - 2 * (i + 1));
    }
    const refused = await call(A, 'GET', '/api/v1/me', { token });
    expect(refused.status).toBe(429);
    expect(refused.body).toMatchObject({ code: 'rate_limited' });
    expect((await call(B, 'GET', '/api/v1/me', { token })).status).toBe(429);
    // Another token has its own budget, in either process.
    expect((await call(B, 'GET', '/api/v1/me', { token: (await newToken()).token })).status).toBe(200);
  });

  it('throttles sign-in attempts across both processes', async () => {
    const attempt = (base: string) => call(base, 'POST', '/api/v1/auth/login', { body: { email: 'nobody@example.com', password: 'wrong-password-1' } });
    expect((await attempt(A)).status).toBe(401);
    expect((await attempt(B)).status).toBe(401);
    expect((await attempt(A)).status).toBe(401);
    const limited = await attempt(B);
    expect(limited.status).toBe(429);
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0);
  });

  it('refuses a token revoked in one process at once in the other', async () => {
    const { id, token } = await newToken();
    expect((await call(B, 'GET', '/api/v1/account', { token })).status).toBe(200);
    expect((await call(A, 'DELETE', `/api/v1/auth/tokens/${id}`, { cookie: adminCookie })).status).toBe(204);
    expect((await call(B, 'GET', '/api/v1/account', { token })).status).toBe(401);
  });

  it('puts a metadata change made in one process in force at once in the other', async () => {
    const { token } = await newToken();
    const before = await call(B, 'POST', '/api/v1/contact', { token, body: { last_name: 'Before', mp_note: 'x' } });
    expect(before.status).toBe(400);
    const field = await call(A, 'POST', '/api/v1/metadata/objects/contact/fields', { token, body: { apiName: 'mp_note', label: 'MP note', type: 'text' } });
    expect(field.status).toBe(201);
    const after = await call(B, 'POST', '/api/v1/contact', { token, body: { last_name: 'After', mp_note: 'noted' } });
    expect(after.status).toBe(201);
    expect(after.body.mp_note).toBe('noted');
  });

  it('puts a permission change made in one process in force at once in the other', async () => {
    const { token } = await newToken();
    const all = { read: true, create: true, edit: true, delete: true };
    expect((await call(A, 'POST', '/api/v1/profiles', { token, body: { name: 'mp_clerk', label: 'MP clerk', permissions: { default: all } } })).status).toBe(201);
    // A user of that profile, created by a third process (the CLI).
    await runMeridian(['user', 'create', '--email', 'clerk@example.com', '--password', 'clerk-password-123', '--role', 'mp_clerk'], env);
    const clerk = await signIn(B, 'clerk@example.com', 'clerk-password-123');
    expect((await call(B, 'GET', '/api/v1/contact', { cookie: clerk })).status).toBe(200);
    const changed = await call(A, 'PATCH', '/api/v1/profiles/mp_clerk', { token, body: { permissions: { default: all, objects: { contact: { read: false, create: false, edit: false, delete: false } } } } });
    expect(changed.status).toBe(200);
    expect((await call(B, 'GET', '/api/v1/contact', { cookie: clerk })).status).toBe(403);
    // And a deactivation made in B holds at once in A.
    expect((await call(A, 'GET', '/api/v1/account', { cookie: clerk })).status).toBe(200);
    const users = await call(B, 'GET', `/api/v1/user?filter=${encodeURIComponent(JSON.stringify({ field: 'email', op: 'eq', value: 'clerk@example.com' }))}`, { token });
    expect(users.body.data).toHaveLength(1);
    expect((await call(B, 'PATCH', `/api/v1/user/${users.body.data[0].id}`, { token, body: { active: false } })).status).toBe(200);
    expect((await call(A, 'GET', '/api/v1/account', { cookie: clerk })).status).toBe(401);
  });

  it('delivers a notification to a stream connected to the other process', async () => {
    const { token } = await newToken();
    // The receiver answers 410 Gone: whichever process delivers (A, B or the worker) disables the
    // webhook and notifies its creator, the admin, whose stream is connected to B.
    const rx = await startReceiver(() => ({ status: 410 }));
    const abort = new AbortController();
    try {
      const stream = await fetch(`${B}/api/v1/me/notifications/stream`, { headers: { cookie: adminCookie }, signal: abort.signal });
      expect(stream.status).toBe(200);
      const reader = stream.body!.pipeThrough(new TextDecoderStream()).getReader();
      let text = '';
      // The stream is registered once it has sent the unread count.
      while (!text.includes('event: unread')) text += (await reader.read()).value ?? '';
      expect((await call(A, 'POST', '/api/v1/webhooks', { token, body: { url: rx.url, events: ['contact.*'] } })).status).toBe(201);
      expect((await call(A, 'POST', '/api/v1/contact', { token, body: { last_name: 'Notify' } })).status).toBe(201);
      while (!text.includes('webhook.disabled')) {
        const chunk = await reader.read();
        if (chunk.done) throw new Error(`stream ended:\n${text}`);
        text += chunk.value;
      }
      expect(text).toMatch(/event: notification\ndata: .*"kind":"webhook\.disabled"/);
    } finally {
      abort.abort();
      await rx.close();
    }
  });
});
