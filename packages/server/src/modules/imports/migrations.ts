import { sql } from 'kysely';
import type { ModuleMigration } from '../../platform/module.ts';

/**
 * Imports are system tables, not records: an import's configuration and progress (import_job),
 * what it did to each record (import_effect: the record created or the values it replaced, for
 * undo), the rows it refused as they were (import_rejection, the error report) and the mapping
 * last used per object and user (import_mapping).
 */
export const importMigrations: ModuleMigration[] = [
  {
    id: '0001_imports',
    async up(trx) {
      await sql`CREATE TABLE IF NOT EXISTS import_job (
        id uuid PRIMARY KEY,
        object text NOT NULL,
        file_name text NOT NULL,
        file_key text NOT NULL,
        file_bytes bigint NOT NULL,
        format text NOT NULL CHECK (format IN ('csv', 'xlsx')),
        encoding text,
        delimiter text,
        headers jsonb NOT NULL,
        settings jsonb NOT NULL DEFAULT '{}',
        status text NOT NULL CHECK (status IN ('draft', 'queued', 'running', 'completed', 'failed', 'cancelled', 'undoing', 'undone')),
        checkpoint bigint NOT NULL DEFAULT 0,
        bytes_done bigint NOT NULL DEFAULT 0,
        total_rows bigint,
        created integer NOT NULL DEFAULT 0,
        updated integer NOT NULL DEFAULT 0,
        skipped integer NOT NULL DEFAULT 0,
        rejected integer NOT NULL DEFAULT 0,
        lease_token uuid,
        lease_until timestamptz,
        run_started_at timestamptz,
        run_start_rows bigint NOT NULL DEFAULT 0,
        error text,
        created_by uuid,
        created_at timestamptz NOT NULL DEFAULT now(),
        started_at timestamptz,
        finished_at timestamptz
      )`.execute(trx);
      await sql`CREATE INDEX IF NOT EXISTS import_job_due ON import_job (lease_until) WHERE status IN ('queued', 'running', 'undoing')`.execute(trx);
      await sql`CREATE INDEX IF NOT EXISTS import_job_created ON import_job (created_at DESC, id DESC)`.execute(trx);
      await sql`CREATE TABLE IF NOT EXISTS import_effect (
        import_id uuid NOT NULL REFERENCES import_job (id) ON DELETE CASCADE,
        seq bigserial,
        row_number bigint NOT NULL,
        object text NOT NULL,
        record_id uuid NOT NULL,
        action text NOT NULL CHECK (action IN ('created', 'updated')),
        before jsonb,
        undone boolean NOT NULL DEFAULT false,
        PRIMARY KEY (import_id, seq)
      )`.execute(trx);
      await sql`CREATE TABLE IF NOT EXISTS import_rejection (
        import_id uuid NOT NULL REFERENCES import_job (id) ON DELETE CASCADE,
        row_number bigint NOT NULL,
        cells jsonb NOT NULL,
        error text NOT NULL,
        PRIMARY KEY (import_id, row_number)
      )`.execute(trx);
      await sql`CREATE TABLE IF NOT EXISTS import_mapping (
        object text NOT NULL,
        user_id uuid NOT NULL,
        columns jsonb NOT NULL,
        updated_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (object, user_id)
      )`.execute(trx);
    },
  },
  {
    // Issue 15 item 4: the whole-file dry run, in the background like a run. Its own row (the
    // import stays a draft): the options it ran with, checkpoint, running counts, the first 100
    // outcomes, the file's picklist values not in their lists, and its lease. import_dry_run_key
    // holds the identifying values (match field, unique/external id fields, e-mails) of the rows
    // earlier batches would create, so a later batch's rows are counted as the run would count
    // them although each batch's transaction was rolled back (engine/carry.ts).
    id: '0002_import_dry_run',
    async up(trx) {
      await sql`CREATE TABLE IF NOT EXISTS import_dry_run (
        import_id uuid PRIMARY KEY REFERENCES import_job (id) ON DELETE CASCADE,
        status text NOT NULL CHECK (status IN ('queued', 'running', 'completed', 'failed', 'cancelled')),
        settings jsonb NOT NULL,
        checkpoint bigint NOT NULL DEFAULT 0,
        bytes_done bigint NOT NULL DEFAULT 0,
        total_rows bigint,
        created integer NOT NULL DEFAULT 0,
        updated integer NOT NULL DEFAULT 0,
        skipped integer NOT NULL DEFAULT 0,
        rejected integer NOT NULL DEFAULT 0,
        carried integer NOT NULL DEFAULT 0,
        rows jsonb NOT NULL DEFAULT '[]',
        unknown_values jsonb NOT NULL DEFAULT '{}',
        lease_token uuid,
        lease_until timestamptz,
        run_started_at timestamptz,
        run_start_rows bigint NOT NULL DEFAULT 0,
        error text,
        requested_by uuid,
        started_at timestamptz NOT NULL DEFAULT now(),
        finished_at timestamptz
      )`.execute(trx);
      await sql`CREATE INDEX IF NOT EXISTS import_dry_run_due ON import_dry_run (lease_until) WHERE status IN ('queued', 'running')`.execute(trx);
      await sql`CREATE TABLE IF NOT EXISTS import_dry_run_key (
        import_id uuid NOT NULL REFERENCES import_job (id) ON DELETE CASCADE,
        field text NOT NULL,
        value text NOT NULL,
        row_number bigint NOT NULL,
        hits integer NOT NULL DEFAULT 1,
        PRIMARY KEY (import_id, field, value)
      )`.execute(trx);
    },
  },
];
