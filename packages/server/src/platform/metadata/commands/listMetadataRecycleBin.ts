import { sql } from 'kysely';
import type { Platform } from '../../kernel.ts';
import { assertAdmin } from '../../access/policy.ts';
import type { Actor } from '../../records/context.ts';
import { type MetadataBinItem } from './presenters.ts';

export async function listMetadataRecycleBin(args: { platform: Platform; actor: Actor }): Promise<MetadataBinItem[]> {
  assertAdmin(args.actor);
  const db = args.platform.db;
  const objects = await sql<{ api_name: string; label: string; deleted_at: Date }>`SELECT api_name, label, deleted_at FROM meta_object WHERE deleted_at IS NOT NULL`.execute(db);
  const fields = await sql<{ id: string; object: string; api_name: string; label: string; deleted_at: Date }>`SELECT id, object, api_name, label, deleted_at FROM meta_field WHERE deleted_at IS NOT NULL`.execute(db);
  return [
    ...objects.rows.map((r) => ({ kind: 'object' as const, id: `object:${r.api_name}`, object: r.api_name, apiName: r.api_name, label: r.label, deletedAt: new Date(r.deleted_at).toISOString() })),
    ...fields.rows.map((r) => ({ kind: 'field' as const, id: r.id, object: r.object, apiName: r.api_name, label: r.label, deletedAt: new Date(r.deleted_at).toISOString() })),
  ].sort((a, b) => b.deletedAt.localeCompare(a.deletedAt));
}
