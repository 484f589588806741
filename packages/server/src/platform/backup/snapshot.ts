import { createReadStream } from 'node:fs';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import type { Database } from '../db/connection.ts';
import { tableChecksums, type SnapshotQuery } from './checksums.ts';
import type { BackupFileSource } from './files.ts';
import { BACKUP_FORMAT, type BackupManifest } from './manifest.ts';
import { libpqTarget, runProgram } from './process.ts';

/** A taken snapshot: its manifest and the database entry, ready to be written into the archive. */
export interface Snapshot {
  manifest: BackupManifest;
  database: { size: number; open(): Readable };
  /** Removes temporary files; call when the archive is written (or abandoned). */
  dispose(): Promise<void>;
}

export interface SnapshotOptions {
  database: Database;
  sources: BackupFileSource[];
  /** pg_dump to run on PostgreSQL (its major version must be at least the server's). */
  pgDump?: string;
}

/**
 * Takes a consistent snapshot of the database and the list of files it references.
 *
 * PGlite has one session, shared by everything in the process through a mutex: holding the mutex
 * means no transaction is open and none starts, so the checksums, the file list and PGlite's
 * own dumpDataDir all see the same state. Writes wait meanwhile (seconds for a typical
 * instance); nothing ever copies the live directory.
 *
 * PostgreSQL: one REPEATABLE READ transaction computes the checksums and the file list and
 * exports its snapshot; pg_dump runs with `--snapshot`, so the dump is that same state while
 * writes carry on.
 */
export async function takeSnapshot(options: SnapshotOptions): Promise<Snapshot> {
  return options.database.kind === 'pglite' ? snapshotPGlite(options) : snapshotPostgres(options);
}

async function listFiles(query: SnapshotQuery, sources: BackupFileSource[]): Promise<BackupManifest['files']> {
  const files: BackupManifest['files'] = [];
  for (const source of sources) for (const file of await source.list(query)) files.push({ ...file, source: source.name });
  return files;
}

function manifestOf(kind: 'pglite' | 'postgres', tables: BackupManifest['tables'], files: BackupManifest['files']): BackupManifest {
  return {
    format: BACKUP_FORMAT,
    createdAt: new Date().toISOString(),
    database: kind,
    method: kind === 'pglite' ? 'pglite-dump-data-dir' : 'pg_dump',
    databaseEntry: kind === 'pglite' ? 'database/pglite.tar' : 'database/postgres.dump',
    tables,
    files,
  };
}

function* chunksOf(bytes: Buffer): Generator<Buffer> {
  for (let at = 0; at < bytes.length; at += 1024 * 1024) yield bytes.subarray(at, at + 1024 * 1024);
}

async function snapshotPGlite({ database, sources }: SnapshotOptions): Promise<Snapshot> {
  const pglite = database.pglite!;
  const release = await database.mutex!.lock();
  try {
    const query: SnapshotQuery = async (text) => (await pglite.query<Record<string, unknown>>(text)).rows;
    await pglite.query('BEGIN ISOLATION LEVEL REPEATABLE READ');
    let tables, files;
    try {
      tables = await tableChecksums(query);
      files = await listFiles(query, sources);
    } finally {
      await pglite.query('COMMIT');
    }
    // Still under the mutex: nothing has run since the checksums.
    const dump = await pglite.dumpDataDir('none');
    const bytes = Buffer.from(await dump.arrayBuffer());
    return {
      manifest: manifestOf('pglite', tables, files),
      database: { size: bytes.length, open: () => Readable.from(chunksOf(bytes)) },
      dispose: async () => {},
    };
  } finally {
    release();
  }
}

async function snapshotPostgres({ database, sources, pgDump = 'pg_dump' }: SnapshotOptions): Promise<Snapshot> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'meridian-backup-'));
  const dumpFile = path.join(dir, 'postgres.dump');
  const client = await database.pool!.connect();
  try {
    await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
    try {
      const query: SnapshotQuery = async (text) => (await client.query(text)).rows;
      const [{ snapshot }] = (await client.query('SELECT pg_export_snapshot() AS snapshot')).rows as [{ snapshot: string }];
      const tables = await tableChecksums(query);
      const files = await listFiles(query, sources);
      const target = libpqTarget(database.connectionString!);
      // Compression 0: the archive is gzipped as a whole.
      await runProgram(pgDump, ['--snapshot', snapshot, '--format=custom', '--compress=0', '--no-owner', '--no-privileges', '--file', dumpFile, '--dbname', target.dbname], target.env);
      const { size } = await stat(dumpFile);
      return {
        manifest: manifestOf('postgres', tables, files),
        database: { size, open: () => createReadStream(dumpFile) },
        dispose: () => rm(dir, { recursive: true, force: true }),
      };
    } finally {
      await client.query('COMMIT').catch(() => {});
    }
  } catch (error) {
    await rm(dir, { recursive: true, force: true });
    throw error;
  } finally {
    client.release();
  }
}
