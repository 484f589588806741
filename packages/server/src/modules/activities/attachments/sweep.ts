import { readdir, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import { sql } from 'kysely';
import type { Platform } from '../../../platform/kernel.ts';
import { attachmentSettings } from './config.ts';
import { DiskStore } from './storage/disk.ts';

/** A blob younger than this may belong to an upload still between store and commit. */
const MIN_AGE_MS = 24 * 3600 * 1000;
const BATCH = 500;

/**
 * Removes blobs of the disk store that no attachment record names — deleted records included,
 * since a restore needs their bytes — and temporary files a crashed write left behind. They are
 * what a process that died between storing a file and committing its record leaves. Only blobs
 * older than a day are considered, so uploads in flight are never touched. The S3 store is not
 * swept: listing a bucket is slow and billed; use a lifecycle rule on the bucket instead.
 */
export async function sweepOrphanBlobs(platform: Platform, options: { olderThanMs?: number; now?: number } = {}): Promise<{ removed: number; kept: number }> {
  const store = attachmentSettings(platform).store;
  const object = platform.registry.getObject('attachment');
  if (!(store instanceof DiskStore) || !object) return { removed: 0, kept: 0 };
  const cutoff = (options.now ?? Date.now()) - (options.olderThanMs ?? MIN_AGE_MS);
  let removed = 0;
  let kept = 0;
  let batch: Array<{ key: string; file: string }> = [];
  const flush = async () => {
    if (!batch.length) return;
    const keys = batch.map((b) => b.key);
    const r = await sql<{ k: string }>`SELECT storage_key AS k FROM ${sql.table(object.table)} WHERE storage_key = ANY(${keys}::text[])`.execute(platform.db);
    const known = new Set(r.rows.map((x) => x.k));
    for (const b of batch) {
      if (known.has(b.key)) kept++;
      else {
        await rm(b.file, { force: true });
        removed++;
      }
    }
    batch = [];
  };
  for (const file of await filesUnder(store.root)) {
    const s = await stat(file).catch(() => undefined);
    if (!s || s.mtimeMs > cutoff) continue;
    const name = path.basename(file);
    if (name.endsWith('.tmp')) {
      await rm(file, { force: true });
      removed++;
      continue;
    }
    // Only files where the store would put this key: anything else in the directory is not ours.
    try {
      if (store.pathOf(name) !== file) continue;
    } catch {
      continue;
    }
    batch.push({ key: name, file });
    if (batch.length >= BATCH) await flush();
  }
  await flush();
  return { removed, kept };
}

async function filesUnder(root: string): Promise<string[]> {
  const entries = await readdir(root, { recursive: true, withFileTypes: true }).catch(() => []);
  return entries.filter((e) => e.isFile()).map((e) => path.join(e.parentPath, e.name));
}
