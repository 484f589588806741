import type { Kysely } from 'kysely';
import { createObjectTable, ensureFieldIndexes, ensureForeignKey, SYSTEM_COLUMNS } from './ddl.ts';
import type { Registry } from './registry.ts';
import { ensureSearchIndexes } from '../search/indexes.ts';
import { readSchemaCatalog } from './catalog.ts';

/**
 * Brings the record tables of the standard objects up to their definitions in code: creates
 * missing tables and columns and their indexes and foreign keys. Idempotent; runs at start.
 */
export async function syncStandardObjects(db: Kysely<any>, registry: Registry): Promise<void> {
  await db.transaction().execute(async (trx) => {
    // Only what is missing is created: an unchanged schema costs two catalog reads.
    const known = await readSchemaCatalog(trx);
    for (const o of registry.standardObjects) {
      // Creates the table if it is new, adds missing columns and their indexes.
      await createObjectTable(trx, o, known);
      // The system columns come with the table; the indexes their fields want (owner, created by…) are ensured here.
      for (const f of o.fields) if (SYSTEM_COLUMNS.has(f.column)) await ensureFieldIndexes(trx, o, f, known);
    }
    for (const o of registry.standardObjects) await ensureSearchIndexes(trx, o, known.indexesOf(o.table));
    for (const o of registry.standardObjects) {
      for (const f of o.fields) {
        if (!f.lookup || f.apiName === 'created_by' || f.apiName === 'updated_by') continue;
        const target = registry.standardObjects.find((x) => x.apiName === f.lookup!.object);
        if (target) await ensureForeignKey(trx, o, f, target, known);
      }
    }
  });
}
