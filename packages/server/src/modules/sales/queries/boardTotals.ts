import { sql, type Kysely } from 'kysely';
import type { RecordContext, TxContext } from '../../../platform/records/context.ts';
import { db } from '../context.ts';

/**
 * The board's stage totals kept as they change, so a user who sees every deal gets them without
 * grouping the whole opportunity table (a million deals took 0.5–1.4 s a load; issue 17 item 17).
 *
 * Each write of a deal appends signed delta rows (−its old contribution, +its new one) to
 * `sales_board_totals` in the write's own transaction, so the table never disagrees with the
 * deals a committed statement sees, and appends never contend for one hot row. A job folds the
 * deltas into one row per stage and currency (compactBoardTotals); the read sums what is there.
 * Callers whose access hides some deals, or who filter, still get the grouped query
 * (summarizeBoard), because only it can apply their conditions.
 */
export const BOARD_TOTALS_TABLE = 'sales_board_totals';

export interface DealFigures {
  stage: unknown;
  currency: unknown;
  amount: unknown;
  probability: unknown;
}

/** The fields whose change moves a deal's contribution (anything else leaves the totals alone). */
export const TOTALS_FIELDS = ['stage', 'currency', 'amount', 'probability'] as const;

const num = (v: unknown) => (v === null || v === undefined || v === '' ? null : String(v));

/**
 * Appends one delta row per (deal, sign): +1 adds the deal's figures, −1 takes them away. The
 * weighted amount is rounded to cents per deal in SQL with the same expression the grouped query
 * uses, so both ways give identical sums.
 */
export async function recordBoardDeltas(ctx: TxContext, deltas: Array<{ deal: DealFigures; sign: 1 | -1 }>): Promise<void> {
  if (!deltas.length) return;
  const rows = deltas.map(({ deal, sign }) => {
    const amount = num(deal.amount);
    const probability = num(deal.probability);
    return sql`(${deal.stage ?? null}::text, ${deal.currency ?? null}::text, ${sign}::int, ${amount === null ? 0 : sign}::int,
      ${sign}::int * ${amount}::numeric, ${sign}::int * round(${amount}::numeric * coalesce(${probability}::numeric, 0) / 100, 2))`;
  });
  await sql`INSERT INTO ${sql.table(BOARD_TOTALS_TABLE)} (stage, currency, n, n_amount, amount, weighted) VALUES ${sql.join(rows)}`.execute(ctx.trx);
}

export interface TotalsRow {
  stage: string | null;
  currency: string | null;
  n: string;
  amount: string | null;
  weighted: string | null;
}

/** The totals as the grouped query would give them for an unrestricted, unfiltered reader. */
export async function readBoardTotals(ctx: RecordContext): Promise<TotalsRow[]> {
  const r = await sql<TotalsRow>`
    SELECT stage, currency, sum(n) AS n,
      CASE WHEN sum(n_amount) = 0 THEN NULL ELSE sum(amount) END AS amount,
      CASE WHEN sum(n_amount) = 0 THEN NULL ELSE sum(weighted) END AS weighted
    FROM ${sql.table(BOARD_TOTALS_TABLE)} GROUP BY stage, currency HAVING sum(n) <> 0
    ORDER BY stage, currency`.execute(db(ctx));
  return r.rows;
}

/**
 * Folds the delta rows into one row per stage and currency, in one statement: the DELETE takes
 * the rows its snapshot sees, so deltas committed meanwhile stay for the next fold. Groups whose
 * deals are all gone (n = 0) disappear.
 */
export async function compactBoardTotals(database: Kysely<any>): Promise<{ before: number; after: number }> {
  const r = await sql<{ before: number; after: number }>`
    WITH d AS (DELETE FROM ${sql.table(BOARD_TOTALS_TABLE)} RETURNING stage, currency, n, n_amount, amount, weighted),
    ins AS (INSERT INTO ${sql.table(BOARD_TOTALS_TABLE)} (stage, currency, n, n_amount, amount, weighted)
      SELECT stage, currency, sum(n), sum(n_amount), coalesce(sum(amount), 0), coalesce(sum(weighted), 0) FROM d
      GROUP BY stage, currency HAVING sum(n) <> 0 RETURNING 1)
    SELECT (SELECT count(*) FROM d)::int AS before, (SELECT count(*) FROM ins)::int AS after`.execute(database);
  return r.rows[0] ?? { before: 0, after: 0 };
}

/**
 * Recomputes the totals from the deals themselves: after data was loaded around the record
 * pipeline (COPY, a restore from backup), and by the nightly job as a guard. The table lock waits
 * for writers whose deltas are in flight and holds new ones back until the recount commits, so
 * no write is counted twice or lost. Answers whether the kept totals had drifted.
 */
export async function rebuildBoardTotals(database: Kysely<any>, opportunityTable: string): Promise<{ drifted: boolean }> {
  // A migration hands its own transaction; a job or a script the pool.
  if (database.isTransaction) return rebuildIn(database, opportunityTable);
  return database.transaction().execute((trx) => rebuildIn(trx, opportunityTable));
}

async function rebuildIn(trx: Kysely<any>, opportunityTable: string): Promise<{ drifted: boolean }> {
  await sql`LOCK TABLE ${sql.table(BOARD_TOTALS_TABLE)} IN EXCLUSIVE MODE`.execute(trx);
  const r = await sql<{ drifted: boolean }>`
    WITH kept AS (
      SELECT stage, currency, sum(n) AS n, sum(n_amount) AS n_amount, coalesce(sum(amount), 0) AS amount, coalesce(sum(weighted), 0) AS weighted
      FROM ${sql.table(BOARD_TOTALS_TABLE)} GROUP BY stage, currency HAVING sum(n) <> 0),
    actual AS (
      SELECT stage::text AS stage, currency::text AS currency, count(*) AS n, count(amount) AS n_amount,
        coalesce(sum(amount), 0) AS amount, coalesce(sum(round(amount * coalesce(probability, 0) / 100, 2)), 0) AS weighted
      FROM ${sql.table(opportunityTable)} WHERE deleted_at IS NULL GROUP BY stage, currency),
    d AS (DELETE FROM ${sql.table(BOARD_TOTALS_TABLE)}),
    ins AS (INSERT INTO ${sql.table(BOARD_TOTALS_TABLE)} (stage, currency, n, n_amount, amount, weighted) SELECT * FROM actual)
    -- EXCEPT compares NULL stages and currencies as equal, and numerics by value.
    SELECT EXISTS ((SELECT * FROM kept EXCEPT SELECT * FROM actual) UNION ALL (SELECT * FROM actual EXCEPT SELECT * FROM kept)) AS drifted`.execute(trx);
  return { drifted: Boolean(r.rows[0]?.drifted) };
}

/** The table (created by the sales migration `0002_board_totals`, then filled by a rebuild). */
export async function createBoardTotalsTable(trx: Kysely<any>): Promise<void> {
  await sql`CREATE TABLE IF NOT EXISTS ${sql.table(BOARD_TOTALS_TABLE)} (
    id bigserial PRIMARY KEY,
    stage text,
    currency text,
    n bigint NOT NULL,
    n_amount bigint NOT NULL,
    amount numeric,
    weighted numeric)`.execute(trx);
}
