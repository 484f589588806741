import { afterAll, describe, expect, it } from 'vitest';
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createTestDatabase, type TestDatabase } from './db.ts';
import { freePort } from './ports.ts';

const MAIN = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../src/cli/main.ts');
const dirs: string[] = [];
const dbs: TestDatabase[] = [];
afterAll(async () => {
  for (const d of dirs) fs.rmSync(d, { recursive: true, force: true });
  for (const db of dbs) await db.cleanup();
});

/** Environment pointing the CLI at a fresh database of the kind under test. */
async function freshEnv(): Promise<NodeJS.ProcessEnv> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'meridian-cli-'));
  dirs.push(dir);
  const env: NodeJS.ProcessEnv = { ...process.env, MERIDIAN_DATA_DIR: dir, LOG_LEVEL: 'warn', MERIDIAN_ADMIN_EMAIL: '', MERIDIAN_ADMIN_PASSWORD: '' };
  if (process.env.DATABASE_URL) {
    // Empty, like a new instance's database: `meridian migrate` has everything to do.
    const db = await createTestDatabase({ empty: true });
    dbs.push(db);
    env.DATABASE_URL = db.database.connectionString;
    await db.database.close();
  }
  return env;
}

const run = (args: string[], env: NodeJS.ProcessEnv) => spawnSync(process.execPath, [MAIN, ...args], { env, encoding: 'utf8', timeout: 90_000 });

describe('meridian CLI', () => {
  it('migrates, creates a user with a role, and refuses bad input with a non-zero exit', async () => {
    const env = await freshEnv();
    const m = run(['migrate'], env);
    expect(m.status, m.stderr).toBe(0);
    expect(m.stdout).toMatch(/Standard objects in sync/);
    const u = run(['user', 'create', '--email', 'ops@example.com', '--password', 'a-long-password', '--role', 'admin'], env);
    expect(u.status, u.stderr).toBe(0);
    expect(u.stdout).toMatch(/Created admin user ops@example.com/);
    const dup = run(['user', 'create', '--email', 'ops@example.com', '--password', 'a-long-password'], env);
    expect(dup.status).toBe(2);
    expect(dup.stderr).toMatch(/already exists/);
    const weak = run(['user', 'create', '--email', 'x@example.com', '--password', 'short'], env);
    expect(weak.status).toBe(2);
    expect(weak.stderr).toMatch(/at least 10 characters/);
    const role = run(['user', 'create', '--email', 'y@example.com', '--password', 'a-long-password', '--role', 'no_such_profile'], env);
    expect(role.status).toBe(2);
    expect(role.stderr).toMatch(/not one of: admin, standard/);
    expect(run(['frobnicate'], env).status).toBe(1);
  }, 300_000);

  it.skipIf(Boolean(process.env.DATABASE_URL))('says clearly when the server holds the PGlite data directory', async () => {
    const env = { ...(await freshEnv()), PORT: String(await freePort()), HOST: '127.0.0.1' };
    const server = spawn(process.execPath, [MAIN, 'start'], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    try {
      await new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error('server did not start')), 90_000);
        let out = '';
        server.stdout.on('data', (d) => {
          out += String(d);
          if (out.includes('Meridian is running')) {
            clearTimeout(timer);
            resolve();
          }
        });
        server.on('exit', (code) => reject(new Error(`server exited ${code}`)));
      });
      const res = await fetch(`http://127.0.0.1:${env.PORT}/api/v1/health`);
      expect(((await res.json()) as { database: { kind: string } }).database.kind).toBe('pglite');
      const u = run(['user', 'create', '--email', 'late@example.com', '--password', 'a-long-password'], env);
      expect(u.status).toBe(3);
      expect(u.stderr).toMatch(/in use by another Meridian process \(pid \d+\)/);
    } finally {
      server.kill('SIGTERM');
      await new Promise((r) => server.once('exit', r));
    }
    // The clean shutdown released the directory.
    expect(run(['migrate'], env).status).toBe(0);
  }, 300_000);
});
