import type { TableChecksum } from './checksums.ts';
import type { BackupFile } from './files.ts';

export const BACKUP_FORMAT = 'meridian-backup/1';

/**
 * The archive's first entry. Written from inside the snapshot, so the counts and checksums are
 * those of the dumped database, whatever was written while the backup ran.
 */
export interface BackupManifest {
  format: typeof BACKUP_FORMAT;
  createdAt: string;
  database: 'pglite' | 'postgres';
  /** How the database entry was made: PGlite's dumpDataDir, or pg_dump's custom format from the snapshot. */
  method: 'pglite-dump-data-dir' | 'pg_dump';
  /** Name of the database entry in the archive. */
  databaseEntry: string;
  tables: TableChecksum[];
  files: Array<BackupFile & { source: string }>;
}

export const MANIFEST_ENTRY = 'manifest.json';
export const fileEntryName = (source: string, key: string) => `files/${source}/${key}`;

export function parseManifest(text: string): BackupManifest {
  let value: BackupManifest;
  try {
    value = JSON.parse(text) as BackupManifest;
  } catch {
    throw new Error('The archive\'s manifest.json is not JSON');
  }
  if (value?.format !== BACKUP_FORMAT) throw new Error(`Not a Meridian backup (format ${JSON.stringify(value?.format)}, expected ${BACKUP_FORMAT})`);
  return value;
}
