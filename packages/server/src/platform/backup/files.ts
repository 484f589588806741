import type { Readable } from 'node:stream';
import type { SnapshotQuery } from './checksums.ts';

/** One stored file the backup carries. */
export interface BackupFile {
  key: string;
  size: number;
  sha256?: string | null;
  contentType?: string | null;
}

/**
 * Files that live outside the database (attachment blobs on disk or S3). The platform knows no
 * module's storage, so a module registers its files here: which keys the snapshot references
 * (read in the snapshot's own session, so the list matches the dumped rows), how to read a blob
 * and how to write one back on restore.
 */
export interface BackupFileSource {
  /** Names the files' folder in the archive (`files/<name>/<key>`): lower-case letters and digits. */
  name: string;
  list(query: SnapshotQuery): Promise<BackupFile[]>;
  read(key: string): Promise<Readable | undefined>;
  write(key: string, body: Readable, file: BackupFile): Promise<void>;
}

// Per platform (any object standing for one) so tests can boot several side by side.
const sources = new WeakMap<object, Map<string, BackupFileSource>>();

export function registerBackupFiles(platform: object, source: BackupFileSource): void {
  if (!/^[a-z][a-z0-9]*$/.test(source.name)) throw new Error(`Backup file source name '${source.name}' must be lower-case letters and digits`);
  let map = sources.get(platform);
  if (!map) sources.set(platform, (map = new Map()));
  map.set(source.name, source);
}

export function backupFileSources(platform: object): BackupFileSource[] {
  return [...(sources.get(platform)?.values() ?? [])];
}
