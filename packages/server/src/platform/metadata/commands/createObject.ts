import { sql } from 'kysely';
import { validationFailed, type FieldError } from '../../errors.ts';
import type { Platform } from '../../kernel.ts';
import { assertAdmin } from '../../access/policy.ts';
import type { Actor } from '../../records/context.ts';
import { systemFields, tableFor } from '../define.ts';
import { createObjectTable } from '../ddl.ts';
import { fieldFromRow, type MetaFieldRow } from '../registry.ts';
import type { ObjectDefinition } from '../types.ts';
import { assertPlainObject, rejectUnknownKeys, requireLabel, validateObjectName } from '../validate-definition.ts';
import { newFieldRow, insertFieldRow } from './fieldRows.ts';
import { inMetadataTransaction } from './transaction.ts';

export async function createObject(args: { platform: Platform; actor: Actor; input: unknown }): Promise<ObjectDefinition> {
  const { platform } = args;
  const input = assertPlainObject(args.input, 'The object');
  rejectUnknownKeys(input, ['apiName', 'label', 'pluralLabel', 'description', 'navOrder', 'nameFieldLabel']);
  assertAdmin(args.actor, 'Only administrators can change objects and fields');
  await platform.registry.ensureFresh();
  const apiName = validateObjectName(input.apiName, platform.registry);
  const errors: FieldError[] = [];
  const label = requireLabel(input.label, 'label', errors);
  const pluralLabel = requireLabel(input.pluralLabel ?? (typeof input.label === 'string' ? `${input.label}s` : undefined), 'pluralLabel', errors);
  if (input.description !== undefined && typeof input.description !== 'string') errors.push({ field: 'description', code: 'type', message: 'Must be a string' });
  if (input.navOrder !== undefined && !Number.isInteger(input.navOrder)) errors.push({ field: 'navOrder', code: 'type', message: 'Must be an integer' });
  if (errors.length) throw validationFailed(errors);
  const nameLabel = typeof input.nameFieldLabel === 'string' && input.nameFieldLabel.trim() ? input.nameFieldLabel.trim() : `${label} name`;
  await inMetadataTransaction(platform, args.actor, { action: 'metadata.object.created', target: { type: 'object', id: apiName }, details: { label } }, async (trx) => {
    await sql`INSERT INTO meta_object (api_name, label, plural_label, description, table_name, name_field, nav_order, is_standard)
      VALUES (${apiName}, ${label}, ${pluralLabel}, ${(input.description as string) ?? null}, ${tableFor(apiName)}, 'name', ${(input.navOrder as number) ?? 100}, false)`.execute(trx);
    // Every custom object starts with a required, searchable name (its display name).
    const nameRow = newFieldRow({ object: apiName, apiName: 'name', label: nameLabel, type: 'text', required: true, searchable: true, position: 0 });
    await insertFieldRow(trx, nameRow);
    const def: ObjectDefinition = {
      apiName, label, pluralLabel, table: tableFor(apiName), standard: false, nameField: 'name', navOrder: 100, inNavigation: true, mergeable: false,
      fields: [fieldFromRow(nameRow as MetaFieldRow), ...systemFields()], validationRules: [],
    };
    await createObjectTable(trx, def);
  }, apiName);
  return platform.registry.requireObject(apiName);
}
