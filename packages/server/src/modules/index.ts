import type { FastifyInstance } from 'fastify';
import type { HookRegistry } from '../platform/records/hooks.ts';
import type { ObjectDefinition } from '../platform/metadata/types.ts';
import type { Platform } from '../platform/kernel.ts';
import type { JobDefinition } from '../platform/jobs/boss.ts';
import { user } from '../platform/access/objects.ts';
import { registerSalesHooks, registerSalesRoutes, salesJobs, salesObjects, startSales } from './sales/index.ts';
import { activityJobs, activityObjects, registerActivityHooks, registerActivityRoutes, startActivities } from './activities/index.ts';

/**
 * The modules' entry points. A module contributes standard objects, hooks on the record
 * pipeline, routes beyond generic CRUD, jobs and idempotent start-up work — each through its own index.ts.
 */
export function standardObjects(): ObjectDefinition[] {
  return [user, ...salesObjects, ...activityObjects];
}

export function registerModuleHooks(hooks: HookRegistry): void {
  registerSalesHooks(hooks);
  registerActivityHooks(hooks);
}

export function registerModuleRoutes(app: FastifyInstance, platform: Platform): void {
  registerSalesRoutes(app, platform);
  registerActivityRoutes(app, platform);
}

export function moduleJobs(): JobDefinition[] {
  return [...salesJobs(), ...activityJobs()];
}

/** Runs at boot after hooks are registered (platform/boot.ts): seeds and indexes the modules need. */
export async function moduleStartup(platform: Platform): Promise<void> {
  await startSales(platform);
  await startActivities(platform);
}
