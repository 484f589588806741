import type { Platform } from '../../../platform/kernel.ts';
import { systemActor } from '../../../platform/records/context.ts';
import { listRecycleBin, purgeRecord, type BinItem } from '../../../platform/records/delete.ts';
import { AppError } from '../../../platform/errors.ts';
import { privacySettings } from '../settings.ts';

/**
 * Retention: deleted records older than their object's retention leave the recycle bin for good
 * (through the platform's purge, so afterPurge hooks run — attachments lose their blobs). A
 * group still referenced by other deleted records is left for a later run and logged.
 */
export async function purgeExpired(platform: Platform, now = new Date()): Promise<{ purged: number; skipped: number }> {
  const { retentionDays, retentionPerObject } = privacySettings.of(platform);
  const daysOf = (object: string) => retentionPerObject[object] ?? retentionDays;
  if (!retentionDays && !Object.values(retentionPerObject).some((d) => d > 0)) return { purged: 0, skipped: 0 };
  const ctx = { platform, actor: systemActor('system') };
  const expired: BinItem[] = [];
  let after: { deletedAt: string; id: string } | undefined;
  for (;;) {
    const page = await listRecycleBin({ ctx, limit: 500, after });
    for (const item of page) {
      const days = daysOf(item.object);
      if (days > 0 && now.getTime() - Date.parse(item.deletedAt) > days * 86_400_000) expired.push(item);
    }
    if (page.length < 500) break;
    const last = page[page.length - 1]!;
    after = { deletedAt: last.deletedAt, id: last.id };
  }
  let purged = 0;
  let skipped = 0;
  for (const item of expired) {
    try {
      await purgeRecord({ ctx, entryId: item.id });
      purged += 1;
    } catch (error) {
      if (!(error instanceof AppError && error.code === 'referenced')) throw error;
      skipped += 1;
      platform.logger.warn({ object: item.object, id: item.recordId }, 'retention: deleted record still referenced by other deleted records; left for a later run');
    }
  }
  if (purged || skipped) platform.logger.info({ purged, skipped }, 'retention: purged expired deleted records');
  return { purged, skipped };
}
