import { sql } from 'kysely';
import type { ModuleMigration } from '../../platform/module.ts';
import type { Platform } from '../../platform/kernel.ts';
import { registerEventSubscriber } from '../../platform/events/index.ts';
import { ordersFromQuotes } from './subscribers.ts';

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
];

export async function startOrders(platform: Platform): Promise<void> {
  registerEventSubscriber(platform, ordersFromQuotes);
}
