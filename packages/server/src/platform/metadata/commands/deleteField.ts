import { sql } from 'kysely';
import { AppError } from '../../errors.ts';
import type { Platform } from '../../kernel.ts';
import { assertAdmin } from '../../access/policy.ts';
import type { Actor } from '../../records/context.ts';
import { dropForeignKey, dropUniqueIndex } from '../ddl.ts';
import { inMetadataTransaction, requireConfirm } from './transaction.ts';
import { listComputedReaders } from '../../formula/computed.ts';

export async function deleteField(args: { platform: Platform; actor: Actor; object: string; field: string; confirm: boolean }): Promise<void> {
  const { platform } = args;
  assertAdmin(args.actor, 'Only administrators can change objects and fields');
  const o = platform.registry.requireObject(args.object);
  const f = platform.registry.requireField(o, args.field);
  if (f.standard) throw new AppError('rule_violation', `${f.label} is a standard field and cannot be deleted`);
  if (f.apiName === o.nameField) throw new AppError('rule_violation', `${f.label} names the records of ${o.label} and cannot be deleted`);
  requireConfirm(args.confirm, `field ${o.apiName}.${f.apiName}`);
  const usedBy = o.validationRules.filter((r) => JSON.stringify(r.condition).includes(`"${f.apiName}`));
  if (usedBy.length) throw new AppError('conflict', `Validation rule(s) ${usedBy.map((r) => r.name).join(', ')} use this field; change them first`);
  const readers = listComputedReaders(platform.registry, o.apiName, f.apiName);
  if (readers.length) throw new AppError('conflict', `Formula or roll-up field(s) ${readers.join(', ')} read this field; change or delete them first`);
  await inMetadataTransaction(platform, args.actor, { action: 'metadata.field.deleted', target: { type: 'field', id: `${o.apiName}.${f.apiName}` } }, async (trx) => {
    // The column and its data stay until purged; only the definition is hidden. Unique and
    // foreign-key constraints go now so they cannot block writes to a field nobody sees.
    if (f.unique) await dropUniqueIndex(trx, o, f);
    if (f.lookup) await dropForeignKey(trx, o, f);
    await sql`UPDATE meta_field SET deleted_at = now() WHERE object = ${o.apiName} AND api_name = ${f.apiName} AND deleted_at IS NULL`.execute(trx);
  }, o.apiName);
}
