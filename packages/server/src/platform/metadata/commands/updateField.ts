import { sql, type Transaction } from 'kysely';
import { AppError, validationFailed, type FieldError } from '../../errors.ts';
import type { Platform } from '../../kernel.ts';
import { assertAdmin } from '../../access/policy.ts';
import type { Actor } from '../../records/context.ts';
import { coerceValue } from '../../records/values.ts';
import { createUniqueIndex, dropUniqueIndex, columnType } from '../ddl.ts';
import type { FieldDefinition, FieldType, ObjectDefinition } from '../types.ts';
import { assertPlainObject, optionalBoolean, rejectUnknownKeys, requireLabel, SAFE_TYPE_CHANGES, validateFieldType, type FieldInput } from '../validate-definition.ts';
import { newFieldRow, insertFieldRow, FIELD_KEYS } from './fieldRows.ts';
import { parseFieldPicklist } from '../picklists/commands.ts';
import { inMetadataTransaction } from './transaction.ts';
import { updateComputedField } from './updateComputedField.ts';

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
  if (current.formula || current.rollup) return updateComputedField({ platform, actor: args.actor, object: o, field: current, input });
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
    else picklist = await parseFieldPicklist(platform.db, input.picklist, errors);
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

export async function changeColumnType(trx: Transaction<any>, o: ObjectDefinition, f: FieldDefinition, to: FieldType, picklistValues?: string[]) {
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
