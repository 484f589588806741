import { sql } from 'kysely';
import { AppError, notFound } from '../../errors.ts';
import type { Platform } from '../../kernel.ts';
import type { Actor } from '../../records/context.ts';
import { assertAdmin } from '../policy.ts';
import { inAccessTransaction } from './input.ts';

export async function deleteProfile(args: { platform: Platform; actor: Actor; name: string }) {
  assertAdmin(args.actor, 'Only administrators can change access settings');
  if (['admin', 'standard'].includes(args.name)) throw new AppError('rule_violation', 'The built-in profiles cannot be deleted');
  await inAccessTransaction(args.platform, args.actor, { action: 'access.profile.deleted', target: { type: 'profile', id: args.name } }, async (trx) => {
    const used = await sql<{ n: string }>`SELECT count(*) AS n FROM obj_user WHERE profile = ${args.name} AND deleted_at IS NULL`.execute(trx);
    if (Number(used.rows[0]!.n)) throw new AppError('referenced', `${used.rows[0]!.n} user(s) have this profile; move them first`);
    const r = await sql`DELETE FROM access_profile WHERE name = ${args.name}`.execute(trx);
    if (!Number(r.numAffectedRows)) throw notFound(`Profile '${args.name}'`);
  });
}
