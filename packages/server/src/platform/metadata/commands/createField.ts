import { sql } from 'kysely';
import { AppError, validationFailed, type FieldError } from '../../errors.ts';
import type { Platform } from '../../kernel.ts';
import { assertAdmin } from '../../access/policy.ts';
import type { Actor } from '../../records/context.ts';
import { coerceValue } from '../../records/values.ts';
import { columnFor } from '../define.ts';
import { addFieldColumn, ensureForeignKey } from '../ddl.ts';
import { fieldFromRow, type MetaFieldRow } from '../registry.ts';
import type { FieldDefinition, ObjectDefinition } from '../types.ts';
import { assertPlainObject, optionalBoolean, rejectUnknownKeys, requireLabel, validateFieldName, validateFieldType, type FieldInput } from '../validate-definition.ts';
import { newFieldRow, insertFieldRow, FIELD_KEYS } from './fieldRows.ts';
import { inMetadataTransaction } from './transaction.ts';
import { parseFieldPicklist } from '../picklists/commands.ts';
import { isComputedType } from '../../formula/define.ts';
import { createComputedField } from './createComputedField.ts';

export async function createField(args: { platform: Platform; actor: Actor; object: string; input: unknown }): Promise<FieldDefinition> {
  const { platform } = args;
  assertAdmin(args.actor, 'Only administrators can change objects and fields');
  await platform.registry.ensureFresh();
  const o = platform.registry.requireObject(args.object);
  const input = assertPlainObject(args.input, 'The field') as FieldInput & Record<string, unknown>;
  rejectUnknownKeys(input, FIELD_KEYS);
  const apiName = validateFieldName(input.apiName);
  if (isComputedType(input.type)) {
    await assertFieldNameFree({ platform, object: o, apiName, column: apiName });
    return createComputedField({ platform, actor: args.actor, object: o, apiName, type: input.type, input });
  }
  const type = validateFieldType(input.type);
  const column = columnFor(apiName, type);
  await assertFieldNameFree({ platform, object: o, apiName, column });
  const errors: FieldError[] = [];
  const row = newFieldRow({ object: o.apiName, apiName, label: requireLabel(input.label, 'label', errors), type, position: o.fields.filter((f) => !f.standard).length + 1 });
  row.required = optionalBoolean(input.required, 'required', errors) ?? false;
  row.is_unique = optionalBoolean(input.unique, 'unique', errors) ?? false;
  row.searchable = optionalBoolean(input.searchable, 'searchable', errors) ?? ['text', 'email', 'phone'].includes(type);
  row.external_id = optionalBoolean(input.externalId, 'externalId', errors) ?? false;
  if (input.helpText !== undefined) {
    if (typeof input.helpText !== 'string' || input.helpText.length > 1000) errors.push({ field: 'helpText', code: 'type', message: 'Must be a string of at most 1000 characters' });
    else row.help_text = input.helpText;
  }
  if (row.is_unique && ['boolean', 'long_text', 'multi_picklist'].includes(type)) errors.push({ field: 'unique', code: 'invalid', message: `A ${type} field cannot be unique` });
  if (row.external_id && !['text', 'email', 'number', 'autonumber', 'phone', 'url'].includes(type)) errors.push({ field: 'externalId', code: 'invalid', message: 'External ids must be text, e-mail, number or autonumber fields' });
  if (row.external_id) row.is_unique = true;
  if (type === 'picklist' || type === 'multi_picklist') row.picklist = await parseFieldPicklist(platform.db, input.picklist, errors);
  else if (input.picklist !== undefined) errors.push({ field: 'picklist', code: 'invalid', message: 'Only picklist fields have values' });
  if (type === 'lookup') {
    const l = input.lookup as { object?: unknown; onDelete?: unknown } | undefined;
    const target = typeof l?.object === 'string' ? platform.registry.getObject(l.object) : undefined;
    if (!target) errors.push({ field: 'lookup.object', code: 'unknown_object', message: `Lookup to an unknown object '${String(l?.object ?? '').slice(0, 64)}'` });
    const onDelete = l?.onDelete ?? 'restrict';
    if (!['restrict', 'cascade', 'clear'].includes(onDelete as string)) errors.push({ field: 'lookup.onDelete', code: 'invalid_choice', message: "Must be 'restrict', 'cascade' or 'clear'" });
    if (row.required && onDelete === 'clear') errors.push({ field: 'lookup.onDelete', code: 'invalid', message: "A required lookup cannot be cleared when its record is deleted; use 'restrict' or 'cascade'" });
    row.lookup = { object: l?.object, onDelete };
  } else if (type === 'user') {
    row.lookup = { object: 'user', onDelete: 'restrict' };
  } else if (input.lookup !== undefined) errors.push({ field: 'lookup', code: 'invalid', message: 'Only lookup fields point to an object' });
  if (type === 'autonumber') {
    const a = (input.autonumber ?? {}) as { prefix?: unknown; digits?: unknown };
    const prefix = a.prefix ?? '';
    const digits = a.digits ?? 6;
    if (typeof prefix !== 'string' || prefix.length > 20) errors.push({ field: 'autonumber.prefix', code: 'invalid', message: 'A string of at most 20 characters' });
    if (!Number.isInteger(digits) || (digits as number) < 1 || (digits as number) > 12) errors.push({ field: 'autonumber.digits', code: 'invalid', message: 'An integer between 1 and 12' });
    row.autonumber = { prefix, digits };
    row.required = false;
  }
  if (errors.length) throw validationFailed(errors);
  const def = fieldFromRow(row as MetaFieldRow);
  if (input.defaultValue !== undefined && input.defaultValue !== null) {
    const c = coerceValue(def, input.defaultValue, 'defaultValue');
    if (!c.ok) throw validationFailed([c.error]);
    if (type === 'lookup' || type === 'user' || type === 'autonumber') throw validationFailed([{ field: 'defaultValue', code: 'invalid', message: `A ${type} field cannot have a default value` }]);
    row.default_value = c.value;
  }
  await inMetadataTransaction(platform, args.actor, { action: 'metadata.field.created', target: { type: 'field', id: `${o.apiName}.${apiName}` }, details: { type } }, async (trx) => {
    await insertFieldRow(trx, row);
    const full = fieldFromRow(row as MetaFieldRow);
    await addFieldColumn(trx, o, full);
    if (full.lookup) await ensureForeignKey(trx, o, full, platform.registry.requireObject(full.lookup.object));
    if (full.type === 'autonumber') {
      // Existing records get numbers too, in creation order.
      await sql`UPDATE ${sql.table(o.table)} t SET ${sql.ref(full.column)} = ${(row.autonumber as { prefix: string }).prefix} || lpad(nextval(${`seq__${o.table}__${apiName}`}::regclass)::text, ${(row.autonumber as { digits: number }).digits}, '0')
        FROM (SELECT id FROM ${sql.table(o.table)} ORDER BY created_at, id) s WHERE s.id = t.id`.execute(trx);
    }
  }, o.apiName);
  return platform.registry.requireField(platform.registry.requireObject(o.apiName), apiName);
}

/** The API name and column are not used by a live field, nor by one in the metadata recycle bin. */
async function assertFieldNameFree(args: { platform: Platform; object: ObjectDefinition; apiName: string; column: string }): Promise<void> {
  const { platform, apiName, column } = args;
  const o = args.object;
  const existing = await sql<{ api_name: string; deleted_at: Date | null }>`SELECT api_name, deleted_at FROM meta_field WHERE object = ${o.apiName} AND (api_name = ${apiName} OR column_name = ${column})`.execute(platform.db);
  if (platform.registry.getField(o, apiName) || o.fields.some((f) => f.column === column) || existing.rows.some((r) => !r.deleted_at)) {
    throw new AppError('conflict', `${o.label} already has a field '${apiName}'`, { errors: [{ field: 'apiName', code: 'duplicate', message: 'Already in use on this object' }] });
  }
  if (existing.rows.length) {
    throw new AppError('conflict', `A deleted field '${apiName}' is in the metadata recycle bin; restore or purge it first`, { errors: [{ field: 'apiName', code: 'in_recycle_bin', message: 'Restore or purge the deleted field first' }] });
  }
}
