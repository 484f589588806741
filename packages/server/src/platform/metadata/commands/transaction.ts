import { type Transaction } from 'kysely';
import { AppError } from '../../errors.ts';
import type { Platform } from '../../kernel.ts';
import type { Actor } from '../../records/context.ts';
import { changeConfiguration, type ConfigurationAudit } from '../configuration-change.ts';
import { ensureSearchIndexes } from '../../search/indexes.ts';

/**
 * The one path of every metadata command (PLT-1, PLT-2): DDL and its metadata rows in one
 * transaction with the audit entry, the metadata version bumped (other processes reload) and this
 * process's registry reloaded (configuration-change.ts); search indexes follow searchable fields.
 */
/**
 * Metadata commands (PLT-1, PLT-2). Each runs DDL and its metadata rows in one transaction,
 * bumps the metadata version (other processes reload) and reloads this process's registry.
 */
export type MetadataAudit = ConfigurationAudit;

export async function inMetadataTransaction<T>(platform: Platform, actor: Actor, audit: MetadataAudit, fn: (trx: Transaction<any>) => Promise<T>, reindex?: string): Promise<T> {
  const result = await changeConfiguration({ platform, actor, refusal: 'Only administrators can change objects and fields', audit, lockKey: 7340182, run: fn });
  // Search indexes follow the searchable fields (idempotent; boot re-checks them too).
  const changed = reindex ? platform.registry.getObject(reindex) : undefined;
  if (changed) await ensureSearchIndexes(platform.db, changed);
  return result;
}

export function requireConfirm(confirm: boolean, what: string) {
  if (!confirm) {
    throw new AppError('precondition_required', `Deleting the ${what} hides its data from everyone. Repeat the request with ?confirm=true to go ahead; it stays in the metadata recycle bin until purged.`);
  }
}
