import { sql } from 'kysely';
import { validationFailed, type FieldError } from '../../errors.ts';
import type { Platform } from '../../kernel.ts';
import type { Actor } from '../../records/context.ts';
import { assertPlainObject, rejectUnknownKeys, requireLabel } from '../../metadata/validate-definition.ts';
import { UUID_RE } from '../../records/values.ts';
import { assertAdmin } from '../policy.ts';
import { inAccessTransaction, requireName } from './input.ts';
import { listGroups } from './listGroups.ts';

export async function saveGroup(args: { platform: Platform; actor: Actor; name?: string; input: unknown }) {
  assertAdmin(args.actor, 'Only administrators can change access settings');
  const input = assertPlainObject(args.input, 'The group');
  rejectUnknownKeys(input, ['name', 'label', 'members']);
  const errors: FieldError[] = [];
  const name = args.name ?? requireName(input.name, errors);
  const label = requireLabel(input.label ?? (args.name ? args.name : undefined), 'label', errors);
  const members = input.members;
  if (members !== undefined && (!Array.isArray(members) || members.some((m) => typeof m !== 'string' || !UUID_RE.test(m)))) {
    errors.push({ field: 'members', code: 'type', message: 'An array of user ids' });
  }
  if (errors.length) throw validationFailed(errors);
  await inAccessTransaction(args.platform, args.actor, { action: 'access.group.saved', target: { type: 'group', id: name }, details: { members } }, async (trx) => {
    await sql`INSERT INTO access_group (name, label) VALUES (${name}, ${label}) ON CONFLICT (name) DO UPDATE SET label = EXCLUDED.label`.execute(trx);
    if (Array.isArray(members)) {
      const ids = [...new Set(members as string[])];
      const found = await sql<{ id: string }>`SELECT id FROM obj_user WHERE id = ANY(${ids}::uuid[]) AND deleted_at IS NULL`.execute(trx);
      if (found.rows.length !== ids.length) throw validationFailed([{ field: 'members', code: 'invalid_reference', message: 'Every member must be an existing user' }]);
      await sql`DELETE FROM access_group_member WHERE group_name = ${name}`.execute(trx);
      if (ids.length) await sql`INSERT INTO access_group_member (group_name, user_id) SELECT ${name}, unnest(${ids}::uuid[])`.execute(trx);
    }
  });
  return (await listGroups(args.platform, args.actor)).find((g) => g.name === name)!;
}
