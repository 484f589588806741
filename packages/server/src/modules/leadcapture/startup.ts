import { sql } from 'kysely';
import type { ModuleMigration } from '../../platform/module.ts';

/** Lead capture's own tables (ids `leadcapture/<id>`): counters and measurements no client writes. */
export const leadCaptureMigrations: ModuleMigration[] = [
  {
    id: '0001_counters',
    async up(trx, { registry }) {
      // Blocked submissions per form and reason (honeypot, too_fast, rate_limit, pow, expired, replay).
      await sql`CREATE TABLE IF NOT EXISTS leadcapture_blocked (
        form_id uuid NOT NULL, reason text NOT NULL, n bigint NOT NULL DEFAULT 0, last_at timestamptz(3) NOT NULL DEFAULT now(),
        PRIMARY KEY (form_id, reason))`.execute(trx);
      // Per-IP submissions per hour: a table, so the limit holds across processes and restarts.
      await sql`CREATE TABLE IF NOT EXISTS leadcapture_rate (ip text NOT NULL, window_start timestamptz(0) NOT NULL, n integer NOT NULL,
        PRIMARY KEY (ip, window_start))`.execute(trx);
      // A form token is good for one submission (a solved challenge cannot be replayed).
      await sql`CREATE TABLE IF NOT EXISTS leadcapture_used_token (token_hash text PRIMARY KEY, used_at timestamptz(3) NOT NULL DEFAULT now())`.execute(trx);
      // Round robin: one row per group, locked while the next rep is chosen (exactly fair under concurrency).
      await sql`CREATE TABLE IF NOT EXISTS leadcapture_turn (group_id uuid PRIMARY KEY, n bigint NOT NULL DEFAULT 0)`.execute(trx);
      // Speed to lead: per lead, capture, assignment and first contact.
      await sql`CREATE TABLE IF NOT EXISTS leadcapture_speed (
        lead_id uuid PRIMARY KEY, captured_at timestamptz(3) NOT NULL, assigned_at timestamptz(3), owner_id uuid, source text,
        first_contact_at timestamptz(3), contact_kind text, escalated_at timestamptz(3))`.execute(trx);
      await sql`CREATE INDEX IF NOT EXISTS ix_leadcapture_speed_open ON leadcapture_speed (assigned_at) WHERE first_contact_at IS NULL AND escalated_at IS NULL`.execute(trx);
      await sql`CREATE INDEX IF NOT EXISTS ix_leadcapture_speed_captured ON leadcapture_speed (captured_at)`.execute(trx);
      const members = sql.table(registry.requireObject('assignment_group_member').table);
      await sql`CREATE UNIQUE INDEX IF NOT EXISTS uq_leadcapture__member ON ${members} (assignment_group_id, user_id) WHERE deleted_at IS NULL`.execute(trx);
    },
  },
];
