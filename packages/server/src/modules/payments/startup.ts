import { sql } from 'kysely';
import type { Platform } from '../../platform/kernel.ts';
import type { ModuleMigration } from '../../platform/module.ts';
import { registerEventSubscriber } from '../../platform/events/index.ts';
import { creditToNewInvoices } from './subscribers.ts';

/** Payments' migrations (ids `payments/<id>`). */
export const paymentMigrations: ModuleMigration[] = [
  {
    // A provider's payment is recorded once (a webhook delivered again, by two workers at once);
    // an account's payments and credit; an invoice's allocations.
    id: '0001_payments',
    async up(trx, { registry }) {
      const payments = sql.table(registry.requireObject('payment').table);
      const allocations = sql.table(registry.requireObject('payment_allocation').table);
      const refunds = sql.table(registry.requireObject('payment_refund').table);
      await sql`CREATE UNIQUE INDEX IF NOT EXISTS uq_payments__provider_payment ON ${payments} (provider, provider_payment_id) WHERE provider_payment_id IS NOT NULL AND deleted_at IS NULL`.execute(trx);
      await sql`CREATE INDEX IF NOT EXISTS ix_payments__account ON ${payments} (account_id, payment_date) WHERE deleted_at IS NULL`.execute(trx);
      await sql`CREATE INDEX IF NOT EXISTS ix_payments__allocation_invoice ON ${allocations} (invoice_id) WHERE deleted_at IS NULL`.execute(trx);
      await sql`CREATE INDEX IF NOT EXISTS ix_payments__allocation_payment ON ${allocations} (payment_id) WHERE deleted_at IS NULL`.execute(trx);
      await sql`CREATE INDEX IF NOT EXISTS ix_payments__refund_account ON ${refunds} (account_id) WHERE deleted_at IS NULL`.execute(trx);
    },
  },
  {
    // A provider's refund is recorded once, however often it is reported.
    id: '0002_provider_refunds',
    async up(trx, { registry }) {
      const refunds = sql.table(registry.requireObject('payment_refund').table);
      await sql`CREATE UNIQUE INDEX IF NOT EXISTS uq_payments__provider_refund ON ${refunds} (payment_id, provider_refund_id) WHERE provider_refund_id IS NOT NULL AND deleted_at IS NULL`.execute(trx);
    },
  },
];

export async function startPayments(platform: Platform): Promise<void> {
  registerEventSubscriber(platform, creditToNewInvoices);
}
