import { sql, type Kysely } from 'kysely';

/**
 * Record-team entries a module grants as part of a write (a meeting's invited colleague reads the
 * meeting), in the write's transaction. Unlike the team commands (commands/setTeamMember.ts), no
 * user-facing checks or audit entry: the write that causes it is the record of it. A grant never
 * replaces an entry someone made by hand; a revoke removes only the entry its role granted.
 */
export async function grantTeamAccess(trx: Kysely<any>, entry: { object: string; recordId: string; userId: string; teamRole: string; access: 'read' | 'edit' }): Promise<void> {
  await sql`INSERT INTO record_team_member (object, record_id, user_id, team_role, access)
    VALUES (${entry.object}, ${entry.recordId}::uuid, ${entry.userId}::uuid, ${entry.teamRole}, ${entry.access})
    ON CONFLICT (object, record_id, user_id) DO NOTHING`.execute(trx);
}

export async function revokeTeamAccess(trx: Kysely<any>, entry: { object: string; recordId: string; userId: string; teamRole: string }): Promise<void> {
  await sql`DELETE FROM record_team_member WHERE object = ${entry.object} AND record_id = ${entry.recordId}::uuid
    AND user_id = ${entry.userId}::uuid AND team_role = ${entry.teamRole}`.execute(trx);
}
