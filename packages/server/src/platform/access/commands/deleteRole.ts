import { sql } from 'kysely';
import { AppError, notFound } from '../../errors.ts';
import type { Platform } from '../../kernel.ts';
import type { Actor } from '../../records/context.ts';
import { assertAdmin } from '../policy.ts';
import { inAccessTransaction } from './input.ts';

export async function deleteRole(args: { platform: Platform; actor: Actor; name: string }) {
  assertAdmin(args.actor, 'Only administrators can change access settings');
  await inAccessTransaction(args.platform, args.actor, { action: 'access.role.deleted', target: { type: 'role', id: args.name } }, async (trx) => {
    const used = await sql<{ n: string }>`SELECT count(*) AS n FROM obj_user WHERE role = ${args.name} AND deleted_at IS NULL`.execute(trx);
    if (Number(used.rows[0]!.n)) throw new AppError('referenced', `${used.rows[0]!.n} user(s) have this role; move them first`);
    const children = await sql`SELECT 1 FROM access_role WHERE parent = ${args.name}`.execute(trx);
    if (children.rows.length) throw new AppError('referenced', 'Other roles report to this one; move them first');
    const r = await sql`DELETE FROM access_role WHERE name = ${args.name}`.execute(trx);
    if (!Number(r.numAffectedRows)) throw notFound(`Role '${args.name}'`);
  });
}
