import { sql } from 'kysely';
import { uuidv7 } from '../../ids.ts';
import { notFound, validationFailed, type FieldError } from '../../errors.ts';
import type { Platform } from '../../kernel.ts';
import type { Actor } from '../../records/context.ts';
import { assertPlainObject, rejectUnknownKeys } from '../../metadata/validate-definition.ts';
import { parseCondition } from '../../query/index.ts';
import { assertAdmin } from '../policy.ts';
import { accessModel } from '../info.ts';
import { inAccessTransaction, requireName } from './input.ts';
import { listSharingRules } from './listSharingRules.ts';

export async function saveSharingRule(args: { platform: Platform; actor: Actor; id?: string; input: unknown }) {
  assertAdmin(args.actor, 'Only administrators can change access settings');
  const { platform } = args;
  const input = assertPlainObject(args.input, 'The sharing rule');
  rejectUnknownKeys(input, ['object', 'name', 'condition', 'shareWithType', 'shareWith', 'access']);
  const model = await accessModel(platform);
  const existing = args.id ? model.rules.find((r) => r.id === args.id) : undefined;
  if (args.id && !existing) throw notFound('Sharing rule');
  const merged = { ...existing, ...input } as Record<string, unknown>;
  const errors: FieldError[] = [];
  const o = typeof merged.object === 'string' ? platform.registry.getObject(merged.object) : undefined;
  if (!o || o.apiName === 'user') errors.push({ field: 'object', code: 'unknown_object', message: 'Name an object to share' });
  const name = requireName(merged.name, errors);
  if (!['role', 'role_and_subordinates', 'group'].includes(merged.shareWithType as string)) errors.push({ field: 'shareWithType', code: 'invalid_choice', message: "Use 'role', 'role_and_subordinates' or 'group'" });
  const target = merged.shareWith as string;
  if (merged.shareWithType === 'group' ? !model.groups.has(target) : !model.roles.has(target)) errors.push({ field: 'shareWith', code: 'unknown', message: `No ${merged.shareWithType === 'group' ? 'group' : 'role'} '${String(target)}'` });
  if (!['read', 'edit'].includes(merged.access as string)) errors.push({ field: 'access', code: 'invalid_choice', message: "Use 'read' or 'edit'" });
  if (errors.length) throw validationFailed(errors);
  parseCondition({ input: merged.condition, object: o!, registry: platform.registry, source: 'condition' });
  const id = existing?.id ?? uuidv7();
  await inAccessTransaction(platform, args.actor, { action: existing ? 'access.sharing_rule.updated' : 'access.sharing_rule.created', target: { type: 'sharing_rule', id }, details: { object: o!.apiName, name } }, async (trx) => {
    await sql`INSERT INTO access_sharing_rule (id, object, name, condition, share_with_type, share_with, access)
      VALUES (${id}, ${o!.apiName}, ${name}, ${JSON.stringify(merged.condition)}::jsonb, ${merged.shareWithType as string}, ${target}, ${merged.access as string})
      ON CONFLICT (id) DO UPDATE SET object = EXCLUDED.object, name = EXCLUDED.name, condition = EXCLUDED.condition,
        share_with_type = EXCLUDED.share_with_type, share_with = EXCLUDED.share_with, access = EXCLUDED.access`.execute(trx);
  });
  return (await listSharingRules(platform, args.actor)).find((r) => r.id === id)!;
}
