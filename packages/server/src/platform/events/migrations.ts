import { sql } from 'kysely';
import type { Migration } from '../db/migrations.ts';

/** System tables of the event backbone (webhook subscriptions, deliveries). Appended in order. */
export const eventMigrations: Migration[] = [
  {
    id: '1001_webhooks',
    async up(db) {
      await sql`CREATE TABLE IF NOT EXISTS webhook_subscription (
        id uuid PRIMARY KEY,
        url text NOT NULL,
        events text[] NOT NULL,
        condition jsonb,
        condition_object text,
        description text,
        active boolean NOT NULL DEFAULT true,
        secret_enc text NOT NULL,
        secret_hint text NOT NULL,
        created_by uuid,
        created_at timestamptz(3) NOT NULL DEFAULT now(),
        updated_at timestamptz(3) NOT NULL DEFAULT now(),
        disabled_at timestamptz(3),
        disabled_reason text,
        failing_since timestamptz(3),
        consecutive_dead_letters integer NOT NULL DEFAULT 0
      )`.execute(db);
      // One row per (event, subscription) attempt chain; replays add rows. `seq` orders the
      // deliveries of one subscription and record: a row is only attempted once every earlier row
      // of the same subscription and record has left pending/retrying/delivering.
      await sql`CREATE TABLE IF NOT EXISTS webhook_delivery (
        seq bigserial PRIMARY KEY,
        id uuid NOT NULL UNIQUE,
        subscription_id uuid NOT NULL REFERENCES webhook_subscription (id) ON DELETE CASCADE,
        event_id uuid NOT NULL,
        event_seq bigint NOT NULL,
        event_type text NOT NULL,
        object text NOT NULL,
        record_id uuid NOT NULL,
        status text NOT NULL DEFAULT 'pending',
        attempts integer NOT NULL DEFAULT 0,
        next_attempt_at timestamptz(3) NOT NULL DEFAULT now(),
        last_attempt_at timestamptz(3),
        response_code integer,
        duration_ms integer,
        error text,
        replay_of uuid,
        created_at timestamptz(3) NOT NULL DEFAULT now(),
        completed_at timestamptz(3),
        CONSTRAINT ck_webhook_delivery_status CHECK (status IN ('pending', 'delivering', 'retrying', 'succeeded', 'failed'))
      )`.execute(db);
      await sql`CREATE INDEX IF NOT EXISTS ix_webhook_delivery_due ON webhook_delivery (next_attempt_at, seq) WHERE status IN ('pending', 'delivering', 'retrying')`.execute(db);
      await sql`CREATE INDEX IF NOT EXISTS ix_webhook_delivery_chain ON webhook_delivery (subscription_id, record_id, seq) WHERE status IN ('pending', 'delivering', 'retrying')`.execute(db);
      await sql`CREATE INDEX IF NOT EXISTS ix_webhook_delivery_log ON webhook_delivery (subscription_id, seq DESC)`.execute(db);
      await sql`CREATE INDEX IF NOT EXISTS ix_webhook_delivery_completed ON webhook_delivery (completed_at) WHERE completed_at IS NOT NULL`.execute(db);
      await sql`CREATE INDEX IF NOT EXISTS ix_outbox_event_time ON outbox_event (occurred_at, seq)`.execute(db);
      // Conditions are evaluated on the record as of each event: later events of the same record are read.
      await sql`CREATE INDEX IF NOT EXISTS ix_outbox_event_record ON outbox_event (record_id, seq)`.execute(db);
      // Wakes dispatchers in other processes (LISTEN meridian_outbox) as soon as a write commits;
      // one notification per statement, folded into one per transaction by PostgreSQL. Commits
      // that notify are serialised on the notification queue; at very high write rates an
      // operator can turn it off (`ALTER DATABASE … SET meridian.notify = 'off'`): dispatchers
      // then find new events by polling.
      await sql`CREATE OR REPLACE FUNCTION meridian_notify_outbox() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
          IF coalesce(current_setting('meridian.notify', true), '') <> 'off' THEN PERFORM pg_notify('meridian_outbox', ''); END IF;
          RETURN NULL;
        END $$`.execute(db);
      await sql`DROP TRIGGER IF EXISTS tr_outbox_event_notify ON outbox_event`.execute(db);
      await sql`CREATE TRIGGER tr_outbox_event_notify AFTER INSERT ON outbox_event FOR EACH STATEMENT EXECUTE FUNCTION meridian_notify_outbox()`.execute(db);
    },
  },
  {
    id: '1002_audit_log',
    async up(db) {
      await sql`CREATE TABLE IF NOT EXISTS audit_log (
        seq bigserial PRIMARY KEY,
        id uuid NOT NULL UNIQUE,
        occurred_at timestamptz(3) NOT NULL DEFAULT now(),
        action text NOT NULL,
        actor_id uuid,
        actor_via text,
        actor_label text,
        ip text,
        user_agent text,
        target_type text,
        target_id text,
        details jsonb NOT NULL DEFAULT '{}'
      )`.execute(db);
      await sql`CREATE INDEX IF NOT EXISTS ix_audit_log_action ON audit_log (action, seq DESC)`.execute(db);
      await sql`CREATE INDEX IF NOT EXISTS ix_audit_log_actor ON audit_log (actor_id, seq DESC)`.execute(db);
      await sql`CREATE INDEX IF NOT EXISTS ix_audit_log_time ON audit_log (occurred_at DESC)`.execute(db);
      // Append-only in the database too: no UPDATE, no DELETE (an operator who must prune can
      // drop this trigger deliberately; TRUNCATE is not affected).
      await sql`CREATE OR REPLACE FUNCTION meridian_audit_log_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN RAISE EXCEPTION 'audit_log is append-only'; END $$`.execute(db);
      await sql`DROP TRIGGER IF EXISTS tr_audit_log_append_only ON audit_log`.execute(db);
      await sql`CREATE TRIGGER tr_audit_log_append_only BEFORE UPDATE OR DELETE ON audit_log FOR EACH ROW EXECUTE FUNCTION meridian_audit_log_append_only()`.execute(db);
      // Consecutive failed sign-ins per e-mail (lower-cased), for the lock-out.
      await sql`CREATE TABLE IF NOT EXISTS auth_login_failure (
        email text PRIMARY KEY,
        failures integer NOT NULL,
        last_failure_at timestamptz(3) NOT NULL DEFAULT now(),
        locked_until timestamptz(3)
      )`.execute(db);
      // In-app notifications for a user (no e-mail yet): e.g. "your webhook was disabled".
      await sql`CREATE TABLE IF NOT EXISTS user_notification (
        id uuid PRIMARY KEY,
        user_id uuid NOT NULL,
        kind text NOT NULL,
        title text NOT NULL,
        body text NOT NULL,
        data jsonb NOT NULL DEFAULT '{}',
        created_at timestamptz(3) NOT NULL DEFAULT now(),
        read_at timestamptz(3)
      )`.execute(db);
      await sql`CREATE INDEX IF NOT EXISTS ix_user_notification_user ON user_notification (user_id, created_at DESC)`.execute(db);
    },
  },
  {
    id: '1003_outbox_xid',
    async up(db) {
      // The changes feed (events/changes.ts) orders events by the writing transaction's id and
      // hands out only those below the oldest transaction still running: `seq` alone is taken at
      // insert, so a slow transaction can commit a smaller seq after a reader moved past it.
      // Existing rows get this migration's id (they are all committed: their seq order stands).
      await sql`ALTER TABLE outbox_event ADD COLUMN IF NOT EXISTS xid xid8 NOT NULL DEFAULT pg_current_xact_id()`.execute(db);
      await sql`CREATE INDEX IF NOT EXISTS ix_outbox_event_xid ON outbox_event (xid, seq)`.execute(db);
    },
  },
];
