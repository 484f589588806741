import { createHash } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Transform, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGunzip } from 'node:zlib';
import tar from 'tar-stream';
import { openDatabase, type Database } from '../db/connection.ts';
import { AppError } from '../errors.ts';
import { compareChecksums, tableChecksums, type SnapshotQuery, type TableChecksum } from './checksums.ts';
import type { BackupFileSource } from './files.ts';
import { fileEntryName, MANIFEST_ENTRY, parseManifest, type BackupManifest } from './manifest.ts';
import { libpqTarget, runProgram } from './process.ts';
import { assertEmptyTarget, type RestoreTarget } from './target.ts';

export interface RestoreOptions {
  input: Readable;
  target: RestoreTarget;
  pgRestore?: string;
  /**
   * Opens the restored database as a running platform to write the files back through its
   * stores (the CLI boots the modules; the platform knows none). Returns its file sources.
   */
  openFiles(database: Database): Promise<BackupFileSource[]>;
  log?: (message: string) => void;
}

export interface RestoreSummary {
  manifest: BackupManifest;
  tables: TableChecksum[];
  files: number;
  missingFiles: string[];
}

async function readAll(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

/** Counts and checksums of the restored database, read the same way the backup read them. */
export async function checksumsOf(database: Database): Promise<TableChecksum[]> {
  if (database.kind === 'pglite') {
    return database.mutex!.run(async () => {
      const pglite = database.pglite!;
      const query: SnapshotQuery = async (text) => (await pglite.query<Record<string, unknown>>(text)).rows;
      await pglite.query('BEGIN ISOLATION LEVEL REPEATABLE READ');
      try {
        return await tableChecksums(query);
      } finally {
        await pglite.query('COMMIT');
      }
    });
  }
  const client = await database.pool!.connect();
  try {
    await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
    try {
      return await tableChecksums(async (text) => (await client.query(text)).rows);
    } finally {
      await client.query('COMMIT');
    }
  } finally {
    client.release();
  }
}

async function restoreDatabase(manifest: BackupManifest, entry: Readable, options: RestoreOptions): Promise<Database> {
  const { target } = options;
  if (target.kind !== manifest.database) {
    throw new AppError('bad_request', `This backup is of a ${manifest.database} database; the target is ${target.kind} (restore a PGlite backup with MERIDIAN_DATA_DIR, a PostgreSQL one with DATABASE_URL)`);
  }
  if (target.kind === 'pglite') {
    const bytes = await readAll(entry);
    return openDatabase({ dataDir: target.dataDir, template: new Blob([new Uint8Array(bytes)]) });
  }
  const dir = await mkdtemp(path.join(os.tmpdir(), 'meridian-restore-'));
  try {
    const file = path.join(dir, 'postgres.dump');
    await pipeline(entry, createWriteStream(file, { mode: 0o600 }));
    const libpq = libpqTarget(target.url);
    // One transaction: a failed restore leaves the database as empty as it was.
    await runProgram(options.pgRestore ?? 'pg_restore', ['--exit-on-error', '--single-transaction', '--no-owner', '--no-privileges', '--dbname', libpq.dbname, file], libpq.env);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
  return openDatabase({ databaseUrl: target.url, poolSize: 2 });
}

/**
 * Restores an archive written by writeArchive into an empty target: the database, then a check
 * of every table's count and checksum against the manifest (before anything else touches it),
 * then the files, each checked against its SHA-256.
 */
export async function restoreBackup(options: RestoreOptions): Promise<RestoreSummary> {
  const log = options.log ?? (() => {});
  await assertEmptyTarget(options.target);
  const extract = tar.extract();
  const feeding = pipeline(options.input, createGunzip(), extract);
  let manifest: BackupManifest | undefined;
  let database: Database | undefined;
  let tables: TableChecksum[] = [];
  let sources: Map<string, BackupFileSource> | undefined;
  const restored = new Set<string>();
  try {
    for await (const tarEntry of extract) {
      // tar-stream's entry is a streamx Readable; Node's stream helpers take it as one.
      const entry = tarEntry as unknown as Readable;
      const name = tarEntry.header.name;
      if (name === MANIFEST_ENTRY) {
        manifest = parseManifest((await readAll(entry)).toString('utf8'));
        log(`Backup of ${manifest.createdAt}: ${manifest.tables.length} tables, ${manifest.files.length} files (${manifest.database}, ${manifest.method})`);
        continue;
      }
      if (!manifest) throw new AppError('bad_request', 'The archive does not start with manifest.json: not a Meridian backup');
      if (name === manifest.databaseEntry) {
        database = await restoreDatabase(manifest, entry, options);
        log('Database loaded; checking every table against the manifest');
        tables = await checksumsOf(database);
        const problems = compareChecksums(manifest.tables, tables);
        if (problems.length) throw new Error(`The restored database differs from the backup:\n  ${problems.join('\n  ')}`);
        log(`Database restored and checked: ${tables.length} tables, ${tables.reduce((n, t) => n + t.rows, 0)} rows match the backup's counts and checksums`);
        sources = new Map((await options.openFiles(database)).map((s) => [s.name, s]));
        continue;
      }
      const file = manifest.files.find((f) => fileEntryName(f.source, f.key) === name);
      const source = file && sources?.get(file.source);
      if (!file || !source) throw new AppError('bad_request', `Unexpected entry ${name} in the archive`);
      const hash = createHash('sha256');
      // A transform, not a 'data' listener: a listener would start the flow before the store
      // (which may first create its directory) reads, and the bytes would be lost.
      const body = new Transform({
        transform(chunk: Buffer, _encoding, done) {
          hash.update(chunk);
          done(null, chunk);
        },
      });
      const writing = source.write(file.key, body, file);
      await pipeline(entry, body);
      await writing;
      const digest = hash.digest('hex');
      if (file.sha256 && digest !== file.sha256) throw new Error(`File ${name} does not match its SHA-256 in the backup`);
      restored.add(name);
    }
    await feeding;
    if (!manifest || !database) throw new AppError('bad_request', 'The archive has no database: not a complete Meridian backup');
  } catch (error) {
    extract.destroy();
    await feeding.catch(() => {});
    await database?.close().catch(() => {});
    throw error;
  }
  await database.close();
  const missingFiles = manifest.files.map((f) => fileEntryName(f.source, f.key)).filter((n) => !restored.has(n));
  if (missingFiles.length) log(`${missingFiles.length} files the snapshot referenced were deleted before they were read and are not in the backup`);
  return { manifest, tables, files: restored.size, missingFiles };
}
