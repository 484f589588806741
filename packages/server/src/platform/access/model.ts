import { sql, type Kysely } from 'kysely';
import type { Logger } from 'pino';
import type { MetadataRegistry } from '../metadata/types.ts';
import { parseCondition, type ParsedCondition } from '../query/index.ts';

/** What a profile allows on one object (PLT-11). */
export interface ObjectPermissions {
  read: boolean;
  create: boolean;
  edit: boolean;
  delete: boolean;
  /** See every record of the object, whatever the sharing. */
  viewAll: boolean;
  /** Change and delete every record of the object, whatever the sharing. */
  modifyAll: boolean;
}

export type FieldAccess = 'hidden' | 'read_only';

export interface ProfilePermissions {
  /** Applies to objects not listed in `objects` (including custom objects created later). */
  default?: Partial<ObjectPermissions>;
  objects?: Record<string, Partial<ObjectPermissions>>;
  fields?: Record<string, Record<string, FieldAccess>>;
  /** Capabilities modules declare (`sales.skip_stages`): permissions that are not about one object's records. */
  capabilities?: string[];
}

export interface Profile {
  name: string;
  label: string;
  description: string | null;
  isAdmin: boolean;
  permissions: ProfilePermissions;
}

export interface Role {
  name: string;
  label: string;
  parent: string | null;
}

export type ObjectSharing = 'private' | 'public_read' | 'public_read_write';

export interface SharingRule {
  id: string;
  object: string;
  name: string;
  condition: unknown;
  shareWithType: 'role' | 'role_and_subordinates' | 'group';
  shareWith: string;
  access: 'read' | 'edit';
  /** Parsed against the current metadata; undefined when the condition no longer parses. */
  parsed?: ParsedCondition;
}

/** The whole access configuration, small enough to hold in memory and reload on change. */
export interface AccessModel {
  profiles: Map<string, Profile>;
  roles: Map<string, Role>;
  groups: Map<string, string>;
  sharing: Map<string, ObjectSharing>;
  rules: SharingRule[];
  /** The metadata the model was loaded with: a child's access follows its parent's (ObjectDefinition.accessFrom). */
  registry: MetadataRegistry;
}

export const NO_PERMISSIONS: ObjectPermissions = { read: false, create: false, edit: false, delete: false, viewAll: false, modifyAll: false };

export async function loadAccessModel(db: Kysely<any>, registry: MetadataRegistry, logger?: Logger): Promise<AccessModel> {
  const [profiles, roles, groups, sharing, rules] = await Promise.all([
    sql<{ name: string; label: string; description: string | null; is_admin: boolean; permissions: ProfilePermissions }>`SELECT * FROM access_profile`.execute(db),
    sql<Role>`SELECT name, label, parent FROM access_role`.execute(db),
    sql<{ name: string; label: string }>`SELECT name, label FROM access_group`.execute(db),
    sql<{ object: string; sharing: ObjectSharing }>`SELECT object, sharing FROM access_object_setting`.execute(db),
    sql<{ id: string; object: string; name: string; condition: unknown; share_with_type: SharingRule['shareWithType']; share_with: string; access: 'read' | 'edit' }>`SELECT * FROM access_sharing_rule ORDER BY object, name`.execute(db),
  ]);
  return {
    profiles: new Map(profiles.rows.map((p) => [p.name, { name: p.name, label: p.label, description: p.description, isAdmin: p.is_admin, permissions: p.permissions ?? {} }])),
    roles: new Map(roles.rows.map((r) => [r.name, r])),
    groups: new Map(groups.rows.map((g) => [g.name, g.label])),
    sharing: new Map(sharing.rows.map((s) => [s.object, s.sharing])),
    registry,
    rules: rules.rows.map((r) => {
      const rule: SharingRule = { id: r.id, object: r.object, name: r.name, condition: r.condition, shareWithType: r.share_with_type, shareWith: r.share_with, access: r.access };
      const object = registry.getObject(r.object);
      try {
        if (object) rule.parsed = parseCondition({ input: r.condition, object, registry, source: 'condition' });
      } catch (error) {
        // A rule whose fields were deleted shares nothing until an admin fixes it.
        logger?.warn({ rule: r.name, err: error }, 'sharing rule no longer valid; ignored');
      }
      return rule;
    }),
  };
}

/** The role and every role above it. */
export function roleAncestors(model: AccessModel, role: string | null): string[] {
  const out: string[] = [];
  let current = role;
  while (current && !out.includes(current)) {
    out.push(current);
    current = model.roles.get(current)?.parent ?? null;
  }
  return out;
}

/** Every role strictly below the given one. */
export function roleDescendants(model: AccessModel, role: string | null): string[] {
  if (!role) return [];
  const out: string[] = [];
  const queue = [role];
  while (queue.length) {
    const parent = queue.shift()!;
    for (const r of model.roles.values()) {
      if (r.parent === parent && !out.includes(r.name) && r.name !== role) {
        out.push(r.name);
        queue.push(r.name);
      }
    }
  }
  return out;
}

export function objectPermissions(profile: Profile | undefined, object: string): ObjectPermissions {
  if (!profile) return NO_PERMISSIONS;
  if (profile.isAdmin) return { read: true, create: true, edit: true, delete: true, viewAll: true, modifyAll: true };
  return { ...NO_PERMISSIONS, ...profile.permissions.default, ...profile.permissions.objects?.[object] };
}
