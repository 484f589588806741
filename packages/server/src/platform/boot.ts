import { randomBytes } from 'node:crypto';
import { sql, type Kysely } from 'kysely';
import pino, { type Logger } from 'pino';
import type { Config } from './config.ts';
import { openDatabase, type Database } from './db/connection.ts';
import { runMigrations } from './db/migrations.ts';
import { StatisticsKeeper } from './db/statistics.ts';
import type { Platform } from './kernel.ts';
import { Registry } from './metadata/registry.ts';
import { syncStandardObjects } from './metadata/sync.ts';
import { HookRegistry } from './records/hooks.ts';
import { user } from './access/objects.ts';
import { authMigrations } from './auth/migrations.ts';
import { checkModules, withModuleFields, type MeridianModule } from './module.ts';

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
 * Processes starting together on one PostgreSQL (a deploy restarting API processes and workers)
 * take turns: one's schema sync (DDL) and another's start-up work deadlocked otherwise. A session
 * advisory lock on a connection of its own; PGlite has one process and one session.
 */
async function whileStarting<T>(database: Database, run: () => Promise<T>): Promise<T> {
  if (database.kind !== 'postgres') return run();
  return database.db.connection().execute(async (conn) => {
    await sql`SELECT pg_advisory_lock(7340182)`.execute(conn);
    try {
      return await run();
    } finally {
      await sql`SELECT pg_advisory_unlock(7340182)`.execute(conn);
    }
  });
}

/**
 * Opens the database, migrates it (system tables, the standard objects' tables, then each module's
 * migrations), loads the metadata, resolves the modules' settings and registers their hooks, then
 * runs their start-up work. Every process — server, worker, CLI, tests — starts here, with the
 * list of modules its composition root chose (src/modules/index.ts); the platform imports none.
 */
export async function bootPlatform(args: { config: Config; modules: readonly MeridianModule[]; database?: Database; logger?: Logger }): Promise<Platform> {
  const { config, modules } = args;
  checkModules(modules);
  const logger = args.logger ?? createLogger(config.logLevel);
  const database = args.database ?? (await openDatabase({ databaseUrl: config.databaseUrl, dataDir: config.dataDir }));
  try {
    return await whileStarting(database, async () => {
      await runMigrations(database.db);
      const registry = new Registry(database.db, withModuleFields([user, ...modules.flatMap((m) => m.objects ?? [])], modules));
      await syncStandardObjects(database.db, registry);
      // Module migrations may index the standard tables, so they run once those exist (as do the
      // authentication cache's triggers, which watch obj_user).
      await runMigrations(
        database.db,
        [...authMigrations, ...modules.flatMap((m) => (m.migrations ?? []).map((x) => ({ id: `${m.name}/${x.id}`, up: (trx: Kysely<any>) => x.up(trx, { registry }) })))],
      );
      await registry.reload();
      const hooks = new HookRegistry();
      for (const m of modules) m.hooks?.(hooks);
      const signingKey = await loadSigningKey(database);
      const platform: Platform = {
        config, database, db: database.db, registry, hooks, logger, signingKey, modules, settings: new Map(),
        ...(database.kind === 'postgres' ? { statistics: new StatisticsKeeper({ db: database.db, logger }) } : {}),
      };
      // A bad setting stops the start with the variable's name, not a job an hour later.
      for (const m of modules) m.settings?.of(platform);
      for (const m of modules) await m.startup?.(platform); // idempotent seeds (after hooks: seeds go through them)
      return platform;
    });
  } catch (error) {
    if (!args.database) await database.close();
    throw error;
  }
}
