#!/usr/bin/env node
import { parseArgs } from 'node:util';
import { loadConfig } from '../platform/config.ts';
import { DataDirInUseError } from '../platform/db/lock.ts';
import { openDatabase } from '../platform/db/connection.ts';
import { appliedMigrations } from '../platform/db/migrations.ts';
import { bootPlatform, createLogger } from '../platform/boot.ts';
import { parseProfile, createUser } from '../platform/auth/users.ts';
import { checkPasswordStrength } from '../platform/auth/passwords.ts';
import { systemActor } from '../platform/records/context.ts';
import { AppError } from '../platform/errors.ts';
import { startServer } from './start.ts';
import { seedDemo } from '../modules/demo/seed.ts';
import { startJobs } from '../platform/jobs/boss.ts';
import { modules } from '../modules/index.ts';
import { generateOpenApiDocument } from './openapi.ts';
import { backupDirect, backupFromServer, restoreFromFile } from './backup.ts';

const HELP = `meridian — the Meridian CRM command line

  meridian start                 serve the API and web app (PORT, default 3000)
  meridian worker                run background jobs only (PostgreSQL: run as many as you like)
  meridian migrate               bring the database up to date and exit
  meridian user create --email E --password P [--role admin|standard] [--first-name F] [--last-name L]
  meridian seed demo [--scale N] load a realistic demo organisation
  meridian openapi               print the OpenAPI document of the standard objects and routes (JSON)
  meridian backup FILE [--url U] a consistent tar.gz of the database and attached files; --url asks a running
                                 server (needed for PGlite while it runs) with the admin token in MERIDIAN_API_TOKEN
  meridian restore FILE          restore a backup into the configured, EMPTY data directory or database

Configuration: DATABASE_URL (PostgreSQL) or MERIDIAN_DATA_DIR (PGlite, default ./data),
MERIDIAN_ADMIN_EMAIL / MERIDIAN_ADMIN_PASSWORD for the first admin. See docs/operations.md.`;

async function main(argv: string[]): Promise<number> {
  const [command, sub] = argv;
  const config = loadConfig();
  const logger = createLogger(config.logLevel);
  if (!command || command === 'help' || command === '--help' || command === '-h') {
    console.log(HELP);
    return command ? 0 : 1;
  }
  switch (command) {
    case 'start':
      await startServer({ config, logger });
      return -1; // keeps running
    case 'migrate': {
      const database = await openDatabase({ databaseUrl: config.databaseUrl, dataDir: config.dataDir });
      try {
        const before = new Set(await appliedMigrations(database));
        const platform = await bootPlatform({ config, modules, database, logger });
        const applied = (await appliedMigrations(database)).filter((id) => !before.has(id));
        console.log(applied.length ? `Applied ${applied.join(', ')}` : 'System tables up to date');
        console.log(`Standard objects in sync (${platform.registry.listObjects().length} objects).`);
      } finally {
        await database.close();
      }
      return 0;
    }
    case 'worker': {
      const platform = await bootPlatform({ config, modules, logger });
      const boss = await startJobs(platform);
      logger.info('worker started');
      const stop = async () => {
        await boss.stop({ graceful: true });
        await platform.database.close();
        process.exit(0);
      };
      process.once('SIGINT', stop);
      process.once('SIGTERM', stop);
      return -1;
    }
    case 'user': {
      if (sub !== 'create') throw new AppError('bad_request', 'Usage: meridian user create --email E --password P [--role admin|standard]');
      const { values } = parseArgs({
        args: argv.slice(2),
        options: { email: { type: 'string' }, password: { type: 'string' }, role: { type: 'string' }, 'first-name': { type: 'string' }, 'last-name': { type: 'string' } },
      });
      if (!values.email) throw new AppError('bad_request', '--email is required');
      // Refuse bad input before paying for a database start.
      const profile = parseProfile(values.role);
      if (values.password !== undefined) checkPasswordStrength(values.password);
      const platform = await bootPlatform({ config, modules, logger });
      try {
        const user = await createUser({
          platform,
          actor: systemActor('cli'),
          input: { email: values.email, password: values.password, profile, firstName: values['first-name'], lastName: values['last-name'] },
        });
        console.log(`Created ${user.profile as string} user ${user.email as string} (${user.id})`);
      } finally {
        await platform.database.close();
      }
      return 0;
    }
    case 'seed': {
      if (sub !== 'demo') throw new AppError('bad_request', 'Usage: meridian seed demo [--scale N]');
      const { values } = parseArgs({ args: argv.slice(2), options: { scale: { type: 'string' } } });
      const platform = await bootPlatform({ config, modules, logger });
      try {
        const summary = await seedDemo({ platform, scale: values.scale ? Number(values.scale) : 1, onProgress: (m) => console.log(m) });
        console.log(`Demo organisation loaded: ${Object.entries(summary).map(([k, v]) => `${v} ${k}`).join(', ')}`);
      } finally {
        await platform.database.close();
      }
      return 0;
    }
    case 'backup': {
      const { values, positionals } = parseArgs({ args: argv.slice(1), allowPositionals: true, options: { url: { type: 'string' } } });
      const file = positionals[0];
      if (!file) throw new AppError('bad_request', 'Usage: meridian backup FILE [--url http://server:3000]');
      const token = config.env.MERIDIAN_API_TOKEN;
      if (values.url && !token) throw new AppError('bad_request', 'meridian backup --url needs an administrator API token in MERIDIAN_API_TOKEN');
      const result = values.url
        ? await backupFromServer({ file, url: values.url, token: token! })
        : await backupDirect({ file, config, modules, logger, pgDump: config.env.MERIDIAN_PG_DUMP });
      console.log(`Backup written to ${file}: ${result.tables} tables, ${result.rows} rows, ${result.files} files${result.missingFiles ? ` (${result.missingFiles} deleted after the snapshot)` : ''}`);
      return 0;
    }
    case 'restore': {
      const file = sub;
      if (!file) throw new AppError('bad_request', 'Usage: meridian restore FILE');
      const summary = await restoreFromFile({ file, config, modules, logger, pgRestore: config.env.MERIDIAN_PG_RESTORE, log: (m) => console.log(m) });
      console.log(`Restored ${summary.tables.length} tables and ${summary.files} files from the backup of ${summary.manifest.createdAt}`);
      return 0;
    }
    case 'openapi': {
      const document = await generateOpenApiDocument({ config });
      process.stdout.write(`${JSON.stringify(document, null, 2)}\n`);
      return 0;
    }
    default:
      console.error(`Unknown command '${command}'.\n\n${HELP}`);
      return 1;
  }
}

main(process.argv.slice(2)).then(
  (code) => {
    if (code >= 0) process.exit(code);
  },
  (error) => {
    if (error instanceof DataDirInUseError) {
      console.error(`meridian: ${error.message}`);
      process.exit(3);
    }
    if (error instanceof AppError) {
      const details = error.errors.map((e) => `  ${e.field}: ${e.message}`).join('\n');
      console.error(`meridian: ${error.message}${details ? `\n${details}` : ''}`);
      process.exit(2);
    }
    console.error(error);
    process.exit(1);
  },
);
