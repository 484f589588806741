import { sql } from 'kysely';
import type { ModuleMigration } from '../../../platform/module.ts';

/**
 * Report schedules (issue 16 item 5, ANL-3): a report e-mailed daily, weekly or monthly at a
 * local time to users and groups, each recipient getting the report run with their own access.
 * `next_run_at` is the next send in UTC (schedules/next.ts computes it in the schedule's zone);
 * one delivery row per recipient and send is the claim that makes a retried run send once.
 */
export const scheduleMigrations: ModuleMigration[] = [
  {
    id: '0003_report_schedules',
    async up(trx) {
      await sql`CREATE TABLE IF NOT EXISTS analytics_report_schedule (
        id uuid PRIMARY KEY, report_id uuid NOT NULL REFERENCES analytics_report (id) ON DELETE CASCADE, owner_id uuid NOT NULL,
        frequency text NOT NULL CHECK (frequency IN ('daily', 'weekly', 'monthly')), at_time text NOT NULL,
        weekday smallint CHECK (weekday BETWEEN 1 AND 7), month_day smallint CHECK (month_day BETWEEN 1 AND 31), time_zone text NOT NULL,
        recipient_users uuid[] NOT NULL DEFAULT '{}', recipient_groups text[] NOT NULL DEFAULT '{}',
        format text NOT NULL CHECK (format IN ('csv', 'xlsx')), active boolean NOT NULL DEFAULT true,
        next_run_at timestamptz NOT NULL, last_run_at timestamptz, last_result jsonb,
        created_at timestamptz NOT NULL DEFAULT now(), updated_at timestamptz NOT NULL DEFAULT now())`.execute(trx);
      await sql`CREATE INDEX IF NOT EXISTS analytics_report_schedule_due_idx ON analytics_report_schedule (next_run_at) WHERE active`.execute(trx);
      await sql`CREATE INDEX IF NOT EXISTS analytics_report_schedule_report_idx ON analytics_report_schedule (report_id)`.execute(trx);
      await sql`CREATE TABLE IF NOT EXISTS analytics_report_delivery (
        schedule_id uuid NOT NULL REFERENCES analytics_report_schedule (id) ON DELETE CASCADE, slot timestamptz NOT NULL, recipient_id uuid NOT NULL,
        status text NOT NULL, rows integer, error text, created_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (schedule_id, slot, recipient_id))`.execute(trx);
    },
  },
  {
    // Standard reports (reports/standard.ts): readable by everyone, owned by no user; the seeded
    // keys are kept apart so a standard report an admin deleted is not seeded again.
    id: '0004_standard_reports',
    async up(trx) {
      await sql`ALTER TABLE analytics_report ADD COLUMN IF NOT EXISTS standard text`.execute(trx);
      await sql`CREATE UNIQUE INDEX IF NOT EXISTS analytics_report_standard_idx ON analytics_report (standard) WHERE standard IS NOT NULL`.execute(trx);
      await sql`CREATE TABLE IF NOT EXISTS analytics_standard_seeded (key text PRIMARY KEY, seeded_at timestamptz NOT NULL DEFAULT now())`.execute(trx);
    },
  },
  {
    // A schedule sends a report or a dashboard (exactly one of the two).
    id: '0005_dashboard_schedules',
    async up(trx) {
      await sql`ALTER TABLE analytics_report_schedule ALTER COLUMN report_id DROP NOT NULL`.execute(trx);
      await sql`ALTER TABLE analytics_report_schedule ADD COLUMN IF NOT EXISTS dashboard_id uuid REFERENCES analytics_dashboard (id) ON DELETE CASCADE`.execute(trx);
      await sql`ALTER TABLE analytics_report_schedule ADD CONSTRAINT analytics_report_schedule_one_target CHECK (num_nonnulls(report_id, dashboard_id) = 1)`.execute(trx);
      await sql`CREATE INDEX IF NOT EXISTS analytics_report_schedule_dashboard_idx ON analytics_report_schedule (dashboard_id)`.execute(trx);
    },
  },
];
