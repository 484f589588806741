import { sql } from 'kysely';
import type { Platform } from '../../kernel.ts';
import type { Actor } from '../../records/context.ts';
import { assertAdmin } from '../policy.ts';

export async function listGroups(platform: Platform, actor: Actor) {
  assertAdmin(actor);
  const r = await sql<{ name: string; label: string; members: string[] | null }>`SELECT g.name, g.label, array_remove(array_agg(m.user_id::text), NULL) AS members
    FROM access_group g LEFT JOIN access_group_member m ON m.group_name = g.name GROUP BY g.name, g.label ORDER BY g.label`.execute(platform.db);
  return r.rows.map((g) => ({ name: g.name, label: g.label, members: g.members ?? [] }));
}
