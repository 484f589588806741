import { createReadStream } from 'node:fs';
import { pipeline } from 'node:stream/promises';
import type { Readable } from 'node:stream';
import { createGunzip } from 'node:zlib';
import tar from 'tar-stream';
import { fileEntryName, MANIFEST_ENTRY, parseManifest, type BackupManifest } from './manifest.ts';

/**
 * Reads an archive to its end: the gzip trailer, manifest.json first, the database entry and
 * which of the manifest's files are present. A download cut short fails here rather than on
 * the day of the restore.
 */
export async function verifyArchive(file: string): Promise<{ manifest: BackupManifest; files: number; missingFiles: string[] }> {
  const extract = tar.extract();
  const feeding = pipeline(createReadStream(file), createGunzip(), extract);
  let manifest: BackupManifest | undefined;
  let hasDatabase = false;
  const seen = new Set<string>();
  for await (const entry of extract) {
    const name = entry.header.name;
    if (name === MANIFEST_ENTRY) {
      const chunks: Buffer[] = [];
      for await (const chunk of entry as unknown as Readable) chunks.push(chunk as Buffer);
      manifest = parseManifest(Buffer.concat(chunks).toString('utf8'));
      continue;
    }
    if (!manifest) throw new Error('The archive does not start with manifest.json');
    if (name === manifest.databaseEntry) hasDatabase = true;
    else seen.add(name);
    entry.resume();
  }
  await feeding;
  if (!manifest || !hasDatabase) throw new Error('The archive has no database entry');
  const missingFiles = manifest.files.map((f) => fileEntryName(f.source, f.key)).filter((n) => !seen.has(n));
  return { manifest, files: seen.size, missingFiles };
}
