import { afterAll, describe, expect, it } from 'vitest';
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { sql } from 'kysely';
import { openDatabase } from '../../src/platform/db/connection.ts';
import { createTestDatabase, type TestDatabase } from '../db.ts';
import { sleep, startReceiver, verifyStandardWebhook, waitFor } from './helpers.ts';
import { freePort } from '../ports.ts';

/**
 * Item 7: the real server (`node src/cli/main.ts start`) is killed with SIGKILL while webhook
 * deliveries are in flight, after its receiver had been down for a while; once restarted, every
 * committed event reaches the receiver — none lost — and a duplicate always carries the same
 * webhook-id (and the same body). PGlite: a temporary data directory; PostgreSQL: a throwaway database.
 */
const MAIN = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../src/cli/main.ts');
const dirs: string[] = [];
const dbs: TestDatabase[] = [];
const children: ChildProcess[] = [];
afterAll(async () => {
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  for (const d of dirs) fs.rmSync(d, { recursive: true, force: true });
  for (const db of dbs) await db.cleanup();
});

function startServer(env: NodeJS.ProcessEnv): Promise<{ child: ChildProcess; output: () => string }> {
  const child = spawn(process.execPath, [MAIN, 'start'], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  children.push(child);
  let out = '';
  child.stdout!.setEncoding('utf8').on('data', (d: string) => (out += d));
  child.stderr!.setEncoding('utf8').on('data', (d: string) => (out += d));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`server did not start:\n${out.slice(-3000)}`)), 120_000);
    const check = () => {
      if (out.includes('Meridian is running')) {
        clearTimeout(timer);
        resolve({ child, output: () => out });
      }
    };
    child.stdout!.on('data', check);
    child.on('exit', (code, signal) => {
      clearTimeout(timer);
      reject(new Error(`server exited (${code ?? signal}):\n${out.slice(-3000)}`));
    });
  });
}

describe('webhook delivery across a crash', () => {
  it('loses no event when the server is killed with SIGKILL mid-delivery, and repeats only with the same webhook-id', async () => {
    const port = await freePort();
    let base = `http://127.0.0.1:${port}`;
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'meridian-crash-'));
    dirs.push(dir);
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      PORT: String(port),
      HOST: '127.0.0.1',
      MERIDIAN_PUBLIC_URL: base,
      MERIDIAN_DATA_DIR: dir,
      MERIDIAN_ADMIN_EMAIL: 'crash@example.com',
      MERIDIAN_ADMIN_PASSWORD: 'crash-test-password',
      MERIDIAN_RATE_LIMIT: 'off',
      MERIDIAN_EVENTS_POLL_MS: '50',
      // Never dead-letter during the test: 40 quick retries.
      MERIDIAN_WEBHOOK_RETRY_SCHEDULE: Array(40).fill('150ms').join(','),
      MERIDIAN_WEBHOOK_TIMEOUT_MS: '1500',
      LOG_LEVEL: 'error',
    };
    if (process.env.DATABASE_URL) {
      const db = await createTestDatabase();
      dbs.push(db);
      env.DATABASE_URL = db.database.connectionString;
      await db.database.close();
    }

    // The receiver: down (503) at first, then slow, so attempts are in flight when the kill comes.
    let mode: 'down' | 'slow' | 'up' = 'down';
    let inFlight = 0;
    const rx = await startReceiver(async () => {
      if (mode === 'down') return { status: 503 };
      if (mode === 'slow') {
        inFlight++;
        await sleep(600);
        inFlight--;
        return { status: 200 };
      }
      return { status: 200 };
    });

    let server = await startServer(env);
    const api = async (method: string, url: string, body?: unknown, token?: string) => {
      const res = await fetch(base + url, {
        method,
        headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      const text = await res.text();
      return { status: res.status, body: text ? JSON.parse(text) : undefined, headers: res.headers };
    };
    const login = await fetch(`${base}/api/v1/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email: 'crash@example.com', password: 'crash-test-password' }) });
    expect(login.status).toBe(200);
    const cookie = login.headers.get('set-cookie')!.split(';')[0]!;
    const tokenRes = await fetch(`${base}/api/v1/auth/tokens`, { method: 'POST', headers: { 'content-type': 'application/json', cookie }, body: JSON.stringify({ name: 'crash test' }) });
    const { token } = (await tokenRes.json()) as { token: string };
    const sub = await api('POST', '/api/v1/webhooks', { url: rx.url, events: ['contact.*'] }, token);
    expect(sub.status).toBe(201);
    const secret: string = sub.body.secret;

    // Writes while the receiver is down: every attempt fails and is retried.
    const ids: string[] = [];
    for (let i = 0; i < 4; i++) {
      const created = await Promise.all([...Array(5)].map((_, j) => api('POST', '/api/v1/contact?allowDuplicate=true', { last_name: `Crash ${i}-${j}` }, token)));
      for (const c of created) expect(c.status).toBe(201);
      ids.push(...created.map((c) => c.body.id as string));
      await Promise.all(created.slice(0, 3).map((c) => api('PATCH', `/api/v1/contact/${c.body.id}`, { title: `v${i}` }, token)));
    }
    await waitFor(() => rx.received.length >= 20, 'failed attempts while the receiver is down', 20_000);
    await sleep(300);

    // Back, but slow: kill the server while attempts are in flight, with writes still arriving.
    mode = 'slow';
    await waitFor(() => inFlight >= 3, 'attempts in flight', 20_000, 5);
    const late = [...Array(5)].map((_, j) => api('POST', '/api/v1/contact?allowDuplicate=true', { last_name: `Late ${j}` }, token).catch(() => null));
    await sleep(30);
    server.child.kill('SIGKILL');
    await new Promise((resolve) => server.child.once('exit', resolve));
    await Promise.all(late);
    const beforeRestart = rx.received.length;

    // Down again for a while, then up; restart the server on the same data.
    mode = 'down';
    await sleep(300);
    // On a new port: the old one may have gone to another process's outgoing connection meanwhile.
    const again = await freePort();
    base = `http://127.0.0.1:${again}`;
    Object.assign(env, { PORT: String(again), MERIDIAN_PUBLIC_URL: base });
    server = await startServer(env);
    mode = 'up';
    // Done when nothing is open and the receiver has been quiet for a while.
    let last = -1;
    let quietSince = Date.now();
    await waitFor(async () => {
      if (rx.received.length !== last) {
        last = rx.received.length;
        quietSince = Date.now();
        return false;
      }
      const open = await api('GET', `/api/v1/webhooks/${sub.body.id}/deliveries?status=pending,delivering,retrying&limit=1`, undefined, token);
      return open.body.data.length === 0 && Date.now() - quietSince > 1500;
    }, 'all deliveries to finish', 45_000, 100);
    server.child.kill('SIGTERM');
    await new Promise((resolve) => server.child.once('exit', resolve));
    expect(rx.received.length).toBeGreaterThan(beforeRestart);

    // Every committed contact event of the database reached the receiver.
    const database = await openDatabase(env.DATABASE_URL ? { databaseUrl: env.DATABASE_URL } : { dataDir: dir });
    try {
      const events = (await sql<{ id: string; type: string; dispatched_at: Date | null }>`SELECT id, type, dispatched_at FROM outbox_event WHERE object = 'contact' ORDER BY seq`.execute(database.db)).rows;
      expect(events.length).toBeGreaterThanOrEqual(32);
      expect(events.every((e) => e.dispatched_at)).toBe(true);
      const successful = new Set(rx.received.filter((r) => r.status === 200).map((r) => r.id));
      const missing = events.filter((e) => !successful.has(e.id));
      expect(missing).toEqual([]);
      // Each id stands for one event: same body for every copy, signed each time.
      const bodies = new Map<string, Set<string>>();
      for (const r of rx.received) {
        if (!bodies.has(r.id)) bodies.set(r.id, new Set());
        bodies.get(r.id)!.add(r.body);
        expect(r.json.id).toBe(r.id);
        expect(verifyStandardWebhook(secret, r, 3600)).toBe(true);
      }
      for (const set of bodies.values()) expect(set.size).toBe(1);
      expect(new Set(bodies.keys())).toEqual(new Set(events.map((e) => e.id)));
      const open = await sql`SELECT 1 FROM webhook_delivery WHERE status <> 'succeeded'`.execute(database.db);
      expect(open.rows).toHaveLength(0);
    } finally {
      await database.close();
      await rx.close();
    }
    // Two boots of the real server dominate; generous for a loaded machine.
  }, 240_000);
});
