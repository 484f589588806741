import { sql } from 'kysely';
import type { Platform } from '../../../kernel.ts';
import type { Actor } from '../../../records/context.ts';
import { assertAdmin } from '../../../access/policy.ts';
import { present, type SubscriptionRow } from './presenters.ts';

export async function listSubscriptions(args: { platform: Platform; actor: Actor }) {
  assertAdmin(args.actor, 'Only administrators can manage webhooks');
  const r = await sql<SubscriptionRow>`SELECT * FROM webhook_subscription ORDER BY created_at, id`.execute(args.platform.db);
  return { data: r.rows.map(present) };
}
