import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql, type KyselyPlugin } from 'kysely';
import { bootPlatform, createLogger } from '../src/platform/boot.ts';
import { modules } from '../src/modules/index.ts';
import { loadConfig } from '../src/platform/config.ts';
import { syncStandardObjects } from '../src/platform/metadata/sync.ts';
import type { Platform } from '../src/platform/kernel.ts';
import { createTestDatabase, type TestDatabase } from './db.ts';

/**
 * The start-up sync (platform/metadata/sync.ts) brings the standard tables up to their
 * definitions: what is missing is made again, and an unchanged schema costs only the catalog reads.
 */
let db: TestDatabase;
let platform: Platform;
const boot = () => bootPlatform({ config: loadConfig({}), modules, database: db.database, logger: createLogger('silent') });
beforeAll(async () => {
  db = await createTestDatabase();
  platform = await boot();
});
afterAll(async () => db?.cleanup());

const relationExists = async (name: string) => (await sql`SELECT 1 FROM pg_class WHERE relname = ${name}`.execute(platform.db)).rows.length === 1;
const constraintExists = async (name: string) => (await sql`SELECT 1 FROM pg_constraint WHERE conname = ${name}`.execute(platform.db)).rows.length === 1;
const searchIndexes = async () =>
  (await sql<{ indexname: string }>`SELECT indexname FROM pg_indexes WHERE tablename = 'obj_contact' AND (indexname LIKE 'ix\\_\\_obj\\_contact\\_\\_fts%' OR indexname LIKE 'ix\\_\\_obj\\_contact\\_\\_trgm%') ORDER BY 1`.execute(platform.db)).rows.map((r) => r.indexname);

describe('start-up schema sync', () => {
  it('makes again a column, indexes, a search index and a foreign key that are missing', async () => {
    const search = await searchIndexes();
    expect(search).toHaveLength(2);
    await sql`ALTER TABLE obj_contact DROP COLUMN department`.execute(platform.db);
    await sql`DROP INDEX ix__obj_contact__account_id`.execute(platform.db);
    await sql`DROP INDEX ix__obj_contact__created_at`.execute(platform.db);
    await sql`DROP INDEX ${sql.id(search[0]!)}`.execute(platform.db);
    await sql`ALTER TABLE obj_contact DROP CONSTRAINT fk__obj_contact__account`.execute(platform.db);
    // A stale search index (another field list) is dropped.
    await sql`CREATE INDEX ix__obj_contact__fts_00000000 ON obj_contact (id)`.execute(platform.db);

    await boot();
    const columns = await sql<{ column_name: string }>`SELECT column_name FROM information_schema.columns WHERE table_name = 'obj_contact'`.execute(platform.db);
    expect(columns.rows.map((r) => r.column_name)).toContain('department');
    expect(await relationExists('ix__obj_contact__account_id')).toBe(true);
    expect(await relationExists('ix__obj_contact__created_at')).toBe(true);
    expect(await constraintExists('fk__obj_contact__account')).toBe(true);
    expect(await searchIndexes()).toEqual(search);
  });

  // A no-op DDL statement still locks its table until the commit (ADD COLUMN IF NOT EXISTS: ACCESS
  // EXCLUSIVE), which stalled running processes' traffic whenever another one started.
  it('sends no DDL when the schema is already up to date: two catalog reads', async () => {
    const statements: string[] = [];
    const counter: KyselyPlugin = {
      transformQuery(args) {
        statements.push(args.node.kind);
        return args.node;
      },
      async transformResult(args) {
        return args.result;
      },
    };
    await syncStandardObjects(platform.db.withPlugin(counter), platform.registry);
    expect(statements).toHaveLength(2);
  });
});
