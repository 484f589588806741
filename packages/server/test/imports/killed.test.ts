import { afterAll, describe, expect, it } from 'vitest';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createTestDatabase, type TestDatabase } from '../db.ts';
import { waitFor } from '../events/helpers.ts';
import { multipart } from './helpers.ts';

/**
 * Issue 15 item 5: a process killed (SIGKILL) in the middle of an import — the next process
 * takes the import over once its lease runs out (the minute job) and resumes after the last
 * committed batch: every row is imported exactly once. On PGlite (a data directory on disk,
 * taken over from the dead process) and on PostgreSQL, with real `meridian start` processes.
 */
const MAIN = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../src/cli/main.ts');
const ROWS = 3000;
const children: ChildProcess[] = [];
let db: TestDatabase | undefined;
let dataDir: string | undefined;

function startMeridian(env: NodeJS.ProcessEnv): Promise<ChildProcess> {
  const child = spawn(process.execPath, [MAIN, 'start'], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  children.push(child);
  let out = '';
  child.stdout!.setEncoding('utf8').on('data', (d: string) => (out += d));
  child.stderr!.setEncoding('utf8').on('data', (d: string) => (out += d));
  return new Promise((resolve, reject) => {
    child.stdout!.on('data', () => {
      if (out.includes('Meridian is running')) resolve(child);
    });
    child.on('exit', (code, signal) => reject(new Error(`meridian start exited (${code ?? signal}):\n${out.slice(-3000)}`)));
  });
}

afterAll(async () => {
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  await db?.cleanup();
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
});

describe(`an import whose process is killed resumes exactly once (${process.env.DATABASE_URL ? 'PostgreSQL' : 'PGlite on disk'})`, () => {
  it('imports every row once after kill -9 and a restart', async () => {
    dataDir = await mkdtemp(path.join(os.tmpdir(), 'meridian-import-kill-'));
    let databaseUrl: string | undefined;
    if (process.env.DATABASE_URL) {
      db = await createTestDatabase();
      databaseUrl = db.database.connectionString!;
      await db.database.close();
    }
    const port = 44500 + Math.floor(Math.random() * 1000);
    const base = { ...process.env, DATABASE_URL: databaseUrl ?? '', MERIDIAN_DATA_DIR: dataDir, HOST: '127.0.0.1', MERIDIAN_ADMIN_EMAIL: 'kill@example.com', MERIDIAN_ADMIN_PASSWORD: 'kill-test-password', LOG_LEVEL: 'warn',
      MERIDIAN_IMPORT_BATCH_ROWS: '20', MERIDIAN_IMPORT_LEASE_SECONDS: '2' };
    const first = await startMeridian({ ...base, PORT: String(port), MERIDIAN_PUBLIC_URL: `http://127.0.0.1:${port}` });

    const url = (p: number, u: string) => `http://127.0.0.1:${p}${u}`;
    const login = await fetch(url(port, '/api/v1/auth/login'), { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email: 'kill@example.com', password: 'kill-test-password' }) });
    const cookie = login.headers.get('set-cookie')!.split(';')[0]!;
    const tokenRes = await fetch(url(port, '/api/v1/auth/tokens'), { method: 'POST', headers: { 'content-type': 'application/json', cookie, origin: `http://127.0.0.1:${port}` }, body: JSON.stringify({ name: 'kill' }) });
    const token = ((await tokenRes.json()) as { token: string }).token;
    const auth = { authorization: `Bearer ${token}` };
    const api = async (p: number, method: string, u: string, body?: unknown) => {
      const res = await fetch(url(p, u), { method, headers: { ...auth, ...(body ? { 'content-type': 'application/json' } : {}) }, body: body ? JSON.stringify(body) : undefined });
      return { status: res.status, body: (await res.json()) as any };
    };

    const lines = ['last_name,email'];
    for (let i = 1; i <= ROWS; i++) lines.push(`Row ${i},row${i}@killtest.example`);
    const form = await multipart('contact', 'kill.csv', lines.join('\n'));
    const up = await fetch(url(port, '/api/v1/imports'), { method: 'POST', headers: { ...auth, 'content-type': form.contentType }, body: new Uint8Array(form.body) });
    const id = ((await up.json()) as { id: string }).id;
    expect(up.status).toBe(201);
    expect((await api(port, 'PATCH', `/api/v1/imports/${id}`, { duplicates: 'create', columns: [{ field: 'last_name' }, { field: 'email' }] })).status).toBe(200);
    expect((await api(port, 'POST', `/api/v1/imports/${id}/start`)).status).toBe(200);

    // Killed mid-way: some batches committed, the one in flight lost with its transaction.
    const before = await waitFor(async () => {
      const r = await api(port, 'GET', `/api/v1/imports/${id}`);
      return r.body.progress.rowsDone >= 200 ? r.body : undefined;
    }, 'some rows imported', 120_000, 10);
    first.kill('SIGKILL');
    await new Promise((resolve) => first.once('exit', resolve));
    expect(before.status).toBe('running');
    expect(before.progress.rowsDone).toBeLessThan(ROWS);

    const port2 = port + 1;
    await startMeridian({ ...base, PORT: String(port2), MERIDIAN_PUBLIC_URL: `http://127.0.0.1:${port2}` });
    const done = await waitFor(async () => {
      const r = await api(port2, 'GET', `/api/v1/imports/${id}`);
      return r.body.status === 'completed' || r.body.status === 'failed' ? r.body : undefined;
    }, 'the import resumed and completed (by the minute job)', 150_000, 200);
    expect(done).toMatchObject({ status: 'completed', progress: { rowsDone: ROWS, created: ROWS, rejected: 0, skipped: 0 } });
    const all = await api(port2, 'POST', '/api/v1/contact/count', { filter: { field: 'email', op: 'contains', value: '@killtest.example' } });
    expect(all.body.count).toBe(ROWS);
    // No row twice: the first and last rows and a row near the kill are there once each.
    for (const n of [1, before.progress.rowsDone, before.progress.rowsDone + 1, ROWS]) {
      const one = await api(port2, 'POST', '/api/v1/contact/count', { filter: { field: 'email', op: 'eq', value: `row${n}@killtest.example` } });
      expect(one.body.count, `row ${n}`).toBe(1);
    }
  }, 360_000);
});
