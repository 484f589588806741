import type { Kysely } from 'kysely';
import { createObjectTable, ensureFieldIndexes, ensureForeignKey, tableColumns, addFieldColumn } from './ddl.ts';
import type { Registry } from './registry.ts';
import { ensureSearchIndexes } from '../search/indexes.ts';

/**
 * Brings the record tables of the standard objects up to their definitions in code: creates
 * missing tables and columns and their indexes and foreign keys. Idempotent; runs at start.
 */
export async function syncStandardObjects(db: Kysely<any>, registry: Registry): Promise<void> {
  await db.transaction().execute(async (trx) => {
    for (const o of registry.standardObjects) {
      await createObjectTable(trx, o);
      const columns = await tableColumns(trx, o.table);
      for (const f of o.fields) {
        if (!columns.has(f.column)) await addFieldColumn(trx, o, f);
        else await ensureFieldIndexes(trx, o, f);
      }
    }
    for (const o of registry.standardObjects) await ensureSearchIndexes(trx, o);
    for (const o of registry.standardObjects) {
      for (const f of o.fields) {
        if (!f.lookup || f.apiName === 'created_by' || f.apiName === 'updated_by') continue;
        const target = registry.standardObjects.find((x) => x.apiName === f.lookup!.object);
        if (target) await ensureForeignKey(trx, o, f, target);
      }
    }
  });
}
