import type { FastifyInstance } from 'fastify';
import { validationFailed } from '../../errors.ts';
import type { Platform } from '../../kernel.ts';
import {
  deleteGroup, deleteProfile, deleteRole, deleteSharingRule, listGroups, listObjectSharing, listProfiles, listRoles, listSharingRules,
  listTeam, removeTeamMember, saveGroup, saveProfile, saveRole, saveSharingRule, setObjectSharing, setTeamMember,
} from '../../access/admin.ts';
import { assertAdmin } from '../../access/policy.ts';
import { createUser, setPassword } from '../../auth/users.ts';
import { updateRecord } from '../../records/write.ts';
import { listRecords } from '../../records/read.ts';
import { requireActor } from '../context.ts';

type P = { name: string; id: string; object: string; userId: string };

/** Admin API of the access model: /users, /profiles, /roles, /groups, /sharing-rules, /sharing-settings, record teams. */
export function registerAccessRoutes(app: FastifyInstance, platform: Platform) {
  const actorOf = requireActor;

  app.get('/api/v1/profiles', async (r) => ({ data: await listProfiles(platform, actorOf(r)) }));
  app.post('/api/v1/profiles', async (r, reply) => reply.status(201).send(await saveProfile({ platform, actor: actorOf(r), input: r.body })));
  app.patch('/api/v1/profiles/:name', async (r) => saveProfile({ platform, actor: actorOf(r), name: (r.params as P).name, input: r.body }));
  app.delete('/api/v1/profiles/:name', async (r, reply) => {
    await deleteProfile({ platform, actor: actorOf(r), name: (r.params as P).name });
    return reply.status(204).send();
  });

  app.get('/api/v1/roles', async (r) => ({ data: await listRoles(platform, actorOf(r)) }));
  app.post('/api/v1/roles', async (r, reply) => reply.status(201).send(await saveRole({ platform, actor: actorOf(r), input: r.body })));
  app.patch('/api/v1/roles/:name', async (r) => saveRole({ platform, actor: actorOf(r), name: (r.params as P).name, input: r.body }));
  app.delete('/api/v1/roles/:name', async (r, reply) => {
    await deleteRole({ platform, actor: actorOf(r), name: (r.params as P).name });
    return reply.status(204).send();
  });

  app.get('/api/v1/groups', async (r) => ({ data: await listGroups(platform, actorOf(r)) }));
  app.post('/api/v1/groups', async (r, reply) => reply.status(201).send(await saveGroup({ platform, actor: actorOf(r), input: r.body })));
  app.patch('/api/v1/groups/:name', async (r) => saveGroup({ platform, actor: actorOf(r), name: (r.params as P).name, input: r.body }));
  app.delete('/api/v1/groups/:name', async (r, reply) => {
    await deleteGroup({ platform, actor: actorOf(r), name: (r.params as P).name });
    return reply.status(204).send();
  });

  app.get('/api/v1/sharing-settings', async (r) => ({ data: await listObjectSharing(platform, actorOf(r)) }));
  app.put('/api/v1/sharing-settings/:object', async (r) => setObjectSharing({ platform, actor: actorOf(r), object: (r.params as P).object, input: r.body }));

  app.get('/api/v1/sharing-rules', async (r) => ({ data: await listSharingRules(platform, actorOf(r)) }));
  app.post('/api/v1/sharing-rules', async (r, reply) => reply.status(201).send(await saveSharingRule({ platform, actor: actorOf(r), input: r.body })));
  app.patch('/api/v1/sharing-rules/:id', async (r) => saveSharingRule({ platform, actor: actorOf(r), id: (r.params as P).id, input: r.body }));
  app.delete('/api/v1/sharing-rules/:id', async (r, reply) => {
    await deleteSharingRule({ platform, actor: actorOf(r), id: (r.params as P).id });
    return reply.status(204).send();
  });

  // Users: records of the user object plus what only admins set (password, profile, role).
  app.get('/api/v1/users', async (r) => {
    const q = r.query as Record<string, string | undefined>;
    return listRecords({ ctx: { platform, actor: actorOf(r) }, object: platform.registry.requireObject('user'), sort: q.sort ?? 'full_name', limit: q.limit ? Number(q.limit) : 200, cursor: q.cursor });
  });
  app.post('/api/v1/users', async (r, reply) => {
    const actor = actorOf(r);
    assertAdmin(actor, 'Only administrators can manage users');
    const b = (r.body ?? {}) as Record<string, unknown>;
    if (typeof b !== 'object' || Array.isArray(b)) throw validationFailed([{ field: '', code: 'type', message: 'Send a JSON object' }]);
    const { email, password, profile, role, first_name, last_name, ...rest } = b;
    const user = await createUser({
      platform, actor,
      input: { email: email as string, password: password as string | undefined, profile: (profile as string | undefined) ?? 'standard', firstName: first_name as string | undefined, lastName: last_name as string | undefined },
    });
    const extra = { ...rest, ...(role !== undefined ? { role } : {}) };
    const result = Object.keys(extra).length ? await updateRecord({ ctx: { platform, actor }, object: platform.registry.requireObject('user'), id: user.id, input: extra }) : user;
    return reply.status(201).send(result);
  });
  app.put('/api/v1/users/:id/password', async (r, reply) => {
    const actor = actorOf(r);
    const { id } = r.params as P;
    // Users change their own password; admins may reset anyone's.
    if (actor.userId !== id) assertAdmin(actor, 'Only administrators can set another user\'s password');
    await setPassword(platform, id, ((r.body ?? {}) as { password?: unknown }).password as string);
    return reply.status(204).send();
  });

  app.get('/api/v1/:object/:id/team', async (r) => {
    const p = r.params as P;
    return { data: await listTeam({ platform, actor: actorOf(r), object: p.object, id: p.id }) };
  });
  app.post('/api/v1/:object/:id/team', async (r) => {
    const p = r.params as P;
    return { data: await setTeamMember({ platform, actor: actorOf(r), object: p.object, id: p.id, input: r.body }) };
  });
  app.delete('/api/v1/:object/:id/team/:userId', async (r) => {
    const p = r.params as P;
    return { data: await removeTeamMember({ platform, actor: actorOf(r), object: p.object, id: p.id, userId: p.userId }) };
  });
}
