import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { openDatabase } from '../src/platform/db/connection.ts';
import { bootPlatform, createLogger } from '../src/platform/boot.ts';
import { modules } from '../src/modules/index.ts';
import { loadConfig } from '../src/platform/config.ts';

/**
 * Once per test run: boot a database (migrations, standard tables, module start-up) that each
 * test file's database is copied from, instead of every file running the migrations again.
 * PGlite: a dump of the data directory. PostgreSQL: a template database (CREATE DATABASE …
 * TEMPLATE copies it in a fraction of the migrations' time). The web app's browser tests use it too.
 */
export default async function setup() {
  const url = process.env.DATABASE_URL;
  return url ? makePostgresTemplate(url) : makePGliteTemplate();
}

async function makePGliteTemplate() {
  const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'meridian-template-')), 'template.tar');
  const database = await openDatabase({});
  await bootPlatform({ config: loadConfig({}), modules, database, logger: createLogger('silent') });
  const dump = await database.pglite!.dumpDataDir('none');
  fs.writeFileSync(file, Buffer.from(await dump.arrayBuffer()));
  await database.close();
  process.env.MERIDIAN_TEST_PGLITE_TEMPLATE = file;
  return () => fs.rmSync(path.dirname(file), { recursive: true, force: true });
}

async function makePostgresTemplate(url: string) {
  const name = `meridian_tpl_${Date.now().toString(36)}_${randomBytes(4).toString('hex')}`;
  const admin = async (statement: string) => {
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    try {
      await client.query(statement);
    } finally {
      await client.end();
    }
  };
  await admin(`CREATE DATABASE "${name}"`);
  const target = new URL(url);
  target.pathname = `/${name}`;
  // Closed before any copy: PostgreSQL copies a template only while nobody is connected to it.
  const database = await openDatabase({ databaseUrl: target.toString(), poolSize: 2 });
  try {
    await bootPlatform({ config: loadConfig({}), modules, database, logger: createLogger('silent') });
  } finally {
    await database.close();
  }
  process.env.MERIDIAN_TEST_PG_TEMPLATE = name;
  return () => admin(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
}
