import type { FastifyRequest } from 'fastify';
import { forbidden, unauthenticated } from '../errors.ts';
import type { Platform } from '../kernel.ts';
import type { Actor, RecordContext } from '../records/context.ts';

declare module 'fastify' {
  interface FastifyRequest {
    actor?: Actor;
  }
  interface FastifyContextConfig {
    /** The route authenticates its callers itself (a signature): no session or token is read (http/app.ts). */
    public?: boolean;
  }
}

export function requireActor(request: FastifyRequest): Actor {
  if (!request.actor) throw unauthenticated();
  return request.actor;
}

export function recordContext(platform: Platform, request: FastifyRequest): RecordContext {
  return { platform, actor: requireActor(request) };
}

/**
 * Route option for administrator-only routes: refuses others with 403 before the body is
 * validated, so a non-admin learns nothing of the route's input rules.
 */
export const adminsOnly = {
  preValidation: async (request: FastifyRequest) => {
    if (!requireActor(request).isAdmin) throw forbidden('This needs administrator rights');
  },
};
