import { sql } from 'kysely';
import type { Migration } from '../db/migrations.ts';

export const formulaMigrations: Migration[] = [
  {
    // Formula and roll-up fields have no column: their definition ({formula} or {rollup, type})
    // is kept with the field's metadata row (decision 0007).
    id: '0010_computed_fields',
    async up(db) {
      await sql`ALTER TABLE meta_field ADD COLUMN IF NOT EXISTS computed jsonb`.execute(db);
    },
  },
];
