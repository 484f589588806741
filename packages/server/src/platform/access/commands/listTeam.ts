import { sql } from 'kysely';
import type { Platform } from '../../kernel.ts';
import type { Actor } from '../../records/context.ts';
import { assertRecordAccess } from './teamAccess.ts';

/** Members of a record's team; anyone who may edit the record may change its team. */
export async function listTeam(args: { platform: Platform; actor: Actor; object: string; id: string }) {
  await assertRecordAccess(args, 'read');
  const r = await sql<{ user_id: string; team_role: string; access: string }>`SELECT user_id, team_role, access FROM record_team_member WHERE object = ${args.object} AND record_id = ${args.id} ORDER BY created_at`.execute(args.platform.db);
  return r.rows.map((m) => ({ userId: m.user_id, teamRole: m.team_role, access: m.access }));
}
