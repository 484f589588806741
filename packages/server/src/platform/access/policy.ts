import { sql, type RawBuilder } from 'kysely';
import { forbidden } from '../errors.ts';
import type { FieldDefinition, MetadataRegistry, ObjectDefinition } from '../metadata/types.ts';
import type { Actor } from '../records/context.ts';
import { compileCondition, conditionFields, type ParsedCondition } from '../query/index.ts';
import { objectPermissions, type FieldAccess, type ObjectPermissions } from './model.ts';
import { computedDependencies } from '../formula/computed.ts';
import { narrowByScopes } from '../auth/oauth/scopes.ts';

export type ObjectPermission = 'read' | 'create' | 'edit' | 'delete';

/**
 * The access decisions of the record pipeline (PLT-11). Every read and write asks here, whatever
 * the entry point (REST, bulk, CLI, imports, automation):
 * - object permissions come from the user's profile;
 * - record visibility is a SQL condition compiled into the query (owner, role hierarchy, record
 *   team, sharing rules), applied unless the object is shared publicly or the profile has
 *   "view all" / "modify all";
 * - field-level security hides fields or makes them read-only per profile.
 * Admins and the system actor are unrestricted. An integration client's token is never
 * unrestricted: its actor is not an admin (auth/oauth/token.ts) and its scopes narrow the
 * acting user's profile here.
 */
function unrestricted(actor: Actor): boolean {
  return actor.isAdmin || !actor.access;
}

export function permissionsFor(actor: Actor, object: ObjectDefinition): ObjectPermissions {
  if (unrestricted(actor)) return { read: true, create: true, edit: true, delete: true, viewAll: true, modifyAll: true };
  const perms = objectPermissions(actor.access!.profile, object.apiName);
  // Everyone may look up users (owners, assignees); only admins manage them.
  if (object.apiName === 'user') return { read: true, create: false, edit: false, delete: false, viewAll: true, modifyAll: false };
  // An integration client's token: the user's access ∩ the token's scopes (never wider).
  return actor.scopes ? narrowByScopes(perms, actor.scopes, object.apiName) : perms;
}

const VERBS: Record<ObjectPermission, string> = { read: 'see', create: 'create', edit: 'change', delete: 'delete' };

export function assertObjectPermission(actor: Actor, object: ObjectDefinition, permission: ObjectPermission): void {
  if (unrestricted(actor)) return;
  if (!actor.userId) throw forbidden();
  if (object.apiName === 'user' && permission !== 'read') throw forbidden('Only administrators can manage users');
  if (!permissionsFor(actor, object)[permission]) {
    throw forbidden(`Your profile does not allow you to ${VERBS[permission]} ${object.pluralLabel.toLowerCase()}`);
  }
}

/** Whether the actor's profile grants a capability a module declared (admins and the system have all). */
export function hasCapability(actor: Actor, capability: string): boolean {
  if (unrestricted(actor)) return true;
  return actor.access!.profile?.permissions.capabilities?.includes(capability) ?? false;
}

export function assertAdmin(actor: Actor, what = 'This needs administrator rights'): void {
  if (!actor.isAdmin) throw forbidden(what);
}

/**
 * A condition over `alias` restricting the records the actor may see (`read`) or change
 * (`edit`), or undefined when every record qualifies.
 */
export function visibilityCondition(actor: Actor, object: ObjectDefinition, alias: string, mode: 'read' | 'edit' = 'read'): RawBuilder<boolean> | undefined {
  const split = visibilityByOwner(actor, object, alias, mode);
  if (split === 'all') return undefined;
  if ('condition' in split) return split.condition;
  const owner = sql.ref(`${alias}.owner_id`);
  const parts: RawBuilder<unknown>[] = [sql`${owner} = ${split.me}`];
  if (split.subordinates.length) parts.push(sql`${owner} = ANY(${split.subordinates}::uuid[])`);
  parts.push(...split.others);
  return sql<boolean>`(${sql.join(parts, sql` OR `)})`;
}

/**
 * The visibility condition in two parts, for readers that keep figures per owner (analytics'
 * summaries): the owners whose records the actor sees whole (themselves and their subordinates),
 * and the other ways a record becomes visible (its record team, sharing rules),
 * each a condition on `alias`. 'all': nothing is hidden; `condition`: visibility that does not
 * split by owner (a detail object's, through its parent).
 */
export function visibilityByOwner(actor: Actor, object: ObjectDefinition, alias: string, mode: 'read' | 'edit' = 'read'):
  'all' | { condition: RawBuilder<boolean> } | { me: string | null; subordinates: string[]; others: RawBuilder<boolean>[] } {
  if (unrestricted(actor) || object.apiName === 'user') return 'all';
  const access = actor.access!;
  const perms = permissionsFor(actor, object);
  if (perms.modifyAll || (mode === 'read' && perms.viewAll)) return 'all';
  if (object.accessFrom) {
    const condition = parentCondition(actor, object, alias, mode);
    return condition ? { condition } : 'all';
  }
  const sharing = access.model.sharing.get(object.apiName) ?? 'public_read_write';
  if (sharing === 'public_read_write' || (sharing === 'public_read' && mode === 'read')) return 'all';
  const others: RawBuilder<boolean>[] = [];
  // Uncorrelated on purpose: `id IN (the actor's team records)` is planned as a hashed subplan,
  // read once per query through ix_record_team_member_user and probed per row in a hash. The
  // correlated EXISTS it replaces was an index probe per row — inside an OR the planner cannot
  // turn it into a join — which made a restricted rep's report over 200,000 deals 3× an admin's.
  others.push(sql<boolean>`${sql.ref(`${alias}.id`)} IN (SELECT m.record_id FROM record_team_member m WHERE m.object = ${object.apiName} AND m.user_id = ${actor.userId}${mode === 'edit' ? sql` AND m.access = 'edit'` : sql``})`);
  for (const rule of access.model.rules) {
    if (rule.object !== object.apiName || !rule.parsed) continue;
    if (mode === 'edit' && rule.access !== 'edit') continue;
    const applies =
      (rule.shareWithType === 'role' && rule.shareWith === access.role) ||
      (rule.shareWithType === 'role_and_subordinates' && access.roleAncestors.includes(rule.shareWith)) ||
      (rule.shareWithType === 'group' && access.groups.includes(rule.shareWith));
    if (applies) others.push(compileCondition({ condition: rule.parsed, alias, context: { now: new Date(), timeZone: actor.timeZone } }) as RawBuilder<boolean>);
  }
  return { me: actor.userId, subordinates: access.subordinateUserIds, others };
}

/**
 * A detail record is visible (changeable) exactly when its parent is: `parent IN (the parents the
 * actor may see)`, the parent's own condition compiled inside. A profile that may not read the
 * parent object sees no details at all.
 */
function parentCondition(actor: Actor, object: ObjectDefinition, alias: string, mode: 'read' | 'edit'): RawBuilder<boolean> | undefined {
  const registry = actor.access!.model.registry;
  const link = object.fields.find((f) => f.apiName === object.accessFrom);
  const parent = link?.lookup ? registry.getObject(link.lookup.object) : undefined;
  if (!link || !parent || parent.accessFrom) throw new Error(`${object.apiName}.accessFrom must name a lookup to an object with its own sharing`);
  if (!permissionsFor(actor, parent).read) return sql<boolean>`false`;
  const inner = visibilityCondition(actor, parent, 'access_parent', mode);
  if (!inner) return undefined;
  return sql<boolean>`${sql.ref(`${alias}.${link.column}`)} IN (SELECT access_parent.id FROM ${sql.table(parent.table)} access_parent WHERE ${inner})`;
}

function fieldAccess(actor: Actor, object: ObjectDefinition, field: FieldDefinition): FieldAccess | undefined {
  if (unrestricted(actor) || field.apiName === 'id' || field.apiName === 'version') return undefined;
  return actor.access!.profile?.permissions.fields?.[object.apiName]?.[field.apiName];
}

/**
 * A formula or roll-up field shows only to readers of every object and field it reads: its value
 * would otherwise reveal a hidden field or an unreadable object's records (decision 0007).
 */
function dependenciesReadable(actor: Actor, field: FieldDefinition): boolean {
  const dependencies = computedDependencies(field);
  if (!dependencies || unrestricted(actor)) return true;
  const profile = actor.access!.profile;
  return dependencies.every(
    (d) => (d.object === 'user' || objectPermissions(profile, d.object).read) && profile?.permissions.fields?.[d.object]?.[d.field] !== 'hidden',
  );
}

/** Fields the actor may read on this object. */
export function readableFields(actor: Actor, object: ObjectDefinition): FieldDefinition[] {
  if (unrestricted(actor)) return object.fields;
  return object.fields.filter((f) => fieldAccess(actor, object, f) !== 'hidden' && dependenciesReadable(actor, f));
}

export function isFieldReadable(actor: Actor, object: ObjectDefinition, field: FieldDefinition): boolean {
  return fieldAccess(actor, object, field) !== 'hidden' && dependenciesReadable(actor, field);
}

/** Fields the actor may write on this object. */
export function isFieldWritable(actor: Actor, object: ObjectDefinition, field: FieldDefinition): boolean {
  return !field.readOnly && fieldAccess(actor, object, field) === undefined;
}

/**
 * Every field a condition touches, along every path, must be readable: otherwise filtering or
 * sorting would reveal hidden values one question at a time. Answers like an unknown field.
 */
export function unreadablePath(actor: Actor, registry: MetadataRegistry, object: ObjectDefinition, condition: ParsedCondition): string | undefined {
  if (unrestricted(actor)) return undefined;
  for (const path of conditionFields(condition)) {
    let current: ObjectDefinition | undefined = object;
    for (const name of path.split('.')) {
      const f: FieldDefinition | undefined = current && registry.getField(current, name);
      if (!current || !f || !isFieldReadable(actor, current, f)) return path;
      if (current && !permissionsFor(actor, current).read) return path;
      current = f.lookup ? registry.getObject(f.lookup.object) : undefined;
    }
  }
  return undefined;
}

/** Visibility of records reached through lookup paths in filters. */
export function pathVisibility(actor: Actor) {
  return (object: ObjectDefinition, alias: string) => visibilityCondition(actor, object, alias, 'read');
}
