import { sql } from 'kysely';
import { AppError, notFound } from '../../errors.ts';
import type { Platform } from '../../kernel.ts';
import type { Actor } from '../../records/context.ts';
import { assertAdmin } from '../policy.ts';
import { inAccessTransaction } from './input.ts';

export async function deleteGroup(args: { platform: Platform; actor: Actor; name: string }) {
  assertAdmin(args.actor, 'Only administrators can change access settings');
  await inAccessTransaction(args.platform, args.actor, { action: 'access.group.deleted', target: { type: 'group', id: args.name } }, async (trx) => {
    const used = await sql`SELECT 1 FROM access_sharing_rule WHERE share_with_type = 'group' AND share_with = ${args.name}`.execute(trx);
    if (used.rows.length) throw new AppError('referenced', 'Sharing rules use this group; change them first');
    const r = await sql`DELETE FROM access_group WHERE name = ${args.name}`.execute(trx);
    if (!Number(r.numAffectedRows)) throw notFound(`Group '${args.name}'`);
  });
}
