import { sql } from 'kysely';
import { AppError, notFound } from '../../../errors.ts';
import type { Platform } from '../../../kernel.ts';
import type { Actor } from '../../../records/context.ts';
import { assertAdmin } from '../../../access/policy.ts';
import { writeAudit } from '../../audit.ts';
import { eventFromRow, type OutboxRow } from '../../outbox.ts';
import { insertDeliveries } from '../fanout.ts';
import { UUID } from './input.ts';
import { presentDelivery, type DeliveryRow } from './presenters.ts';

/** Queues the event of a delivery again for its subscription (same webhook-id, new delivery row). */
export async function replayDelivery(args: { platform: Platform; actor: Actor; deliveryId: string }) {
  const { platform, actor } = args;
  assertAdmin(actor, 'Only administrators can manage webhooks');
  if (!UUID.test(args.deliveryId)) throw notFound('Delivery');
  return platform.db.transaction().execute(async (trx) => {
    const r = await sql<OutboxRow & { subscription_id: string; delivery_id: string }>`SELECT d.subscription_id, d.id AS delivery_id, e.seq, e.id, e.type, e.object, e.record_id, e.changes, e.actor, e.occurred_at
      FROM webhook_delivery d LEFT JOIN outbox_event e ON e.id = d.event_id WHERE d.id = ${args.deliveryId}`.execute(trx);
    const row = r.rows[0];
    if (!row) throw notFound(`Delivery ${args.deliveryId}`);
    if (!row.id) throw new AppError('conflict', 'The event of this delivery is no longer kept (older than the retention period)');
    const [id] = await insertDeliveries(trx, [{ event: eventFromRow(row), sub: { id: row.subscription_id } }], () => row.delivery_id);
    await writeAudit(trx, { action: 'webhook.replayed', actor, target: { type: 'webhook', id: row.subscription_id }, details: { delivery: row.delivery_id, event: row.id } });
    const d = await sql<DeliveryRow>`SELECT * FROM webhook_delivery WHERE id = ${id!}`.execute(trx);
    return presentDelivery(d.rows[0]!);
  });
}
