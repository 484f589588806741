import type { Kysely } from 'kysely';
import { createObjectTable, ensureFieldIndexes, ensureForeignKey, tableColumns, addFieldColumn } from './ddl.ts';
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
      // A table new at this start is made with the full statements; one that exists is completed.
      const existed = known.has(o.table);
      await createObjectTable(trx, o, existed ? known : undefined);
      const columns = existed ? known.columnsOf(o.table) : await tableColumns(trx, o.table);
      for (const f of o.fields) {
        if (!columns.has(f.column)) await addFieldColumn(trx, o, f);
        else await ensureFieldIndexes(trx, o, f, existed ? known : undefined);
      }
    }
    for (const o of registry.standardObjects) await ensureSearchIndexes(trx, o, known.has(o.table) ? known.indexesOf(o.table) : undefined);
    for (const o of registry.standardObjects) {
      for (const f of o.fields) {
        if (!f.lookup || f.apiName === 'created_by' || f.apiName === 'updated_by') continue;
        const target = registry.standardObjects.find((x) => x.apiName === f.lookup!.object);
        if (target) await ensureForeignKey(trx, o, f, target, known);
      }
    }
  });
}
