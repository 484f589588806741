import { sql, type Kysely } from 'kysely';
import { notFound } from '../errors.ts';
import { systemFields } from './define.ts';
import type { FieldDefinition, FieldType, MetadataRegistry, ObjectDefinition, ValidationRule } from './types.ts';
import type { Condition } from '../query/types.ts';
import { applyComputedDefinition, type StoredComputedField } from '../formula/define.ts';
import { bindComputedFields } from '../formula/computed.ts';

interface MetaObjectRow {
  api_name: string;
  label: string;
  plural_label: string;
  description: string | null;
  table_name: string;
  name_field: string;
  nav_order: number;
  is_standard: boolean;
  deleted_at: Date | null;
}

export interface MetaFieldRow {
  id: string;
  object: string;
  api_name: string;
  label: string;
  type: string;
  column_name: string;
  required: boolean;
  is_unique: boolean;
  default_value: unknown;
  help_text: string | null;
  picklist: { values: Array<{ value: string; label: string; active?: boolean }>; global?: string } | null;
  lookup: { object: string; onDelete: 'restrict' | 'cascade' | 'clear' } | null;
  autonumber: { prefix: string; digits: number } | null;
  external_id: boolean;
  searchable: boolean;
  is_standard: boolean;
  position: number;
  deleted_at: Date | null;
  /** Formula and roll-up fields: `{formula}` or `{rollup, type}` (formula/define.ts). */
  computed?: StoredComputedField | null;
}

interface RuleRow {
  id: string;
  object: string;
  name: string;
  condition: Condition;
  message: string;
  field: string | null;
  active: boolean;
}

/** Builds a FieldDefinition from a stored custom-field row. */
export function fieldFromRow(row: MetaFieldRow): FieldDefinition {
  const def: FieldDefinition = {
    apiName: row.api_name,
    label: row.label,
    type: row.type as FieldType,
    column: row.column_name,
    required: row.required,
    unique: row.is_unique,
    standard: false,
    readOnly: row.type === 'autonumber',
    searchable: row.searchable,
    externalId: row.external_id,
  };
  if (row.default_value !== null && row.default_value !== undefined) def.defaultValue = row.default_value;
  if (row.help_text) def.helpText = row.help_text;
  if (row.picklist) def.picklist = { values: row.picklist.values.map((v) => ({ active: true, ...v })), ...(row.picklist.global ? { global: row.picklist.global } : {}) };
  if (row.lookup) def.lookup = row.lookup;
  if (row.autonumber) def.autonumber = row.autonumber;
  if (row.computed) applyComputedDefinition(def, row.computed);
  return def;
}

/**
 * Resolves standard definitions (code) and custom ones (rows) into one set of ObjectDefinitions.
 * Held in memory per process; `ensureFresh` re-reads when another process bumped
 * `metadata_version` (checked at most once a second).
 */
export class Registry implements MetadataRegistry {
  readonly #db: Kysely<any>;
  readonly #standard: ObjectDefinition[];
  #objects = new Map<string, ObjectDefinition>();
  #fieldMaps = new Map<string, Map<string, FieldDefinition>>();
  #deletedObjects = new Set<string>();
  #version = -1;
  #checkedAt = 0;

  constructor(db: Kysely<any>, standard: ObjectDefinition[]) {
    this.#db = db;
    this.#standard = standard;
    this.#install(standard.map((o) => structuredClone(o)));
  }

  /** Bumped by every metadata or access change; caches keyed on it stay coherent across processes. */
  get version(): number {
    return this.#version;
  }

  get standardObjects(): ObjectDefinition[] {
    return this.#standard;
  }

  getObject(apiName: string): ObjectDefinition | undefined {
    return this.#objects.get(apiName);
  }

  requireObject(apiName: string): ObjectDefinition {
    const o = this.#objects.get(apiName);
    if (!o) throw notFound(`Object '${apiName}'`);
    return o;
  }

  listObjects(): ObjectDefinition[] {
    return [...this.#objects.values()].sort((a, b) => a.navOrder - b.navOrder || a.label.localeCompare(b.label));
  }

  getField(object: ObjectDefinition, apiName: string): FieldDefinition | undefined {
    return this.#fieldMaps.get(object.apiName)?.get(apiName);
  }

  requireField(object: ObjectDefinition, apiName: string): FieldDefinition {
    const f = this.getField(object, apiName);
    if (!f) throw notFound(`Field '${apiName}' on '${object.apiName}'`);
    return f;
  }

  isDeletedObject(apiName: string): boolean {
    return this.#deletedObjects.has(apiName);
  }

  /** Objects with a lookup to `target`, with the field: the related lists and delete checks. */
  referencesTo(target: string): Array<{ object: ObjectDefinition; field: FieldDefinition }> {
    const out: Array<{ object: ObjectDefinition; field: FieldDefinition }> = [];
    for (const o of this.#objects.values()) {
      for (const f of o.fields) {
        if (f.lookup?.object === target && !['created_by', 'updated_by'].includes(f.apiName)) out.push({ object: o, field: f });
      }
    }
    return out;
  }

  async ensureFresh(): Promise<void> {
    const now = Date.now();
    if (now - this.#checkedAt < 1000 && this.#version >= 0) return;
    this.#checkedAt = now;
    const r = await sql<{ value: number }>`SELECT value FROM system_setting WHERE key = 'metadata_version'`.execute(this.#db);
    const version = Number(r.rows[0]?.value ?? 0);
    if (version !== this.#version) await this.reload(version);
  }

  async reload(version?: number): Promise<void> {
    const db = this.#db;
    const [objects, fields, rules, v] = await Promise.all([
      sql<MetaObjectRow>`SELECT * FROM meta_object ORDER BY api_name`.execute(db),
      sql<MetaFieldRow>`SELECT * FROM meta_field ORDER BY object, position, created_at`.execute(db),
      sql<RuleRow>`SELECT * FROM meta_validation_rule ORDER BY object, name`.execute(db),
      version === undefined ? sql<{ value: number }>`SELECT value FROM system_setting WHERE key = 'metadata_version'`.execute(db) : null,
    ]);
    const defs = new Map<string, ObjectDefinition>();
    for (const s of this.#standard) defs.set(s.apiName, structuredClone(s));
    const deleted = new Set<string>();
    for (const row of objects.rows) {
      if (row.deleted_at) {
        deleted.add(row.api_name);
        continue;
      }
      const existing = defs.get(row.api_name);
      if (existing) {
        // A standard object relabelled or reordered by an admin.
        existing.label = row.label;
        existing.pluralLabel = row.plural_label;
        existing.navOrder = row.nav_order;
        if (row.description) existing.description = row.description;
        continue;
      }
      defs.set(row.api_name, {
        apiName: row.api_name,
        label: row.label,
        pluralLabel: row.plural_label,
        table: row.table_name,
        standard: false,
        nameField: row.name_field,
        description: row.description ?? undefined,
        navOrder: row.nav_order,
        inNavigation: true,
        mergeable: false,
        fields: systemFields(),
        validationRules: [],
      });
    }
    for (const row of fields.rows) {
      const o = defs.get(row.object);
      if (!o || row.deleted_at) continue;
      if (row.is_standard) {
        // Overrides of a standard field: label, help text, picklist values, required.
        const f = o.fields.find((x) => x.apiName === row.api_name);
        if (!f) continue;
        f.label = row.label;
        if (row.help_text !== null) f.helpText = row.help_text;
        if (row.picklist) f.picklist = { values: row.picklist.values.map((v) => ({ active: true, ...v })), ...(row.picklist.global ? { global: row.picklist.global } : {}) };
        if (row.required) f.required = true;
        if (row.default_value !== null && row.default_value !== undefined) f.defaultValue = row.default_value;
        continue;
      }
      // Custom fields go before the system fields.
      const firstSystem = o.fields.findIndex((x) => x.apiName === 'id');
      o.fields.splice(firstSystem < 0 ? o.fields.length : firstSystem, 0, fieldFromRow(row));
    }
    await this.#applyAccessPicklists(defs);
    await this.#applyGlobalPicklists(defs);
    for (const row of rules.rows) {
      const o = defs.get(row.object);
      if (!o) continue;
      const rule: ValidationRule = { id: row.id, name: row.name, condition: row.condition, message: row.message, active: row.active };
      if (row.field) rule.field = row.field;
      o.validationRules.push(rule);
    }
    this.#install([...defs.values()]);
    this.#deletedObjects = deleted;
    this.#version = version ?? Number(v?.rows[0]?.value ?? 0);
    this.#checkedAt = Date.now();
  }

  /** Fields that share a global picklist take its values (one set, relabelled or extended once). */
  async #applyGlobalPicklists(defs: Map<string, ObjectDefinition>) {
    const r = await sql<{ name: string; values: Array<{ value: string; label: string; active?: boolean }> }>`SELECT name, "values" FROM meta_picklist`.execute(this.#db);
    const sets = new Map(r.rows.map((row) => [row.name, row.values.map((v) => ({ active: true, ...v }))]));
    for (const o of defs.values()) {
      for (const f of o.fields) {
        const name = f.picklist?.global;
        if (name) f.picklist = { global: name, values: structuredClone(sets.get(name) ?? []) };
      }
    }
  }

  /** The user's profile and role are picklists whose values are the configured profiles and roles. */
  async #applyAccessPicklists(defs: Map<string, ObjectDefinition>) {
    const user = defs.get('user');
    if (!user) return;
    const [profiles, roles] = await Promise.all([
      sql<{ name: string; label: string }>`SELECT name, label FROM access_profile ORDER BY is_admin DESC, label`.execute(this.#db),
      sql<{ name: string; label: string }>`SELECT name, label FROM access_role ORDER BY label`.execute(this.#db),
    ]);
    const profile = user.fields.find((f) => f.apiName === 'profile');
    if (profile) profile.picklist = { values: profiles.rows.map((p) => ({ value: p.name, label: p.label, active: true })) };
    const role = user.fields.find((f) => f.apiName === 'role');
    if (role) role.picklist = { values: roles.rows.map((r) => ({ value: r.name, label: r.label, active: true })) };
  }

  #install(defs: ObjectDefinition[]) {
    this.#objects = new Map(defs.map((d) => [d.apiName, d]));
    this.#fieldMaps = new Map(defs.map((d) => [d.apiName, new Map(d.fields.map((f) => [f.apiName, f]))]));
    bindComputedFields(this);
  }
}

/** Bumps the shared metadata version inside the caller's transaction. */
export async function bumpMetadataVersion(db: Kysely<any>): Promise<void> {
  await sql`INSERT INTO system_setting (key, value) VALUES ('metadata_version', '1'::jsonb)
    ON CONFLICT (key) DO UPDATE SET value = to_jsonb((system_setting.value)::text::bigint + 1), updated_at = now()`.execute(db);
}
