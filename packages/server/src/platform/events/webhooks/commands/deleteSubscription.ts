import { sql } from 'kysely';
import type { Platform } from '../../../kernel.ts';
import type { Actor } from '../../../records/context.ts';
import { assertAdmin } from '../../../access/policy.ts';
import { writeAudit } from '../../audit.ts';
import { load } from './input.ts';

export async function deleteSubscription(args: { platform: Platform; actor: Actor; id: string }) {
  const { platform, actor } = args;
  assertAdmin(actor, 'Only administrators can manage webhooks');
  const current = await load(platform, args.id);
  await platform.db.transaction().execute(async (trx) => {
    await sql`DELETE FROM webhook_subscription WHERE id = ${current.id}`.execute(trx);
    await writeAudit(trx, { action: 'webhook.deleted', actor, target: { type: 'webhook', id: current.id }, details: { url: current.url, events: current.events } });
  });
}
