import Fastify, { type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import cookie from '@fastify/cookie';
import { unauthenticated } from '../errors.ts';
import type { Platform } from '../kernel.ts';
import { actorFromSession, actorFromToken, SESSION_COOKIE } from '../auth/sessions.ts';
import { sendProblem } from './problem.ts';
import { buildOpenApi } from './openapi.ts';
import { requireActor } from './context.ts';
import { registerAuthRoutes } from './routes/auth.ts';
import { registerMetadataRoutes } from './routes/metadata.ts';
import { registerRecordRoutes } from './routes/records.ts';
import { registerRecycleBinRoutes } from './routes/recycle-bin.ts';
import { registerAccessRoutes } from './routes/access.ts';
import { registerSearchRoutes } from './routes/search.ts';
import { registerViewRoutes } from './routes/views.ts';
import { registerDemoRoutes } from '../../modules/demo/routes.ts';
import { registerModuleRoutes } from '../../modules/index.ts';
import { registerEventsHttp } from '../events/index.ts';

const PUBLIC_ROUTES = new Set(['/api/v1/health', '/api/v1/auth/login', '/api/v1/auth/logout', '/api/v1/auth/setup', '/api/v1/auth/status']);
/** Everything under this prefix is for visitors without an account (booking pages); those routes expose only what they publish. */
const isPublic = (path: string) => PUBLIC_ROUTES.has(path) || path.startsWith('/api/v1/public/');

export interface AppOptions {
  /** Extra route registrations (the web app's static files, module routes). */
  plugins?: Array<(app: FastifyInstance, platform: Platform) => void | Promise<void>>;
  logger?: boolean;
}

export async function buildApp(platform: Platform, options: AppOptions = {}): Promise<FastifyInstance> {
  const app: FastifyInstance = Fastify({
    loggerInstance: (options.logger === false ? undefined : platform.logger) as FastifyBaseLogger | undefined,
    bodyLimit: platform.config.bodyLimitBytes,
    trustProxy: process.env.MERIDIAN_TRUST_PROXY === 'true',
    routerOptions: { maxParamLength: 200 },
  });
  await app.register(cookie);
  // Every route is listed in the OpenAPI document; generic record routes are expanded per object there.
  const routes: Array<{ method: string; url: string }> = [];
  app.addHook('onRoute', (route) => {
    for (const method of [route.method].flat()) if (method !== 'HEAD') routes.push({ method, url: route.url });
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
    const auth = request.headers.authorization;
    if (auth) {
      const m = /^Bearer\s+(\S+)$/i.exec(auth);
      if (!m) throw unauthenticated('Use Authorization: Bearer <token>');
      request.actor = await actorFromToken(platform, m[1]!);
      return;
    }
    const sid = request.cookies[SESSION_COOKIE];
    if (sid) {
      try {
        request.actor = await actorFromSession(platform, sid);
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
  app.get('/api/v1/openapi.json', async (request) => {
    await platform.registry.ensureFresh();
    return buildOpenApi({ registry: platform.registry, actor: requireActor(request), serverUrl: platform.config.publicUrl, routes });
  });
  registerMetadataRoutes(app, platform);
  registerRecycleBinRoutes(app, platform);
  registerAccessRoutes(app, platform);
  registerSearchRoutes(app, platform);
  registerViewRoutes(app, platform);
  registerDemoRoutes(app, platform);
  // Module routes first in source order; static segments (/lead/:id/convert) win over /:object/:id anyway.
  registerModuleRoutes(app, platform);
  registerRecordRoutes(app, platform);
  for (const plugin of options.plugins ?? []) await plugin(app, platform);
  return app;
}
