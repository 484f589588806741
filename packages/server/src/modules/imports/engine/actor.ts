import { AppError } from '../../../platform/errors.ts';
import type { Platform } from '../../../platform/kernel.ts';
import { buildActor, type UserRow } from '../../../platform/auth/sessions.ts';
import { getRecord } from '../../../platform/records/read.ts';
import { systemActor, type Actor } from '../../../platform/records/context.ts';

/**
 * The user an import runs as, read now (their profile and sharing as they are when each run
 * starts): the records are theirs, access is theirs, history says "import". A deactivated user's
 * import stops.
 */
export async function importActor(platform: Platform, userId: string | null): Promise<Actor> {
  if (!userId) return systemActor('import');
  const user = await getRecord({ ctx: { platform, actor: systemActor() }, object: platform.registry.requireObject('user'), id: userId, fields: ['email', 'profile', 'role', 'active', 'time_zone', 'locale', 'full_name'] });
  if (user.active === false) throw new AppError('forbidden', 'The user who started this import is deactivated');
  return buildActor(platform, user as unknown as UserRow, 'import');
}
