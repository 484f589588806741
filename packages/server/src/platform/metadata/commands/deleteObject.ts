import { sql } from 'kysely';
import { AppError } from '../../errors.ts';
import type { Platform } from '../../kernel.ts';
import type { Actor } from '../../records/context.ts';
import { inMetadataTransaction, requireConfirm } from './transaction.ts';
import { listComputedReaders } from '../../formula/computed.ts';

/** Moves a custom object to the metadata recycle bin: its table and data stay until purged. */
export async function deleteObject(args: { platform: Platform; actor: Actor; object: string; confirm: boolean }): Promise<void> {
  const { platform } = args;
  const o = platform.registry.requireObject(args.object);
  if (o.standard) throw new AppError('rule_violation', `${o.label} is a standard object and cannot be deleted`);
  requireConfirm(args.confirm, `object ${o.apiName}`);
  const refs = platform.registry.referencesTo(o.apiName).filter((r) => r.object.apiName !== o.apiName);
  if (refs.length) {
    throw new AppError('referenced', `Other objects have lookups to ${o.label}; delete those fields first`, {
      errors: refs.map((r) => ({ field: `${r.object.apiName}.${r.field.apiName}`, code: 'referenced', message: `${r.object.label} → ${r.field.label}` })),
    });
  }
  const readers = listComputedReaders(platform.registry, o.apiName);
  if (readers.length) throw new AppError('conflict', `Formula or roll-up field(s) ${readers.join(', ')} read ${o.label}; change or delete them first`);
  await inMetadataTransaction(platform, args.actor, { action: 'metadata.object.deleted', target: { type: 'object', id: o.apiName } }, async (trx) => {
    await sql`UPDATE meta_object SET deleted_at = now() WHERE api_name = ${o.apiName}`.execute(trx);
  });
}
