import { sql } from 'kysely';
import type { ModuleMigration } from '../../platform/module.ts';
import type { Platform } from '../../platform/kernel.ts';
import { registerEventSubscriber } from '../../platform/events/index.ts';
import { ordersFromQuotes } from './subscribers.ts';
import { jobTicketMigration, jobTicketSubscriber } from './jobTicket/index.ts';

/** Orders' migrations (ids `orders/<id>`). */
export const orderMigrations: ModuleMigration[] = [
  {
    // One order per accepted quote (the event may be delivered again); one per shop order id and
    // source (intake is idempotent by it); the board and the invoicing runs read orders by status.
    id: '0001_order_indexes',
    async up(trx, { registry }) {
      const orders = sql.table(registry.requireObject('order').table);
      await sql`CREATE UNIQUE INDEX IF NOT EXISTS uq_orders__order_number ON ${orders} (number) WHERE deleted_at IS NULL`.execute(trx);
      await sql`CREATE UNIQUE INDEX IF NOT EXISTS uq_orders__order_quote ON ${orders} (quote_id) WHERE deleted_at IS NULL AND quote_id IS NOT NULL`.execute(trx);
      await sql`CREATE INDEX IF NOT EXISTS ix_orders__order_status ON ${orders} (status, account_id) WHERE deleted_at IS NULL`.execute(trx);
    },
  },
  {
    // Order sources' signing secrets, encrypted (commands/intakeSecret.ts); the received payloads'
    // idempotency: one accepted or held intake per source and shop order id.
    id: '0002_intake',
    async up(trx, { registry }) {
      await sql`CREATE TABLE IF NOT EXISTS orders_intake_secret (
        source_id uuid NOT NULL, secret_enc text NOT NULL, created_at timestamptz NOT NULL DEFAULT now(), expires_at timestamptz)`.execute(trx);
      await sql`CREATE INDEX IF NOT EXISTS ix_orders_intake_secret_source ON orders_intake_secret (source_id)`.execute(trx);
      const intakes = sql.table(registry.requireObject('order_intake').table);
      await sql`CREATE UNIQUE INDEX IF NOT EXISTS uq_orders__intake_external ON ${intakes} (source_id, external_id) WHERE deleted_at IS NULL AND result IN ('accepted', 'held')`.execute(trx);
      const sources = sql.table(registry.requireObject('order_intake_source').table);
      await sql`CREATE UNIQUE INDEX IF NOT EXISTS uq_orders__intake_source_key ON ${sources} (key) WHERE deleted_at IS NULL`.execute(trx);
    },
  },
  jobTicketMigration,
];

export async function startOrders(platform: Platform): Promise<void> {
  registerEventSubscriber(platform, ordersFromQuotes);
  registerEventSubscriber(platform, jobTicketSubscriber);
}
