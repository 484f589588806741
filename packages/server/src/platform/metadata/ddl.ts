import { sql, type Kysely, type RawBuilder } from 'kysely';
import type { FieldDefinition, ObjectDefinition } from './types.ts';
import type { SchemaCatalog } from './catalog.ts';

/**
 * DDL for record tables. Everything runs inside the caller's transaction so a new object or
 * field and its metadata row commit (or roll back) together. Identifiers come only from
 * validated API names (lower snake case) and are quoted by Kysely.
 * Naming: index `ix__<table>__<column>`, unique index `uq__<table>__<field>`,
 * foreign key `fk__<table>__<field>`, autonumber sequence `seq__<table>__<field>`.
 */
export function columnType(field: FieldDefinition): string {
  switch (field.type) {
    case 'id':
    case 'lookup':
    case 'user':
      return 'uuid';
    case 'number':
    case 'percent':
      return 'numeric';
    case 'currency':
      return 'numeric(18,2)';
    case 'boolean':
      return 'boolean';
    case 'date':
      return 'date';
    case 'datetime':
      return 'timestamptz(3)';
    case 'multi_picklist':
      return 'text[]';
    default:
      return 'text';
  }
}

export const SYSTEM_COLUMNS = new Set(['id', 'owner_id', 'created_at', 'updated_at', 'created_by', 'updated_by', 'version', 'deleted_at']);

/** `known`: what the schema held before (start-up sync); names it lists are not created again. */
export async function createObjectTable(db: Kysely<any>, object: ObjectDefinition, known?: SchemaCatalog): Promise<void> {
  const t = sql.table(object.table);
  if (!known?.has(object.table)) {
    await sql`CREATE TABLE IF NOT EXISTS ${t} (
    "id" uuid PRIMARY KEY,
    "owner_id" uuid,
    "created_at" timestamptz(3) NOT NULL DEFAULT date_trunc('milliseconds', now()),
    "updated_at" timestamptz(3) NOT NULL DEFAULT date_trunc('milliseconds', now()),
    "created_by" uuid,
    "updated_by" uuid,
    "version" integer NOT NULL DEFAULT 1,
    "deleted_at" timestamptz(3)
  )`.execute(db);
  }
  const index = async (column: string, definition: RawBuilder<unknown>) => {
    const name = `ix__${object.table}__${column}`;
    if (!known?.has(name)) await sql`CREATE INDEX IF NOT EXISTS ${sql.id(name)} ON ${t} ${definition}`.execute(db);
  };
  await index('owner_id', sql`("owner_id")`);
  await index('deleted_at', sql`("deleted_at") WHERE "deleted_at" IS NOT NULL`);
  await index('created_at', sql`("created_at", "id")`);
  const columns = known?.columnsOf(object.table);
  for (const f of object.fields) {
    if (SYSTEM_COLUMNS.has(f.column)) continue;
    if (columns?.has(f.column)) await ensureFieldIndexes(db, object, f, known);
    else await addFieldColumn(db, object, f, { ifNotExists: true });
  }
}

export async function addFieldColumn(
  db: Kysely<any>,
  object: ObjectDefinition,
  field: FieldDefinition,
  options: { ifNotExists?: boolean } = {},
): Promise<void> {
  // Formula and roll-up fields are computed when read: they have no column.
  if (field.formula || field.rollup) return;
  const t = sql.table(object.table);
  const col = sql.id(field.column);
  const ine = options.ifNotExists ? sql`IF NOT EXISTS` : sql``;
  if (field.generated) {
    // Generated expressions are written in code by us, never taken from input.
    await sql`ALTER TABLE ${t} ADD COLUMN ${ine} ${col} text GENERATED ALWAYS AS (${sql.raw(field.generated)}) STORED`.execute(db);
  } else {
    await sql`ALTER TABLE ${t} ADD COLUMN ${ine} ${col} ${sql.raw(columnType(field))}`.execute(db);
  }
  await ensureFieldIndexes(db, object, field);
}

export async function ensureFieldIndexes(db: Kysely<any>, object: ObjectDefinition, field: FieldDefinition, known?: SchemaCatalog): Promise<void> {
  const t = sql.table(object.table);
  const col = sql.id(field.column);
  const index = `ix__${object.table}__${field.column}`;
  if ((field.type === 'lookup' || field.type === 'user') && !known?.has(index)) {
    await sql`CREATE INDEX IF NOT EXISTS ${sql.id(index)} ON ${t} (${col})`.execute(db);
  }
  const sequence = `seq__${object.table}__${field.apiName}`;
  if (field.type === 'autonumber' && !known?.has(sequence)) {
    await sql`CREATE SEQUENCE IF NOT EXISTS ${sql.id(sequence)}`.execute(db);
  }
  if (field.unique && !known?.has(uniqueIndexName(object, field))) await createUniqueIndex(db, object, field);
}

export function uniqueIndexName(object: ObjectDefinition, field: FieldDefinition): string {
  return `uq__${object.table}__${field.apiName}`;
}

export async function createUniqueIndex(db: Kysely<any>, object: ObjectDefinition, field: FieldDefinition): Promise<void> {
  const expr: RawBuilder<unknown> = field.type === 'email' ? sql`lower(${sql.id(field.column)})` : sql`${sql.id(field.column)}`;
  await sql`CREATE UNIQUE INDEX IF NOT EXISTS ${sql.id(uniqueIndexName(object, field))} ON ${sql.table(object.table)} (${expr}) WHERE "deleted_at" IS NULL`.execute(db);
}

export async function dropUniqueIndex(db: Kysely<any>, object: ObjectDefinition, field: FieldDefinition): Promise<void> {
  await sql`DROP INDEX IF EXISTS ${sql.id(uniqueIndexName(object, field))}`.execute(db);
}

/** Foreign keys are added once every table exists (lookups may point forward or to themselves). */
export async function ensureForeignKey(db: Kysely<any>, object: ObjectDefinition, field: FieldDefinition, target: ObjectDefinition, known?: SchemaCatalog): Promise<void> {
  const name = `fk__${object.table}__${field.apiName}`;
  if (known?.hasConstraint(name)) return;
  const exists = await sql<{ n: number }>`SELECT 1 AS n FROM pg_constraint WHERE conname = ${name}`.execute(db);
  if (exists.rows.length) return;
  // Soft deletes are handled by the record service; the key guards purges and direct SQL.
  await sql`ALTER TABLE ${sql.table(object.table)} ADD CONSTRAINT ${sql.id(name)} FOREIGN KEY (${sql.id(field.column)}) REFERENCES ${sql.table(target.table)} ("id") ON DELETE RESTRICT`.execute(db);
}

export async function dropForeignKey(db: Kysely<any>, object: ObjectDefinition, field: FieldDefinition): Promise<void> {
  await sql`ALTER TABLE ${sql.table(object.table)} DROP CONSTRAINT IF EXISTS ${sql.id(`fk__${object.table}__${field.apiName}`)}`.execute(db);
}
