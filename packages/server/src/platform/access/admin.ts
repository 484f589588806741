import { sql, type Transaction } from 'kysely';
import { uuidv7 } from 'uuidv7';
import { AppError, notFound, validationFailed, type FieldError } from '../errors.ts';
import type { Platform } from '../kernel.ts';
import type { Actor } from '../records/context.ts';
import { changeConfiguration, type ConfigurationAudit } from '../metadata/configuration-change.ts';
import { assertPlainObject, rejectUnknownKeys, requireLabel } from '../metadata/validate-definition.ts';
import { parseCondition } from '../query/index.ts';
import { UUID_RE } from '../records/values.ts';
import { assertAdmin, visibilityCondition } from './policy.ts';
import { accessModel, forgetAccessCache } from './info.ts';
import { writeAudit } from '../events/audit.ts';
import type { ObjectPermissions, ObjectSharing, ProfilePermissions } from './model.ts';

/** Admin commands of the access model. Each change bumps the shared version so caches reload. */
const NAME_RE = /^[a-z][a-z0-9_]{1,48}[a-z0-9]$/;

async function inAccessTransaction<T>(platform: Platform, actor: Actor, audit: ConfigurationAudit, fn: (trx: Transaction<any>) => Promise<T>): Promise<T> {
  const result = await changeConfiguration({ platform, actor, refusal: 'Only administrators can change access settings', audit, run: fn });
  forgetAccessCache(platform);
  return result;
}

function requireName(value: unknown, errors: FieldError[]): string {
  if (typeof value !== 'string' || !NAME_RE.test(value)) {
    errors.push({ field: 'name', code: 'invalid_name', message: 'Lower snake case, 3–50 characters (e.g. sales_manager)' });
    return '';
  }
  return value;
}

const PERMISSION_KEYS: Array<keyof ObjectPermissions> = ['read', 'create', 'edit', 'delete', 'viewAll', 'modifyAll'];

function validatePermissions(platform: Platform, input: unknown, errors: FieldError[]): ProfilePermissions {
  if (input === undefined) return {};
  if (typeof input !== 'object' || input === null || Array.isArray(input)) {
    errors.push({ field: 'permissions', code: 'type', message: 'Must be an object {default?, objects?, fields?}' });
    return {};
  }
  const p = input as Record<string, unknown>;
  const out: ProfilePermissions = {};
  const checkPerms = (value: unknown, path: string): Partial<ObjectPermissions> | undefined => {
    if (typeof value !== 'object' || value === null) {
      errors.push({ field: path, code: 'type', message: 'Must be an object of booleans' });
      return undefined;
    }
    const perms: Partial<ObjectPermissions> = {};
    for (const [k, v] of Object.entries(value)) {
      if (!PERMISSION_KEYS.includes(k as keyof ObjectPermissions) || typeof v !== 'boolean') errors.push({ field: `${path}.${k}`, code: 'invalid', message: `Use ${PERMISSION_KEYS.join(', ')} with true/false` });
      else perms[k as keyof ObjectPermissions] = v;
    }
    return perms;
  };
  for (const k of Object.keys(p)) if (!['default', 'objects', 'fields'].includes(k)) errors.push({ field: `permissions.${k}`, code: 'unknown_property', message: 'Use default, objects or fields' });
  if (p.default !== undefined) out.default = checkPerms(p.default, 'permissions.default');
  if (p.objects !== undefined) {
    out.objects = {};
    for (const [object, perms] of Object.entries(p.objects as Record<string, unknown>)) {
      if (!platform.registry.getObject(object)) errors.push({ field: `permissions.objects.${object}`, code: 'unknown_object', message: `No object '${object}'` });
      else out.objects[object] = checkPerms(perms, `permissions.objects.${object}`) ?? {};
    }
  }
  if (p.fields !== undefined) {
    out.fields = {};
    for (const [object, fields] of Object.entries(p.fields as Record<string, unknown>)) {
      const o = platform.registry.getObject(object);
      if (!o || typeof fields !== 'object' || fields === null) {
        errors.push({ field: `permissions.fields.${object}`, code: 'unknown_object', message: `No object '${object}'` });
        continue;
      }
      out.fields[object] = {};
      for (const [field, access] of Object.entries(fields)) {
        const f = platform.registry.getField(o, field);
        if (!f || ['id', 'version'].includes(field)) errors.push({ field: `permissions.fields.${object}.${field}`, code: 'unknown_field', message: `No field '${field}' on ${object} that can be restricted` });
        else if (access !== 'hidden' && access !== 'read_only') errors.push({ field: `permissions.fields.${object}.${field}`, code: 'invalid_choice', message: "Use 'hidden' or 'read_only'" });
        else out.fields[object]![field] = access;
      }
    }
  }
  return out;
}

// ---- profiles ----

export async function listProfiles(platform: Platform, actor: Actor) {
  assertAdmin(actor);
  return [...(await accessModel(platform)).profiles.values()];
}

export async function saveProfile(args: { platform: Platform; actor: Actor; name?: string; input: unknown }) {
  assertAdmin(args.actor, 'Only administrators can change access settings');
  const { platform } = args;
  const input = assertPlainObject(args.input, 'The profile');
  rejectUnknownKeys(input, ['name', 'label', 'description', 'permissions']);
  const errors: FieldError[] = [];
  const existing = args.name ? (await accessModel(platform)).profiles.get(args.name) : undefined;
  if (args.name && !existing) throw notFound(`Profile '${args.name}'`);
  if (existing?.isAdmin && input.permissions !== undefined) throw new AppError('rule_violation', 'The administrator profile always has every permission');
  const name = existing ? existing.name : requireName(input.name, errors);
  const label = input.label === undefined && existing ? existing.label : requireLabel(input.label, 'label', errors);
  const permissions = input.permissions === undefined && existing ? existing.permissions : validatePermissions(platform, input.permissions, errors);
  if (errors.length) throw validationFailed(errors);
  const description = typeof input.description === 'string' ? input.description : (existing?.description ?? null);
  await inAccessTransaction(platform, args.actor, { action: existing ? 'access.profile.updated' : 'access.profile.created', target: { type: 'profile', id: name }, details: { permissions } }, async (trx) => {
    if (!existing && (await sql`SELECT 1 FROM access_profile WHERE name = ${name}`.execute(trx)).rows.length) {
      throw new AppError('conflict', `A profile '${name}' already exists`, { errors: [{ field: 'name', code: 'duplicate', message: 'Already in use' }] });
    }
    await sql`INSERT INTO access_profile (name, label, description, permissions) VALUES (${name}, ${label}, ${description}, ${JSON.stringify(permissions)}::jsonb)
      ON CONFLICT (name) DO UPDATE SET label = EXCLUDED.label, description = EXCLUDED.description, permissions = EXCLUDED.permissions, updated_at = now()`.execute(trx);
  });
  return (await accessModel(platform)).profiles.get(name)!;
}

export async function deleteProfile(args: { platform: Platform; actor: Actor; name: string }) {
  assertAdmin(args.actor, 'Only administrators can change access settings');
  if (['admin', 'standard'].includes(args.name)) throw new AppError('rule_violation', 'The built-in profiles cannot be deleted');
  await inAccessTransaction(args.platform, args.actor, { action: 'access.profile.deleted', target: { type: 'profile', id: args.name } }, async (trx) => {
    const used = await sql<{ n: string }>`SELECT count(*) AS n FROM obj_user WHERE profile = ${args.name} AND deleted_at IS NULL`.execute(trx);
    if (Number(used.rows[0]!.n)) throw new AppError('referenced', `${used.rows[0]!.n} user(s) have this profile; move them first`);
    const r = await sql`DELETE FROM access_profile WHERE name = ${args.name}`.execute(trx);
    if (!Number(r.numAffectedRows)) throw notFound(`Profile '${args.name}'`);
  });
}

// ---- roles ----

export async function listRoles(platform: Platform, actor: Actor) {
  assertAdmin(actor);
  return [...(await accessModel(platform)).roles.values()];
}

export async function saveRole(args: { platform: Platform; actor: Actor; name?: string; input: unknown }) {
  assertAdmin(args.actor, 'Only administrators can change access settings');
  const { platform } = args;
  const input = assertPlainObject(args.input, 'The role');
  rejectUnknownKeys(input, ['name', 'label', 'parent']);
  const model = await accessModel(platform);
  const existing = args.name ? model.roles.get(args.name) : undefined;
  if (args.name && !existing) throw notFound(`Role '${args.name}'`);
  const errors: FieldError[] = [];
  const name = existing ? existing.name : requireName(input.name, errors);
  const label = input.label === undefined && existing ? existing.label : requireLabel(input.label, 'label', errors);
  const parent = input.parent === undefined ? (existing?.parent ?? null) : (input.parent as string | null);
  if (parent !== null && (typeof parent !== 'string' || !model.roles.has(parent))) errors.push({ field: 'parent', code: 'unknown_role', message: `No role '${String(parent)}'` });
  // A role may not sit below itself.
  for (let p = parent, seen = 0; p && seen < 100; p = model.roles.get(p)?.parent ?? null, seen++) {
    if (p === name) {
      errors.push({ field: 'parent', code: 'cycle', message: 'A role cannot report to itself or to a role below it' });
      break;
    }
  }
  if (errors.length) throw validationFailed(errors);
  await inAccessTransaction(platform, args.actor, { action: existing ? 'access.role.updated' : 'access.role.created', target: { type: 'role', id: name }, details: { parent } }, async (trx) => {
    if (!existing && (await sql`SELECT 1 FROM access_role WHERE name = ${name}`.execute(trx)).rows.length) {
      throw new AppError('conflict', `A role '${name}' already exists`, { errors: [{ field: 'name', code: 'duplicate', message: 'Already in use' }] });
    }
    await sql`INSERT INTO access_role (name, label, parent) VALUES (${name}, ${label}, ${parent})
      ON CONFLICT (name) DO UPDATE SET label = EXCLUDED.label, parent = EXCLUDED.parent`.execute(trx);
  });
  return (await accessModel(platform)).roles.get(name)!;
}

export async function deleteRole(args: { platform: Platform; actor: Actor; name: string }) {
  assertAdmin(args.actor, 'Only administrators can change access settings');
  await inAccessTransaction(args.platform, args.actor, { action: 'access.role.deleted', target: { type: 'role', id: args.name } }, async (trx) => {
    const used = await sql<{ n: string }>`SELECT count(*) AS n FROM obj_user WHERE role = ${args.name} AND deleted_at IS NULL`.execute(trx);
    if (Number(used.rows[0]!.n)) throw new AppError('referenced', `${used.rows[0]!.n} user(s) have this role; move them first`);
    const children = await sql`SELECT 1 FROM access_role WHERE parent = ${args.name}`.execute(trx);
    if (children.rows.length) throw new AppError('referenced', 'Other roles report to this one; move them first');
    const r = await sql`DELETE FROM access_role WHERE name = ${args.name}`.execute(trx);
    if (!Number(r.numAffectedRows)) throw notFound(`Role '${args.name}'`);
  });
}

// ---- groups ----

export async function listGroups(platform: Platform, actor: Actor) {
  assertAdmin(actor);
  const r = await sql<{ name: string; label: string; members: string[] | null }>`SELECT g.name, g.label, array_remove(array_agg(m.user_id::text), NULL) AS members
    FROM access_group g LEFT JOIN access_group_member m ON m.group_name = g.name GROUP BY g.name, g.label ORDER BY g.label`.execute(platform.db);
  return r.rows.map((g) => ({ name: g.name, label: g.label, members: g.members ?? [] }));
}

export async function saveGroup(args: { platform: Platform; actor: Actor; name?: string; input: unknown }) {
  assertAdmin(args.actor, 'Only administrators can change access settings');
  const input = assertPlainObject(args.input, 'The group');
  rejectUnknownKeys(input, ['name', 'label', 'members']);
  const errors: FieldError[] = [];
  const name = args.name ?? requireName(input.name, errors);
  const label = requireLabel(input.label ?? (args.name ? args.name : undefined), 'label', errors);
  const members = input.members;
  if (members !== undefined && (!Array.isArray(members) || members.some((m) => typeof m !== 'string' || !UUID_RE.test(m)))) {
    errors.push({ field: 'members', code: 'type', message: 'An array of user ids' });
  }
  if (errors.length) throw validationFailed(errors);
  await inAccessTransaction(args.platform, args.actor, { action: 'access.group.saved', target: { type: 'group', id: name }, details: { members } }, async (trx) => {
    await sql`INSERT INTO access_group (name, label) VALUES (${name}, ${label}) ON CONFLICT (name) DO UPDATE SET label = EXCLUDED.label`.execute(trx);
    if (Array.isArray(members)) {
      const ids = [...new Set(members as string[])];
      const found = await sql<{ id: string }>`SELECT id FROM obj_user WHERE id = ANY(${ids}::uuid[]) AND deleted_at IS NULL`.execute(trx);
      if (found.rows.length !== ids.length) throw validationFailed([{ field: 'members', code: 'invalid_reference', message: 'Every member must be an existing user' }]);
      await sql`DELETE FROM access_group_member WHERE group_name = ${name}`.execute(trx);
      if (ids.length) await sql`INSERT INTO access_group_member (group_name, user_id) SELECT ${name}, unnest(${ids}::uuid[])`.execute(trx);
    }
  });
  return (await listGroups(args.platform, args.actor)).find((g) => g.name === name)!;
}

export async function deleteGroup(args: { platform: Platform; actor: Actor; name: string }) {
  assertAdmin(args.actor, 'Only administrators can change access settings');
  await inAccessTransaction(args.platform, args.actor, { action: 'access.group.deleted', target: { type: 'group', id: args.name } }, async (trx) => {
    const used = await sql`SELECT 1 FROM access_sharing_rule WHERE share_with_type = 'group' AND share_with = ${args.name}`.execute(trx);
    if (used.rows.length) throw new AppError('referenced', 'Sharing rules use this group; change them first');
    const r = await sql`DELETE FROM access_group WHERE name = ${args.name}`.execute(trx);
    if (!Number(r.numAffectedRows)) throw notFound(`Group '${args.name}'`);
  });
}

// ---- org-wide sharing per object ----

export async function listObjectSharing(platform: Platform, actor: Actor) {
  assertAdmin(actor);
  const model = await accessModel(platform);
  return platform.registry.listObjects().filter((o) => o.apiName !== 'user').map((o) => ({ object: o.apiName, sharing: model.sharing.get(o.apiName) ?? 'public_read_write' }));
}

export async function setObjectSharing(args: { platform: Platform; actor: Actor; object: string; input: unknown }) {
  assertAdmin(args.actor, 'Only administrators can change access settings');
  const input = assertPlainObject(args.input, 'The setting');
  rejectUnknownKeys(input, ['sharing']);
  const o = args.platform.registry.requireObject(args.object);
  if (!['private', 'public_read', 'public_read_write'].includes(input.sharing as string)) {
    throw validationFailed([{ field: 'sharing', code: 'invalid_choice', message: "Use 'private', 'public_read' or 'public_read_write'" }]);
  }
  await inAccessTransaction(args.platform, args.actor, { action: 'access.sharing.changed', target: { type: 'object', id: o.apiName }, details: { sharing: input.sharing } }, async (trx) => {
    await sql`INSERT INTO access_object_setting (object, sharing) VALUES (${o.apiName}, ${input.sharing as ObjectSharing}) ON CONFLICT (object) DO UPDATE SET sharing = EXCLUDED.sharing`.execute(trx);
  });
  return { object: o.apiName, sharing: input.sharing };
}

// ---- sharing rules ----

export async function listSharingRules(platform: Platform, actor: Actor) {
  assertAdmin(actor);
  return (await accessModel(platform)).rules.map(({ parsed: _p, ...rule }) => ({ ...rule, valid: Boolean(_p) }));
}

export async function saveSharingRule(args: { platform: Platform; actor: Actor; id?: string; input: unknown }) {
  assertAdmin(args.actor, 'Only administrators can change access settings');
  const { platform } = args;
  const input = assertPlainObject(args.input, 'The sharing rule');
  rejectUnknownKeys(input, ['object', 'name', 'condition', 'shareWithType', 'shareWith', 'access']);
  const model = await accessModel(platform);
  const existing = args.id ? model.rules.find((r) => r.id === args.id) : undefined;
  if (args.id && !existing) throw notFound('Sharing rule');
  const merged = { ...existing, ...input } as Record<string, unknown>;
  const errors: FieldError[] = [];
  const o = typeof merged.object === 'string' ? platform.registry.getObject(merged.object) : undefined;
  if (!o || o.apiName === 'user') errors.push({ field: 'object', code: 'unknown_object', message: 'Name an object to share' });
  const name = requireName(merged.name, errors);
  if (!['role', 'role_and_subordinates', 'group'].includes(merged.shareWithType as string)) errors.push({ field: 'shareWithType', code: 'invalid_choice', message: "Use 'role', 'role_and_subordinates' or 'group'" });
  const target = merged.shareWith as string;
  if (merged.shareWithType === 'group' ? !model.groups.has(target) : !model.roles.has(target)) errors.push({ field: 'shareWith', code: 'unknown', message: `No ${merged.shareWithType === 'group' ? 'group' : 'role'} '${String(target)}'` });
  if (!['read', 'edit'].includes(merged.access as string)) errors.push({ field: 'access', code: 'invalid_choice', message: "Use 'read' or 'edit'" });
  if (errors.length) throw validationFailed(errors);
  parseCondition({ input: merged.condition, object: o!, registry: platform.registry, source: 'condition' });
  const id = existing?.id ?? uuidv7();
  await inAccessTransaction(platform, args.actor, { action: existing ? 'access.sharing_rule.updated' : 'access.sharing_rule.created', target: { type: 'sharing_rule', id }, details: { object: o!.apiName, name } }, async (trx) => {
    await sql`INSERT INTO access_sharing_rule (id, object, name, condition, share_with_type, share_with, access)
      VALUES (${id}, ${o!.apiName}, ${name}, ${JSON.stringify(merged.condition)}::jsonb, ${merged.shareWithType as string}, ${target}, ${merged.access as string})
      ON CONFLICT (id) DO UPDATE SET object = EXCLUDED.object, name = EXCLUDED.name, condition = EXCLUDED.condition,
        share_with_type = EXCLUDED.share_with_type, share_with = EXCLUDED.share_with, access = EXCLUDED.access`.execute(trx);
  });
  return (await listSharingRules(platform, args.actor)).find((r) => r.id === id)!;
}

export async function deleteSharingRule(args: { platform: Platform; actor: Actor; id: string }) {
  assertAdmin(args.actor, 'Only administrators can change access settings');
  await inAccessTransaction(args.platform, args.actor, { action: 'access.sharing_rule.deleted', target: { type: 'sharing_rule', id: args.id } }, async (trx) => {
    const r = await sql`DELETE FROM access_sharing_rule WHERE id::text = ${args.id}`.execute(trx);
    if (!Number(r.numAffectedRows)) throw notFound('Sharing rule');
  });
}

// ---- record teams ----

/** Members of a record's team; anyone who may edit the record may change its team. */
export async function listTeam(args: { platform: Platform; actor: Actor; object: string; id: string }) {
  await assertRecordAccess(args, 'read');
  const r = await sql<{ user_id: string; team_role: string; access: string }>`SELECT user_id, team_role, access FROM record_team_member WHERE object = ${args.object} AND record_id = ${args.id} ORDER BY created_at`.execute(args.platform.db);
  return r.rows.map((m) => ({ userId: m.user_id, teamRole: m.team_role, access: m.access }));
}

async function assertRecordAccess(args: { platform: Platform; actor: Actor; object: string; id: string }, mode: 'read' | 'edit') {
  const o = args.platform.registry.requireObject(args.object);
  if (!UUID_RE.test(args.id)) throw notFound(`${o.label}`);
  const visible = visibilityCondition(args.actor, o, 't0', mode);
  const r = await sql`SELECT 1 FROM ${sql.table(o.table)} AS t0 WHERE t0.id = ${args.id} AND t0.deleted_at IS NULL ${visible ? sql`AND ${visible}` : sql``}`.execute(args.platform.db);
  if (!r.rows.length) throw notFound(`${o.label} ${args.id}`);
}

export async function setTeamMember(args: { platform: Platform; actor: Actor; object: string; id: string; input: unknown }) {
  await assertRecordAccess(args, 'edit');
  const input = assertPlainObject(args.input, 'The team member');
  rejectUnknownKeys(input, ['userId', 'teamRole', 'access']);
  const errors: FieldError[] = [];
  if (typeof input.userId !== 'string' || !UUID_RE.test(input.userId)) errors.push({ field: 'userId', code: 'required', message: 'The id of a user' });
  const teamRole = input.teamRole ?? 'member';
  if (typeof teamRole !== 'string' || !/^[a-z][a-z0-9_]{0,49}$/.test(teamRole)) errors.push({ field: 'teamRole', code: 'invalid', message: 'Lower snake case, e.g. account_manager' });
  const access = input.access ?? 'edit';
  if (access !== 'read' && access !== 'edit') errors.push({ field: 'access', code: 'invalid_choice', message: "Use 'read' or 'edit'" });
  if (errors.length) throw validationFailed(errors);
  const user = await sql`SELECT 1 FROM obj_user WHERE id = ${input.userId as string} AND deleted_at IS NULL`.execute(args.platform.db);
  if (!user.rows.length) throw validationFailed([{ field: 'userId', code: 'invalid_reference', message: 'No such user' }]);
  await sql`INSERT INTO record_team_member (object, record_id, user_id, team_role, access) VALUES (${args.object}, ${args.id}, ${input.userId as string}, ${teamRole as string}, ${access})
    ON CONFLICT (object, record_id, user_id) DO UPDATE SET team_role = EXCLUDED.team_role, access = EXCLUDED.access`.execute(args.platform.db);
  await writeAudit(args.platform.db, { action: 'access.team.member_set', actor: args.actor, target: { type: args.object, id: args.id }, details: { userId: input.userId, teamRole, access } });
  return listTeam(args);
}

export async function removeTeamMember(args: { platform: Platform; actor: Actor; object: string; id: string; userId: string }) {
  await assertRecordAccess(args, 'edit');
  await sql`DELETE FROM record_team_member WHERE object = ${args.object} AND record_id = ${args.id} AND user_id::text = ${args.userId}`.execute(args.platform.db);
  await writeAudit(args.platform.db, { action: 'access.team.member_removed', actor: args.actor, target: { type: args.object, id: args.id }, details: { userId: args.userId } });
  return listTeam(args);
}
