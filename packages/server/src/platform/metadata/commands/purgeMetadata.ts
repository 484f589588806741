import { listMetadataRecycleBin } from './listMetadataRecycleBin.ts';
import { sql } from 'kysely';
import { notFound } from '../../errors.ts';
import type { Platform } from '../../kernel.ts';
import type { Actor } from '../../records/context.ts';
import { tableFor } from '../define.ts';
import { type MetaFieldRow } from '../registry.ts';
import { inMetadataTransaction } from './transaction.ts';

export async function purgeMetadata(args: { platform: Platform; actor: Actor; id: string }): Promise<void> {
  const item = (await listMetadataRecycleBin(args)).find((i) => i.id === args.id);
  if (!item) throw notFound('Metadata recycle bin entry');
  await inMetadataTransaction(args.platform, args.actor, { action: 'metadata.purged', target: { type: item.kind, id: item.kind === 'object' ? item.apiName : `${item.object}.${item.apiName}` } }, async (trx) => {
    if (item.kind === 'object') {
      await sql`DROP TABLE IF EXISTS ${sql.table(tableFor(item.apiName))} CASCADE`.execute(trx);
      await sql`DELETE FROM meta_field WHERE object = ${item.apiName}`.execute(trx);
      await sql`DELETE FROM meta_validation_rule WHERE object = ${item.apiName}`.execute(trx);
      await sql`DELETE FROM recycle_bin WHERE object = ${item.apiName}`.execute(trx);
      await sql`DELETE FROM meta_object WHERE api_name = ${item.apiName}`.execute(trx);
      return;
    }
    const r = await sql<MetaFieldRow>`DELETE FROM meta_field WHERE id = ${item.id} RETURNING *`.execute(trx);
    const row = r.rows[0]!;
    await sql`ALTER TABLE ${sql.table(tableFor(row.object))} DROP COLUMN IF EXISTS ${sql.ref(row.column_name)}`.execute(trx);
    await sql`DROP SEQUENCE IF EXISTS ${sql.id(`seq__${tableFor(row.object)}__${row.api_name}`)}`.execute(trx);
  });
}
