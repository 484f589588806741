import { afterAll, describe, expect, it } from 'vitest';
import type { ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { createTestDatabase, type TestDatabase } from '../db.ts';
import { waitFor } from '../events/helpers.ts';
import { multipart, startMeridian } from './helpers.ts';
import { freePorts } from '../ports.ts';

/**
 * Issue 15 item 5: a process killed (SIGKILL) in the middle of an import — the next process
 * takes the import over once its lease runs out (the jobs' due timer) and resumes after the last
 * committed batch: every row is imported exactly once. On PGlite (a data directory on disk,
 * taken over from the dead process) and on PostgreSQL, with real `meridian start` processes.
 * Issue 15 item 4 first: the whole-file dry run of the same file, killed too, resumes after its
 * checkpoint without counting a row twice, and its counts are what the run then does — in-file
 * duplicates in later batches included.
 */
const ROWS = 3000;
const children: ChildProcess[] = [];
let db: TestDatabase | undefined;
let dataDir: string | undefined;

afterAll(async () => {
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  await db?.cleanup();
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
});

describe(`an import whose process is killed resumes exactly once (${process.env.DATABASE_URL ? 'PostgreSQL' : 'PGlite on disk'})`, () => {
  it('dry-runs, then imports, every row once after kill -9 and a restart', async () => {
    dataDir = await mkdtemp(path.join(os.tmpdir(), 'meridian-import-kill-'));
    let databaseUrl: string | undefined;
    if (process.env.DATABASE_URL) {
      db = await createTestDatabase();
      databaseUrl = db.database.connectionString!;
      await db.database.close();
    }
    const [port, dryPort, port2] = await freePorts(3);
    const base = { ...process.env, DATABASE_URL: databaseUrl ?? '', MERIDIAN_DATA_DIR: dataDir, HOST: '127.0.0.1', MERIDIAN_ADMIN_EMAIL: 'kill@example.com', MERIDIAN_ADMIN_PASSWORD: 'kill-test-password', LOG_LEVEL: 'warn',
      MERIDIAN_IMPORT_BATCH_ROWS: '20', MERIDIAN_IMPORT_LEASE_SECONDS: '2', MERIDIAN_IMPORT_DRY_RUN_ROWS: '20' };
    const dryFirst = await startMeridian(children, { ...base, PORT: String(port), MERIDIAN_PUBLIC_URL: `http://127.0.0.1:${port}` });

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
    // Rows 50, 150 … 2950 repeat the e-mail of the row 40 before (another batch): duplicates, skipped.
    for (let i = 1; i <= ROWS; i++) lines.push(`Row ${i},row${i % 100 === 50 ? i - 40 : i}@killtest.example`);
    const form = await multipart('contact', 'kill.csv', lines.join('\n'));
    const up = await fetch(url(port, '/api/v1/imports'), { method: 'POST', headers: { ...auth, 'content-type': form.contentType }, body: new Uint8Array(form.body) });
    const id = ((await up.json()) as { id: string }).id;
    expect(up.status).toBe(201);
    expect((await api(port, 'PATCH', `/api/v1/imports/${id}`, { duplicates: 'skip', columns: [{ field: 'last_name' }, { field: 'email' }] })).status).toBe(200);

    // The dry run, killed mid-way, resumed by the next process once its lease runs out.
    expect((await api(port, 'POST', `/api/v1/imports/${id}/dry-run`)).status).toBe(202);
    const dryBefore = await waitFor(async () => {
      const r = await api(port, 'GET', `/api/v1/imports/${id}/dry-run`);
      return r.body.rowsTried >= 200 ? r.body : undefined;
    }, 'some rows tried', 120_000, 10);
    dryFirst.kill('SIGKILL');
    await new Promise((resolve) => dryFirst.once('exit', resolve));
    expect(dryBefore.status).toBe('running');
    expect(dryBefore.rowsTried).toBeLessThan(ROWS);
    const dryProcess = await startMeridian(children, { ...base, PORT: String(dryPort), MERIDIAN_PUBLIC_URL: `http://127.0.0.1:${dryPort}` });
    const dry = await waitFor(async () => {
      const r = await api(dryPort, 'GET', `/api/v1/imports/${id}/dry-run`);
      return ['completed', 'failed'].includes(r.body.status) ? r.body : undefined;
    }, 'the dry run resumed and completed (by the due timer once the lease ran out)', 150_000, 200);
    expect(dry).toMatchObject({ status: 'completed', rowsTried: ROWS, created: ROWS - 30, skipped: 30, rejected: 0, carried: 30 });
    expect((await api(dryPort, 'POST', '/api/v1/contact/count', { filter: { field: 'email', op: 'contains', value: '@killtest.example' } })).body.count).toBe(0);

    expect((await api(dryPort, 'POST', `/api/v1/imports/${id}/start`)).status).toBe(200);

    // Killed mid-way: some batches committed, the one in flight lost with its transaction.
    const before = await waitFor(async () => {
      const r = await api(dryPort, 'GET', `/api/v1/imports/${id}`);
      return r.body.progress.rowsDone >= 200 ? r.body : undefined;
    }, 'some rows imported', 120_000, 10);
    dryProcess.kill('SIGKILL');
    await new Promise((resolve) => dryProcess.once('exit', resolve));
    expect(before.status).toBe('running');
    expect(before.progress.rowsDone).toBeLessThan(ROWS);

    await startMeridian(children, { ...base, PORT: String(port2), MERIDIAN_PUBLIC_URL: `http://127.0.0.1:${port2}` });
    const done = await waitFor(async () => {
      const r = await api(port2, 'GET', `/api/v1/imports/${id}`);
      return r.body.status === 'completed' || r.body.status === 'failed' ? r.body : undefined;
    }, 'the import resumed and completed (by the due timer once the lease ran out)', 150_000, 200);
    expect(done).toMatchObject({ status: 'completed', progress: { rowsDone: ROWS, created: dry.created, rejected: dry.rejected, skipped: dry.skipped, updated: dry.updated } });
    const all = await api(port2, 'POST', '/api/v1/contact/count', { filter: { field: 'email', op: 'contains', value: '@killtest.example' } });
    expect(all.body.count).toBe(ROWS - 30);
    // No row twice: the first and last rows and a row near the kill are there once each.
    for (const n of [1, before.progress.rowsDone, before.progress.rowsDone + 1, ROWS]) {
      const one = await api(port2, 'POST', '/api/v1/contact/count', { filter: { field: 'email', op: 'eq', value: `row${n}@killtest.example` } });
      expect(one.body.count, `row ${n}`).toBe(1);
    }
  }, 600_000);
});
