import type { Platform } from '../../platform/kernel.ts';
import { registerBackupFiles } from '../../platform/backup/files.ts';
import { attachmentBackupSource } from '../activities/index.ts';
import { carryOnLeadConversion } from '../sales/index.ts';
import { consentFields } from './consent.ts';

/**
 * At every start: the attachment blobs go into backups (their store is the activities module's),
 * and a lead's consent follows the person when the lead becomes a contact (sales' conversion).
 */
export async function startPrivacy(platform: Platform): Promise<void> {
  registerBackupFiles(platform, attachmentBackupSource(platform));
  carryOnLeadConversion(consentFields.map((f) => f.apiName));
}
