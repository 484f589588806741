import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import { openDatabase } from '../src/platform/db/connection.ts';

/**
 * PGlite was once reported not to sync to disk after a transaction COMMIT (DESIGN.md). This
 * proves that what a PGlite process reported as committed survives `kill -9`: a child process
 * commits transactions and prints each id after COMMIT returns; we SIGKILL it mid-stream, reopen
 * the data directory (taking over the dead process's lock) and look for every printed id.
 * Three trials on the same directory, so each later trial also starts from a crash-recovered one.
 * PGlite-specific: skipped when the suite runs against PostgreSQL.
 */
const WRITER = fileURLToPath(new URL('./fixtures/pglite-writer.ts', import.meta.url));
const TRIALS = 3;

const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) fs.rmSync(d, { recursive: true, force: true });
});

interface Run {
  committed: number[];
  pid: number;
  signal: NodeJS.Signals | null;
  stderr: string;
}

/** Starts the writer and SIGKILLs it synchronously as soon as it has reported `killAfter` commits. */
function runWriter(dataDir: string, firstId: number, killAfter: number): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [WRITER, dataDir, String(firstId)], { stdio: ['ignore', 'pipe', 'pipe'] });
    const committed: number[] = [];
    let buffer = '';
    let stderr = '';
    let killed = false;
    const guard = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`writer did not reach ${killAfter} commits in time; stderr: ${stderr.slice(-2000)}`));
    }, 25_000);
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (chunk: string) => {
      buffer += chunk;
      let nl: number;
      while ((nl = buffer.indexOf('\n')) >= 0) {
        const line = buffer.slice(0, nl);
        buffer = buffer.slice(nl + 1);
        const m = /^committed (\d+)$/.exec(line);
        if (!m) continue;
        // Lines read after the kill were still printed after their COMMIT: they count too.
        committed.push(Number(m[1]));
        if (!killed && committed.length >= killAfter) {
          killed = true;
          child.kill('SIGKILL');
        }
      }
    });
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (chunk: string) => (stderr += chunk));
    child.on('error', (error) => {
      clearTimeout(guard);
      reject(error);
    });
    child.on('close', (code, signal) => {
      clearTimeout(guard);
      if (!killed) return reject(new Error(`writer exited on its own (code ${code}); stderr: ${stderr.slice(-2000)}`));
      resolve({ committed, pid: child.pid!, signal, stderr });
    });
  });
}

describe('PGlite durability', () => {
  it.skipIf(Boolean(process.env.DATABASE_URL))(
    'keeps every committed transaction when the process is killed with SIGKILL',
    async () => {
      const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'meridian-durability-'));
      dirs.push(dataDir);
      const printed: number[] = [];
      for (let trial = 0; trial < TRIALS; trial++) {
        // Vary the moment of the kill: early, middle, later in the stream of commits.
        const killAfter = [3, 17, 40][trial]!;
        const run = await runWriter(dataDir, (trial + 1) * 100_000, killAfter);
        expect(run.signal).toBe('SIGKILL');
        expect(run.committed.length).toBeGreaterThanOrEqual(killAfter);
        printed.push(...run.committed);

        // The killed process's lock file is still there, naming a dead pid: it must be taken over.
        const lock = path.join(dataDir, 'meridian.lock');
        expect(fs.readFileSync(lock, 'utf8')).toBe(String(run.pid));

        const database = await openDatabase({ dataDir });
        try {
          const probe = await sql<{ id: number; payload: string }>`SELECT id, payload FROM durability_probe ORDER BY id`.execute(database.db);
          const detail = await sql<{ id: number; n: number }>`SELECT id, count(*)::int AS n FROM durability_detail GROUP BY id`.execute(database.db);
          const present = new Map(probe.rows.map((r) => [r.id, r.payload]));
          const missing = printed.filter((id) => !present.has(id));
          expect(missing, `trial ${trial + 1}: committed ids lost after kill -9`).toEqual([]);
          // Every transaction is whole: its row was updated and all its details are there.
          const details = new Map(detail.rows.map((r) => [r.id, r.n]));
          for (const [id, payload] of present) {
            expect(payload.endsWith('!'), `row ${id} has its update`).toBe(true);
            expect(details.get(id), `row ${id} has its 3 details`).toBe(3);
          }
          // At most the one transaction in flight at the kill may have committed unreported.
          expect(present.size - printed.length).toBeLessThanOrEqual(TRIALS);
        } finally {
          await database.close();
        }
        expect(fs.existsSync(lock), 'lock released after close').toBe(false);
      }
    },
    // ~10 s on an idle 2-core machine (six PGlite start-ups); headroom for a loaded CI box.
    60_000,
  );
});
