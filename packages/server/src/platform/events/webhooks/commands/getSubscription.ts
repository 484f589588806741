import type { Platform } from '../../../kernel.ts';
import type { Actor } from '../../../records/context.ts';
import { assertAdmin } from '../../../access/policy.ts';
import { load } from './input.ts';
import { present } from './presenters.ts';

export async function getSubscription(args: { platform: Platform; actor: Actor; id: string }) {
  assertAdmin(args.actor, 'Only administrators can manage webhooks');
  return present(await load(args.platform, args.id));
}
