import { sql, type Transaction } from 'kysely';
import { uuidv7 } from 'uuidv7';
import { AppError, notFound, validationFailed, type FieldError } from '../errors.ts';
import type { Platform } from '../kernel.ts';
import { assertAdmin } from '../access/policy.ts';
import type { Actor } from '../records/context.ts';
import { parseCondition } from '../query/index.ts';
import { coerceValue } from '../records/values.ts';
import { columnFor, systemFields, tableFor } from './define.ts';
import { addFieldColumn, createObjectTable, createUniqueIndex, dropForeignKey, dropUniqueIndex, ensureForeignKey, columnType } from './ddl.ts';
import { fieldFromRow, type MetaFieldRow } from './registry.ts';
import { changeConfiguration, type ConfigurationAudit } from './configuration-change.ts';
import { ensureSearchIndexes } from '../search/indexes.ts';
import type { FieldDefinition, FieldType, ObjectDefinition, ValidationRule } from './types.ts';
import {
  assertPlainObject, optionalBoolean, rejectUnknownKeys, requireLabel, SAFE_TYPE_CHANGES, validateFieldName, validateFieldType,
  validateObjectName, validatePicklist, type FieldInput,
} from './validate-definition.ts';

/**
 * Metadata commands (PLT-1, PLT-2). Each runs DDL and its metadata rows in one transaction,
 * bumps the metadata version (other processes reload) and reloads this process's registry.
 */
type MetadataAudit = ConfigurationAudit;

async function inMetadataTransaction<T>(platform: Platform, actor: Actor, audit: MetadataAudit, fn: (trx: Transaction<any>) => Promise<T>, reindex?: string): Promise<T> {
  const result = await changeConfiguration({ platform, actor, refusal: 'Only administrators can change objects and fields', audit, lockKey: 7340182, run: fn });
  // Search indexes follow the searchable fields (idempotent; boot re-checks them too).
  const changed = reindex ? platform.registry.getObject(reindex) : undefined;
  if (changed) await ensureSearchIndexes(platform.db, changed);
  return result;
}

export function describeObject(o: ObjectDefinition) {
  return {
    apiName: o.apiName,
    label: o.label,
    pluralLabel: o.pluralLabel,
    description: o.description ?? null,
    standard: o.standard,
    nameField: o.nameField,
    navOrder: o.navOrder,
    inNavigation: o.inNavigation,
    fields: o.fields.map(describeField),
    validationRules: o.validationRules,
  };
}

export function describeField(f: FieldDefinition) {
  return {
    apiName: f.apiName,
    label: f.label,
    type: f.type,
    required: f.required,
    unique: f.unique,
    defaultValue: f.defaultValue ?? null,
    helpText: f.helpText ?? null,
    picklist: f.picklist ?? null,
    lookup: f.lookup ?? null,
    autonumber: f.autonumber ?? null,
    standard: f.standard,
    readOnly: f.readOnly,
    searchable: f.searchable,
    externalId: f.externalId,
  };
}

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
      apiName, label, pluralLabel, table: tableFor(apiName), standard: false, nameField: 'name', navOrder: 100, inNavigation: true,
      fields: [fieldFromRow(nameRow as MetaFieldRow), ...systemFields()], validationRules: [],
    };
    await createObjectTable(trx, def);
  }, apiName);
  return platform.registry.requireObject(apiName);
}

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

/** Moves a custom object to the metadata recycle bin: its table and data stay until purged. */
export async function deleteObject(args: { platform: Platform; actor: Actor; object: string; confirm: boolean }): Promise<void> {
  const { platform } = args;
  const o = platform.registry.requireObject(args.object);
  if (o.standard) throw new AppError('rule_violation', `${o.label} is a standard object and cannot be deleted`);
  requireConfirm(args.confirm, `object ${o.apiName}`);
  const refs = platform.registry.referencesTo(o.apiName).filter((r) => r.object.apiName !== o.apiName);
  if (refs.length) {
    throw new AppError('referenced', `Other objects have lookups to ${o.label}; delete those fields first`, {
      errors: refs.map((r) => ({ field: `${r.object.apiName}.${r.field.apiName}`, code: 'referenced', message: `${r.object.label} → ${r.field.label}` })),
    });
  }
  await inMetadataTransaction(platform, args.actor, { action: 'metadata.object.deleted', target: { type: 'object', id: o.apiName } }, async (trx) => {
    await sql`UPDATE meta_object SET deleted_at = now() WHERE api_name = ${o.apiName}`.execute(trx);
  });
}

function requireConfirm(confirm: boolean, what: string) {
  if (!confirm) {
    throw new AppError('precondition_required', `Deleting the ${what} hides its data from everyone. Repeat the request with ?confirm=true to go ahead; it stays in the metadata recycle bin until purged.`);
  }
}

interface NewFieldRow {
  id: string;
  object: string;
  api_name: string;
  label: string;
  type: FieldType;
  column_name: string;
  required: boolean;
  is_unique: boolean;
  default_value: unknown;
  help_text: string | null;
  picklist: unknown;
  lookup: unknown;
  autonumber: unknown;
  external_id: boolean;
  searchable: boolean;
  is_standard: boolean;
  position: number;
  deleted_at: null;
}

function newFieldRow(a: { object: string; apiName: string; label: string; type: FieldType; required?: boolean; unique?: boolean; searchable?: boolean; position: number }): NewFieldRow {
  return {
    id: uuidv7(), object: a.object, api_name: a.apiName, label: a.label, type: a.type, column_name: columnFor(a.apiName, a.type),
    required: a.required ?? false, is_unique: a.unique ?? false, default_value: null, help_text: null, picklist: null, lookup: null,
    autonumber: null, external_id: false, searchable: a.searchable ?? false, is_standard: false, position: a.position, deleted_at: null,
  };
}

async function insertFieldRow(trx: Transaction<any>, row: NewFieldRow) {
  await sql`INSERT INTO meta_field (id, object, api_name, label, type, column_name, required, is_unique, default_value, help_text, picklist, lookup, autonumber, external_id, searchable, is_standard, position)
    VALUES (${row.id}, ${row.object}, ${row.api_name}, ${row.label}, ${row.type}, ${row.column_name}, ${row.required}, ${row.is_unique},
      ${row.default_value === null ? null : JSON.stringify(row.default_value)}::jsonb, ${row.help_text}, ${row.picklist === null ? null : JSON.stringify(row.picklist)}::jsonb,
      ${row.lookup === null ? null : JSON.stringify(row.lookup)}::jsonb, ${row.autonumber === null ? null : JSON.stringify(row.autonumber)}::jsonb,
      ${row.external_id}, ${row.searchable}, ${row.is_standard}, ${row.position})`.execute(trx);
}

const FIELD_KEYS = ['apiName', 'label', 'type', 'required', 'unique', 'defaultValue', 'helpText', 'picklist', 'lookup', 'autonumber', 'externalId', 'searchable'];

export async function createField(args: { platform: Platform; actor: Actor; object: string; input: unknown }): Promise<FieldDefinition> {
  const { platform } = args;
  assertAdmin(args.actor, 'Only administrators can change objects and fields');
  await platform.registry.ensureFresh();
  const o = platform.registry.requireObject(args.object);
  const input = assertPlainObject(args.input, 'The field') as FieldInput & Record<string, unknown>;
  rejectUnknownKeys(input, FIELD_KEYS);
  const apiName = validateFieldName(input.apiName);
  const type = validateFieldType(input.type);
  const column = columnFor(apiName, type);
  const existing = await sql<{ api_name: string; deleted_at: Date | null }>`SELECT api_name, deleted_at FROM meta_field WHERE object = ${o.apiName} AND (api_name = ${apiName} OR column_name = ${column})`.execute(platform.db);
  if (platform.registry.getField(o, apiName) || o.fields.some((f) => f.column === column) || existing.rows.some((r) => !r.deleted_at)) {
    throw new AppError('conflict', `${o.label} already has a field '${apiName}'`, { errors: [{ field: 'apiName', code: 'duplicate', message: 'Already in use on this object' }] });
  }
  if (existing.rows.length) {
    throw new AppError('conflict', `A deleted field '${apiName}' is in the metadata recycle bin; restore or purge it first`, { errors: [{ field: 'apiName', code: 'in_recycle_bin', message: 'Restore or purge the deleted field first' }] });
  }
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
  if (type === 'picklist' || type === 'multi_picklist') row.picklist = { values: validatePicklist(input.picklist, errors) };
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

export async function updateField(args: { platform: Platform; actor: Actor; object: string; field: string; input: unknown }): Promise<FieldDefinition> {
  const { platform } = args;
  assertAdmin(args.actor, 'Only administrators can change objects and fields');
  const o = platform.registry.requireObject(args.object);
  const current = platform.registry.requireField(o, args.field);
  const input = assertPlainObject(args.input, 'The field') as FieldInput & Record<string, unknown>;
  rejectUnknownKeys(input, FIELD_KEYS);
  if (input.apiName !== undefined && input.apiName !== current.apiName) {
    throw validationFailed([{ field: 'apiName', code: 'immutable', message: 'API names are part of the public contract and cannot change; relabel instead' }]);
  }
  if (current.readOnly && !current.standard) throw new AppError('rule_violation', `${current.label} is maintained by Meridian`);
  if (['id', 'created_at', 'updated_at', 'created_by', 'updated_by', 'version', 'owner'].includes(current.apiName)) {
    throw new AppError('rule_violation', `${current.label} is a system field and cannot be changed`);
  }
  const errors: FieldError[] = [];
  const label = input.label === undefined ? current.label : requireLabel(input.label, 'label', errors);
  const required = optionalBoolean(input.required, 'required', errors) ?? current.required;
  const unique = optionalBoolean(input.unique, 'unique', errors) ?? current.unique;
  const searchable = optionalBoolean(input.searchable, 'searchable', errors) ?? current.searchable;
  const externalId = optionalBoolean(input.externalId, 'externalId', errors) ?? current.externalId;
  let helpText = current.helpText ?? null;
  if (input.helpText !== undefined) {
    if (input.helpText !== null && typeof input.helpText !== 'string') errors.push({ field: 'helpText', code: 'type', message: 'Must be a string' });
    else helpText = input.helpText as string | null;
  }
  const type = input.type === undefined ? current.type : validateFieldType(input.type);
  let picklist = current.picklist ?? null;
  if (input.picklist !== undefined) {
    if (type !== 'picklist' && type !== 'multi_picklist') errors.push({ field: 'picklist', code: 'invalid', message: 'Only picklist fields have values' });
    else picklist = { values: validatePicklist(input.picklist, errors) };
  }
  let lookup = current.lookup ?? null;
  if (input.lookup !== undefined) {
    const l = input.lookup as { object?: unknown; onDelete?: unknown };
    if (!current.lookup || type !== 'lookup') errors.push({ field: 'lookup', code: 'invalid', message: 'Only lookup fields point to an object' });
    else {
      if (l?.object !== undefined && l.object !== current.lookup.object) errors.push({ field: 'lookup.object', code: 'immutable', message: 'A lookup cannot be re-pointed to another object; create a new field' });
      if (l?.onDelete !== undefined && !['restrict', 'cascade', 'clear'].includes(l.onDelete as string)) errors.push({ field: 'lookup.onDelete', code: 'invalid_choice', message: "Must be 'restrict', 'cascade' or 'clear'" });
      lookup = { object: current.lookup.object, onDelete: (l?.onDelete as 'restrict') ?? current.lookup.onDelete };
    }
  }
  if (errors.length) throw validationFailed(errors);
  if (current.standard) {
    if (type !== current.type || unique !== current.unique || externalId !== current.externalId || searchable !== current.searchable || (lookup && lookup.onDelete !== current.lookup?.onDelete)) {
      throw new AppError('rule_violation', `${current.label} is a standard field: only its label, help text, picklist values, default value and required flag can change`);
    }
  }
  let defaultValue: unknown = current.defaultValue ?? null;
  if (input.defaultValue !== undefined) {
    if (input.defaultValue === null) defaultValue = null;
    else {
      const c = coerceValue({ ...current, type, picklist: picklist ?? undefined }, input.defaultValue, 'defaultValue');
      if (!c.ok) throw validationFailed([c.error]);
      defaultValue = c.value;
    }
  }
  await inMetadataTransaction(platform, args.actor, { action: 'metadata.field.updated', target: { type: 'field', id: `${o.apiName}.${current.apiName}` }, details: { changed: Object.keys(input) } }, async (trx) => {
    const t = sql.table(o.table);
    const col = sql.ref(current.column);
    if (picklist && current.picklist && type === current.type) {
      // Removing a value that records still use would orphan their data: deactivate it instead.
      const kept = new Set(picklist.values.map((v) => v.value));
      const removed = current.picklist.values.map((v) => v.value).filter((v) => !kept.has(v));
      if (removed.length) {
        const used = current.type === 'multi_picklist'
          ? await sql<{ n: string }>`SELECT count(*) AS n FROM ${t} WHERE ${col} && ${removed}::text[]`.execute(trx)
          : await sql<{ n: string }>`SELECT count(*) AS n FROM ${t} WHERE ${col} = ANY(${removed}::text[])`.execute(trx);
        if (Number(used.rows[0]!.n) > 0) {
          throw new AppError('conflict', `${used.rows[0]!.n} record(s) use the value(s) ${removed.join(', ')}; mark them inactive instead of removing them`, {
            errors: [{ field: 'picklist.values', code: 'value_in_use', message: 'Deactivate values that are in use (active: false)' }],
          });
        }
      }
    }
    if (type !== current.type) await changeColumnType(trx, o, current, type, picklist?.values.map((v) => v.value));
    if (unique !== current.unique) {
      if (unique) await createUniqueIndex(trx, o, { ...current, type });
      else await dropUniqueIndex(trx, o, current);
    }
    if (current.standard) {
      await sql`DELETE FROM meta_field WHERE object = ${o.apiName} AND api_name = ${current.apiName} AND is_standard`.execute(trx);
      const row = newFieldRow({ object: o.apiName, apiName: current.apiName, label, type: current.type, required, position: 0 });
      row.column_name = current.column;
      row.is_standard = true;
      row.help_text = helpText;
      row.picklist = picklist;
      row.default_value = defaultValue;
      await insertFieldRow(trx, row);
    } else {
      await sql`UPDATE meta_field SET label = ${label}, type = ${type}, required = ${required}, is_unique = ${unique}, searchable = ${searchable}, external_id = ${externalId},
        help_text = ${helpText}, picklist = ${picklist === null ? null : JSON.stringify(picklist)}::jsonb, lookup = ${lookup === null ? null : JSON.stringify(lookup)}::jsonb,
        default_value = ${defaultValue === null ? null : JSON.stringify(defaultValue)}::jsonb, updated_at = now()
        WHERE object = ${o.apiName} AND api_name = ${current.apiName} AND deleted_at IS NULL`.execute(trx);
    }
  }, o.apiName);
  return platform.registry.requireField(platform.registry.requireObject(o.apiName), current.apiName);
}

async function changeColumnType(trx: Transaction<any>, o: ObjectDefinition, f: FieldDefinition, to: FieldType, picklistValues?: string[]) {
  if (f.standard || !(SAFE_TYPE_CHANGES[f.type] ?? []).includes(to)) {
    throw new AppError('conflict', `Changing ${f.label} from ${f.type} to ${to} could lose data and is not allowed; create a new field and copy the values`, {
      errors: [{ field: 'type', code: 'type_change_loses_data', message: `${f.type} → ${to} is not a safe conversion` }],
    });
  }
  const t = sql.table(o.table);
  const col = sql.ref(f.column);
  // Values that would not survive the conversion are counted first: refuse rather than lose them.
  let bad = 0;
  const count = async (where: ReturnType<typeof sql>) => Number((await sql<{ n: string }>`SELECT count(*) AS n FROM ${t} WHERE ${col} IS NOT NULL AND ${where}`.execute(trx)).rows[0]!.n);
  if (to === 'email') bad = await count(sql`${col} !~ '^[^\\s@]+@[^\\s@]+\\.[^\\s@]{2,}$'`);
  if (to === 'url') bad = await count(sql`${col} !~* '^https?://'`);
  if (to === 'phone') bad = await count(sql`${col} !~ '^[+()0-9 .\\-/x#*]{3,40}$'`);
  if (to === 'text') bad = await count(sql`length(${col}) > 1000`);
  if (to === 'picklist') bad = await count(sql`NOT (${col} = ANY(${picklistValues ?? []}::text[]))`);
  if (to === 'currency') bad = await count(sql`${col} <> round(${col}, 2)`);
  if (bad > 0) {
    throw new AppError('conflict', `${bad} record(s) have values of ${f.label} that are not valid as ${to}; fix them first`, {
      errors: [{ field: 'type', code: 'type_change_loses_data', message: `${bad} value(s) would not convert` }],
    });
  }
  const target = sql.raw(columnType({ ...f, type: to }));
  const using = to === 'multi_picklist' ? sql`ARRAY[${col}]::text[]` : sql`${col}::${target}`;
  await sql`ALTER TABLE ${t} ALTER COLUMN ${col} TYPE ${target} USING ${using}`.execute(trx);
}

export async function deleteField(args: { platform: Platform; actor: Actor; object: string; field: string; confirm: boolean }): Promise<void> {
  const { platform } = args;
  assertAdmin(args.actor, 'Only administrators can change objects and fields');
  const o = platform.registry.requireObject(args.object);
  const f = platform.registry.requireField(o, args.field);
  if (f.standard) throw new AppError('rule_violation', `${f.label} is a standard field and cannot be deleted`);
  if (f.apiName === o.nameField) throw new AppError('rule_violation', `${f.label} names the records of ${o.label} and cannot be deleted`);
  requireConfirm(args.confirm, `field ${o.apiName}.${f.apiName}`);
  const usedBy = o.validationRules.filter((r) => JSON.stringify(r.condition).includes(`"${f.apiName}`));
  if (usedBy.length) throw new AppError('conflict', `Validation rule(s) ${usedBy.map((r) => r.name).join(', ')} use this field; change them first`);
  await inMetadataTransaction(platform, args.actor, { action: 'metadata.field.deleted', target: { type: 'field', id: `${o.apiName}.${f.apiName}` } }, async (trx) => {
    // The column and its data stay until purged; only the definition is hidden. Unique and
    // foreign-key constraints go now so they cannot block writes to a field nobody sees.
    if (f.unique) await dropUniqueIndex(trx, o, f);
    if (f.lookup) await dropForeignKey(trx, o, f);
    await sql`UPDATE meta_field SET deleted_at = now() WHERE object = ${o.apiName} AND api_name = ${f.apiName} AND deleted_at IS NULL`.execute(trx);
  }, o.apiName);
}

export interface MetadataBinItem {
  kind: 'object' | 'field';
  id: string;
  object: string;
  apiName: string;
  label: string;
  deletedAt: string;
}

export async function listMetadataRecycleBin(args: { platform: Platform; actor: Actor }): Promise<MetadataBinItem[]> {
  assertAdmin(args.actor);
  const db = args.platform.db;
  const objects = await sql<{ api_name: string; label: string; deleted_at: Date }>`SELECT api_name, label, deleted_at FROM meta_object WHERE deleted_at IS NOT NULL`.execute(db);
  const fields = await sql<{ id: string; object: string; api_name: string; label: string; deleted_at: Date }>`SELECT id, object, api_name, label, deleted_at FROM meta_field WHERE deleted_at IS NOT NULL`.execute(db);
  return [
    ...objects.rows.map((r) => ({ kind: 'object' as const, id: `object:${r.api_name}`, object: r.api_name, apiName: r.api_name, label: r.label, deletedAt: new Date(r.deleted_at).toISOString() })),
    ...fields.rows.map((r) => ({ kind: 'field' as const, id: r.id, object: r.object, apiName: r.api_name, label: r.label, deletedAt: new Date(r.deleted_at).toISOString() })),
  ].sort((a, b) => b.deletedAt.localeCompare(a.deletedAt));
}

export async function restoreMetadata(args: { platform: Platform; actor: Actor; id: string }): Promise<MetadataBinItem> {
  const item = (await listMetadataRecycleBin(args)).find((i) => i.id === args.id);
  if (!item) throw notFound('Metadata recycle bin entry');
  const { platform } = args;
  await inMetadataTransaction(platform, args.actor, { action: 'metadata.restored', target: { type: item.kind, id: item.kind === 'object' ? item.apiName : `${item.object}.${item.apiName}` } }, async (trx) => {
    if (item.kind === 'object') {
      await sql`UPDATE meta_object SET deleted_at = NULL WHERE api_name = ${item.apiName}`.execute(trx);
      return;
    }
    const o = platform.registry.getObject(item.object);
    if (!o) throw new AppError('conflict', `Restore the object '${item.object}' first`);
    const r = await sql<MetaFieldRow>`UPDATE meta_field SET deleted_at = NULL WHERE id = ${item.id} RETURNING *`.execute(trx);
    const f = fieldFromRow(r.rows[0]!);
    if (f.unique) await createUniqueIndex(trx, o, f);
    if (f.lookup) {
      const target = platform.registry.getObject(f.lookup.object);
      if (!target) throw new AppError('conflict', `The lookup target '${f.lookup.object}' no longer exists`);
      await ensureForeignKey(trx, o, f, target);
    }
  }, item.object);
  return item;
}

export async function purgeMetadata(args: { platform: Platform; actor: Actor; id: string }): Promise<void> {
  const item = (await listMetadataRecycleBin(args)).find((i) => i.id === args.id);
  if (!item) throw notFound('Metadata recycle bin entry');
  await inMetadataTransaction(args.platform, args.actor, { action: 'metadata.purged', target: { type: item.kind, id: item.kind === 'object' ? item.apiName : `${item.object}.${item.apiName}` } }, async (trx) => {
    if (item.kind === 'object') {
      await sql`DROP TABLE IF EXISTS ${sql.table(tableFor(item.apiName))} CASCADE`.execute(trx);
      await sql`DELETE FROM meta_field WHERE object = ${item.apiName}`.execute(trx);
      await sql`DELETE FROM meta_validation_rule WHERE object = ${item.apiName}`.execute(trx);
      await sql`DELETE FROM recycle_bin WHERE object = ${item.apiName}`.execute(trx);
      await sql`DELETE FROM meta_object WHERE api_name = ${item.apiName}`.execute(trx);
      return;
    }
    const r = await sql<MetaFieldRow>`DELETE FROM meta_field WHERE id = ${item.id} RETURNING *`.execute(trx);
    const row = r.rows[0]!;
    await sql`ALTER TABLE ${sql.table(tableFor(row.object))} DROP COLUMN IF EXISTS ${sql.ref(row.column_name)}`.execute(trx);
    await sql`DROP SEQUENCE IF EXISTS ${sql.id(`seq__${tableFor(row.object)}__${row.api_name}`)}`.execute(trx);
  });
}

// ---- validation rules ----

function parseRuleInput(platform: Platform, o: ObjectDefinition, input: Record<string, unknown>, partial: boolean) {
  rejectUnknownKeys(input, ['name', 'condition', 'message', 'field', 'active']);
  const errors: FieldError[] = [];
  const out: Partial<ValidationRule> = {};
  if (input.name !== undefined || !partial) {
    if (typeof input.name !== 'string' || !/^[a-z][a-z0-9_]{0,62}$/.test(input.name)) errors.push({ field: 'name', code: 'invalid_name', message: 'Lower snake case, up to 63 characters' });
    else out.name = input.name;
  }
  if (input.message !== undefined || !partial) {
    if (typeof input.message !== 'string' || !input.message.trim() || input.message.length > 500) errors.push({ field: 'message', code: 'required', message: 'A message of at most 500 characters is required' });
    else out.message = input.message.trim();
  }
  if (input.field !== undefined && input.field !== null) {
    if (typeof input.field !== 'string' || !platform.registry.getField(o, input.field)) errors.push({ field: 'field', code: 'unknown_field', message: `No field '${String(input.field).slice(0, 64)}' on ${o.apiName}` });
    else out.field = input.field;
  }
  if (input.active !== undefined) {
    if (typeof input.active !== 'boolean') errors.push({ field: 'active', code: 'type', message: 'Must be true or false' });
    else out.active = input.active;
  }
  if (errors.length) throw validationFailed(errors);
  if (input.condition !== undefined || !partial) {
    try {
      parseCondition({ input: input.condition, object: o, registry: platform.registry });
    } catch (error) {
      if (error instanceof AppError) throw validationFailed(error.errors.map((e) => ({ ...e, field: 'condition', message: e.message.replace(/^filter/, 'condition') })), 'The rule condition is not valid');
      throw error;
    }
    out.condition = input.condition as ValidationRule['condition'];
  }
  return out;
}

export async function createValidationRule(args: { platform: Platform; actor: Actor; object: string; input: unknown }): Promise<ValidationRule> {
  const { platform } = args;
  assertAdmin(args.actor, 'Only administrators can change validation rules');
  const o = platform.registry.requireObject(args.object);
  const rule = parseRuleInput(platform, o, assertPlainObject(args.input, 'The rule'), false);
  if (o.validationRules.some((r) => r.name === rule.name)) throw new AppError('conflict', `A rule '${rule.name}' already exists on ${o.apiName}`, { errors: [{ field: 'name', code: 'duplicate', message: 'Already in use' }] });
  const id = uuidv7();
  await inMetadataTransaction(platform, args.actor, { action: 'metadata.rule.created', target: { type: 'validation_rule', id }, details: { object: o.apiName, name: rule.name } }, async (trx) => {
    await sql`INSERT INTO meta_validation_rule (id, object, name, condition, message, field, active)
      VALUES (${id}, ${o.apiName}, ${rule.name!}, ${JSON.stringify(rule.condition)}::jsonb, ${rule.message!}, ${rule.field ?? null}, ${rule.active ?? true})`.execute(trx);
  });
  return platform.registry.requireObject(o.apiName).validationRules.find((r) => r.id === id)!;
}

export async function updateValidationRule(args: { platform: Platform; actor: Actor; object: string; id: string; input: unknown }): Promise<ValidationRule> {
  const { platform } = args;
  assertAdmin(args.actor, 'Only administrators can change validation rules');
  const o = platform.registry.requireObject(args.object);
  const current = o.validationRules.find((r) => r.id === args.id);
  if (!current) throw notFound('Validation rule');
  const patch = parseRuleInput(platform, o, assertPlainObject(args.input, 'The rule'), true);
  const next = { ...current, ...patch };
  await inMetadataTransaction(platform, args.actor, { action: 'metadata.rule.updated', target: { type: 'validation_rule', id: current.id }, details: { object: o.apiName, name: next.name, changed: Object.keys(patch) } }, async (trx) => {
    await sql`UPDATE meta_validation_rule SET name = ${next.name}, condition = ${JSON.stringify(next.condition)}::jsonb, message = ${next.message},
      field = ${next.field ?? null}, active = ${next.active}, updated_at = now() WHERE id = ${current.id}`.execute(trx);
  });
  return platform.registry.requireObject(o.apiName).validationRules.find((r) => r.id === current.id)!;
}

export async function deleteValidationRule(args: { platform: Platform; actor: Actor; object: string; id: string }): Promise<void> {
  const { platform } = args;
  const o = platform.registry.requireObject(args.object);
  if (!o.validationRules.some((r) => r.id === args.id)) throw notFound('Validation rule');
  await inMetadataTransaction(platform, args.actor, { action: 'metadata.rule.deleted', target: { type: 'validation_rule', id: args.id }, details: { object: o.apiName } }, async (trx) => {
    await sql`DELETE FROM meta_validation_rule WHERE id = ${args.id}`.execute(trx);
  });
}
