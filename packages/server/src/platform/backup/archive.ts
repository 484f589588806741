import { pipeline } from 'node:stream/promises';
import type { Writable, Readable } from 'node:stream';
import { createGzip } from 'node:zlib';
import tar from 'tar-stream';
import type { BackupFileSource } from './files.ts';
import { fileEntryName, MANIFEST_ENTRY } from './manifest.ts';
import type { Snapshot } from './snapshot.ts';

const CHUNK = 1024 * 1024;

export interface ArchiveSummary {
  tables: number;
  rows: number;
  files: number;
  /** Files the snapshot references that were gone when read (deleted after the snapshot). */
  missingFiles: string[];
}

function addEntry(pack: tar.Pack, name: string, size: number, body: Readable): Promise<void> {
  return new Promise((resolve, reject) => {
    const entry = pack.entry({ name, size, mode: 0o600 }, (error) => (error ? reject(error) : resolve()));
    body.on('error', reject);
    body.pipe(entry);
  });
}

/**
 * Writes the archive (tar.gz): manifest.json first, then the database, then the files. Files are
 * read after the snapshot: blobs are immutable under their key, so only one deleted since the
 * snapshot can be missing, and the summary names it.
 */
export async function writeArchive(snapshot: Snapshot, sources: BackupFileSource[], out: Writable): Promise<ArchiveSummary> {
  const pack = tar.pack();
  // Level 1 and 1 MiB chunks: a backup competes with the server's own work for the event loop
  // (PGlite runs in it), so it moves few large chunks rather than many small ones.
  const done = pipeline(pack, createGzip({ level: 1, chunkSize: CHUNK }), out);
  const missing: string[] = [];
  const bySource = new Map(sources.map((s) => [s.name, s]));
  try {
    const manifest = Buffer.from(JSON.stringify(snapshot.manifest, null, 2));
    pack.entry({ name: MANIFEST_ENTRY, mode: 0o600 }, manifest);
    await addEntry(pack, snapshot.manifest.databaseEntry, snapshot.database.size, snapshot.database.open());
    for (const file of snapshot.manifest.files) {
      const body = await bySource.get(file.source)?.read(file.key);
      if (!body) {
        missing.push(fileEntryName(file.source, file.key));
        continue;
      }
      await addEntry(pack, fileEntryName(file.source, file.key), file.size, body);
    }
    pack.finalize();
  } catch (error) {
    pack.destroy(error as Error);
    await done.catch(() => {});
    throw error;
  }
  await done;
  const files = snapshot.manifest.files.length - missing.length;
  return { tables: snapshot.manifest.tables.length, rows: snapshot.manifest.tables.reduce((n, t) => n + t.rows, 0), files, missingFiles: missing };
}
