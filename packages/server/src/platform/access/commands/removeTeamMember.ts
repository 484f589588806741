import { sql } from 'kysely';
import type { Platform } from '../../kernel.ts';
import type { Actor } from '../../records/context.ts';
import { writeAudit } from '../../events/audit.ts';
import { listTeam } from './listTeam.ts';
import { assertRecordAccess } from './teamAccess.ts';

export async function removeTeamMember(args: { platform: Platform; actor: Actor; object: string; id: string; userId: string }) {
  await assertRecordAccess(args, 'edit');
  await sql`DELETE FROM record_team_member WHERE object = ${args.object} AND record_id = ${args.id} AND user_id::text = ${args.userId}`.execute(args.platform.db);
  await writeAudit(args.platform.db, { action: 'access.team.member_removed', actor: args.actor, target: { type: args.object, id: args.id }, details: { userId: args.userId } });
  return listTeam(args);
}
