import { listMetadataRecycleBin } from './listMetadataRecycleBin.ts';
import { sql } from 'kysely';
import { AppError, notFound } from '../../errors.ts';
import type { Platform } from '../../kernel.ts';
import type { Actor } from '../../records/context.ts';
import { createUniqueIndex, ensureForeignKey } from '../ddl.ts';
import { fieldFromRow, type MetaFieldRow } from '../registry.ts';
import { type MetadataBinItem } from './presenters.ts';
import { inMetadataTransaction } from './transaction.ts';

export async function restoreMetadata(args: { platform: Platform; actor: Actor; id: string }): Promise<MetadataBinItem> {
  const item = (await listMetadataRecycleBin(args)).find((i) => i.id === args.id);
  if (!item) throw notFound('Metadata recycle bin entry');
  const { platform } = args;
  await inMetadataTransaction(platform, args.actor, { action: 'metadata.restored', target: { type: item.kind, id: item.kind === 'object' ? item.apiName : `${item.object}.${item.apiName}` } }, async (trx) => {
    if (item.kind === 'object') {
      await sql`UPDATE meta_object SET deleted_at = NULL WHERE api_name = ${item.apiName}`.execute(trx);
      return;
    }
    const o = platform.registry.getObject(item.object);
    if (!o) throw new AppError('conflict', `Restore the object '${item.object}' first`);
    const r = await sql<MetaFieldRow>`UPDATE meta_field SET deleted_at = NULL WHERE id = ${item.id} RETURNING *`.execute(trx);
    const f = fieldFromRow(r.rows[0]!);
    if (f.unique) await createUniqueIndex(trx, o, f);
    if (f.lookup) {
      const target = platform.registry.getObject(f.lookup.object);
      if (!target) throw new AppError('conflict', `The lookup target '${f.lookup.object}' no longer exists`);
      await ensureForeignKey(trx, o, f, target);
    }
  }, item.object);
  return item;
}
