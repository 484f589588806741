import { sql } from 'kysely';
import type { ModuleMigration } from '../../platform/module.ts';
import { scheduleMigrations } from './schedules/migrations.ts';
import { dashboardMigrations } from './dashboards/migrations.ts';
import { resolveSummaries } from './summaries/declared.ts';
import { createSummaryTable, rebuildSummary } from './summaries/store.ts';

/**
 * Analytics' own tables (ids `analytics/<id>`): report folders and saved reports. A report is a
 * question (one JSON definition, checked by reports/definition.ts), private to its owner or shared
 * with groups and roles; sharing shares the question, never the answers — every run is the
 * runner's own access.
 */
export const analyticsMigrations: ModuleMigration[] = [
  {
    id: '0001_reports',
    async up(trx) {
      await sql`CREATE TABLE IF NOT EXISTS analytics_report_folder (
        id uuid PRIMARY KEY, name text NOT NULL, owner_id uuid NOT NULL, shared boolean NOT NULL DEFAULT false,
        created_at timestamptz NOT NULL DEFAULT now(), updated_at timestamptz NOT NULL DEFAULT now())`.execute(trx);
      await sql`CREATE TABLE IF NOT EXISTS analytics_report (
        id uuid PRIMARY KEY, name text NOT NULL, description text, folder_id uuid REFERENCES analytics_report_folder (id) ON DELETE SET NULL,
        owner_id uuid NOT NULL, object text NOT NULL, definition jsonb NOT NULL,
        share_groups text[] NOT NULL DEFAULT '{}', share_roles text[] NOT NULL DEFAULT '{}',
        created_at timestamptz NOT NULL DEFAULT now(), updated_at timestamptz NOT NULL DEFAULT now())`.execute(trx);
      await sql`CREATE INDEX IF NOT EXISTS analytics_report_folder_idx ON analytics_report (folder_id)`.execute(trx);
      await sql`CREATE INDEX IF NOT EXISTS analytics_report_owner_idx ON analytics_report (owner_id)`.execute(trx);
    },
  },
  ...dashboardMigrations,
  ...scheduleMigrations,
  {
    // Issue 16 item 11: the summaries aggregate questions read instead of scanning every record
    // (summaries/declared.ts), filled from the records that exist.
    id: '0010_summaries',
    async up(trx, { registry }) {
      for (const summary of resolveSummaries(registry)) {
        await createSummaryTable(trx, summary);
        await rebuildSummary(trx, summary);
      }
    },
  },
];
