import type { Platform } from '../../kernel.ts';
import type { Actor } from '../../records/context.ts';
import { assertAdmin } from '../policy.ts';
import { accessModel } from '../info.ts';

export async function listSharingRules(platform: Platform, actor: Actor) {
  assertAdmin(actor);
  return (await accessModel(platform)).rules.map(({ parsed: _p, ...rule }) => ({ ...rule, valid: Boolean(_p) }));
}
