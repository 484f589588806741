import { sql } from 'kysely';
import type { Migration } from '../db/migrations.ts';

/**
 * One notification table for all of Meridian: `user_notification` (created with the event
 * backbone for "your webhook was disabled") takes the record, occurrence and e-mail columns the
 * activities module's reminders had in a table of their own, which nothing else could read.
 * Moving those rows over is the activities module's migration (activities/0002_…).
 */
export const notificationMigrations: Migration[] = [
  {
    id: '1003_notifications_unified',
    async up(db) {
      await sql`ALTER TABLE user_notification ADD COLUMN IF NOT EXISTS object text`.execute(db);
      await sql`ALTER TABLE user_notification ADD COLUMN IF NOT EXISTS record_id uuid`.execute(db);
      await sql`ALTER TABLE user_notification ADD COLUMN IF NOT EXISTS occurrence text`.execute(db);
      await sql`ALTER TABLE user_notification ADD COLUMN IF NOT EXISTS emailed_at timestamptz(3)`.execute(db);
      // Written once per (user, kind, record, occurrence); rows without a record never collide (NULLs are distinct).
      await sql`CREATE UNIQUE INDEX IF NOT EXISTS ux_user_notification_occurrence ON user_notification (user_id, kind, object, record_id, occurrence)`.execute(db);
      await sql`DROP INDEX IF EXISTS ix_user_notification_user`.execute(db);
      await sql`CREATE INDEX IF NOT EXISTS ix_user_notification_list ON user_notification (user_id, created_at DESC, id DESC)`.execute(db);
      // The live stream's poller reads rows created after its high-water mark (hub.ts).
      await sql`CREATE INDEX IF NOT EXISTS ix_user_notification_created ON user_notification (created_at)`.execute(db);
    },
  },
];
