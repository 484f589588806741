import { sql } from 'kysely';
import type { Migration } from '../db/migrations.ts';

export const viewMigrations: Migration[] = [
  {
    id: '0003_list_views',
    async up(db) {
      await sql`CREATE TABLE IF NOT EXISTS list_view (
        id uuid PRIMARY KEY,
        object text NOT NULL,
        name text NOT NULL,
        owner_id uuid NOT NULL,
        shared boolean NOT NULL DEFAULT false,
        kind text NOT NULL DEFAULT 'table' CHECK (kind IN ('table', 'kanban')),
        filter jsonb,
        sort text,
        columns jsonb NOT NULL DEFAULT '[]',
        group_by text,
        created_at timestamptz(3) NOT NULL DEFAULT now(),
        updated_at timestamptz(3) NOT NULL DEFAULT now()
      )`.execute(db);
      await sql`CREATE INDEX IF NOT EXISTS ix_list_view_object ON list_view (object, owner_id)`.execute(db);
    },
  },
];
