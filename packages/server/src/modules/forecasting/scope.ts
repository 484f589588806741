import { sql } from 'kysely';
import { forbidden, notFound } from '../../platform/errors.ts';
import { accessModel } from '../../platform/access/info.ts';
import { roleAncestors, roleDescendants } from '../../platform/access/model.ts';
import type { Actor, RecordContext } from '../../platform/records/context.ts';

/** A user in a forecast: the roll-up follows the role hierarchy, like record access does. */
export interface ScopeUser {
  id: string;
  name: string;
  role: string | null;
  /** How deep the user's role sits in the hierarchy (0 = a top role or none): indentation in the grid. */
  depth: number;
  /** Users in this scope whose role is strictly below this user's role (the team rolled up into them). */
  team: string[];
}

const unrestricted = (actor: Actor) => actor.isAdmin || !actor.access;

/**
 * Whose numbers the actor sees: their own and the users below their role (a rep: only their own;
 * a manager: their subordinates too); administrators see every active user. Sharing rules that open
 * a peer's deals to a rep do not put the peer in the rep's forecast.
 */
export async function forecastScope(ctx: RecordContext): Promise<ScopeUser[]> {
  const { actor, platform } = ctx;
  if (!actor.userId && !unrestricted(actor)) throw forbidden();
  const ids = unrestricted(actor) ? null : [actor.userId!, ...actor.access!.subordinateUserIds];
  const r = await sql<{ id: string; name: string; role: string | null }>`SELECT id, full_name AS name, role FROM obj_user
    WHERE deleted_at IS NULL AND (active OR id = ${actor.userId}) ${ids ? sql`AND id = ANY(${ids}::uuid[])` : sql``} ORDER BY full_name, id`.execute(ctx.trx ?? platform.db);
  const model = await accessModel(platform);
  return r.rows.map((u) => {
    const below = new Set(roleDescendants(model, u.role));
    return {
      id: u.id,
      name: u.name,
      role: u.role,
      depth: Math.max(0, roleAncestors(model, u.role).length - 1),
      team: u.role ? r.rows.filter((o) => o.id !== u.id && o.role !== null && below.has(o.role)).map((o) => o.id) : [],
    };
  });
}

/**
 * Managers change the numbers of the users below them (a quota, an adjusted forecast); nobody
 * changes their own; administrators change anyone's.
 */
export async function assertManages(ctx: RecordContext, userId: string, field = 'user'): Promise<void> {
  const { actor } = ctx;
  const exists = await sql<{ id: string }>`SELECT id FROM obj_user WHERE id = ${userId} AND deleted_at IS NULL`.execute(ctx.trx ?? ctx.platform.db);
  if (!exists.rows.length) throw notFound(`User ${userId}`);
  if (unrestricted(actor)) return;
  if (userId === actor.userId || !actor.access!.subordinateUserIds.includes(userId)) {
    throw forbidden(`Only a manager of this user (a role above theirs) can change their ${field === 'user' ? 'numbers' : field}`);
  }
}
