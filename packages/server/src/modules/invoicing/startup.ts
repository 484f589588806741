import { sql } from 'kysely';
import type { ModuleMigration } from '../../platform/module.ts';
import { autoSendMigration } from './send/store.ts';

/** Invoicing's migrations (ids `invoicing/<id>`). */
export const invoicingMigrations: ModuleMigration[] = [
  {
    // One number per kind (the series are per kind: invoices and credit notes); open invoices of
    // an account (reminders, the account's balance); pay links (pay/links.ts).
    id: '0001_invoices',
    async up(trx, { registry }) {
      const invoices = sql.table(registry.requireObject('invoice').table);
      await sql`CREATE UNIQUE INDEX IF NOT EXISTS uq_invoicing__invoice_number ON ${invoices} (kind, number) WHERE number IS NOT NULL`.execute(trx);
      await sql`CREATE INDEX IF NOT EXISTS ix_invoicing__invoice_open ON ${invoices} (account_id, due_date)
        WHERE deleted_at IS NULL AND kind = 'invoice' AND status IN ('posted', 'partially_paid')`.execute(trx);
      await sql`CREATE TABLE IF NOT EXISTS invoicing_pay_link (
        id uuid PRIMARY KEY,
        invoice_id uuid NOT NULL UNIQUE,
        token text NOT NULL UNIQUE,
        created_at timestamptz NOT NULL DEFAULT now(),
        revoked_at timestamptz)`.execute(trx);
    },
  },
  {
    // An account's invoices newest first without sorting them all: the portal's invoice pages
    // (keyset by invoice date and number) and the account's own lists.
    id: '0002_account_newest_first',
    async up(trx, { registry }) {
      const invoices = sql.table(registry.requireObject('invoice').table);
      await sql`CREATE INDEX IF NOT EXISTS ix_invoicing__invoice_account_date ON ${invoices} (account_id, invoice_date DESC, number DESC) WHERE deleted_at IS NULL`.execute(trx);
    },
  },
  autoSendMigration,
];
