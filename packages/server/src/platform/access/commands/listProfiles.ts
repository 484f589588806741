import type { Platform } from '../../kernel.ts';
import type { Actor } from '../../records/context.ts';
import { assertAdmin } from '../policy.ts';
import { accessModel } from '../info.ts';

export async function listProfiles(platform: Platform, actor: Actor) {
  assertAdmin(actor);
  return [...(await accessModel(platform)).profiles.values()];
}
