import { sql, type Kysely } from 'kysely';

/**
 * What the current schema already holds — relation names (tables, indexes, sequences share one
 * name space), each table's columns and the constraint names — read in two catalog queries.
 * The start-up sync asks it before each `CREATE … IF NOT EXISTS`: a name it knows is skipped,
 * anything else still runs the idempotent statement. Before it, every start sent some 700 no-op
 * DDL statements in one transaction, and a no-op still locks: `ALTER TABLE … ADD COLUMN IF NOT
 * EXISTS` takes an ACCESS EXCLUSIVE lock and `CREATE INDEX IF NOT EXISTS` a SHARE lock, held to
 * the commit — so a process starting beside running ones (a rolling deploy) blocked every read
 * and write of every standard table while it synced, and queued behind any long transaction.
 */
export interface SchemaCatalog {
  has(relation: string): boolean;
  hasConstraint(name: string): boolean;
  /** A table's columns (empty for a table it does not list). */
  columnsOf(table: string): Set<string>;
  /** Index names on a table. */
  indexesOf(table: string): string[];
}

export async function readSchemaCatalog(db: Kysely<any>): Promise<SchemaCatalog> {
  const relations = await sql<{ name: string; kind: string; table_name: string | null; columns: string[] | null }>`
    SELECT c.relname AS name, c.relkind::text AS kind, t.relname AS table_name,
      CASE WHEN c.relkind IN ('r', 'p') THEN ARRAY(
        SELECT a.attname::text FROM pg_attribute a WHERE a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped) END AS columns
    FROM pg_class c
    JOIN pg_namespace n ON n.oid = c.relnamespace AND n.nspname = current_schema()
    LEFT JOIN pg_index i ON i.indexrelid = c.oid
    LEFT JOIN pg_class t ON t.oid = i.indrelid`.execute(db);
  const constraints = await sql<{ name: string }>`
    SELECT conname AS name FROM pg_constraint c JOIN pg_namespace n ON n.oid = c.connamespace AND n.nspname = current_schema()`.execute(db);
  const names = new Set<string>();
  const columns = new Map<string, Set<string>>();
  const indexes = new Map<string, string[]>();
  for (const r of relations.rows) {
    names.add(r.name);
    if (r.columns) columns.set(r.name, new Set(r.columns));
    if (r.kind === 'i' && r.table_name) {
      if (!indexes.has(r.table_name)) indexes.set(r.table_name, []);
      indexes.get(r.table_name)!.push(r.name);
    }
  }
  const constraintNames = new Set(constraints.rows.map((r) => r.name));
  return {
    has: (relation) => names.has(relation),
    hasConstraint: (name) => constraintNames.has(name),
    columnsOf: (table) => columns.get(table) ?? new Set(),
    indexesOf: (table) => indexes.get(table) ?? [],
  };
}
