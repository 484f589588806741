import { sql } from 'kysely';
import type { ModuleMigration } from '../../platform/module.ts';

/**
 * The execution log, which is also the queue of after-save runs: a run is written `pending` in the
 * transaction of the change that triggered it (so it exists exactly when the change committed),
 * and the worker takes it from there. (rule, record, event) is unique: the idempotency key.
 */
export const automationMigrations: ModuleMigration[] = [
  {
    id: '0001_runs',
    async up(trx) {
      await sql`CREATE TABLE IF NOT EXISTS automation_run (
        id uuid PRIMARY KEY,
        rule_id uuid NOT NULL,
        rule_name text NOT NULL,
        object text NOT NULL,
        record_id uuid NOT NULL,
        event_id uuid NOT NULL,
        trigger text NOT NULL,
        operation text NOT NULL,
        status text NOT NULL CHECK (status IN ('pending', 'succeeded', 'failed', 'skipped', 'stopped')),
        condition_result boolean,
        depth integer NOT NULL DEFAULT 0,
        chain jsonb NOT NULL DEFAULT '[]',
        acted_for uuid,
        snapshot jsonb,
        attempts integer NOT NULL DEFAULT 0,
        next_attempt_at timestamptz NOT NULL DEFAULT now(),
        actions jsonb NOT NULL DEFAULT '[]',
        error text,
        duration_ms integer,
        created_at timestamptz NOT NULL DEFAULT now(),
        finished_at timestamptz,
        UNIQUE (rule_id, record_id, event_id)
      )`.execute(trx);
      await sql`CREATE INDEX IF NOT EXISTS automation_run_due ON automation_run (next_attempt_at) WHERE status = 'pending'`.execute(trx);
      await sql`CREATE INDEX IF NOT EXISTS automation_run_rule ON automation_run (rule_id, created_at DESC)`.execute(trx);
      await sql`CREATE INDEX IF NOT EXISTS automation_run_record ON automation_run (record_id, created_at DESC)`.execute(trx);
      await sql`CREATE INDEX IF NOT EXISTS automation_run_created ON automation_run (created_at DESC, id DESC)`.execute(trx);
    },
  },
  {
    id: '0002_round_robin',
    async up(trx) {
      // Each assign_owner action's round-robin position: incremented under the row's lock.
      await sql`CREATE TABLE IF NOT EXISTS automation_round_robin (
        rule_id uuid NOT NULL,
        action_index integer NOT NULL,
        position bigint NOT NULL DEFAULT 0,
        PRIMARY KEY (rule_id, action_index)
      )`.execute(trx);
    },
  },
  {
    id: '0003_time_triggers',
    async up(trx) {
      // Set on time-based runs: when they are due (next_attempt_at starts there); re-checked and moved as the record changes.
      await sql`ALTER TABLE automation_run ADD COLUMN IF NOT EXISTS due_at timestamptz`.execute(trx);
      await sql`CREATE INDEX IF NOT EXISTS automation_run_timed ON automation_run (record_id, rule_id) WHERE status = 'pending' AND due_at IS NOT NULL`.execute(trx);
    },
  },
  {
    id: '0004_scheduled_rules',
    async up(trx) {
      // Each firing of a scheduled rule, claimed once (whatever number of workers look at the same minute).
      await sql`CREATE TABLE IF NOT EXISTS automation_schedule_fire (
        id uuid PRIMARY KEY,
        rule_id uuid NOT NULL,
        fire_at timestamptz NOT NULL,
        records integer NOT NULL DEFAULT 0,
        duration_ms integer,
        created_at timestamptz NOT NULL DEFAULT now(),
        UNIQUE (rule_id, fire_at)
      )`.execute(trx);
    },
  },
];
