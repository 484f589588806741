import { sql } from 'kysely';
import { AppError, notFound, validationFailed, type FieldError } from '../../errors.ts';
import type { Platform } from '../../kernel.ts';
import type { Actor } from '../../records/context.ts';
import { assertPlainObject, rejectUnknownKeys, requireLabel } from '../../metadata/validate-definition.ts';
import { assertAdmin } from '../policy.ts';
import { accessModel } from '../info.ts';
import { inAccessTransaction, requireName, validatePermissions } from './input.ts';

export async function saveProfile(args: { platform: Platform; actor: Actor; name?: string; input: unknown }) {
  assertAdmin(args.actor, 'Only administrators can change access settings');
  const { platform } = args;
  const input = assertPlainObject(args.input, 'The profile');
  rejectUnknownKeys(input, ['name', 'label', 'description', 'permissions']);
  const errors: FieldError[] = [];
  const existing = args.name ? (await accessModel(platform)).profiles.get(args.name) : undefined;
  if (args.name && !existing) throw notFound(`Profile '${args.name}'`);
  if (existing?.isAdmin && input.permissions !== undefined) throw new AppError('rule_violation', 'The administrator profile always has every permission');
  const name = existing ? existing.name : requireName(input.name, errors);
  const label = input.label === undefined && existing ? existing.label : requireLabel(input.label, 'label', errors);
  const permissions = input.permissions === undefined && existing ? existing.permissions : validatePermissions(platform, input.permissions, errors);
  if (errors.length) throw validationFailed(errors);
  const description = typeof input.description === 'string' ? input.description : (existing?.description ?? null);
  await inAccessTransaction(platform, args.actor, { action: existing ? 'access.profile.updated' : 'access.profile.created', target: { type: 'profile', id: name }, details: { permissions } }, async (trx) => {
    if (!existing && (await sql`SELECT 1 FROM access_profile WHERE name = ${name}`.execute(trx)).rows.length) {
      throw new AppError('conflict', `A profile '${name}' already exists`, { errors: [{ field: 'name', code: 'duplicate', message: 'Already in use' }] });
    }
    await sql`INSERT INTO access_profile (name, label, description, permissions) VALUES (${name}, ${label}, ${description}, ${JSON.stringify(permissions)}::jsonb)
      ON CONFLICT (name) DO UPDATE SET label = EXCLUDED.label, description = EXCLUDED.description, permissions = EXCLUDED.permissions, updated_at = now()`.execute(trx);
  });
  return (await accessModel(platform)).profiles.get(name)!;
}
