import { sql, type Transaction } from 'kysely';
import { AppError, notFound, validationFailed, type FieldError } from '../../errors.ts';
import type { Platform } from '../../kernel.ts';
import type { Actor } from '../../records/context.ts';
import { changeConfiguration } from '../configuration-change.ts';
import type { FieldDefinition, ObjectDefinition, PicklistValue } from '../types.ts';
import { assertPlainObject, rejectUnknownKeys, requireLabel, validatePicklist } from '../validate-definition.ts';

/**
 * Global picklists (PLT-2, seed 000): one value set shared by fields on several objects. A field
 * points at it with `picklist: {global: "<name>"}` and the registry gives it the set's values, so
 * relabelling, adding or deactivating a value changes every field at once; renaming a value
 * rewrites the stored data of every field that uses it, in one transaction.
 */
export interface GlobalPicklist {
  name: string;
  label: string;
  description: string | null;
  values: PicklistValue[];
  /** Fields that use it, as `object.field`. */
  usedBy: string[];
}

const NAME_RE = /^[a-z][a-z0-9_]{1,62}$/;
const LOCK = 7340182; // the metadata DDL lock: a rename rewrites record tables

interface Row {
  name: string;
  label: string;
  description: string | null;
  values: PicklistValue[];
}

function usersOf(platform: Platform, name: string): Array<{ object: ObjectDefinition; field: FieldDefinition }> {
  return platform.registry.listObjects().flatMap((object) => object.fields.filter((f) => f.picklist?.global === name).map((field) => ({ object, field })));
}

function present(platform: Platform, row: Row): GlobalPicklist {
  return { name: row.name, label: row.label, description: row.description, values: row.values, usedBy: usersOf(platform, row.name).map((u) => `${u.object.apiName}.${u.field.apiName}`) };
}

async function load(db: Platform['db'] | Transaction<any>, name: string): Promise<Row> {
  const r = await sql<Row>`SELECT name, label, description, "values" FROM meta_picklist WHERE name = ${name}`.execute(db);
  if (!r.rows[0]) throw notFound(`Global picklist '${name.slice(0, 64)}'`);
  return r.rows[0];
}

export async function listPicklists(args: { platform: Platform }): Promise<GlobalPicklist[]> {
  await args.platform.registry.ensureFresh();
  const r = await sql<Row>`SELECT name, label, description, "values" FROM meta_picklist ORDER BY label, name`.execute(args.platform.db);
  return r.rows.map((row) => present(args.platform, row));
}

export async function getPicklist(args: { platform: Platform; name: string }): Promise<GlobalPicklist> {
  await args.platform.registry.ensureFresh();
  return present(args.platform, await load(args.platform.db, args.name));
}

function parseInput(input: unknown, partial: boolean) {
  const body = assertPlainObject(input, 'The picklist');
  rejectUnknownKeys(body, partial ? ['label', 'description', 'values'] : ['name', 'label', 'description', 'values']);
  const errors: FieldError[] = [];
  const out: { name?: string; label?: string; description?: string | null; values?: PicklistValue[] } = {};
  if (!partial) {
    if (typeof body.name !== 'string' || !NAME_RE.test(body.name)) errors.push({ field: 'name', code: 'invalid_name', message: 'Lower snake case, 2–63 characters (e.g. fuel_type)' });
    else out.name = body.name;
  }
  if (body.label !== undefined || !partial) out.label = requireLabel(body.label, 'label', errors);
  if (body.description !== undefined) {
    if (body.description !== null && (typeof body.description !== 'string' || body.description.length > 1000)) errors.push({ field: 'description', code: 'invalid', message: 'Text up to 1,000 characters, or null' });
    else out.description = body.description as string | null;
  }
  if (body.values !== undefined || !partial) {
    const inner: FieldError[] = [];
    out.values = validatePicklist({ values: body.values }, inner);
    errors.push(...inner.map((e) => ({ ...e, field: e.field.replace(/^picklist\./, '') })));
  }
  if (errors.length) throw validationFailed(errors);
  return out;
}

export async function createPicklist(args: { platform: Platform; actor: Actor; input: unknown }): Promise<GlobalPicklist> {
  const input = parseInput(args.input, false);
  await changeConfiguration({
    platform: args.platform,
    actor: args.actor,
    refusal: 'Only administrators can change picklists',
    audit: { action: 'metadata.picklist.created', target: { type: 'picklist', id: input.name! }, details: { values: input.values } },
    run: async (trx) => {
      const exists = await sql`SELECT 1 FROM meta_picklist WHERE name = ${input.name!}`.execute(trx);
      if (exists.rows.length) throw new AppError('conflict', `A global picklist named '${input.name}' exists`, { errors: [{ field: 'name', code: 'duplicate', message: 'Choose another name' }] });
      await sql`INSERT INTO meta_picklist (name, label, description, "values") VALUES (${input.name!}, ${input.label!}, ${input.description ?? null}, ${JSON.stringify(input.values)}::jsonb)`.execute(trx);
    },
  });
  return getPicklist({ platform: args.platform, name: input.name! });
}

/** Values that fields using the set still hold: a value in use may be deactivated, not removed. */
async function valuesInUse(trx: Transaction<any>, platform: Platform, name: string, values: string[]): Promise<string[]> {
  if (!values.length) return [];
  const used = new Set<string>();
  for (const { object, field } of usersOf(platform, name)) {
    const col = sql.ref(field.column);
    const r = field.type === 'multi_picklist'
      ? await sql<{ v: string }>`SELECT DISTINCT unnest(${col}) AS v FROM ${sql.table(object.table)} WHERE ${col} && ${values}::text[]`.execute(trx)
      : await sql<{ v: string }>`SELECT DISTINCT ${col} AS v FROM ${sql.table(object.table)} WHERE ${col} = ANY(${values}::text[])`.execute(trx);
    for (const row of r.rows) if (values.includes(row.v)) used.add(row.v);
  }
  return [...used];
}

export async function updatePicklist(args: { platform: Platform; actor: Actor; name: string; input: unknown }): Promise<GlobalPicklist> {
  const { platform } = args;
  const input = parseInput(args.input, true);
  await platform.registry.ensureFresh();
  await changeConfiguration({
    platform,
    actor: args.actor,
    refusal: 'Only administrators can change picklists',
    audit: { action: 'metadata.picklist.updated', target: { type: 'picklist', id: args.name }, details: input },
    lockKey: LOCK,
    run: async (trx) => {
      const current = await load(trx, args.name);
      if (input.values) {
        const kept = new Set(input.values.map((v) => v.value));
        const removed = current.values.map((v) => v.value).filter((v) => !kept.has(v));
        const used = await valuesInUse(trx, platform, args.name, removed);
        if (used.length) {
          throw new AppError('conflict', `Records still use ${used.map((v) => `'${v}'`).join(', ')}: deactivate values in use (active: false), or rename them`, {
            errors: [{ field: 'values', code: 'value_in_use', message: 'Deactivate values that are in use (active: false)' }],
          });
        }
      }
      await sql`UPDATE meta_picklist SET label = ${input.label ?? current.label}, description = ${input.description === undefined ? current.description : input.description},
        "values" = ${JSON.stringify(input.values ?? current.values)}::jsonb, updated_at = now() WHERE name = ${args.name}`.execute(trx);
    },
  });
  return getPicklist({ platform, name: args.name });
}

/**
 * Renames one value everywhere at once: the set, and the data of every field that uses it
 * (multi-picklists element by element), in one transaction under the metadata lock. Records'
 * versions and updated_at are not touched and no record history is written: the value means what
 * it meant; the rename is one audit entry naming the fields and how many records changed.
 */
export async function renamePicklistValue(args: { platform: Platform; actor: Actor; name: string; value: string; input: unknown }): Promise<GlobalPicklist & { renamed: Record<string, number> }> {
  const { platform } = args;
  const body = assertPlainObject(args.input, 'The rename');
  rejectUnknownKeys(body, ['to', 'label']);
  const to = body.to;
  if (typeof to !== 'string' || !to.trim() || to.length > 255) throw validationFailed([{ field: 'to', code: 'invalid', message: 'The new value: a non-empty string (≤ 255 characters)' }]);
  if (body.label !== undefined && typeof body.label !== 'string') throw validationFailed([{ field: 'label', code: 'type', message: 'The new label, a string' }]);
  await platform.registry.ensureFresh();
  const renamed: Record<string, number> = {};
  await changeConfiguration({
    platform,
    actor: args.actor,
    refusal: 'Only administrators can change picklists',
    audit: { action: 'metadata.picklist.value_renamed', target: { type: 'picklist', id: args.name }, details: { from: args.value, to, renamed } },
    lockKey: LOCK,
    run: async (trx) => {
      const current = await load(trx, args.name);
      const entry = current.values.find((v) => v.value === args.value);
      if (!entry) throw validationFailed([{ field: 'value', code: 'not_found', message: `'${args.value.slice(0, 64)}' is not a value of ${current.label}` }]);
      if (current.values.some((v) => v.value === to)) throw validationFailed([{ field: 'to', code: 'duplicate', message: `'${to}' is already a value of ${current.label}` }]);
      const values = current.values.map((v) => (v.value === args.value ? { ...v, value: to, label: typeof body.label === 'string' && body.label.trim() ? body.label : v.label === v.value ? to : v.label } : v));
      await sql`UPDATE meta_picklist SET "values" = ${JSON.stringify(values)}::jsonb, updated_at = now() WHERE name = ${args.name}`.execute(trx);
      for (const { object, field } of usersOf(platform, args.name)) {
        const col = sql.ref(field.column);
        const r = field.type === 'multi_picklist'
          ? await sql`UPDATE ${sql.table(object.table)} SET ${col} = array_replace(${col}, ${args.value}, ${to}) WHERE ${col} @> ARRAY[${args.value}]::text[]`.execute(trx)
          : await sql`UPDATE ${sql.table(object.table)} SET ${col} = ${to} WHERE ${col} = ${args.value}`.execute(trx);
        renamed[`${object.apiName}.${field.apiName}`] = Number(r.numAffectedRows ?? 0);
        // Defaults that named the old value follow it.
        if (field.defaultValue === args.value) await sql`UPDATE meta_field SET default_value = ${JSON.stringify(to)}::jsonb WHERE object = ${object.apiName} AND api_name = ${field.apiName} AND deleted_at IS NULL`.execute(trx);
      }
    },
  });
  return { ...(await getPicklist({ platform, name: args.name })), renamed };
}

export async function deletePicklist(args: { platform: Platform; actor: Actor; name: string }): Promise<void> {
  const { platform } = args;
  await platform.registry.ensureFresh();
  await changeConfiguration({
    platform,
    actor: args.actor,
    refusal: 'Only administrators can change picklists',
    audit: { action: 'metadata.picklist.deleted', target: { type: 'picklist', id: args.name } },
    run: async (trx) => {
      await load(trx, args.name);
      const used = usersOf(platform, args.name).map((u) => `${u.object.apiName}.${u.field.apiName}`);
      if (used.length) throw new AppError('conflict', `Fields still use this picklist: ${used.join(', ')}. Give them their own values first.`);
      await sql`DELETE FROM meta_picklist WHERE name = ${args.name}`.execute(trx);
    },
  });
}

/**
 * A field's `picklist` input: its own `{values: [...]}`, or `{global: "<name>"}` to share a global
 * picklist. The stored row keeps a copy of the set's values (so the field's own checks — values in
 * use, defaults — read as before); the registry always replaces them with the set's current ones.
 */
export async function parseFieldPicklist(db: Platform['db'] | Transaction<any>, input: unknown, errors: FieldError[]): Promise<{ values: PicklistValue[]; global?: string }> {
  const global = (input as { global?: unknown } | null | undefined)?.global;
  if (global === undefined) return { values: validatePicklist(input, errors) };
  if (typeof input !== 'object' || input === null || Object.keys(input).some((k) => k !== 'global')) {
    errors.push({ field: 'picklist', code: 'invalid', message: 'Either {values: [...]} or {global: "<name>"}, not both' });
    return { values: [] };
  }
  const r = typeof global === 'string' ? await sql<Row>`SELECT name, label, description, "values" FROM meta_picklist WHERE name = ${global}`.execute(db) : { rows: [] };
  if (!r.rows[0]) {
    errors.push({ field: 'picklist.global', code: 'unknown_picklist', message: `No global picklist '${String(global).slice(0, 64)}' (GET /api/v1/metadata/picklists)` });
    return { values: [] };
  }
  return { global: r.rows[0].name, values: r.rows[0].values };
}
