import type { FastifyRequest } from 'fastify';
import { unauthenticated } from '../errors.ts';
import type { Platform } from '../kernel.ts';
import type { Actor, RecordContext } from '../records/context.ts';

declare module 'fastify' {
  interface FastifyRequest {
    actor?: Actor;
  }
}

export function requireActor(request: FastifyRequest): Actor {
  if (!request.actor) throw unauthenticated();
  return request.actor;
}

export function recordContext(platform: Platform, request: FastifyRequest): RecordContext {
  return { platform, actor: requireActor(request) };
}
