import { sql, type Kysely } from 'kysely';

/**
 * Below this size (in pages of 8 KiB) a table is not analysed for having grown: the planner's
 * choice hardly matters yet, and from about this size an index probe costs less than reading
 * the table, so statistics gathered here already turn a foreign key check's plan into one.
 */
const MIN_PAGES = 8;

/**
 * ANALYZE, for a long write that grows tables (the monthly invoicing run), the given tables that
 * have outgrown their statistics — twice the pages they had when last analysed (or vacuumed),
 * and at least MIN_PAGES — so they are analysed about log2(growth) times however much is written.
 *
 * Why (docs/performance.md, stop 32): PostgreSQL plans each foreign key's check once per
 * connection and keeps the plan. Planned while the referenced table was empty or tiny — a first
 * run, or the rows of the run's first batch — it is a sequential scan, and every row that
 * references the table scans it again, so a run of 10,000 invoices read obj_invoice 200,000 times
 * (each invoice line and each order marked) and its database time per invoice grew with the
 * table. Statistics left from a near-empty table also make `deleted_at IS NULL` look rare, and a
 * lookup by id read the whole table through a partial index. Autovacuum re-analyses a growing
 * table only after a minute or more, and never on PGlite or where it is switched off; ANALYZE
 * refreshes the statistics and makes every connection plan those statements again.
 *
 * Outside the caller's transaction, on a connection of its own. SKIP_LOCKED: a table being
 * analysed or vacuumed already (autovacuum) is left to that. Answers the tables analysed; never
 * throws (a run is not failed for its statistics: the error is logged).
 */
export async function analyzeOutgrown(args: { db: Kysely<any>; tables: string[]; logger?: { warn: (obj: object, msg: string) => void } }): Promise<string[]> {
  const { db, tables } = args;
  if (!tables.length) return [];
  try {
    // relpages is what the last ANALYZE or VACUUM saw; pg_relation_size is the table's size now.
    const due = (await sql<{ name: string }>`SELECT t.name FROM unnest(${tables}::text[]) WITH ORDINALITY AS t(name, n) JOIN pg_class c ON c.oid = quote_ident(t.name)::regclass
      WHERE pg_relation_size(c.oid) / current_setting('block_size')::int >= greatest(2 * c.relpages, ${MIN_PAGES})
      ORDER BY t.n`.execute(db)).rows.map((r) => r.name);
    if (due.length) await sql`ANALYZE (SKIP_LOCKED) ${sql.join(due.map((t) => sql.table(t)))}`.execute(db);
    return due;
  } catch (error) {
    args.logger?.warn({ err: error, tables }, 'could not analyse tables grown by a run');
    return [];
  }
}

/**
 * analyzeOutgrown for every table the record pipeline grows, not only a run's: the pipeline notes
 * each table it inserts into, and at most once per interval the noted tables are checked (one
 * catalog query; ANALYZE only for a table that doubled). Prepared statements (prepared.ts) keep
 * a generic plan per connection until the table's statistics change, so a plan made while a
 * table was nearly empty — a new installation, a shop's first orders — would otherwise scan it
 * for as long as the connection lives; the ANALYZE makes every connection plan again.
 * PostgreSQL only: PGlite keeps no prepared statements.
 */
export class StatisticsKeeper {
  readonly #db: Kysely<any>;
  readonly #intervalMs: number;
  readonly #logger: { warn: (obj: object, msg: string) => void } | undefined;
  readonly #noted = new Set<string>();
  #checkedAt = 0;
  #checking: Promise<unknown> | null = null;

  constructor(args: { db: Kysely<any>; intervalMs?: number; logger?: { warn: (obj: object, msg: string) => void } }) {
    this.#db = args.db;
    this.#intervalMs = args.intervalMs ?? 1000;
    this.#logger = args.logger;
  }

  /** A table rows were just written to; checked now if the last check is an interval old, else with the next note after it. */
  note(table: string): void {
    this.#noted.add(table);
    const now = Date.now();
    if (this.#checking || now - this.#checkedAt < this.#intervalMs) return;
    this.#checkedAt = now;
    const tables = [...this.#noted];
    this.#noted.clear();
    this.#checking = analyzeOutgrown({ db: this.#db, tables, ...(this.#logger ? { logger: this.#logger } : {}) }).finally(() => (this.#checking = null));
  }

  /** Waits for a check under way (shutdown, tests). */
  async settle(): Promise<void> {
    await this.#checking;
  }
}
