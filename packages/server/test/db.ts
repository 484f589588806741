import fs from 'node:fs';
import pg from 'pg';
import { randomBytes } from 'node:crypto';
import { openDatabase, type Database } from '../src/platform/db/connection.ts';

/**
 * A throwaway database for one test file: in-memory PGlite by default, or a fresh database on
 * the PostgreSQL server named by DATABASE_URL (dropped again by cleanup). Every database test
 * runs on both: `npm test` once without and once with DATABASE_URL (see .ci/run).
 */
export interface TestDatabase {
  database: Database;
  cleanup(): Promise<void>;
}

/** `empty`: a database nothing has run on (a restore's target), not a copy of the migrated template. */
export async function createTestDatabase(options: { empty?: boolean } = {}): Promise<TestDatabase> {
  const url = process.env.DATABASE_URL;
  if (!url) {
    // Start from the migrated template made once per run (test/global-setup.ts): loading it
    // takes a fraction of a fresh PGlite's initdb + migrations.
    const templatePath = options.empty ? undefined : process.env.MERIDIAN_TEST_PGLITE_TEMPLATE;
    const template = templatePath && fs.existsSync(templatePath) ? new Blob([fs.readFileSync(templatePath)]) : undefined;
    const database = await openDatabase({ template });
    return { database, cleanup: () => database.close() };
  }
  const name = `meridian_t_${Date.now().toString(36)}_${randomBytes(4).toString('hex')}`;
  const admin = new pg.Client({ connectionString: url });
  await admin.connect();
  // From the migrated template made once per run (test/global-setup.ts) when there is one.
  const template = options.empty ? undefined : process.env.MERIDIAN_TEST_PG_TEMPLATE;
  await admin.query(`CREATE DATABASE "${name}"${template ? ` TEMPLATE "${template}"` : ''}`);
  await admin.end();
  const target = new URL(url);
  target.pathname = `/${name}`;
  const database = await openDatabase({ databaseUrl: target.toString(), poolSize: 5 });
  return {
    database,
    async cleanup() {
      await database.close();
      const c = new pg.Client({ connectionString: url });
      await c.connect();
      await c.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
      await c.end();
    },
  };
}
