import type { Platform } from '../../platform/kernel.ts';
import { registerBackupFiles } from '../../platform/backup/files.ts';
import { attachmentBackupSource } from '../activities/index.ts';

/** At every start: the attachment blobs go into backups (their store is the activities module's). */
export async function startPrivacy(platform: Platform): Promise<void> {
  registerBackupFiles(platform, attachmentBackupSource(platform));
}
