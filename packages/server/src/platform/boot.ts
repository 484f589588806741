import { randomBytes } from 'node:crypto';
import { sql } from 'kysely';
import pino, { type Logger } from 'pino';
import type { Config } from './config.ts';
import { openDatabase, type Database } from './db/connection.ts';
import { runMigrations } from './db/migrations.ts';
import type { Platform } from './kernel.ts';
import { Registry } from './metadata/registry.ts';
import { syncStandardObjects } from './metadata/sync.ts';
import { HookRegistry } from './records/hooks.ts';
import { moduleStartup, registerModuleHooks, standardObjects } from '../modules/index.ts';

export function createLogger(level: string): Logger {
  return pino({
    level,
    redact: { paths: ['req.headers.authorization', 'req.headers.cookie', 'password', '*.password', 'token', '*.token'], censor: '[redacted]' },
  });
}

async function loadSigningKey(database: Database): Promise<Buffer> {
  const fresh = randomBytes(32).toString('base64');
  await sql`INSERT INTO system_setting (key, value) VALUES ('signing_key', ${JSON.stringify(fresh)}::jsonb) ON CONFLICT (key) DO NOTHING`.execute(database.db);
  const r = await sql<{ value: string }>`SELECT value FROM system_setting WHERE key = 'signing_key'`.execute(database.db);
  return Buffer.from(r.rows[0]!.value, 'base64');
}

/**
 * Opens the database, migrates it (system tables, then the standard objects' tables), loads the
 * metadata and registers the modules' hooks. Every process — server, worker, CLI, tests — starts here.
 */
export async function bootPlatform(args: { config: Config; database?: Database; logger?: Logger }): Promise<Platform> {
  const { config } = args;
  const logger = args.logger ?? createLogger(config.logLevel);
  const database = args.database ?? (await openDatabase({ databaseUrl: config.databaseUrl, dataDir: config.dataDir }));
  try {
    await runMigrations(database.db);
    const registry = new Registry(database.db, standardObjects());
    await syncStandardObjects(database.db, registry);
    await registry.reload();
    const hooks = new HookRegistry();
    registerModuleHooks(hooks);
    const signingKey = await loadSigningKey(database);
    const platform: Platform = { config, database, db: database.db, registry, hooks, logger, signingKey };
    await moduleStartup(platform); // modules' idempotent seeds and indexes (after hooks: seeds go through them)
    return platform;
  } catch (error) {
    if (!args.database) await database.close();
    throw error;
  }
}
