import type pg from 'pg';

/**
 * PostgreSQL plans every unnamed statement anew. Meridian's statements are few shapes run very
 * often (a record insert, its history, a lookup check), and planning them was as much of the
 * database's time as running them: 8.5 of 22 ms per order taken in from a shop. So the main
 * pool's connections send a statement they may keep as a named (prepared) one: it is parsed
 * once per connection, and after five runs PostgreSQL keeps a generic plan when that costs no
 * more than planning each time (plan_cache_mode auto).
 *
 * What is never prepared:
 * - a statement whose columns come from `*` (`RETURNING *`, `SELECT t.*`): a custom field added
 *   since would change its result, which PostgreSQL refuses for a prepared statement ("cached
 *   plan must not change result type") where an unnamed one simply returns the new column;
 * - anything but SELECT, INSERT, UPDATE, DELETE and WITH (transaction control, DDL, SET);
 * - a long text (multi-row inserts, whose shapes differ with their row count);
 * - shapes past the process's budget, and past each connection's (each kept statement holds
 *   memory in its backend; the pool's connections idle out after five minutes).
 * A kept statement that still fails on a changed result (a column's type changed) is never
 * prepared again in this process; the failed transaction answers 409 retryable.
 */
export interface PreparedStatementLimits {
  /** Distinct statement texts given a name in this process. */
  maxShapes: number;
  /** Statements kept by one connection. */
  maxPerConnection: number;
  /** Longest text prepared, in characters. */
  maxLength: number;
}

const DEFAULT_LIMITS: PreparedStatementLimits = { maxShapes: 4000, maxPerConnection: 400, maxLength: 6000 };

const KEPT_VERBS = /^\s*(?:select|insert|update|delete|with)\b/i;
// A select list's or RETURNING's `*` (`SELECT *`, `t.*`, `RETURNING *`) widens with the table;
// `count(*)` and a product (`ms * 1000`) do not.
const STAR = /(?:\bselect|\breturning|\bdistinct|,|\.)\s*\*/i;

export class StatementNames {
  readonly #limits: PreparedStatementLimits;
  readonly #names = new Map<string, string>();
  readonly #refused = new Set<string>();

  constructor(limits: Partial<PreparedStatementLimits> = {}) {
    this.#limits = { ...DEFAULT_LIMITS, ...limits };
  }

  /** The name to prepare this text under, or undefined to send it unnamed. */
  nameOf(text: string): string | undefined {
    const known = this.#names.get(text);
    if (known) return known;
    if (!this.#keepable(text) || this.#names.size >= this.#limits.maxShapes) return undefined;
    const name = `m${this.#names.size + 1}`;
    this.#names.set(text, name);
    return name;
  }

  /** Never prepares this text again (its kept plan was refused). */
  refuse(text: string): void {
    this.#refused.add(text);
    this.#names.delete(text);
  }

  get maxPerConnection(): number {
    return this.#limits.maxPerConnection;
  }

  #keepable(text: string): boolean {
    if (text.length > this.#limits.maxLength || this.#refused.has(text)) return false;
    return KEPT_VERBS.test(text) && !STAR.test(text);
  }
}

type QueryFn = (...args: unknown[]) => unknown;

/**
 * Makes every connection the pool opens prepare what `names` allows: a query sent as
 * (text, values) — how Kysely sends them — goes as a named statement. Cursors, query objects and
 * callbacks pass through untouched.
 */
export function prepareStatementsOf(pool: pg.Pool, names: StatementNames = new StatementNames()): void {
  pool.on('connect', (client) => {
    // The prototype's query, looked up at each call (a bench counting statements wraps it later).
    const query: QueryFn = (...args) => (Object.getPrototypeOf(client) as { query: QueryFn }).query.apply(client, args);
    const kept = new Set<string>();
    (client as unknown as { query: QueryFn }).query = (...args: unknown[]) => {
      const [text, values, callback] = args;
      if (typeof text !== 'string' || !Array.isArray(values) || callback !== undefined) return query(...args);
      const name = names.nameOf(text);
      if (!name || (!kept.has(name) && kept.size >= names.maxPerConnection)) return query(text, values);
      kept.add(name);
      return (query({ name, text, values }) as Promise<unknown>).catch((error: unknown) => {
        if (isChangedResult(error)) names.refuse(text);
        throw error;
      });
    };
  });
}

/** PostgreSQL's refusal of a kept plan whose columns changed under it (0A000). */
export function isChangedResult(error: unknown): boolean {
  const e = error as { code?: unknown; message?: unknown } | null;
  return e?.code === '0A000' && typeof e.message === 'string' && e.message.includes('cached plan must not change result type');
}
