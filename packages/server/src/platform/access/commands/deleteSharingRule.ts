import { sql } from 'kysely';
import { notFound } from '../../errors.ts';
import type { Platform } from '../../kernel.ts';
import type { Actor } from '../../records/context.ts';
import { assertAdmin } from '../policy.ts';
import { inAccessTransaction } from './input.ts';

export async function deleteSharingRule(args: { platform: Platform; actor: Actor; id: string }) {
  assertAdmin(args.actor, 'Only administrators can change access settings');
  await inAccessTransaction(args.platform, args.actor, { action: 'access.sharing_rule.deleted', target: { type: 'sharing_rule', id: args.id } }, async (trx) => {
    const r = await sql`DELETE FROM access_sharing_rule WHERE id::text = ${args.id}`.execute(trx);
    if (!Number(r.numAffectedRows)) throw notFound('Sharing rule');
  });
}
