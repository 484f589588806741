import { sql } from 'kysely';
import type { ModuleMigration } from '../../platform/module.ts';

/**
 * Forecasting's own tables (ids `forecasting/<id>`). Figures are `numeric` (decision 0008):
 * quotas and adjustments per user and period key ('2027-03' or '2027-Q1'); adjustments are never
 * updated, the newest row per user and period is the current one (the rest is the history);
 * the three-pillar plan per account, year, month and pillar; one behaviour snapshot per account
 * and week (its Monday), overwritten when the week is taken again.
 */
export const forecastingMigrations: ModuleMigration[] = [
  {
    id: '0001_forecasts_pillars_snapshots',
    async up(trx) {
      await sql`CREATE TABLE IF NOT EXISTS forecast_quota (
        user_id uuid NOT NULL, period text NOT NULL, amount numeric NOT NULL, set_by uuid, updated_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (user_id, period))`.execute(trx);
      await sql`CREATE TABLE IF NOT EXISTS forecast_adjustment (
        id uuid PRIMARY KEY, user_id uuid NOT NULL, period text NOT NULL, amount numeric NOT NULL, computed numeric NOT NULL,
        reason text NOT NULL, adjusted_by uuid NOT NULL, created_at timestamptz NOT NULL DEFAULT clock_timestamp())`.execute(trx);
      await sql`CREATE INDEX IF NOT EXISTS forecast_adjustment_user_period ON forecast_adjustment (user_id, period, created_at DESC, id DESC)`.execute(trx);
      await sql`CREATE TABLE IF NOT EXISTS pillar_forecast (
        account_id uuid NOT NULL, year int NOT NULL, month int NOT NULL CHECK (month BETWEEN 1 AND 12),
        pillar text NOT NULL CHECK (pillar IN ('new_sales', 'account_management', 'upselling')), amount numeric NOT NULL,
        updated_by uuid, updated_at timestamptz NOT NULL DEFAULT now(), PRIMARY KEY (account_id, year, month, pillar))`.execute(trx);
      await sql`CREATE INDEX IF NOT EXISTS pillar_forecast_year ON pillar_forecast (year)`.execute(trx);
      await sql`CREATE TABLE IF NOT EXISTS account_snapshot (
        account_id uuid NOT NULL, week_start date NOT NULL, orders int NOT NULL, revenue numeric NOT NULL, open_pipeline numeric NOT NULL,
        activities int NOT NULL, cases int, payment_days numeric, taken_at timestamptz NOT NULL DEFAULT now(), PRIMARY KEY (account_id, week_start))`.execute(trx);
      await sql`CREATE INDEX IF NOT EXISTS account_snapshot_week ON account_snapshot (week_start)`.execute(trx);
    },
  },
];
