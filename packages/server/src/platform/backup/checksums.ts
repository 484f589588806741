/**
 * Row counts and order-independent checksums of every table, computed inside the snapshot the
 * backup dumps (so the manifest describes exactly what the archive holds) and again after a
 * restore to prove the copy. A row's checksum is the first 64 bits of md5 of its text form; a
 * table's is their sum (numeric, so it never overflows), which needs no sort and no memory per row.
 */
export interface TableChecksum {
  table: string;
  rows: number;
  checksum: string;
}

/** Runs one SQL text in the snapshot's session and returns its rows. */
export type SnapshotQuery = (text: string) => Promise<Record<string, unknown>[]>;

// Every user table in every schema (public and pg-boss's), partitioned parents excluded: their
// rows are their partitions', counted once there.
const TABLES = `SELECT quote_ident(n.nspname) || '.' || quote_ident(c.relname) AS name
  FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
  WHERE c.relkind = 'r' AND n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg\\_%'
  ORDER BY 1`;

export async function listTables(query: SnapshotQuery): Promise<string[]> {
  return (await query(TABLES)).map((r) => String(r.name));
}

export async function tableChecksums(query: SnapshotQuery): Promise<TableChecksum[]> {
  // Text forms of timestamps depend on the session's zone: fix it so source and copy agree.
  await query(`SET LOCAL TimeZone = 'UTC'`);
  const result: TableChecksum[] = [];
  for (const table of await listTables(query)) {
    // `table` comes from quote_ident over the catalog, never from input.
    const [row] = await query(
      `SELECT count(*)::text AS rows, coalesce(sum(('x' || left(md5(t::text), 16))::bit(64)::bigint::numeric), 0)::text AS checksum FROM ${table} AS t`,
    );
    result.push({ table, rows: Number(row!.rows), checksum: String(row!.checksum) });
  }
  return result;
}

/** The tables whose count or checksum differ between two lists (missing on either side included). */
export function compareChecksums(expected: TableChecksum[], actual: TableChecksum[]): string[] {
  const got = new Map(actual.map((t) => [t.table, t]));
  const problems: string[] = [];
  for (const e of expected) {
    const a = got.get(e.table);
    if (!a) problems.push(`${e.table}: missing`);
    else if (a.rows !== e.rows || a.checksum !== e.checksum) problems.push(`${e.table}: ${a.rows} rows (expected ${e.rows}), checksum ${a.checksum === e.checksum ? 'same' : 'differs'}`);
    got.delete(e.table);
  }
  for (const extra of got.keys()) problems.push(`${extra}: not in the backup`);
  return problems;
}
