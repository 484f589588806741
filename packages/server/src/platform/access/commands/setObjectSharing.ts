import { sql } from 'kysely';
import { validationFailed } from '../../errors.ts';
import type { Platform } from '../../kernel.ts';
import type { Actor } from '../../records/context.ts';
import { assertPlainObject, rejectUnknownKeys } from '../../metadata/validate-definition.ts';
import { assertAdmin } from '../policy.ts';
import type { ObjectSharing } from '../model.ts';
import { inAccessTransaction } from './input.ts';

export async function setObjectSharing(args: { platform: Platform; actor: Actor; object: string; input: unknown }) {
  assertAdmin(args.actor, 'Only administrators can change access settings');
  const input = assertPlainObject(args.input, 'The setting');
  rejectUnknownKeys(input, ['sharing']);
  const o = args.platform.registry.requireObject(args.object);
  if (o.accessFrom) {
    const parent = o.fields.find((f) => f.apiName === o.accessFrom)?.label ?? o.accessFrom;
    throw validationFailed([{ field: 'sharing', code: 'controlled_by_parent', message: `${o.pluralLabel} are shared with their ${parent.toLowerCase()}: change the ${parent.toLowerCase()}'s sharing instead` }]);
  }
  if (!['private', 'public_read', 'public_read_write'].includes(input.sharing as string)) {
    throw validationFailed([{ field: 'sharing', code: 'invalid_choice', message: "Use 'private', 'public_read' or 'public_read_write'" }]);
  }
  await inAccessTransaction(args.platform, args.actor, { action: 'access.sharing.changed', target: { type: 'object', id: o.apiName }, details: { sharing: input.sharing } }, async (trx) => {
    await sql`INSERT INTO access_object_setting (object, sharing) VALUES (${o.apiName}, ${input.sharing as ObjectSharing}) ON CONFLICT (object) DO UPDATE SET sharing = EXCLUDED.sharing`.execute(trx);
  });
  return { object: o.apiName, sharing: input.sharing };
}
