import type { FastifyInstance } from 'fastify';
import { declaredCapabilities } from '../../module.ts';
import type { Platform } from '../../kernel.ts';
import {
  deleteGroup, deleteProfile, deleteRole, deleteSharingRule, listGroups, listObjectSharing, listProfiles, listRoles, listSharingRules,
  listTeam, removeTeamMember, saveGroup, saveProfile, saveRole, saveSharingRule, setObjectSharing, setTeamMember,
} from '../../access/commands/index.ts';
import { assertAdmin } from '../../access/policy.ts';
import { createUser, setPassword } from '../../auth/users.ts';
import { updateRecord } from '../../records/write.ts';
import { listRecords } from '../../records/read.ts';
import { adminsOnly, requireActor } from '../context.ts';
import { DataList, NoContent, RecordSchema, T, Uuid, routeSchema, PathId } from '../schema/common.ts';

type P = { name: string; id: string; object: string; userId: string };

const Perms = T.Object({}, { additionalProperties: T.Boolean(), description: 'read, create, edit, delete, viewAll, modifyAll' });
const Permissions = T.Object({
  default: T.Optional(Perms),
  objects: T.Optional(T.Record(T.String(), Perms)),
  fields: T.Optional(T.Record(T.String(), T.Record(T.String(), T.Union([T.Literal('hidden'), T.Literal('read_only')])))),
  capabilities: T.Optional(T.Array(T.String())),
});
const Profile = T.Object({ name: T.String(), label: T.String(), description: T.Union([T.String(), T.Null()]), isAdmin: T.Boolean(), permissions: Permissions });
const ProfileInput = (create: boolean) => T.Object({
  ...(create ? { name: T.String({ maxLength: 63 }) } : {}),
  label: create ? T.String({ maxLength: 200 }) : T.Optional(T.String({ maxLength: 200 })),
  description: T.Optional(T.Union([T.String({ maxLength: 1000 }), T.Null()])),
  permissions: T.Optional(T.Unknown({ description: '{default?, objects?, fields?, capabilities?}' })),
}, { additionalProperties: false });
const Role = T.Object({ name: T.String(), label: T.String(), parent: T.Union([T.String(), T.Null()]) });
const RoleInput = (create: boolean) => T.Object({
  ...(create ? { name: T.String({ maxLength: 63 }) } : {}),
  label: create ? T.String({ maxLength: 200 }) : T.Optional(T.String({ maxLength: 200 })),
  parent: T.Optional(T.Union([T.String({ maxLength: 63 }), T.Null()])),
}, { additionalProperties: false });
const Group = T.Object({ name: T.String(), label: T.String(), members: T.Array(Uuid) });
const GroupInput = (create: boolean) => T.Object({
  ...(create ? { name: T.String({ maxLength: 63 }) } : {}),
  label: create ? T.String({ maxLength: 200 }) : T.Optional(T.String({ maxLength: 200 })),
  members: T.Optional(T.Array(T.String({ maxLength: 64 }), { maxItems: 10_000 })),
}, { additionalProperties: false });
const Sharing = T.Union([T.Literal('private'), T.Literal('public_read'), T.Literal('public_read_write')]);
const SharingRule = T.Object({ id: Uuid, object: T.String(), name: T.String(), condition: T.Unknown(), shareWithType: T.String(), shareWith: T.String(), access: T.String(), valid: T.Boolean() });
const SharingRuleInput = (create: boolean) => {
  const props = {
    object: T.String({ maxLength: 63 }),
    name: T.String({ maxLength: 200 }),
    condition: T.Unknown(),
    shareWithType: T.Union([T.Literal('role'), T.Literal('role_and_subordinates'), T.Literal('group')]),
    shareWith: T.String({ maxLength: 63 }),
    access: T.Union([T.Literal('read'), T.Literal('edit')]),
  };
  return create ? T.Object(props, { additionalProperties: false }) : T.Partial(T.Object(props), { additionalProperties: false });
};
const TeamMember = T.Object({ userId: Uuid, teamRole: T.Union([T.String(), T.Null()]), access: T.Union([T.Literal('read'), T.Literal('edit')]) });
const NameParams = T.Object({ name: T.String({ maxLength: 63 }) });
const IdParams = T.Object({ id: PathId });
const RecordParams = T.Object({ object: T.String({ maxLength: 63 }), id: T.String({ maxLength: 64 }) });
const tags = ['access'];

/** Admin API of the access model: /users, /profiles, /roles, /groups, /sharing-rules, /sharing-settings, record teams. */
export function registerAccessRoutes(app: FastifyInstance, platform: Platform) {
  const actorOf = requireActor;

  app.get('/api/v1/profiles', { ...adminsOnly, schema: routeSchema({ tags, operationId: 'listProfiles', summary: 'Profiles (admins)', response: { 200: DataList(Profile) } }) }, async (r) => ({ data: await listProfiles(platform, actorOf(r)) }));
  // The capabilities the running modules declare, for the profile editor.
  app.get('/api/v1/capabilities', {
    schema: routeSchema({ tags, operationId: 'listCapabilities', summary: 'Capabilities the modules declare, that profiles grant by name', response: { 200: DataList(T.Object({ name: T.String(), label: T.String(), description: T.String(), module: T.String() })) } }),
  }, async () => ({ data: declaredCapabilities(platform.modules) }));
  app.post('/api/v1/profiles', { ...adminsOnly, schema: routeSchema({ tags, operationId: 'createProfile', summary: 'Create a profile (admins)', body: ProfileInput(true), response: { 201: Profile } }) }, async (r, reply) => reply.status(201).send(await saveProfile({ platform, actor: actorOf(r), input: r.body })));
  app.patch('/api/v1/profiles/:name', { ...adminsOnly, schema: routeSchema({ tags, operationId: 'updateProfile', summary: 'Change a profile (admins)', params: NameParams, body: ProfileInput(false), response: { 200: Profile } }) }, async (r) => saveProfile({ platform, actor: actorOf(r), name: (r.params as P).name, input: r.body }));
  app.delete('/api/v1/profiles/:name', { ...adminsOnly, schema: routeSchema({ tags, operationId: 'deleteProfile', summary: 'Delete an unused profile (admins)', params: NameParams, response: { 204: NoContent } }) }, async (r, reply) => {
    await deleteProfile({ platform, actor: actorOf(r), name: (r.params as P).name });
    return reply.status(204).send();
  });

  app.get('/api/v1/roles', { ...adminsOnly, schema: routeSchema({ tags, operationId: 'listRoles', summary: 'The role hierarchy (admins)', response: { 200: DataList(Role) } }) }, async (r) => ({ data: await listRoles(platform, actorOf(r)) }));
  app.post('/api/v1/roles', { ...adminsOnly, schema: routeSchema({ tags, operationId: 'createRole', summary: 'Create a role (admins)', body: RoleInput(true), response: { 201: Role } }) }, async (r, reply) => reply.status(201).send(await saveRole({ platform, actor: actorOf(r), input: r.body })));
  app.patch('/api/v1/roles/:name', { ...adminsOnly, schema: routeSchema({ tags, operationId: 'updateRole', summary: 'Change a role (admins)', params: NameParams, body: RoleInput(false), response: { 200: Role } }) }, async (r) => saveRole({ platform, actor: actorOf(r), name: (r.params as P).name, input: r.body }));
  app.delete('/api/v1/roles/:name', { ...adminsOnly, schema: routeSchema({ tags, operationId: 'deleteRole', summary: 'Delete a role without users or children (admins)', params: NameParams, response: { 204: NoContent } }) }, async (r, reply) => {
    await deleteRole({ platform, actor: actorOf(r), name: (r.params as P).name });
    return reply.status(204).send();
  });

  app.get('/api/v1/groups', { ...adminsOnly, schema: routeSchema({ tags, operationId: 'listGroups', summary: 'Public groups (admins)', response: { 200: DataList(Group) } }) }, async (r) => ({ data: await listGroups(platform, actorOf(r)) }));
  app.post('/api/v1/groups', { ...adminsOnly, schema: routeSchema({ tags, operationId: 'createGroup', summary: 'Create a group (admins)', body: GroupInput(true), response: { 201: Group } }) }, async (r, reply) => reply.status(201).send(await saveGroup({ platform, actor: actorOf(r), input: r.body })));
  app.patch('/api/v1/groups/:name', { ...adminsOnly, schema: routeSchema({ tags, operationId: 'updateGroup', summary: 'Change a group (admins)', params: NameParams, body: GroupInput(false), response: { 200: Group } }) }, async (r) => saveGroup({ platform, actor: actorOf(r), name: (r.params as P).name, input: r.body }));
  app.delete('/api/v1/groups/:name', { ...adminsOnly, schema: routeSchema({ tags, operationId: 'deleteGroup', summary: 'Delete a group (admins)', params: NameParams, response: { 204: NoContent } }) }, async (r, reply) => {
    await deleteGroup({ platform, actor: actorOf(r), name: (r.params as P).name });
    return reply.status(204).send();
  });

  app.get('/api/v1/sharing-settings', { ...adminsOnly, schema: routeSchema({ tags, operationId: 'listSharingSettings', summary: 'Org-wide sharing per object (admins)', response: { 200: DataList(T.Object({ object: T.String(), sharing: Sharing, controlledBy: T.Optional(T.String({ description: 'The parent object whose access this detail object follows; its own setting does not apply' })) })) } }) }, async (r) => ({ data: await listObjectSharing(platform, actorOf(r)) }));
  app.put('/api/v1/sharing-settings/:object', {
    ...adminsOnly, schema: routeSchema({ tags, operationId: 'setSharingSetting', summary: "Set an object's org-wide sharing (admins)", params: T.Object({ object: T.String({ maxLength: 63 }) }), body: T.Object({ sharing: Sharing }, { additionalProperties: false }), response: { 200: T.Object({ object: T.String(), sharing: Sharing }) } }),
  }, async (r) => setObjectSharing({ platform, actor: actorOf(r), object: (r.params as P).object, input: r.body }));

  app.get('/api/v1/sharing-rules', { ...adminsOnly, schema: routeSchema({ tags, operationId: 'listSharingRules', summary: 'Sharing rules (admins)', response: { 200: DataList(SharingRule) } }) }, async (r) => ({ data: await listSharingRules(platform, actorOf(r)) }));
  app.post('/api/v1/sharing-rules', { ...adminsOnly, schema: routeSchema({ tags, operationId: 'createSharingRule', summary: 'Create a sharing rule (admins)', body: SharingRuleInput(true), response: { 201: SharingRule } }) }, async (r, reply) => reply.status(201).send(await saveSharingRule({ platform, actor: actorOf(r), input: r.body })));
  app.patch('/api/v1/sharing-rules/:id', { ...adminsOnly, schema: routeSchema({ tags, operationId: 'updateSharingRule', summary: 'Change a sharing rule (admins)', params: IdParams, body: SharingRuleInput(false), response: { 200: SharingRule } }) }, async (r) => saveSharingRule({ platform, actor: actorOf(r), id: (r.params as P).id, input: r.body }));
  app.delete('/api/v1/sharing-rules/:id', { ...adminsOnly, schema: routeSchema({ tags, operationId: 'deleteSharingRule', summary: 'Delete a sharing rule (admins)', params: IdParams, response: { 204: NoContent } }) }, async (r, reply) => {
    await deleteSharingRule({ platform, actor: actorOf(r), id: (r.params as P).id });
    return reply.status(204).send();
  });

  // Users: records of the user object plus what only admins set (password, profile, role).
  app.get('/api/v1/users', {
    schema: routeSchema({
      tags,
      operationId: 'listUsers',
      summary: 'Users (everyone may look users up)',
      querystring: T.Object({ sort: T.Optional(T.String({ maxLength: 200 })), limit: T.Optional(T.Integer({ minimum: 1, maximum: 200 })), cursor: T.Optional(T.String({ maxLength: 2000 })) }),
      response: { 200: T.Object({ data: T.Array(RecordSchema), nextCursor: T.Union([T.String(), T.Null()]) }) },
    }),
  }, async (r) => {
    const q = r.query as { sort?: string; limit?: number; cursor?: string };
    return listRecords({ ctx: { platform, actor: actorOf(r) }, object: platform.registry.requireObject('user'), sort: q.sort ?? 'full_name', limit: q.limit ?? 200, cursor: q.cursor });
  });
  app.post('/api/v1/users', {
    ...adminsOnly, schema: routeSchema({
      tags,
      operationId: 'createUserWithProfile',
      summary: 'Create a user with a profile, role and password (admins)',
      // Other user fields (title, time_zone, …) are checked by the record pipeline like any write.
      body: T.Object({ email: T.String({ maxLength: 320 }), password: T.Optional(T.String({ maxLength: 1000 })), profile: T.Optional(T.String({ maxLength: 63 })), role: T.Optional(T.Union([T.String({ maxLength: 63 }), T.Null()])), first_name: T.Optional(T.String({ maxLength: 200 })), last_name: T.Optional(T.String({ maxLength: 200 })) }, { additionalProperties: true }),
      response: { 201: RecordSchema },
    }),
  }, async (r, reply) => {
    const actor = actorOf(r);
    assertAdmin(actor, 'Only administrators can manage users');
    const b = r.body as Record<string, unknown>;
    const { email, password, profile, role, first_name, last_name, ...rest } = b;
    const user = await createUser({
      platform, actor,
      input: { email: email as string, password: password as string | undefined, profile: (profile as string | undefined) ?? 'standard', firstName: first_name as string | undefined, lastName: last_name as string | undefined },
    });
    const extra = { ...rest, ...(role !== undefined ? { role } : {}) };
    const result = Object.keys(extra).length ? await updateRecord({ ctx: { platform, actor }, object: platform.registry.requireObject('user'), id: user.id, input: extra }) : user;
    return reply.status(201).send(result);
  });
  app.put('/api/v1/users/:id/password', {
    schema: routeSchema({ tags, operationId: 'setUserPassword', summary: "Set your password, or (admins) anyone's", params: IdParams, body: T.Object({ password: T.String({ maxLength: 1000 }) }, { additionalProperties: false }), response: { 204: NoContent } }),
  }, async (r, reply) => {
    const actor = actorOf(r);
    const { id } = r.params as P;
    // Users change their own password; admins may reset anyone's.
    if (actor.userId !== id) assertAdmin(actor, 'Only administrators can set another user\'s password');
    await setPassword(platform, id, ((r.body ?? {}) as { password?: unknown }).password as string);
    return reply.status(204).send();
  });

  app.get('/api/v1/:object/:id/team', { schema: routeSchema({ tags, operationId: 'listRecordTeam', summary: "A record's team", params: RecordParams, response: { 200: DataList(TeamMember) } }) }, async (r) => {
    const p = r.params as P;
    return { data: await listTeam({ platform, actor: actorOf(r), object: p.object, id: p.id }) };
  });
  app.post('/api/v1/:object/:id/team', {
    schema: routeSchema({
      tags,
      operationId: 'setRecordTeamMember',
      summary: "Add or change a member of a record's team",
      params: RecordParams,
      body: T.Object({ userId: T.String({ maxLength: 64 }), teamRole: T.Optional(T.Union([T.String({ maxLength: 63 }), T.Null()])), access: T.Optional(T.Union([T.Literal('read'), T.Literal('edit')])) }, { additionalProperties: false }),
      response: { 200: DataList(TeamMember) },
    }),
  }, async (r) => {
    const p = r.params as P;
    return { data: await setTeamMember({ platform, actor: actorOf(r), object: p.object, id: p.id, input: r.body }) };
  });
  app.delete('/api/v1/:object/:id/team/:userId', {
    schema: routeSchema({ tags, operationId: 'removeRecordTeamMember', summary: "Remove a member of a record's team", params: T.Object({ object: T.String({ maxLength: 63 }), id: T.String({ maxLength: 64 }), userId: T.String({ maxLength: 64 }) }), response: { 200: DataList(TeamMember) } }),
  }, async (r) => {
    const p = r.params as P;
    return { data: await removeTeamMember({ platform, actor: actorOf(r), object: p.object, id: p.id, userId: p.userId }) };
  });
}
