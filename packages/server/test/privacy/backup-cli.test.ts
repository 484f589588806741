import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../db.ts';

/** `meridian backup FILE` and `meridian restore FILE` as an operator runs them (real processes, exit codes). */
const MAIN = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../src/cli/main.ts');
const dirs: string[] = [];
const dbs: TestDatabase[] = [];
afterAll(async () => {
  for (const d of dirs) fs.rmSync(d, { recursive: true, force: true });
  for (const db of dbs) await db.cleanup();
});

async function freshEnv(): Promise<NodeJS.ProcessEnv> {
  // Empty, as a new instance's database is: a restore refuses a target that holds anything.
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'meridian-backup-cli-'));
  dirs.push(dir);
  const env: NodeJS.ProcessEnv = { ...process.env, MERIDIAN_DATA_DIR: dir, LOG_LEVEL: 'warn', MERIDIAN_ADMIN_EMAIL: '', MERIDIAN_ADMIN_PASSWORD: '' };
  if (process.env.DATABASE_URL) {
    const db = await createTestDatabase({ empty: true });
    dbs.push(db);
    env.DATABASE_URL = db.database.connectionString;
    await db.database.close();
  }
  return env;
}

const run = (args: string[], env: NodeJS.ProcessEnv) => spawnSync(process.execPath, [MAIN, ...args], { env, encoding: 'utf8', timeout: 180_000 });

describe('meridian backup / restore (CLI)', () => {
  it('backs up a stopped instance, restores it into an empty target and refuses a non-empty one', async () => {
    const source = await freshEnv();
    const u = run(['user', 'create', '--email', 'ops@example.com', '--password', 'a-long-password', '--role', 'admin'], source);
    expect(u.status, u.stderr).toBe(0);
    const file = path.join(source.MERIDIAN_DATA_DIR!, '..', `meridian-cli-${Date.now()}.tar.gz`);
    dirs.push(file);
    const b = run(['backup', file], source);
    expect(b.status, b.stderr).toBe(0);
    expect(b.stdout).toMatch(/Backup written to .*: \d+ tables, \d+ rows, 0 files/);
    expect(fs.existsSync(`${file}.partial`)).toBe(false);

    const target = await freshEnv();
    const r = run(['restore', file], target);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/Database restored and checked: \d+ tables, \d+ rows match/);
    // The restored instance knows the user.
    const dup = run(['user', 'create', '--email', 'ops@example.com', '--password', 'a-long-password'], target);
    expect(dup.status).toBe(2);
    expect(dup.stderr).toMatch(/already exists/);

    const again = run(['restore', file], target);
    expect(again.status).toBe(2);
    expect(again.stderr).toMatch(/not empty/);
    expect(run(['backup'], source).status).toBe(2);
  }, 600_000);
});
