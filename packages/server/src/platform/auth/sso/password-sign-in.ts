import { sql } from 'kysely';
import { notFound } from '../../errors.ts';
import type { Platform } from '../../kernel.ts';
import { assertAdmin } from '../../access/policy.ts';
import type { Actor } from '../../records/context.ts';
import { writeAudit } from '../../events/audit.ts';

/**
 * Password sign-in per user: an admin turns it off for staff who must use single sign-on. Their
 * open sessions end with it, so a password session cannot outlive the decision.
 */
export async function setPasswordSignIn(args: { platform: Platform; actor: Actor; userId: string; enabled: boolean }): Promise<{ userId: string; passwordSignIn: boolean }> {
  assertAdmin(args.actor);
  await args.platform.db.transaction().execute(async (trx) => {
    const user = await sql<{ id: string }>`SELECT id FROM obj_user WHERE id::text = ${args.userId} AND deleted_at IS NULL`.execute(trx);
    if (!user.rows[0]) throw notFound('User');
    if (args.enabled) await sql`DELETE FROM auth_password_disabled WHERE user_id = ${args.userId}`.execute(trx);
    else {
      await sql`INSERT INTO auth_password_disabled (user_id, disabled_by) VALUES (${args.userId}, ${args.actor.userId}) ON CONFLICT (user_id) DO NOTHING`.execute(trx);
      await sql`DELETE FROM auth_session WHERE user_id = ${args.userId}`.execute(trx);
    }
    await writeAudit(trx, { action: args.enabled ? 'auth.password_sign_in.enabled' : 'auth.password_sign_in.disabled', actor: args.actor, target: { type: 'user', id: args.userId } });
  });
  return { userId: args.userId, passwordSignIn: args.enabled };
}

export async function passwordSignIn(platform: Platform, actor: Actor, userId: string): Promise<{ userId: string; passwordSignIn: boolean }> {
  assertAdmin(actor);
  const r = await sql`SELECT 1 FROM auth_password_disabled WHERE user_id::text = ${userId}`.execute(platform.db);
  return { userId, passwordSignIn: r.rows.length === 0 };
}

/** Users whose password sign-in is off (the settings page marks them). */
export async function passwordSignInOff(platform: Platform, actor: Actor): Promise<string[]> {
  assertAdmin(actor);
  const r = await sql<{ user_id: string }>`SELECT user_id FROM auth_password_disabled ORDER BY disabled_at`.execute(platform.db);
  return r.rows.map((x) => x.user_id);
}
