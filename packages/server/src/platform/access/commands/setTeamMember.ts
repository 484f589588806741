import { sql } from 'kysely';
import { validationFailed, type FieldError } from '../../errors.ts';
import type { Platform } from '../../kernel.ts';
import type { Actor } from '../../records/context.ts';
import { assertPlainObject, rejectUnknownKeys } from '../../metadata/validate-definition.ts';
import { UUID_RE } from '../../records/values.ts';
import { writeAudit } from '../../events/audit.ts';
import { listTeam } from './listTeam.ts';
import { assertRecordAccess } from './teamAccess.ts';

export async function setTeamMember(args: { platform: Platform; actor: Actor; object: string; id: string; input: unknown }) {
  await assertRecordAccess(args, 'edit');
  const input = assertPlainObject(args.input, 'The team member');
  rejectUnknownKeys(input, ['userId', 'teamRole', 'access']);
  const errors: FieldError[] = [];
  if (typeof input.userId !== 'string' || !UUID_RE.test(input.userId)) errors.push({ field: 'userId', code: 'required', message: 'The id of a user' });
  const teamRole = input.teamRole ?? 'member';
  if (typeof teamRole !== 'string' || !/^[a-z][a-z0-9_]{0,49}$/.test(teamRole)) errors.push({ field: 'teamRole', code: 'invalid', message: 'Lower snake case, e.g. account_manager' });
  const access = input.access ?? 'edit';
  if (access !== 'read' && access !== 'edit') errors.push({ field: 'access', code: 'invalid_choice', message: "Use 'read' or 'edit'" });
  if (errors.length) throw validationFailed(errors);
  const user = await sql`SELECT 1 FROM obj_user WHERE id = ${input.userId as string} AND deleted_at IS NULL`.execute(args.platform.db);
  if (!user.rows.length) throw validationFailed([{ field: 'userId', code: 'invalid_reference', message: 'No such user' }]);
  await sql`INSERT INTO record_team_member (object, record_id, user_id, team_role, access) VALUES (${args.object}, ${args.id}, ${input.userId as string}, ${teamRole as string}, ${access})
    ON CONFLICT (object, record_id, user_id) DO UPDATE SET team_role = EXCLUDED.team_role, access = EXCLUDED.access`.execute(args.platform.db);
  await writeAudit(args.platform.db, { action: 'access.team.member_set', actor: args.actor, target: { type: args.object, id: args.id }, details: { userId: input.userId, teamRole, access } });
  return listTeam(args);
}
