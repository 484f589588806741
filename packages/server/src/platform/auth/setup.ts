import { sql } from 'kysely';
import { AppError, validationFailed } from '../errors.ts';
import type { Platform } from '../kernel.ts';
import { systemActor } from '../records/context.ts';
import type { ApiRecord } from '../records/hooks.ts';
import { hashSecret, newSecret } from './secrets.ts';
import { createUser } from './users.ts';

export async function hasAnyUser(platform: Platform): Promise<boolean> {
  const r = await sql`SELECT 1 FROM obj_user WHERE deleted_at IS NULL LIMIT 1`.execute(platform.db);
  return r.rows.length > 0;
}

/**
 * First run: create the admin from MERIDIAN_ADMIN_EMAIL/PASSWORD, or issue a one-time setup
 * link (only its hash is stored; a restart issues a fresh one and the old one stops working).
 */
export async function prepareFirstRun(platform: Platform): Promise<{ kind: 'ready' } | { kind: 'created'; email: string } | { kind: 'setup'; url: string }> {
  if (await hasAnyUser(platform)) return { kind: 'ready' };
  const { adminEmail, adminPassword } = platform.config;
  if (adminEmail && adminPassword) {
    await createUser({ platform, actor: systemActor('system'), input: { email: adminEmail, password: adminPassword, profile: 'admin', lastName: 'Administrator' } });
    return { kind: 'created', email: adminEmail };
  }
  const token = newSecret('setup_');
  await sql`INSERT INTO system_setting (key, value) VALUES ('setup_token', ${JSON.stringify(hashSecret(token))}::jsonb)
    ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value, updated_at = now()`.execute(platform.db);
  return { kind: 'setup', url: `${platform.config.publicUrl}/setup?token=${token}` };
}

export async function completeSetup(args: { platform: Platform; input: Record<string, unknown> }): Promise<ApiRecord> {
  const { platform, input } = args;
  if (await hasAnyUser(platform)) throw new AppError('conflict', 'Meridian is already set up; sign in instead');
  const r = await sql<{ value: string }>`SELECT value FROM system_setting WHERE key = 'setup_token'`.execute(platform.db);
  const stored = r.rows[0]?.value;
  if (typeof input.token !== 'string' || !stored || hashSecret(input.token) !== stored) {
    throw validationFailed([{ field: 'token', code: 'invalid_token', message: 'The setup link is not valid; use the newest link printed by the server' }]);
  }
  const user = await createUser({
    platform,
    actor: systemActor('ui'),
    input: {
      email: input.email as string,
      password: input.password as string,
      firstName: typeof input.firstName === 'string' ? input.firstName : undefined,
      lastName: typeof input.lastName === 'string' ? input.lastName : undefined,
      profile: 'admin',
    },
  });
  await sql`DELETE FROM system_setting WHERE key = 'setup_token'`.execute(platform.db);
  return user;
}
