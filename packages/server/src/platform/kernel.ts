import type { Kysely } from 'kysely';
import type { Logger } from 'pino';
import type { Config } from './config.ts';
import type { Database } from './db/connection.ts';
import type { StatisticsKeeper } from './db/statistics.ts';
import type { Registry } from './metadata/registry.ts';
import type { HookRegistry } from './records/hooks.ts';
import type { MeridianModule } from './module.ts';

/**
 * The services every command needs, created once per process by bootPlatform (boot.ts) and
 * passed explicitly — no module-level singletons, so tests can boot several side by side.
 */
export interface Platform {
  config: Config;
  database: Database;
  db: Kysely<any>;
  registry: Registry;
  hooks: HookRegistry;
  logger: Logger;
  /** Secret for signing cursors and similar server-issued tokens (generated at first run). */
  signingKey: Buffer;
  /** The modules this process runs, in the composition root's order (routes, jobs, startup). */
  modules: readonly MeridianModule[];
  /** Each module's resolved settings by module name (platform/settings.ts). */
  settings: Map<string, unknown>;
  /** PostgreSQL: re-analyses the tables writes have outgrown (db/statistics.ts). */
  statistics?: StatisticsKeeper;
}
