import path from 'node:path';
import { Kysely } from 'kysely';
import { PostgresDialect } from 'kysely';
import pg from 'pg';
import { PGlite } from '@electric-sql/pglite';
import { pg_trgm } from '@electric-sql/pglite/contrib/pg_trgm';
import { PGliteDialect } from './pglite-dialect.ts';
import { Mutex } from './mutex.ts';
import { lockDataDir } from './lock.ts';
import { prepareStatementsOf, StatementNames } from './prepared.ts';

export type DatabaseKind = 'pglite' | 'postgres';

/** One open database, whichever engine is behind it. */
export interface Database {
  kind: DatabaseKind;
  db: Kysely<any>;
  /** Set for PGlite: the instance and the mutex every user of its single session must hold. */
  pglite?: PGlite;
  mutex?: Mutex;
  /** Set for PostgreSQL. */
  pool?: pg.Pool;
  /**
   * PostgreSQL: a few connections kept open for global search only. A backend's first search
   * loads the catalog entries of two dozen tables and plans the union (~200 ms at a million
   * contacts, then ~20 ms): on the main pool, whose requests spread over ten connections that
   * idle out, those first searches were the p95. Here the same few stay warm for the process's life.
   */
  searchPool?: pg.Pool;
  /**
   * PostgreSQL: two connections for statements that must commit on their own, at once, outside
   * the caller's transaction — a counter that hands out numbers like a sequence (gaps allowed)
   * without holding its row locked until the caller's document commits. Separate from the main
   * pool so a transaction waiting here never waits for a connection held by another transaction.
   */
  autonomousPool?: pg.Pool;
  connectionString?: string;
  close(): Promise<void>;
}

const OID = { int8: 20, numeric: 1700, date: 1082, timestamp: 1114, timestamptz: 1184 } as const;

// Dates stay 'YYYY-MM-DD' strings (a calendar date has no zone); numerics stay strings so money
// never passes through a float; the record mapper converts per field type.
pg.types.setTypeParser(OID.date, (v) => v);
pg.types.setTypeParser(OID.numeric, (v) => v);
pg.types.setTypeParser(OID.int8, (v) => v);

export interface OpenDatabaseOptions {
  databaseUrl?: string;
  /** PGlite data directory; omitted means an in-memory database (tests). */
  dataDir?: string;
  poolSize?: number;
  /** PGlite only: start from this dumped data directory (tests start from a migrated template). */
  template?: Blob;
}

export async function openDatabase(options: OpenDatabaseOptions): Promise<Database> {
  if (options.databaseUrl) return openPostgres(options.databaseUrl, options.poolSize ?? 10);
  return openPGlite(options.dataDir, options.template);
}

async function openPostgres(connectionString: string, max: number): Promise<Database> {
  // Idle connections are kept for five minutes rather than pg's 10 s: a connection opened anew
  // starts with a cold catalog cache, and its first statements over many tables cost most.
  const pool = quietPool(new pg.Pool({ connectionString, max, idleTimeoutMillis: 5 * 60_000, options: '-c TimeZone=UTC' }));
  // At most three, opened on the first searches, never idled out (idleTimeoutMillis 0) but renewed
  // hourly: each keeps a prepared statement per search shape (profile, fields, objects), and a
  // metadata change makes new shapes, so an immortal connection would collect them for ever.
  const searchPool = quietPool(new pg.Pool({ connectionString, max: Math.min(3, max), idleTimeoutMillis: 0, maxLifetimeSeconds: 3600, options: '-c TimeZone=UTC' }));
  const autonomousPool = quietPool(new pg.Pool({ connectionString, max: 2, idleTimeoutMillis: 60_000, options: '-c TimeZone=UTC' }));
  // The pools' statements are prepared once per connection (prepared.ts); search keeps its own.
  const names = new StatementNames();
  prepareStatementsOf(pool, names);
  prepareStatementsOf(autonomousPool, names);
  const db = new Kysely<any>({ dialect: new PostgresDialect({ pool }) });
  return {
    kind: 'postgres',
    db,
    pool,
    searchPool,
    autonomousPool,
    connectionString,
    async close() {
      await db.destroy();
      // close() may be called twice (a CLI command and its shutdown hook); pg refuses a second end().
      if (!searchPool.ended) await searchPool.end();
      if (!autonomousPool.ended) await autonomousPool.end();
    },
  };
}

function quietPool(pool: pg.Pool): pg.Pool {
  pool.on('error', () => {
    /* idle client errors surface on the next query */
  });
  // A checked-out client whose connection dies (the server terminated the backend, a failover)
  // fails its query, and the transaction with it; without a listener its 'error' event would
  // also be an uncaught exception that stops the process.
  pool.on('connect', (client) => {
    client.on('error', () => {});
  });
  return pool;
}

async function openPGlite(dataDir: string | undefined, template?: Blob): Promise<Database> {
  const release = dataDir ? lockDataDir(dataDir) : () => {};
  try {
    const pglite = await PGlite.create({
      ...(dataDir ? { dataDir: path.join(dataDir, 'pglite') } : {}),
      extensions: { pg_trgm },
      ...(template ? { loadDataDir: template } : {}),
      initialMemory: 256 * 1024 * 1024,
      parsers: {
        [OID.date]: (v: string) => v,
        [OID.numeric]: (v: string) => v,
        [OID.int8]: (v: string) => v,
      },
    });
    await pglite.exec("SET TimeZone = 'UTC'");
    const mutex = new Mutex();
    const db = new Kysely<any>({ dialect: new PGliteDialect(pglite, mutex) });
    return {
      kind: 'pglite',
      db,
      pglite,
      mutex,
      async close() {
        await mutex.run(async () => {
          await pglite.close();
        });
        release();
      },
    };
  } catch (error) {
    release();
    throw error;
  }
}
