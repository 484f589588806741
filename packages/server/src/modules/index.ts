import type { HookRegistry } from '../platform/records/hooks.ts';
import type { ObjectDefinition } from '../platform/metadata/types.ts';
import { user } from '../platform/access/objects.ts';
import { salesObjects } from './sales/index.ts';
import { activityObjects } from './activities/index.ts';

/** Every standard object shipped in code, from the platform and each module. */
export function standardObjects(): ObjectDefinition[] {
  return [user, ...salesObjects, ...activityObjects];
}

/** Each module registers its business rules on the record pipeline here. */
export function registerModuleHooks(_hooks: HookRegistry): void {}
