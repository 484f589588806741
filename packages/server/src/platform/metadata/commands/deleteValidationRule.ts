import { sql } from 'kysely';
import { notFound } from '../../errors.ts';
import type { Platform } from '../../kernel.ts';
import type { Actor } from '../../records/context.ts';
import { inMetadataTransaction } from './transaction.ts';

export async function deleteValidationRule(args: { platform: Platform; actor: Actor; object: string; id: string }): Promise<void> {
  const { platform } = args;
  const o = platform.registry.requireObject(args.object);
  if (!o.validationRules.some((r) => r.id === args.id)) throw notFound('Validation rule');
  await inMetadataTransaction(platform, args.actor, { action: 'metadata.rule.deleted', target: { type: 'validation_rule', id: args.id }, details: { object: o.apiName } }, async (trx) => {
    await sql`DELETE FROM meta_validation_rule WHERE id = ${args.id}`.execute(trx);
  });
}
