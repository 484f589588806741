import { createHash } from 'node:crypto';
import { sql, type Kysely, type RawBuilder } from 'kysely';
import type { ObjectDefinition } from '../metadata/types.ts';

/**
 * Global search (PLT-9) indexes, one pair per object over its searchable fields: a full-text
 * GIN index on a `simple` tsvector (word matches, any language) and a trigram GIN index on the
 * lower-cased text (typos and partial words). The index name carries a hash of the field list,
 * so changing which fields are searchable replaces the indexes.
 */
const SEARCHABLE_TYPES = new Set(['text', 'long_text', 'email', 'phone', 'url', 'picklist', 'autonumber']);

export function searchableFields(object: ObjectDefinition) {
  return object.fields.filter((f) => f.searchable && SEARCHABLE_TYPES.has(f.type));
}

/** The text searched for one record: its searchable fields joined by spaces. */
export function searchText(object: ObjectDefinition, alias?: string): RawBuilder<string> | undefined {
  const fields = searchableFields(object);
  if (!fields.length) return undefined;
  // `||` and coalesce are immutable (concat_ws is not), so the expression can be indexed.
  const cols = fields.map((f) => sql`coalesce(${alias ? sql.ref(`${alias}.${f.column}`) : sql.id(f.column)}, '')`);
  return sql<string>`lower(${sql.join(cols, sql` || ' ' || `)})`;
}

export function searchVector(text: RawBuilder<string>): RawBuilder<unknown> {
  return sql`to_tsvector('simple'::regconfig, ${text})`;
}

function suffix(object: ObjectDefinition): string {
  return createHash('sha1').update(searchableFields(object).map((f) => f.column).join(',')).digest('hex').slice(0, 8);
}

/** `indexes`: the table's index names when the caller has read them already (start-up sync). */
export async function ensureSearchIndexes(db: Kysely<any>, object: ObjectDefinition, indexes?: string[]): Promise<void> {
  const wanted = [`ix__${object.table}__fts_${suffix(object)}`, `ix__${object.table}__trgm_${suffix(object)}`];
  const names = indexes ?? (await sql<{ indexname: string }>`SELECT indexname FROM pg_indexes WHERE schemaname = current_schema() AND tablename = ${object.table}`.execute(db)).rows.map((r) => r.indexname);
  const ours = names.filter((name) => name.startsWith(`ix__${object.table}__fts_`) || name.startsWith(`ix__${object.table}__trgm_`));
  for (const name of ours) {
    if (!wanted.includes(name)) await sql`DROP INDEX IF EXISTS ${sql.id(name)}`.execute(db);
  }
  const text = searchText(object);
  if (!text) return;
  const have = new Set(ours);
  if (!have.has(wanted[0]!)) await sql`CREATE INDEX IF NOT EXISTS ${sql.id(wanted[0]!)} ON ${sql.table(object.table)} USING gin ((${searchVector(text)})) WHERE deleted_at IS NULL`.execute(db);
  if (!have.has(wanted[1]!)) await sql`CREATE INDEX IF NOT EXISTS ${sql.id(wanted[1]!)} ON ${sql.table(object.table)} USING gin ((${text}) gin_trgm_ops) WHERE deleted_at IS NULL`.execute(db);
}
