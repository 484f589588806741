import type { FastifyInstance, FastifyReply } from 'fastify';
import { sql } from 'kysely';
import type { Platform } from '../../kernel.ts';
import { completeSetup, hasAnyUser } from '../../auth/setup.ts';
import { createApiToken, listApiTokens, login, logout, revokeApiToken, SESSION_COOKIE, SESSION_DAYS } from '../../auth/sessions.ts';
import { getRecord } from '../../records/read.ts';
import { requireActor } from '../context.ts';
import { NoContent, RecordSchema, T, Uuid, routeSchema, PathId } from '../schema/common.ts';

const SignedInUser = T.Object({ user: T.Object({ id: Uuid, email: T.String(), name: T.Union([T.String(), T.Null()]), profile: T.Union([T.String(), T.Null()]) }) });
const Credentials = T.Object({ email: T.String({ minLength: 1, maxLength: 320 }), password: T.String({ minLength: 1, maxLength: 1000 }) }, { additionalProperties: false });
const TokenInfo = T.Object({ id: Uuid, name: T.String(), prefix: T.String(), createdAt: T.String({ format: 'date-time' }), lastUsedAt: T.Union([T.String({ format: 'date-time' }), T.Null()]), expiresAt: T.Union([T.String({ format: 'date-time' }), T.Null()]) });
const auth = { tags: ['auth'] };

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
  app.post('/api/v1/auth/login', {
    schema: routeSchema({ ...auth, operationId: 'login', summary: 'Sign in (sets the session cookie)', security: [], body: Credentials, response: { 200: SignedInUser } }),
  }, async (request, reply) => {
    const body = request.body as { email: string; password: string };
    const { sessionId, user } = await login({ platform, email: body.email, password: body.password, ip: request.ip, userAgent: request.headers['user-agent'] });
    setSessionCookie(reply, platform, sessionId);
    return { user: { id: user.id, email: user.email, name: user.full_name, profile: user.profile } };
  });

  app.post('/api/v1/auth/logout', { schema: routeSchema({ ...auth, operationId: 'logout', summary: 'Sign out', security: [], response: { 204: NoContent } }) }, async (request, reply) => {
    const sid = request.cookies[SESSION_COOKIE];
    if (sid) await logout(platform, sid);
    reply.clearCookie(SESSION_COOKIE, { path: '/' });
    return reply.status(204).send();
  });

  /** What the web app needs before sign-in: is there an admin yet? */
  app.get('/api/v1/auth/status', {
    schema: routeSchema({ ...auth, operationId: 'getAuthStatus', summary: 'Whether first-run setup is needed', security: [], response: { 200: T.Object({ setupRequired: T.Boolean() }) } }),
  }, async () => ({ setupRequired: !(await hasAnyUser(platform)) }));

  app.post('/api/v1/auth/setup', {
    schema: routeSchema({
      ...auth,
      operationId: 'completeSetup',
      summary: 'Create the first administrator with the one-time setup token',
      security: [],
      body: T.Object({
        token: T.String({ minLength: 1, maxLength: 200 }),
        email: T.String({ minLength: 1, maxLength: 320 }),
        password: T.String({ minLength: 1, maxLength: 1000 }),
        firstName: T.Optional(T.String({ maxLength: 200 })),
        lastName: T.Optional(T.String({ maxLength: 200 })),
      }, { additionalProperties: false }),
      response: { 201: SignedInUser },
    }),
  }, async (request, reply) => {
    const body = request.body as Record<string, unknown>;
    await completeSetup({ platform, input: body });
    const { sessionId, user } = await login({ platform, email: body.email, password: body.password, ip: request.ip, userAgent: request.headers['user-agent'] });
    setSessionCookie(reply, platform, sessionId);
    return reply.status(201).send({ user: { id: user.id, email: user.email, name: user.full_name, profile: user.profile } });
  });

  app.get('/api/v1/me', {
    schema: routeSchema({ ...auth, operationId: 'getMe', summary: 'The signed-in user', response: { 200: T.Intersect([RecordSchema, T.Object({ isAdmin: T.Boolean(), via: T.String() })]) } }),
  }, async (request) => {
    const actor = requireActor(request);
    const user = await getRecord({ ctx: { platform, actor }, object: platform.registry.requireObject('user'), id: actor.userId! });
    return { ...user, isAdmin: actor.isAdmin, via: actor.via };
  });

  app.get('/api/v1/auth/tokens', {
    schema: routeSchema({ ...auth, operationId: 'listApiTokens', summary: "Your API tokens (never the secrets)", response: { 200: T.Object({ data: T.Array(TokenInfo) }) } }),
  }, async (request) => ({ data: await listApiTokens({ platform, actor: requireActor(request) }) }));
  app.post('/api/v1/auth/tokens', {
    schema: routeSchema({
      ...auth,
      operationId: 'createApiToken',
      summary: 'Create an API token; the secret is answered once',
      body: T.Object({ name: T.String({ minLength: 1, maxLength: 100 }), expiresInDays: T.Optional(T.Union([T.Integer({ minimum: 1, maximum: 3650 }), T.Null()])) }, { additionalProperties: false }),
      response: { 201: T.Intersect([TokenInfo, T.Object({ token: T.String() })]) },
    }),
  }, async (request, reply) => {
    const body = request.body as { name: string; expiresInDays?: number | null };
    const token = await createApiToken({ platform, actor: requireActor(request), name: body.name, expiresInDays: body.expiresInDays });
    return reply.status(201).send(token);
  });
  app.delete('/api/v1/auth/tokens/:id', {
    schema: routeSchema({ ...auth, operationId: 'revokeApiToken', summary: 'Revoke an API token', params: T.Object({ id: PathId }), response: { 204: NoContent } }),
  }, async (request, reply) => {
    await revokeApiToken({ platform, actor: requireActor(request), id: (request.params as { id: string }).id });
    return reply.status(204).send();
  });

  app.get('/api/v1/health', {
    schema: routeSchema({
      tags: ['health'],
      operationId: 'getHealth',
      summary: 'Health and database kind',
      security: [],
      response: { 200: T.Object({ status: T.Literal('ok'), database: T.Object({ kind: T.Union([T.Literal('pglite'), T.Literal('postgres')]), version: T.String() }) }) },
    }),
  }, async () => {
    const r = await sql<{ v: string }>`SELECT version() AS v`.execute(platform.db);
    const full = r.rows[0]!.v;
    return {
      status: 'ok',
      database: { kind: platform.database.kind, version: /PostgreSQL ([\d.]+)/.exec(full)?.[1] ?? full },
    };
  });
}
