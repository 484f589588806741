import type { FastifyInstance } from 'fastify';
import type { HookRegistry } from '../platform/records/hooks.ts';
import type { ObjectDefinition } from '../platform/metadata/types.ts';
import type { Platform } from '../platform/kernel.ts';
import type { JobDefinition } from '../platform/jobs/boss.ts';
import { user } from '../platform/access/objects.ts';
import { salesObjects } from './sales/index.ts';
import { activityObjects } from './activities/index.ts';

/**
 * The modules' entry points. A module contributes standard objects, hooks on the record
 * pipeline, routes beyond generic CRUD and jobs — each through its own index.ts.
 */
export function standardObjects(): ObjectDefinition[] {
  return [user, ...salesObjects, ...activityObjects];
}

export function registerModuleHooks(_hooks: HookRegistry): void {}

export function registerModuleRoutes(_app: FastifyInstance, _platform: Platform): void {}

export function moduleJobs(): JobDefinition[] {
  return [];
}
