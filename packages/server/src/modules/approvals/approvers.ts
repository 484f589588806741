import { sql } from 'kysely';
import type { TxContext } from '../../platform/records/context.ts';
import type { ApproverSpec } from './process.ts';

/**
 * The submitter's manager: the user in their `manager` field, else the active users whose role
 * is the parent of the submitter's role in the role hierarchy.
 */
async function managersOf(ctx: TxContext, submitter: string): Promise<string[]> {
  const r = await sql<{ manager: string | null; parent: string | null }>`SELECT u.manager_id AS manager, r.parent FROM obj_user u
    LEFT JOIN access_role r ON r.name = u.role WHERE u.id = ${submitter}::uuid`.execute(ctx.trx);
  const row = r.rows[0];
  if (!row) return [];
  if (row.manager) {
    const active = await sql<{ id: string }>`SELECT id FROM obj_user WHERE id = ${row.manager}::uuid AND active AND deleted_at IS NULL`.execute(ctx.trx);
    if (active.rows.length) return [row.manager];
  }
  if (!row.parent) return [];
  const above = await sql<{ id: string }>`SELECT id FROM obj_user WHERE role = ${row.parent} AND active AND deleted_at IS NULL ORDER BY id`.execute(ctx.trx);
  return above.rows.map((u) => u.id);
}

/** The active users whose profile grants a capability, administrators included (they hold every capability, as hasCapability says). */
async function holdersOf(ctx: TxContext, capability: string): Promise<string[]> {
  const r = await sql<{ id: string }>`SELECT u.id FROM obj_user u JOIN access_profile p ON p.name = u.profile
    WHERE u.active AND u.deleted_at IS NULL AND (p.is_admin OR coalesce(p.permissions -> 'capabilities', '[]'::jsonb) @> jsonb_build_array(${capability}::text)) ORDER BY u.id`.execute(ctx.trx);
  return r.rows.map((u) => u.id);
}

/** The active users a step's approvers stand for, each once, in a stable order (`owner`: the record's owner, for `owner_manager`). */
export async function resolveApprovers(ctx: TxContext, specs: ApproverSpec[], submitter: string, owner: string | null = null): Promise<string[]> {
  const out = new Set<string>();
  for (const spec of specs) {
    let ids: string[] = [];
    if (spec.kind === 'manager') ids = await managersOf(ctx, submitter);
    else if (spec.kind === 'owner_manager') ids = owner ? await managersOf(ctx, owner) : [];
    else if (spec.kind === 'capability') ids = await holdersOf(ctx, spec.value ?? '');
    else if (spec.kind === 'user') ids = (await sql<{ id: string }>`SELECT id FROM obj_user WHERE id::text = ${spec.value ?? ''} AND active AND deleted_at IS NULL`.execute(ctx.trx)).rows.map((r) => r.id);
    else if (spec.kind === 'role') ids = (await sql<{ id: string }>`SELECT id FROM obj_user WHERE role = ${spec.value ?? ''} AND active AND deleted_at IS NULL ORDER BY id`.execute(ctx.trx)).rows.map((r) => r.id);
    else ids = (await sql<{ id: string }>`SELECT u.id FROM access_group_member m JOIN obj_user u ON u.id = m.user_id
      WHERE m.group_name = ${spec.value ?? ''} AND u.active AND u.deleted_at IS NULL ORDER BY u.id`.execute(ctx.trx)).rows.map((r) => r.id);
    for (const id of ids) out.add(id);
  }
  return [...out];
}
