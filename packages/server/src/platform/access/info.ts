import { sql } from 'kysely';
import type { Platform } from '../kernel.ts';
import { requestGate } from '../auth/gate.ts';
import { loadAccessModel, roleAncestors, roleDescendants, type AccessModel, type Profile } from './model.ts';

/**
 * What the access checks need to know about one user, computed when they authenticate: their
 * profile, the users below them in the role hierarchy, their groups. Cached per process while the
 * access model (the shared metadata version) and the authentication version the request gate last
 * read (auth/gate.ts; bumped by any change to users or group memberships) are unchanged.
 */
export interface AccessInfo {
  profile: Profile | undefined;
  role: string | null;
  /** The user's role and every role above it (for role_and_subordinates sharing rules). */
  roleAncestors: string[];
  /** Users whose role is below this user's role: a manager sees and edits their records. */
  subordinateUserIds: string[];
  groups: string[];
  model: AccessModel;
}

interface Cached {
  version: number;
  authVersion: number;
  info: AccessInfo;
}
const cache = new WeakMap<Platform, { model?: { version: number; model: AccessModel }; users: Map<string, Cached> }>();

export async function accessModel(platform: Platform): Promise<AccessModel> {
  let entry = cache.get(platform);
  if (!entry) cache.set(platform, (entry = { users: new Map() }));
  await platform.registry.ensureFresh();
  const version = platform.registry.version;
  if (!entry.model || entry.model.version !== version) {
    entry.model = { version, model: await loadAccessModel(platform.db, platform.registry, platform.logger) };
    entry.users.clear();
  }
  return entry.model.model;
}

export async function loadAccessInfo(platform: Platform, user: { id: string; profile: string | null; role?: string | null }): Promise<AccessInfo> {
  const model = await accessModel(platform);
  const entry = cache.get(platform)!;
  const hit = entry.users.get(user.id);
  const role = user.role ?? null;
  // Read before loading: a change committed meanwhile leaves the entry stamped older, so it is
  // read again on the next request rather than kept.
  const authVersion = requestGate(platform).version;
  if (hit && hit.authVersion === authVersion && hit.version === platform.registry.version && hit.info.role === role && hit.info.profile?.name === user.profile) return hit.info;
  const below = roleDescendants(model, role);
  const [subordinates, groups] = await Promise.all([
    below.length
      ? sql<{ id: string }>`SELECT id FROM obj_user WHERE role = ANY(${below}::text[]) AND deleted_at IS NULL`.execute(platform.db)
      : Promise.resolve({ rows: [] as Array<{ id: string }> }),
    sql<{ group_name: string }>`SELECT group_name FROM access_group_member WHERE user_id = ${user.id}`.execute(platform.db),
  ]);
  const info: AccessInfo = {
    profile: model.profiles.get(user.profile ?? ''),
    role,
    roleAncestors: roleAncestors(model, role),
    subordinateUserIds: subordinates.rows.map((r) => r.id),
    groups: groups.rows.map((g) => g.group_name),
    model,
  };
  if (entry.users.size >= 10_000) entry.users.clear();
  entry.users.set(user.id, { version: platform.registry.version, authVersion, info });
  return info;
}

/** Forget cached access of every user (after a change to roles, groups or memberships). */
export function forgetAccessCache(platform: Platform): void {
  cache.get(platform)?.users.clear();
}
