import { createWriteStream } from 'node:fs';
import { rename, rm } from 'node:fs/promises';
import { createReadStream } from 'node:fs';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { Logger } from 'pino';
import type { Config } from '../platform/config.ts';
import { bootPlatform } from '../platform/boot.ts';
import { AppError } from '../platform/errors.ts';
import type { MeridianModule } from '../platform/module.ts';
import { takeSnapshot } from '../platform/backup/snapshot.ts';
import { writeArchive } from '../platform/backup/archive.ts';
import { backupFileSources } from '../platform/backup/files.ts';
import { restoreBackup, type RestoreSummary } from '../platform/backup/restore.ts';
import { verifyArchive } from '../platform/backup/verify.ts';

export interface BackupResult {
  tables: number;
  rows: number;
  files: number;
  missingFiles: number;
}

/**
 * `meridian backup <file> --url <server>`: asks a running server for its snapshot
 * (POST /api/v1/admin/backup with an admin API token). The archive is written to `<file>.partial`,
 * read back to its end, then renamed: a file named `<file>` is always a complete backup.
 */
export async function backupFromServer(args: { file: string; url: string; token: string; onSnapshot?: () => void }): Promise<BackupResult> {
  const partial = `${args.file}.partial`;
  try {
    const res = await fetch(`${args.url.replace(/\/+$/, '')}/api/v1/admin/backup`, { method: 'POST', headers: { authorization: `Bearer ${args.token}` } });
    if (!res.ok || !res.body) {
      const text = await res.text().catch(() => '');
      let detail = text.slice(0, 300);
      try {
        detail = (JSON.parse(text) as { detail?: string; title?: string }).detail ?? detail;
      } catch {
        /* not problem+json */
      }
      throw new AppError('bad_request', `The server refused the backup (${res.status}): ${detail}`);
    }
    // The server answers once its snapshot is taken; what follows is the archive being sent.
    args.onSnapshot?.();
    await pipeline(Readable.fromWeb(res.body as import('node:stream/web').ReadableStream<Uint8Array>), createWriteStream(partial, { mode: 0o600, highWaterMark: 1024 * 1024 }));
    return await finish(partial, args.file);
  } catch (error) {
    await rm(partial, { force: true });
    throw error;
  }
}

/** `meridian backup <file>` without --url: opens the database itself (PostgreSQL, or a PGlite data directory no server holds). */
export async function backupDirect(args: { file: string; config: Config; modules: readonly MeridianModule[]; logger: Logger; pgDump?: string }): Promise<BackupResult> {
  const platform = await bootPlatform({ config: args.config, modules: args.modules, logger: args.logger });
  const partial = `${args.file}.partial`;
  try {
    const sources = backupFileSources(platform);
    const snapshot = await takeSnapshot({ database: platform.database, sources, pgDump: args.pgDump });
    try {
      await writeArchive(snapshot, sources, createWriteStream(partial, { mode: 0o600, highWaterMark: 1024 * 1024 }));
    } finally {
      await snapshot.dispose();
    }
    return await finish(partial, args.file);
  } catch (error) {
    await rm(partial, { force: true });
    throw error;
  } finally {
    await platform.database.close();
  }
}

async function finish(partial: string, file: string): Promise<BackupResult> {
  const checked = await verifyArchive(partial);
  await rename(partial, file);
  return {
    tables: checked.manifest.tables.length,
    rows: checked.manifest.tables.reduce((n, t) => n + t.rows, 0),
    files: checked.files,
    missingFiles: checked.missingFiles.length,
  };
}

/** `meridian restore <file>`: into the configured, empty target (DATABASE_URL, else MERIDIAN_DATA_DIR). */
export async function restoreFromFile(args: { file: string; config: Config; modules: readonly MeridianModule[]; logger: Logger; pgRestore?: string; log?: (m: string) => void }): Promise<RestoreSummary> {
  const { config } = args;
  return restoreBackup({
    input: createReadStream(args.file),
    target: config.databaseUrl ? { kind: 'postgres', url: config.databaseUrl } : { kind: 'pglite', dataDir: config.dataDir },
    pgRestore: args.pgRestore,
    log: args.log,
    // Booting brings the modules' stores (attachments on disk or S3) to write the files into.
    openFiles: async (database) => backupFileSources(await bootPlatform({ config, modules: args.modules, database, logger: args.logger })),
  });
}
