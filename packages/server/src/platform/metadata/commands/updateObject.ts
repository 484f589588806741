import { sql } from 'kysely';
import { validationFailed, type FieldError } from '../../errors.ts';
import type { Platform } from '../../kernel.ts';
import type { Actor } from '../../records/context.ts';
import type { ObjectDefinition } from '../types.ts';
import { assertPlainObject, rejectUnknownKeys, requireLabel } from '../validate-definition.ts';
import { inMetadataTransaction } from './transaction.ts';

export async function updateObject(args: { platform: Platform; actor: Actor; object: string; input: unknown }): Promise<ObjectDefinition> {
  const { platform } = args;
  const input = assertPlainObject(args.input, 'The object');
  rejectUnknownKeys(input, ['label', 'pluralLabel', 'description', 'navOrder']);
  const o = platform.registry.requireObject(args.object);
  const errors: FieldError[] = [];
  const label = input.label === undefined ? o.label : requireLabel(input.label, 'label', errors);
  const plural = input.pluralLabel === undefined ? o.pluralLabel : requireLabel(input.pluralLabel, 'pluralLabel', errors);
  if (input.navOrder !== undefined && !Number.isInteger(input.navOrder)) errors.push({ field: 'navOrder', code: 'type', message: 'Must be an integer' });
  if (input.description !== undefined && input.description !== null && typeof input.description !== 'string') errors.push({ field: 'description', code: 'type', message: 'Must be a string' });
  if (errors.length) throw validationFailed(errors);
  const navOrder = (input.navOrder as number | undefined) ?? o.navOrder;
  const description = input.description === undefined ? (o.description ?? null) : (input.description as string | null);
  // Relabelling touches metadata only, never the table or its data.
  await inMetadataTransaction(platform, args.actor, { action: 'metadata.object.updated', target: { type: 'object', id: o.apiName }, details: { changed: Object.keys(input) } }, async (trx) => {
    await sql`INSERT INTO meta_object (api_name, label, plural_label, description, table_name, name_field, nav_order, is_standard)
      VALUES (${o.apiName}, ${label}, ${plural}, ${description}, ${o.table}, ${o.nameField}, ${navOrder}, ${o.standard})
      ON CONFLICT (api_name) DO UPDATE SET label = EXCLUDED.label, plural_label = EXCLUDED.plural_label, description = EXCLUDED.description,
        nav_order = EXCLUDED.nav_order, updated_at = now()`.execute(trx);
  });
  return platform.registry.requireObject(o.apiName);
}
