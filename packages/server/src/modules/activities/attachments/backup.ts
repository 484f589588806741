import type { Platform } from '../../../platform/kernel.ts';
import type { BackupFileSource } from '../../../platform/backup/files.ts';
import { attachmentSettings } from './config.ts';

/**
 * The attachment blobs as a backup file source (platform/backup): the keys come from the
 * attachment rows in the backup's snapshot — deleted ones too, as the recycle bin can bring them
 * back — and the bytes from whichever store is configured (disk or S3), on restore into the
 * target's store.
 */
export function attachmentBackupSource(platform: Platform): BackupFileSource {
  const table = platform.registry.requireObject('attachment').table;
  return {
    name: 'attachments',
    async list(query) {
      // The table name comes from the registry, never from input.
      const rows = await query(`SELECT storage_key, size_bytes, sha256, content_type FROM "${table}" WHERE storage_key IS NOT NULL ORDER BY storage_key`);
      return rows.map((r) => ({ key: String(r.storage_key), size: Number(r.size_bytes), sha256: (r.sha256 as string | null) ?? null, contentType: (r.content_type as string | null) ?? null }));
    },
    read: (key) => attachmentSettings(platform).store.get(key),
    write: (key, body, file) => attachmentSettings(platform).store.put(key, body, { contentType: file.contentType ?? 'application/octet-stream', size: file.size, ...(file.sha256 ? { sha256: file.sha256 } : {}) }),
  };
}
