import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Platform } from '../../kernel.ts';
import { createClient, listClients, revokeClient, rotateClientSecret } from '../../auth/oauth/clients.ts';
import { issueToken, OAuthError } from '../../auth/oauth/token.ts';
import { AppError } from '../../errors.ts';
import { adminsOnly, requireActor } from '../context.ts';
import { DataList, NoContent, PathId, T, Uuid, routeSchema } from '../schema/common.ts';

const Nullable = T.Union([T.String(), T.Null()]);
const ClientSchema = T.Object({
  id: Uuid, clientId: T.String(), name: T.String(), scopes: T.Array(T.String()), userId: Uuid, userEmail: Nullable, secretPrefix: T.String(),
  createdAt: T.String({ format: 'date-time' }), secretRotatedAt: Nullable, lastUsedAt: Nullable, revokedAt: Nullable,
});
const WithSecret = T.Intersect([ClientSchema, T.Object({ clientSecret: T.String({ description: 'Shown once; only its hash is kept' }) })]);
const OAuthErrorSchema = T.Object({ error: T.String(), error_description: T.String() });
const tags = ['integration clients'];

/** HTTP Basic client authentication (RFC 6749 §2.3.1): form-urlencoded id and secret, base64-encoded. */
function basicCredentials(request: FastifyRequest): { id: string; secret: string } | undefined {
  const m = /^Basic\s+(\S+)$/i.exec(request.headers.authorization ?? '');
  if (!m) return undefined;
  const decoded = Buffer.from(m[1]!, 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon < 0) return undefined;
  const unescape = (s: string) => {
    try {
      return decodeURIComponent(s.replace(/\+/g, ' '));
    } catch {
      return s;
    }
  };
  return { id: unescape(decoded.slice(0, colon)), secret: unescape(decoded.slice(colon + 1)) };
}

function sendOAuthError(error: FastifyError | OAuthError, reply: FastifyReply) {
  // Too many requests from this address (platform/events/security.ts set Retry-After): 429 in the
  // endpoint's own error shape, not a form error.
  if (error instanceof AppError && error.code === 'rate_limited') {
    return reply.header('cache-control', 'no-store').status(429).type('application/json').send({ error: 'rate_limited', error_description: error.message });
  }
  const e = error instanceof OAuthError ? error : new OAuthError('invalid_request', 'The request body must be application/x-www-form-urlencoded');
  if (e.status === 401) reply.header('www-authenticate', 'Basic realm="meridian"');
  reply.header('cache-control', 'no-store').status(e.status).type('application/json').send({ error: e.error, error_description: e.description });
}

/**
 * The token endpoint and the admins' integration-client routes. `/oauth/token` lives outside
 * `/api/` (the request gate's session and Bearer checks do not apply): the client authenticates
 * with its id and secret, by HTTP Basic or in the form (client_secret_post).
 */
export function registerOAuthRoutes(app: FastifyInstance, platform: Platform) {
  void app.register(async (scope) => {
    scope.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string', bodyLimit: 8192 }, (_request, body, done) => {
      done(null, Object.fromEntries(new URLSearchParams(String(body))));
    });
    scope.post('/oauth/token', {
      schema: routeSchema({
        tags, operationId: 'issueOAuthToken', security: [],
        summary: 'OAuth 2.0 client credentials grant: a short-lived Bearer token for an integration client',
        description: 'Form-encoded: grant_type=client_credentials, optional scope (space-separated); client id and secret by HTTP Basic or as client_id/client_secret. Errors follow RFC 6749 §5.2.',
        response: { 200: T.Object({ access_token: T.String(), token_type: T.Literal('Bearer'), expires_in: T.Integer(), scope: T.String() }), 400: OAuthErrorSchema, 401: OAuthErrorSchema, 429: OAuthErrorSchema },
      }),
      errorHandler: (error, _request, reply) => sendOAuthError(error as FastifyError, reply),
    }, async (request, reply) => {
      const body = (request.body && typeof request.body === 'object' ? request.body : {}) as Record<string, string | undefined>;
      const basic = basicCredentials(request);
      if (basic && body.client_secret) throw new OAuthError('invalid_request', 'Authenticate the client one way only (HTTP Basic or the form)');
      const token = await issueToken(platform, {
        grantType: body.grant_type,
        clientId: basic?.id ?? body.client_id,
        clientSecret: basic?.secret ?? body.client_secret,
        scope: body.scope,
        ip: request.ip,
      });
      reply.header('cache-control', 'no-store').header('pragma', 'no-cache');
      return token;
    });
  });

  app.get('/api/v1/integration-clients', {
    ...adminsOnly,
    schema: routeSchema({ tags, operationId: 'listIntegrationClients', summary: 'Integration clients (admins; never the secrets)', response: { 200: DataList(ClientSchema) } }),
  }, async (request) => ({ data: await listClients({ platform, actor: requireActor(request) }) }));

  app.post('/api/v1/integration-clients', {
    ...adminsOnly,
    schema: routeSchema({
      tags, operationId: 'createIntegrationClient', summary: 'Register an integration client; the secret is answered once',
      body: T.Object({ name: T.String({ minLength: 1, maxLength: 100 }), scopes: T.Array(T.String({ maxLength: 200 }), { minItems: 1, maxItems: 200 }), userId: Uuid }, { additionalProperties: false }),
      response: { 201: WithSecret },
    }),
  }, async (request, reply) => reply.status(201).send(await createClient({ platform, actor: requireActor(request), input: request.body as Record<string, unknown> })));

  app.post('/api/v1/integration-clients/:id/rotate-secret', {
    ...adminsOnly,
    schema: routeSchema({ tags, operationId: 'rotateIntegrationClientSecret', summary: 'A new secret, answered once; the old secret and the tokens issued with it stop working at once', params: T.Object({ id: PathId }), response: { 200: WithSecret } }),
  }, async (request) => rotateClientSecret({ platform, actor: requireActor(request), id: (request.params as { id: string }).id }));

  app.delete('/api/v1/integration-clients/:id', {
    ...adminsOnly,
    schema: routeSchema({ tags, operationId: 'revokeIntegrationClient', summary: 'Revoke an integration client: its tokens stop working at once', params: T.Object({ id: PathId }), response: { 204: NoContent } }),
  }, async (request, reply) => {
    await revokeClient({ platform, actor: requireActor(request), id: (request.params as { id: string }).id });
    return reply.status(204).send();
  });
}
