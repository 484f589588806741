import { sql, type Kysely, type RawBuilder } from 'kysely';
import { columnType } from '../../../platform/metadata/ddl.ts';
import type { TxContext } from '../../../platform/records/context.ts';
import type { ApiRecord } from '../../../platform/records/hooks.ts';
import type { Summary } from './declared.ts';

/**
 * A summary's table: one column per dimension (the object's own column name and type, so a list
 * filter compiles against it unchanged), `n` records, and per measure `n__<column>` (records with
 * a value) and `s__<column>` (their sum).
 *
 * Written like the board's stage totals (sales queries/boardTotals.ts): each write of a record
 * appends signed delta rows in the write's own transaction — never disagreeing with the records a
 * committed statement sees, never contending for one hot row — and a job folds them into one row
 * per combination. Readers sum what is there and drop combinations whose records are all gone.
 */
export const countColumn = (field: { column: string }) => `n__${field.column}`;
export const sumColumn = (field: { column: string }) => `s__${field.column}`;

function dimensionColumns(summary: Summary): RawBuilder<unknown>[] {
  return summary.dimensions.map((d) => sql.id(d.column));
}

export async function createSummaryTable(db: Kysely<any>, summary: Summary): Promise<void> {
  const columns = [
    ...summary.dimensions.map((d) => sql`${sql.id(d.column)} ${sql.raw(columnType(d))}`),
    sql`n bigint NOT NULL`,
    ...summary.measures.flatMap((m) => [sql`${sql.id(countColumn(m))} bigint NOT NULL`, sql`${sql.id(sumColumn(m))} numeric`]),
  ];
  await sql`CREATE TABLE IF NOT EXISTS ${sql.table(summary.table)} (id bigserial PRIMARY KEY, ${sql.join(columns)})`.execute(db);
  if (summary.dimensions.some((d) => d.column === 'owner_id')) {
    await sql`CREATE INDEX IF NOT EXISTS ${sql.id(`ix_${summary.table}__owner`)} ON ${sql.table(summary.table)} (owner_id)`.execute(db);
  }
}

/** Appends one delta row per (record, sign): +1 adds the record's figures, −1 takes them away. */
export async function appendSummaryDeltas(ctx: TxContext, summary: Summary, deltas: Array<{ record: ApiRecord; sign: 1 | -1 }>): Promise<void> {
  if (!deltas.length) return;
  const rows = deltas.map(({ record, sign }) => {
    const values: RawBuilder<unknown>[] = summary.dimensions.map((d) => sql`${valueOf(record[d.apiName])}::${sql.raw(columnType(d))}`);
    values.push(sql`${sign}::bigint`);
    for (const m of summary.measures) {
      const v = valueOf(record[m.apiName]);
      values.push(sql`${v === null ? 0 : sign}::bigint`, sql`${sign}::int * ${v}::numeric`);
    }
    return sql`(${sql.join(values)})`;
  });
  const columns = [...dimensionColumns(summary), sql`n`, ...summary.measures.flatMap((m) => [sql.id(countColumn(m)), sql.id(sumColumn(m))])];
  await sql`INSERT INTO ${sql.table(summary.table)} (${sql.join(columns)}) VALUES ${sql.join(rows)}`.execute(ctx.trx);
}

function valueOf(v: unknown): string | null {
  if (v === undefined || v === null || v === '') return null;
  return typeof v === 'object' ? String((v as { id?: unknown }).id ?? JSON.stringify(v)) : String(v);
}

/** A measure's sum over delta rows: none when no record has a value (+100 then −100 is no sum, not 0). */
export function foldedSum(measure: { column: string }, alias?: string): RawBuilder<unknown> {
  const col = (c: string) => (alias ? sql.ref(`${alias}.${c}`) : sql.id(c));
  return sql`CASE WHEN sum(${col(countColumn(measure))}) = 0 THEN NULL ELSE sum(${col(sumColumn(measure))}) END`;
}

/** The figures per combination, as the summary holds them (deltas summed, emptied ones dropped). */
function foldedSelect(summary: Summary): RawBuilder<unknown> {
  const dims = dimensionColumns(summary);
  const sums = [sql`sum(n) AS n`, ...summary.measures.flatMap((m) => [sql`sum(${sql.id(countColumn(m))}) AS ${sql.id(countColumn(m))}`, sql`${foldedSum(m)} AS ${sql.id(sumColumn(m))}`])];
  return sql`SELECT ${sql.join([...dims, ...sums])} FROM ${sql.table(summary.table)}${dims.length ? sql` GROUP BY ${sql.join(dims)}` : sql``} HAVING sum(n) <> 0`;
}

/** Folds the delta rows into one row per combination; deltas committed meanwhile stay for the next fold. */
export async function compactSummary(db: Kysely<any>, summary: Summary): Promise<{ before: number; after: number }> {
  const dims = dimensionColumns(summary);
  const all = [...dims, sql`n`, ...summary.measures.flatMap((m) => [sql.id(countColumn(m)), sql.id(sumColumn(m))])];
  const sums = [sql`sum(n)`, ...summary.measures.flatMap((m) => [sql`sum(${sql.id(countColumn(m))})`, foldedSum(m)])];
  const r = await sql<{ before: number; after: number }>`
    WITH d AS (DELETE FROM ${sql.table(summary.table)} RETURNING ${sql.join(all)}),
    ins AS (INSERT INTO ${sql.table(summary.table)} (${sql.join(all)})
      SELECT ${sql.join([...dims, ...sums])} FROM d${dims.length ? sql` GROUP BY ${sql.join(dims)}` : sql``} HAVING sum(n) <> 0 RETURNING 1)
    SELECT (SELECT count(*) FROM d)::int AS before, (SELECT count(*) FROM ins)::int AS after`.execute(db);
  return r.rows[0] ?? { before: 0, after: 0 };
}

/**
 * Recounts the summary from the records: after data was loaded around the record pipeline (COPY,
 * a restore), at installation, and nightly as a guard. The table lock waits for writers whose
 * deltas are in flight and holds new ones back until the recount commits, so no write is counted
 * twice or lost. Answers whether the kept figures had drifted.
 */
export async function rebuildSummary(db: Kysely<any>, summary: Summary): Promise<{ drifted: boolean }> {
  if (db.isTransaction) return rebuildIn(db, summary);
  return db.transaction().execute((trx) => rebuildIn(trx, summary));
}

async function rebuildIn(trx: Kysely<any>, summary: Summary): Promise<{ drifted: boolean }> {
  await sql`LOCK TABLE ${sql.table(summary.table)} IN EXCLUSIVE MODE`.execute(trx);
  const dims = summary.dimensions.map((d) => sql.ref(`t0.${d.column}`));
  const figures = [sql`count(*)`, ...summary.measures.flatMap((m) => [sql`count(${sql.ref(`t0.${m.column}`)})`, sql`sum(${sql.ref(`t0.${m.column}`)})`])];
  const all = [...dimensionColumns(summary), sql`n`, ...summary.measures.flatMap((m) => [sql.id(countColumn(m)), sql.id(sumColumn(m))])];
  const r = await sql<{ drifted: boolean }>`
    WITH kept AS (${foldedSelect(summary)}),
    actual AS (SELECT ${sql.join([...dims, ...figures])} FROM ${sql.table(summary.object.table)} AS t0 WHERE t0.deleted_at IS NULL${dims.length ? sql` GROUP BY ${sql.join(dims)}` : sql``}),
    d AS (DELETE FROM ${sql.table(summary.table)}),
    ins AS (INSERT INTO ${sql.table(summary.table)} (${sql.join(all)}) SELECT * FROM actual)
    -- EXCEPT compares NULLs as equal, and numerics by value.
    SELECT EXISTS ((SELECT * FROM kept EXCEPT SELECT * FROM actual) UNION ALL (SELECT * FROM actual EXCEPT SELECT * FROM kept)) AS drifted`.execute(trx);
  return { drifted: Boolean(r.rows[0]?.drifted) };
}
