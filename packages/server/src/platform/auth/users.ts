import { sql } from 'kysely';
import { AppError, validationFailed } from '../errors.ts';
import type { Platform } from '../kernel.ts';
import { inTransaction, type Actor } from '../records/context.ts';
import type { ApiRecord } from '../records/hooks.ts';
import { createRecord } from '../records/write.ts';
import { checkPasswordStrength, hashPassword } from './passwords.ts';

export interface CreateUserInput {
  email: string;
  password?: string;
  firstName?: string;
  lastName?: string;
  /** A configured profile name (admin, standard, or one created in Settings). */
  profile?: string;
}

/** Creates a user record and, when given, its password credential, in one transaction. */
export async function createUser(args: { platform: Platform; actor: Actor; input: CreateUserInput }): Promise<ApiRecord> {
  const { input } = args;
  const password = input.password === undefined ? undefined : checkPasswordStrength(input.password);
  const passwordHash = password ? await hashPassword(password) : undefined;
  const email = String(input.email ?? '').trim();
  const localPart = email.split('@')[0] ?? 'user';
  return inTransaction({ platform: args.platform, actor: args.actor }, async (ctx) => {
    const existing = await sql`SELECT 1 FROM obj_user WHERE lower(email) = lower(${email}) AND deleted_at IS NULL`.execute(ctx.trx);
    if (existing.rows.length) throw new AppError('conflict', `A user with e-mail ${email} already exists`, { errors: [{ field: 'email', code: 'duplicate', message: 'Already in use' }] });
    const user = await createRecord({
      ctx,
      object: ctx.platform.registry.requireObject('user'),
      input: {
        email,
        first_name: input.firstName ?? null,
        last_name: input.lastName || localPart,
        profile: input.profile ?? 'standard',
      },
    });
    if (passwordHash) await sql`INSERT INTO auth_credential (user_id, password_hash) VALUES (${user.id}, ${passwordHash})`.execute(ctx.trx);
    return user;
  });
}

export async function setPassword(platform: Platform, userId: string, password: string): Promise<void> {
  const h = await hashPassword(checkPasswordStrength(password));
  await sql`INSERT INTO auth_credential (user_id, password_hash) VALUES (${userId}, ${h})
    ON CONFLICT (user_id) DO UPDATE SET password_hash = EXCLUDED.password_hash, updated_at = now()`.execute(platform.db);
  // A new password signs out every existing session.
  await sql`DELETE FROM auth_session WHERE user_id = ${userId}`.execute(platform.db);
}

/** The CLI's --role names a profile (admin, standard, or a custom one); the user object validates it. */
export function parseProfile(value: unknown): string {
  if (value === undefined) return 'standard';
  if (typeof value === 'string' && /^[a-z][a-z0-9_]*$/.test(value)) return value;
  throw validationFailed([{ field: 'role', code: 'invalid_choice', message: 'Name a profile, e.g. admin or standard' }]);
}
