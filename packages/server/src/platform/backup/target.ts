import { readdir } from 'node:fs/promises';
import path from 'node:path';
import pg from 'pg';
import { AppError } from '../errors.ts';

export type RestoreTarget = { kind: 'pglite'; dataDir: string } | { kind: 'postgres'; url: string };

async function isEmptyDir(dir: string): Promise<boolean> {
  try {
    return (await readdir(dir)).length === 0;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return true;
    throw error;
  }
}

/**
 * A restore goes only into an empty target: merging a backup into live data would silently mix
 * two states. PGlite: no database and no files in the data directory. PostgreSQL: the database
 * exists (the operator creates it) and holds no table in any schema.
 */
export async function assertEmptyTarget(target: RestoreTarget): Promise<void> {
  if (target.kind === 'pglite') {
    const busy = [];
    for (const sub of ['pglite', 'files']) if (!(await isEmptyDir(path.join(target.dataDir, sub)))) busy.push(sub);
    if (busy.length) throw new AppError('conflict', `The data directory ${target.dataDir} is not empty (${busy.join(', ')}): restore into a new, empty directory`);
    return;
  }
  const client = new pg.Client({ connectionString: target.url });
  await client.connect();
  try {
    const { rows } = await client.query(`SELECT count(*)::int AS n FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
      WHERE c.relkind IN ('r', 'p', 'v', 'm', 'S') AND n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg\\_%'`);
    if (rows[0].n > 0) throw new AppError('conflict', `The database is not empty (${rows[0].n} tables, views or sequences): restore into a new, empty database`);
  } finally {
    await client.end();
  }
}
