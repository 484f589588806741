import { sql } from 'kysely';
import { AppError, notFound, validationFailed, type FieldError } from '../../errors.ts';
import type { Platform } from '../../kernel.ts';
import type { Actor } from '../../records/context.ts';
import { assertPlainObject, rejectUnknownKeys, requireLabel } from '../../metadata/validate-definition.ts';
import { assertAdmin } from '../policy.ts';
import { accessModel } from '../info.ts';
import { inAccessTransaction, requireName } from './input.ts';

export async function saveRole(args: { platform: Platform; actor: Actor; name?: string; input: unknown }) {
  assertAdmin(args.actor, 'Only administrators can change access settings');
  const { platform } = args;
  const input = assertPlainObject(args.input, 'The role');
  rejectUnknownKeys(input, ['name', 'label', 'parent']);
  const model = await accessModel(platform);
  const existing = args.name ? model.roles.get(args.name) : undefined;
  if (args.name && !existing) throw notFound(`Role '${args.name}'`);
  const errors: FieldError[] = [];
  const name = existing ? existing.name : requireName(input.name, errors);
  const label = input.label === undefined && existing ? existing.label : requireLabel(input.label, 'label', errors);
  const parent = input.parent === undefined ? (existing?.parent ?? null) : (input.parent as string | null);
  if (parent !== null && (typeof parent !== 'string' || !model.roles.has(parent))) errors.push({ field: 'parent', code: 'unknown_role', message: `No role '${String(parent)}'` });
  // A role may not sit below itself.
  for (let p = parent, seen = 0; p && seen < 100; p = model.roles.get(p)?.parent ?? null, seen++) {
    if (p === name) {
      errors.push({ field: 'parent', code: 'cycle', message: 'A role cannot report to itself or to a role below it' });
      break;
    }
  }
  if (errors.length) throw validationFailed(errors);
  await inAccessTransaction(platform, args.actor, { action: existing ? 'access.role.updated' : 'access.role.created', target: { type: 'role', id: name }, details: { parent } }, async (trx) => {
    if (!existing && (await sql`SELECT 1 FROM access_role WHERE name = ${name}`.execute(trx)).rows.length) {
      throw new AppError('conflict', `A role '${name}' already exists`, { errors: [{ field: 'name', code: 'duplicate', message: 'Already in use' }] });
    }
    await sql`INSERT INTO access_role (name, label, parent) VALUES (${name}, ${label}, ${parent})
      ON CONFLICT (name) DO UPDATE SET label = EXCLUDED.label, parent = EXCLUDED.parent`.execute(trx);
  });
  return (await accessModel(platform)).roles.get(name)!;
}
