import { sql } from 'kysely';
import type { ModuleMigration } from '../../../platform/module.ts';

/**
 * Dashboards' tables (issue 16 item 4, ANL-2). A dashboard is a layout of widgets, each pointing
 * at a saved report; like a report it is a question shared with groups or roles, never its
 * answers — every viewer's run is their own access. The home dashboard is one per profile.
 */
export const dashboardMigrations: ModuleMigration[] = [
  {
    id: '0002_dashboards',
    async up(trx) {
      await sql`CREATE TABLE IF NOT EXISTS analytics_dashboard (
        id uuid PRIMARY KEY, name text NOT NULL, description text,
        folder_id uuid REFERENCES analytics_report_folder (id) ON DELETE SET NULL, owner_id uuid NOT NULL,
        share_groups text[] NOT NULL DEFAULT '{}', share_roles text[] NOT NULL DEFAULT '{}',
        filters jsonb NOT NULL DEFAULT '{}', widgets jsonb NOT NULL DEFAULT '[]',
        created_at timestamptz NOT NULL DEFAULT now(), updated_at timestamptz NOT NULL DEFAULT now())`.execute(trx);
      await sql`CREATE INDEX IF NOT EXISTS analytics_dashboard_owner_idx ON analytics_dashboard (owner_id)`.execute(trx);
      await sql`CREATE INDEX IF NOT EXISTS analytics_dashboard_folder_idx ON analytics_dashboard (folder_id)`.execute(trx);
      await sql`CREATE TABLE IF NOT EXISTS analytics_home_dashboard (
        profile text PRIMARY KEY, dashboard_id uuid NOT NULL REFERENCES analytics_dashboard (id) ON DELETE CASCADE,
        updated_at timestamptz NOT NULL DEFAULT now())`.execute(trx);
    },
  },
];
