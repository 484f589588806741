import type { FastifyInstance } from 'fastify';
import type { Platform } from '../../kernel.ts';
import { createProvider, deleteProvider, listProviders, listSignInProviders, testProvider, updateProvider } from '../../auth/sso/providers.ts';
import { finishSignIn, SSO_COOKIE, SsoError, startSignIn } from '../../auth/sso/flow.ts';
import { passwordSignIn, passwordSignInOff, setPasswordSignIn } from '../../auth/sso/password-sign-in.ts';
import { SESSION_COOKIE, SESSION_DAYS } from '../../auth/sessions.ts';
import { adminsOnly, requireActor } from '../context.ts';
import { DataList, NoContent, PathId, T, Uuid, routeSchema } from '../schema/common.ts';

const tags = ['single sign-on'];
const Provider = T.Object({
  id: Uuid, name: T.String(), issuer: T.String(), clientId: T.String(), allowedDomains: T.Array(T.String()), defaultProfile: T.Union([T.String(), T.Null()]),
  enabled: T.Boolean(), createdAt: T.String({ format: 'date-time' }), updatedAt: T.String({ format: 'date-time' }),
});
const fields = {
  name: T.String({ minLength: 1, maxLength: 100 }),
  issuer: T.String({ minLength: 1, maxLength: 500 }),
  clientId: T.String({ minLength: 1, maxLength: 500 }),
  clientSecret: T.String({ minLength: 1, maxLength: 2000 }),
  allowedDomains: T.Array(T.String({ maxLength: 253 }), { minItems: 1, maxItems: 100 }),
  defaultProfile: T.Optional(T.Union([T.String({ maxLength: 100 }), T.Null()])),
  enabled: T.Optional(T.Boolean()),
};
const PasswordSignIn = T.Object({ userId: T.String(), passwordSignIn: T.Boolean() });
const Redirect = T.Null({ description: 'A redirect (302)' });

/**
 * Single sign-on: the admins' provider settings, the sign-in page's provider list, and the two
 * legs of the authorization code flow. The legs are browser navigations without a session
 * (`config.public`); a failure sends the browser back to the sign-in page with a reason code.
 */
export function registerSsoRoutes(app: FastifyInstance, platform: Platform) {
  const secure = platform.config.publicUrl.startsWith('https://');

  app.get('/api/v1/auth/sso/providers', {
    config: { public: true },
    schema: routeSchema({ tags, operationId: 'listSignInProviders', summary: 'Identity providers the sign-in page offers (public: ids and names only)', security: [], response: { 200: DataList(T.Object({ id: Uuid, name: T.String() })) } }),
  }, async () => ({ data: await listSignInProviders(platform) }));

  app.get('/auth/sso/:id/start', {
    config: { public: true },
    schema: routeSchema({ tags, operationId: 'startSingleSignOn', summary: "Sign in with a provider: redirects to the provider's sign-in page", security: [], params: T.Object({ id: PathId }), response: { 302: Redirect } }),
  }, async (request, reply) => {
    try {
      const { flowId, url } = await startSignIn(platform, (request.params as { id: string }).id);
      reply.setCookie(SSO_COOKIE, flowId, { path: '/auth/sso', httpOnly: true, sameSite: 'lax', secure, maxAge: 600 });
      return reply.redirect(url, 302);
    } catch (error) {
      if (error instanceof SsoError) return reply.redirect(`/login?sso_error=${error.reason}`, 302);
      throw error;
    }
  });

  app.get('/auth/sso/callback', {
    config: { public: true },
    schema: routeSchema({ tags, operationId: 'finishSingleSignOn', summary: "The provider's redirect back: signs the user in and redirects to the app (or to the sign-in page with sso_error)", security: [], response: { 302: Redirect } }),
  }, async (request, reply) => {
    reply.clearCookie(SSO_COOKIE, { path: '/auth/sso' });
    const query = request.url.includes('?') ? request.url.slice(request.url.indexOf('?') + 1) : '';
    try {
      const { sessionId } = await finishSignIn(platform, { flowId: request.cookies[SSO_COOKIE], query, ip: request.ip, userAgent: request.headers['user-agent'] });
      reply.setCookie(SESSION_COOKIE, sessionId, { path: '/', httpOnly: true, sameSite: 'lax', secure, maxAge: SESSION_DAYS * 86400 });
      return reply.redirect('/', 302);
    } catch (error) {
      if (error instanceof SsoError) return reply.redirect(`/login?sso_error=${error.reason}`, 302);
      throw error;
    }
  });

  app.get('/api/v1/sso/providers', {
    ...adminsOnly,
    schema: routeSchema({ tags, operationId: 'listIdentityProviders', summary: 'Configured identity providers (admins; never the client secret)', response: { 200: DataList(Provider) } }),
  }, async (request) => ({ data: await listProviders({ platform, actor: requireActor(request) }) }));

  app.post('/api/v1/sso/providers', {
    ...adminsOnly,
    schema: routeSchema({ tags, operationId: 'createIdentityProvider', summary: 'Configure an OpenID Connect identity provider', body: T.Object(fields, { additionalProperties: false }), response: { 201: Provider } }),
  }, async (request, reply) => reply.status(201).send(await createProvider({ platform, actor: requireActor(request), input: request.body as Record<string, unknown> })));

  app.patch('/api/v1/sso/providers/:id', {
    ...adminsOnly,
    schema: routeSchema({
      tags, operationId: 'updateIdentityProvider', summary: 'Change an identity provider (leave clientSecret out to keep it)', params: T.Object({ id: PathId }),
      body: T.Partial(T.Object(fields), { additionalProperties: false }), response: { 200: Provider },
    }),
  }, async (request) => updateProvider({ platform, actor: requireActor(request), id: (request.params as { id: string }).id, input: request.body as Record<string, unknown> }));

  app.delete('/api/v1/sso/providers/:id', {
    ...adminsOnly,
    schema: routeSchema({ tags, operationId: 'deleteIdentityProvider', summary: 'Remove an identity provider', params: T.Object({ id: PathId }), response: { 204: NoContent } }),
  }, async (request, reply) => {
    await deleteProvider({ platform, actor: requireActor(request), id: (request.params as { id: string }).id });
    return reply.status(204).send();
  });

  app.post('/api/v1/sso/providers/:id/test', {
    ...adminsOnly,
    schema: routeSchema({
      tags, operationId: 'testIdentityProvider', summary: "Test connection: fetch the provider's discovery document and check its issuer", params: T.Object({ id: PathId }),
      response: { 200: T.Object({ ok: T.Boolean(), message: T.String(), authorizationEndpoint: T.Optional(T.String()) }) },
    }),
  }, async (request) => testProvider({ platform, actor: requireActor(request), id: (request.params as { id: string }).id }));

  app.get('/api/v1/sso/password-sign-in-off', {
    ...adminsOnly,
    schema: routeSchema({ tags, operationId: 'listPasswordSignInOff', summary: 'Users whose password sign-in is turned off (admins)', response: { 200: DataList(Uuid) } }),
  }, async (request) => ({ data: await passwordSignInOff(platform, requireActor(request)) }));

  app.get('/api/v1/users/:id/password-sign-in', {
    ...adminsOnly,
    schema: routeSchema({ tags, operationId: 'getPasswordSignIn', summary: 'Whether the user may sign in with a password', params: T.Object({ id: PathId }), response: { 200: PasswordSignIn } }),
  }, async (request) => passwordSignIn(platform, requireActor(request), (request.params as { id: string }).id));

  app.put('/api/v1/users/:id/password-sign-in', {
    ...adminsOnly,
    schema: routeSchema({
      tags, operationId: 'setPasswordSignIn', summary: "Turn a user's password sign-in on or off (off also ends their sessions)", params: T.Object({ id: PathId }),
      body: T.Object({ enabled: T.Boolean() }, { additionalProperties: false }), response: { 200: PasswordSignIn },
    }),
  }, async (request) => setPasswordSignIn({ platform, actor: requireActor(request), userId: (request.params as { id: string }).id, enabled: (request.body as { enabled: boolean }).enabled }));
}
