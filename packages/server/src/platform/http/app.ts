import zlib from 'node:zlib';
import compress from '@fastify/compress';
import Fastify, { type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import cookie from '@fastify/cookie';
import { unauthenticated } from '../errors.ts';
import type { Platform } from '../kernel.ts';
import { actorFromSession, actorFromToken, SESSION_COOKIE } from '../auth/sessions.ts';
import { sendProblem } from './problem.ts';
import { buildOpenApi, type RouteInfo } from './openapi.ts';
import { installValidator } from './schema/validator.ts';
import { clientErrorHandler, frameworkErrors } from './early-errors.ts';
import { installJsonBodyParser } from './body.ts';
import { checkResponsesAgainstSchemas } from './schema/response-check.ts';
import { presentForActor } from '../records/present.ts';
import { requireActor } from './context.ts';
import { registerAuthRoutes } from './routes/auth.ts';
import { registerOAuthRoutes } from './routes/oauth.ts';
import { registerSsoRoutes } from './routes/sso.ts';
import { registerMetadataRoutes } from './routes/metadata.ts';
import { reserveRouteSegment } from '../metadata/validate-definition.ts';
import { registerRecordRoutes } from './routes/records.ts';
import { registerRecycleBinRoutes } from './routes/recycle-bin.ts';
import { registerAccessRoutes } from './routes/access.ts';
import { registerSearchRoutes } from './routes/search.ts';
import { registerViewRoutes } from './routes/views.ts';
import { registerEventsHttp } from '../events/index.ts';
import { registerNotificationRoutes } from '../notifications/routes.ts';
import { registerJobRoutes } from '../jobs/routes.ts';
import { registerPicklistRoutes } from './routes/picklists.ts';

const PUBLIC_ROUTES = new Set(['/api/v1/health', '/api/v1/auth/login', '/api/v1/auth/logout', '/api/v1/auth/setup', '/api/v1/auth/status']);
/** Everything under this prefix is for visitors without an account (booking pages); those routes expose only what they publish. */
const isPublic = (path: string) => PUBLIC_ROUTES.has(path) || path.startsWith('/api/v1/public/');

export interface AppOptions {
  /** Extra route registrations (the web app's static files, module routes). */
  plugins?: Array<(app: FastifyInstance, platform: Platform) => void | Promise<void>>;
  logger?: boolean;
  /** Check every JSON answer against the response schema its route declares (the test servers). */
  checkResponses?: boolean;
}

export async function buildApp(platform: Platform, options: AppOptions = {}): Promise<FastifyInstance> {
  const app: FastifyInstance = Fastify({
    loggerInstance: (options.logger === false ? undefined : platform.logger) as FastifyBaseLogger | undefined,
    bodyLimit: platform.config.bodyLimitBytes,
    trustProxy: platform.config.trustProxy,
    routerOptions: { maxParamLength: 200 },
    frameworkErrors,
    clientErrorHandler,
  });
  await app.register(cookie);
  // brotli or gzip for answers of 1 KB and more (the web bundle, JSON lists); smaller ones are
  // cheaper sent as they are. The notification stream takes over the raw response (hijack), so
  // it is never compressed or buffered.
  await app.register(compress, { global: true, threshold: 1024, encodings: ['br', 'gzip'], brotliOptions: { params: { [zlib.constants.BROTLI_PARAM_QUALITY]: 4 } } });
  // Declared schemas validate input (strict bodies, coerced path and query); answers are written
  // with JSON.stringify, never reshaped by a schema — the test servers check them instead.
  installValidator(app);
  installJsonBodyParser(app);
  app.setSerializerCompiler(() => (data) => JSON.stringify(data));
  if (options.checkResponses) checkResponsesAgainstSchemas(app);
  // Every record in every answer is presented for the caller: hidden fields never leave the server.
  app.addHook('preSerialization', async (request, _reply, payload) => (request.actor ? presentForActor(platform.registry, request.actor, payload) : payload));
  // Every route is listed in the OpenAPI document with the schemas it declares; generic record
  // routes are expanded per object there.
  const routes: RouteInfo[] = [];
  app.addHook('onRoute', (route) => {
    for (const method of [route.method].flat()) if (method !== 'HEAD') routes.push({ method, url: route.url, schema: route.schema as RouteInfo['schema'] });
    reserveRouteSegment(route.url);
  });

  app.setErrorHandler((error, request, reply) => sendProblem(error, request, reply));
  app.setNotFoundHandler((request, reply) => {
    reply.status(404).type('application/problem+json').send({ type: 'https://meridian.dev/problems/not-found', title: 'Not found', status: 404, code: 'not_found', detail: `No route ${request.method} ${request.url.split('?')[0]}`, errors: [] });
  });

  // Rate limits, sign-in audit and lock-out, webhook and audit-log routes (events/index.ts).
  // Before authentication, so the per-IP limit also counts requests with refused credentials.
  await registerEventsHttp(app, platform);

  // Authentication: a Bearer API token, or the session cookie of the web app.
  app.addHook('onRequest', async (request) => {
    const path = request.url.split('?')[0]!;
    if (!path.startsWith('/api/')) return;
    // A route a module declares public (`config: { public: true }`: a shop's signed order intake)
    // authenticates its callers itself and never reads a session or token.
    if (request.routeOptions.config?.public === true) return;
    const auth = request.headers.authorization;
    if (auth) {
      const m = /^Bearer\s+(\S+)$/i.exec(auth);
      if (!m) throw unauthenticated('Use Authorization: Bearer <token>');
      request.actor = await actorFromToken(platform, m[1]!, { version: request.authVersion });
      return;
    }
    const sid = request.cookies[SESSION_COOKIE];
    if (sid) {
      try {
        request.actor = await actorFromSession(platform, sid, { version: request.authVersion });
      } catch (error) {
        if (!isPublic(path)) throw error;
      }
      return;
    }
    if (!isPublic(path)) throw unauthenticated();
  });

  // Cookie-authenticated writes must come from our own pages (CSRF): browsers send Origin on
  // cross-site POSTs, and the JSON content type cannot be sent by a plain HTML form.
  app.addHook('preHandler', async (request) => {
    if (['GET', 'HEAD', 'OPTIONS'].includes(request.method) || request.headers.authorization) return;
    const origin = request.headers.origin;
    if (origin && request.headers.host && new URL(origin).host !== request.headers.host) throw unauthenticated('Cross-site request refused');
  });

  registerAuthRoutes(app, platform);
  registerOAuthRoutes(app, platform);
  registerSsoRoutes(app, platform);
  app.get('/api/v1/openapi.json', async (request) => {
    await platform.registry.ensureFresh();
    return buildOpenApi({ registry: platform.registry, actor: requireActor(request), serverUrl: platform.config.publicUrl, routes });
  });
  registerMetadataRoutes(app, platform);
  registerRecycleBinRoutes(app, platform);
  registerAccessRoutes(app, platform);
  registerSearchRoutes(app, platform);
  registerViewRoutes(app, platform);
  registerNotificationRoutes(app, platform);
  registerJobRoutes(app, platform);
  registerPicklistRoutes(app, platform);
  // Module routes before the generic ones in source order; static segments (/lead/:id/convert) win over /:object/:id anyway.
  for (const m of platform.modules) await m.routes?.(app, platform);
  registerRecordRoutes(app, platform);
  for (const plugin of options.plugins ?? []) await plugin(app, platform);
  return app;
}
