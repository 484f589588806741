import { sql } from 'kysely';
import type { ModuleMigration } from '../../../platform/module.ts';

/**
 * The providers' tables (ids `payments/providers_<n>`): every webhook event received, unique per
 * (provider, event id) — the row is written in the transaction that applies the event, so an event
 * counts as handled exactly when its effects commit — and one request per provider session and per
 * provider payment.
 */
export const providerMigrations: ModuleMigration[] = [
  {
    id: 'providers_0001_events',
    async up(trx, { registry }) {
      await sql`CREATE TABLE IF NOT EXISTS payments_provider_event (
        id uuid PRIMARY KEY,
        provider text NOT NULL,
        event_id text NOT NULL,
        type text NOT NULL,
        kind text NOT NULL,
        received_at timestamptz NOT NULL DEFAULT now(),
        request_id uuid,
        payment_ref text,
        outcome text NOT NULL,
        detail text,
        event jsonb NOT NULL,
        applied_at timestamptz,
        CONSTRAINT uq_payments_provider_event UNIQUE (provider, event_id))`.execute(trx);
      // Refund events that came before their payment wait here until it is recorded.
      await sql`CREATE INDEX IF NOT EXISTS ix_payments_provider_event_deferred ON payments_provider_event (provider, payment_ref) WHERE outcome = 'deferred'`.execute(trx);
      const requests = sql.table(registry.requireObject('payment_request').table);
      await sql`CREATE UNIQUE INDEX IF NOT EXISTS uq_payments__request_session ON ${requests} (provider, provider_session_id) WHERE provider_session_id IS NOT NULL`.execute(trx);
      await sql`CREATE UNIQUE INDEX IF NOT EXISTS uq_payments__request_payment ON ${requests} (provider, provider_payment_id) WHERE provider_payment_id IS NOT NULL`.execute(trx);
    },
  },
];
