import { sql } from 'kysely';
import type { ModuleMigration } from '../../../platform/module.ts';
import type { JobDefinition } from '../../../platform/jobs/boss.ts';
import { expireQuotes } from './commands/expireQuotes.ts';

/** Billing's migrations for quotes (ids `billing/<id>`, after billing's own). */
export const quoteMigrations: ModuleMigration[] = [
  {
    // The counters of document number series (numbering.ts) and the lookups of quote numbers and lines.
    id: '0002_quote_numbers',
    async up(trx, { registry }) {
      await sql`CREATE TABLE IF NOT EXISTS billing_number_series (
        series text NOT NULL, period text NOT NULL, last_value bigint NOT NULL, PRIMARY KEY (series, period))`.execute(trx);
      const quotes = sql.table(registry.requireObject('quote').table);
      await sql`CREATE UNIQUE INDEX IF NOT EXISTS uq_billing__quote_revision ON ${quotes} (number, revision) WHERE deleted_at IS NULL`.execute(trx);
      await sql`CREATE INDEX IF NOT EXISTS ix_billing__quote_expiry ON ${quotes} (valid_until) WHERE deleted_at IS NULL AND status IN ('sent', 'viewed')`.execute(trx);
    },
  },
  {
    // Public quote links (public/links.ts): only the token's hash is kept. The sealed PDFs of
    // accepted versions (public/seal.ts) are kept byte for byte with their SHA-256.
    id: '0003_quote_links',
    async up(trx) {
      await sql`CREATE TABLE IF NOT EXISTS billing_quote_link (
        id uuid PRIMARY KEY,
        quote_id uuid NOT NULL,
        contact_id uuid,
        token_hash text NOT NULL UNIQUE,
        created_by uuid,
        created_at timestamptz NOT NULL DEFAULT now(),
        expires_at timestamptz NOT NULL,
        revoked_at timestamptz,
        first_opened_at timestamptz,
        last_opened_at timestamptz,
        open_count integer NOT NULL DEFAULT 0)`.execute(trx);
      await sql`CREATE INDEX IF NOT EXISTS ix_billing_quote_link_quote ON billing_quote_link (quote_id)`.execute(trx);
      await sql`CREATE TABLE IF NOT EXISTS billing_quote_seal (
        quote_id uuid PRIMARY KEY,
        sha256 text NOT NULL,
        pdf bytea NOT NULL,
        file_name text NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now())`.execute(trx);
    },
  },
];

export const quoteJobs: JobDefinition[] = [
  {
    name: 'billing.expire-quotes',
    cron: '5 * * * *', // hourly
    async run(platform) {
      const { expired } = await expireQuotes({ platform });
      if (expired) platform.logger.info({ expired }, 'quotes past their validity expired');
    },
  },
];
