import { sql } from 'kysely';
import type { ModuleMigration } from '../../platform/module.ts';

/**
 * Approvals' own tables (ids `approvals/<id>`): the processes (admin configuration, one JSON
 * definition each, checked by process.ts) and the e-mail links — only a SHA-256 of each token is kept.
 */
export const approvalMigrations: ModuleMigration[] = [
  {
    id: '0001_processes_links',
    async up(trx) {
      await sql`CREATE TABLE IF NOT EXISTS approval_process (
        id uuid PRIMARY KEY, name text NOT NULL UNIQUE, object text NOT NULL, label text NOT NULL, active boolean NOT NULL DEFAULT true,
        sort_order int NOT NULL DEFAULT 0, definition jsonb NOT NULL, created_at timestamptz NOT NULL DEFAULT now(), updated_at timestamptz NOT NULL DEFAULT now())`.execute(trx);
      await sql`CREATE TABLE IF NOT EXISTS approval_link (
        token_hash text PRIMARY KEY, step_result_id uuid NOT NULL, expires_at timestamptz NOT NULL, used_at timestamptz, created_at timestamptz NOT NULL DEFAULT now())`.execute(trx);
      // The lock hook's question on every write to an object with a process: is this record pending?
      await sql`CREATE INDEX IF NOT EXISTS approval_request_pending ON obj_approval_request (record_id) WHERE status = 'pending'`.execute(trx);
      await sql`CREATE INDEX IF NOT EXISTS approval_link_step ON approval_link (step_result_id)`.execute(trx);
    },
  },
  {
    // The processes modules seed for their own objects (billing's quote discount, credit's holds), once each: one an admin deleted stays deleted.
    id: '0002_seeded_processes',
    async up(trx) {
      await sql`CREATE TABLE IF NOT EXISTS approval_process_seed (name text PRIMARY KEY, seeded_at timestamptz NOT NULL DEFAULT now())`.execute(trx);
    },
  },
];
