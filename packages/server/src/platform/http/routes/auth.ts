import type { FastifyInstance, FastifyReply } from 'fastify';
import { sql } from 'kysely';
import { validationFailed } from '../../errors.ts';
import type { Platform } from '../../kernel.ts';
import { completeSetup, hasAnyUser } from '../../auth/setup.ts';
import { createApiToken, listApiTokens, login, logout, revokeApiToken, SESSION_COOKIE, SESSION_DAYS } from '../../auth/sessions.ts';
import { getRecord } from '../../records/read.ts';
import { requireActor } from '../context.ts';

function setSessionCookie(reply: FastifyReply, platform: Platform, sessionId: string) {
  reply.setCookie(SESSION_COOKIE, sessionId, {
    path: '/',
    httpOnly: true,
    sameSite: 'lax',
    secure: platform.config.publicUrl.startsWith('https://'),
    maxAge: SESSION_DAYS * 86400,
  });
}

export function registerAuthRoutes(app: FastifyInstance, platform: Platform) {
  app.post('/api/v1/auth/login', async (request, reply) => {
    const body = (request.body ?? {}) as Record<string, unknown>;
    const { sessionId, user } = await login({ platform, email: body.email, password: body.password, ip: request.ip, userAgent: request.headers['user-agent'] });
    setSessionCookie(reply, platform, sessionId);
    return { user: { id: user.id, email: user.email, name: user.full_name, profile: user.profile } };
  });

  app.post('/api/v1/auth/logout', async (request, reply) => {
    const sid = request.cookies[SESSION_COOKIE];
    if (sid) await logout(platform, sid);
    reply.clearCookie(SESSION_COOKIE, { path: '/' });
    return reply.status(204).send();
  });

  /** What the web app needs before sign-in: is there an admin yet? */
  app.get('/api/v1/auth/status', async () => ({ setupRequired: !(await hasAnyUser(platform)) }));

  app.post('/api/v1/auth/setup', async (request, reply) => {
    const body = request.body as Record<string, unknown>;
    if (!body || typeof body !== 'object') throw validationFailed([{ field: '', code: 'type', message: 'Send {token, email, password, firstName, lastName}' }]);
    await completeSetup({ platform, input: body });
    const { sessionId, user } = await login({ platform, email: body.email, password: body.password, ip: request.ip, userAgent: request.headers['user-agent'] });
    setSessionCookie(reply, platform, sessionId);
    return reply.status(201).send({ user: { id: user.id, email: user.email, name: user.full_name, profile: user.profile } });
  });

  app.get('/api/v1/me', async (request) => {
    const actor = requireActor(request);
    const user = await getRecord({ ctx: { platform, actor }, object: platform.registry.requireObject('user'), id: actor.userId! });
    return { ...user, isAdmin: actor.isAdmin, via: actor.via };
  });

  app.get('/api/v1/auth/tokens', async (request) => ({ data: await listApiTokens({ platform, actor: requireActor(request) }) }));
  app.post('/api/v1/auth/tokens', async (request, reply) => {
    const body = (request.body ?? {}) as Record<string, unknown>;
    const token = await createApiToken({ platform, actor: requireActor(request), name: body.name, expiresInDays: body.expiresInDays });
    return reply.status(201).send(token);
  });
  app.delete('/api/v1/auth/tokens/:id', async (request, reply) => {
    await revokeApiToken({ platform, actor: requireActor(request), id: (request.params as { id: string }).id });
    return reply.status(204).send();
  });

  app.get('/api/v1/health', async () => {
    const r = await sql<{ v: string }>`SELECT version() AS v`.execute(platform.db);
    const full = r.rows[0]!.v;
    return {
      status: 'ok',
      database: { kind: platform.database.kind, version: /PostgreSQL ([\d.]+)/.exec(full)?.[1] ?? full },
    };
  });
}
