import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { openDatabase } from '../src/platform/db/connection.ts';
import { bootPlatform, createLogger } from '../src/platform/boot.ts';
import { modules } from '../src/modules/index.ts';
import { loadConfig } from '../src/platform/config.ts';

/**
 * Once per test run on PGlite: boot a database (migrations, standard tables, module start-up)
 * and dump it, so each test file starts from a copy instead of running initdb and migrations.
 */
export default async function setup() {
  if (process.env.DATABASE_URL) return;
  const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'meridian-template-')), 'template.tar');
  const database = await openDatabase({});
  await bootPlatform({ config: loadConfig({}), modules, database, logger: createLogger('silent') });
  const dump = await database.pglite!.dumpDataDir('none');
  fs.writeFileSync(file, Buffer.from(await dump.arrayBuffer()));
  await database.close();
  process.env.MERIDIAN_TEST_PGLITE_TEMPLATE = file;
  return () => fs.rmSync(path.dirname(file), { recursive: true, force: true });
}
