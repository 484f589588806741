import { sql } from 'kysely';
import type { Migration } from '../../db/migrations.ts';

export const picklistMigrations: Migration[] = [
  {
    // Global picklists (seed 000: "standardise picklist values across platforms"): one value set
    // that fields on several objects share; the fields store `picklist: {global: name}`.
    id: '0004_global_picklists',
    async up(db) {
      await sql`CREATE TABLE IF NOT EXISTS meta_picklist (
        name text PRIMARY KEY,
        label text NOT NULL,
        description text,
        "values" jsonb NOT NULL,
        created_at timestamptz(3) NOT NULL DEFAULT now(),
        updated_at timestamptz(3) NOT NULL DEFAULT now()
      )`.execute(db);
    },
  },
];
