import { sql, type Kysely } from 'kysely';
import type { Platform } from '../../platform/kernel.ts';
import type { ModuleMigration } from '../../platform/module.ts';
import { inTransaction, systemActor } from '../../platform/records/context.ts';
import { OPEN_TASK_STATUSES } from './objects.ts';
import { backfillLinkSortKeys } from './rules/linkSortKeys.ts';

/**
 * Idempotent start-up work of the activities module: links written by a version before the
 * timeline keys existed get their keys (decision 0006). Under an advisory lock, so two processes
 * starting together do it once.
 */
export async function startActivities(platform: Platform): Promise<void> {
  await inTransaction({ platform, actor: systemActor('system') }, async (ctx) => {
    await sql`SELECT pg_advisory_xact_lock(hashtext('meridian.activities.startup'))`.execute(ctx.trx);
    await backfillLinkSortKeys(ctx);
  });
}

/** The activities module's forward-only migrations (ids are stored as `activities/<id>`). */
export const activityMigrations: ModuleMigration[] = [
  {
    // IF NOT EXISTS throughout: databases from before module migrations already have all of it.
    id: '0001_timeline_agenda_notifications',
    up: (trx, { registry }) => createTimelineAndNotificationTables(trx, (object) => sql.table(registry.requireObject(object).table)),
  },
  {
    // Reminders and escalations now live in the platform's one notification table
    // (platform/notifications/); databases from before keep theirs until this moves them over.
    id: '0002_notifications_to_platform',
    async up(trx) {
      const old = await sql<{ t: string | null }>`SELECT to_regclass('activity_notification')::text AS t`.execute(trx);
      if (!old.rows[0]?.t) return;
      await sql`INSERT INTO user_notification (id, user_id, kind, object, record_id, occurrence, title, body, created_at, read_at, emailed_at)
        SELECT id, user_id, kind, object, record_id, occurrence, title, body, created_at, read_at, emailed_at FROM activity_notification
        ON CONFLICT DO NOTHING`.execute(trx);
      await sql`DROP TABLE activity_notification`.execute(trx);
    },
  },
];

/**
 * activity_link is read from the record side (record_object, record_id) by the timeline and from
 * the activity side (activity_id) when links are written; the notification tables.
 */
async function createTimelineAndNotificationTables(trx: Kysely<any>, tableOf: (object: string) => ReturnType<typeof sql.table>): Promise<void> {
  const link = tableOf('activity_link');
  await sql`CREATE INDEX IF NOT EXISTS ix_act__activity_link__record ON ${link} (record_object, record_id, activity_object) WHERE deleted_at IS NULL`.execute(trx);
  // The timeline reads each kind's items of a record in (sort_at, activity_id) order, forwards
  // for upcoming ones and backwards for the rest, so a page costs its size, not the record's.
  // Two partial indexes: items that can be upcoming (upcoming_until set) and those that never are.
  await sql`CREATE INDEX IF NOT EXISTS ix_act__activity_link__open ON ${link} (record_object, record_id, activity_object, sort_at, activity_id) WHERE deleted_at IS NULL AND upcoming_until IS NOT NULL`.execute(trx);
  await sql`CREATE INDEX IF NOT EXISTS ix_act__activity_link__closed ON ${link} (record_object, record_id, activity_object, sort_at, activity_id) WHERE deleted_at IS NULL AND upcoming_until IS NULL`.execute(trx);
  await sql`CREATE INDEX IF NOT EXISTS ix_act__activity_link__unsorted ON ${link} (activity_object, activity_id) WHERE sort_at IS NULL`.execute(trx);
  // "My day" (queries/agenda.ts and the home page's overdue list) reads one user's items of a
  // window: recurring series apart (expanded in code), one-off items by their date range, and
  // open tasks by due date. Without these a user with 50,000 activities is read in full.
  for (const object of ['meeting', 'call'] as const) {
    const t = tableOf(object);
    await sql`CREATE INDEX IF NOT EXISTS ${sql.id(`ix_act__${object}__owner_starts`)} ON ${t} (owner_id, start_at) WHERE deleted_at IS NULL AND recurrence_rule IS NULL AND (end_at IS NULL OR end_at - start_at <= interval '1 day')`.execute(trx);
    // Longer items by their end: "ends after the window starts" is the selective bound for them.
    await sql`CREATE INDEX IF NOT EXISTS ${sql.id(`ix_act__${object}__owner_long_ends`)} ON ${t} (owner_id, end_at) WHERE deleted_at IS NULL AND recurrence_rule IS NULL AND end_at - start_at > interval '1 day'`.execute(trx);
    await sql`CREATE INDEX IF NOT EXISTS ${sql.id(`ix_act__${object}__owner_series`)} ON ${t} (owner_id, start_at) WHERE deleted_at IS NULL AND recurrence_rule IS NOT NULL`.execute(trx);
  }
  const task = tableOf('task');
  await sql`CREATE INDEX IF NOT EXISTS ix_act__task__owner_due ON ${task} (owner_id, due_date) WHERE deleted_at IS NULL AND recurrence_rule IS NULL`.execute(trx);
  await sql`CREATE INDEX IF NOT EXISTS ix_act__task__owner_series ON ${task} (owner_id, due_date) WHERE deleted_at IS NULL AND recurrence_rule IS NOT NULL`.execute(trx);
  await sql`CREATE INDEX IF NOT EXISTS ix_act__task__owner_open ON ${task} (owner_id, due_date, id) WHERE deleted_at IS NULL AND status IN (${sql.join(OPEN_TASK_STATUSES.map((x) => sql.lit(x)))})`.execute(trx);
  // Calendar feed tokens (queries/calendarFeed.ts): the nonce and the token's hash, never the token.
  await sql`CREATE TABLE IF NOT EXISTS activity_calendar_feed (
    user_id uuid PRIMARY KEY,
    nonce text NOT NULL,
    token_hash text NOT NULL UNIQUE,
    created_at timestamptz(3) NOT NULL DEFAULT now()
  )`.execute(trx);
  // Per-user channels and digest hour (notifications/settings.ts); no row means the defaults.
  await sql`CREATE TABLE IF NOT EXISTS activity_notification_settings (
    user_id uuid PRIMARY KEY,
    in_app boolean NOT NULL DEFAULT true,
    email boolean NOT NULL DEFAULT true,
    digest_enabled boolean NOT NULL DEFAULT false,
    digest_hour smallint NOT NULL DEFAULT 7 CHECK (digest_hour BETWEEN 0 AND 23),
    updated_at timestamptz(3) NOT NULL DEFAULT now()
  )`.execute(trx);
  // One daily digest per user and local day: the primary key is the claim that makes it once only.
  await sql`CREATE TABLE IF NOT EXISTS activity_notification_digest (
    user_id uuid NOT NULL,
    local_date date NOT NULL,
    items int NOT NULL DEFAULT 0,
    sent_at timestamptz(3),
    created_at timestamptz(3) NOT NULL DEFAULT now(),
    PRIMARY KEY (user_id, local_date)
  )`.execute(trx);
  await sql`CREATE INDEX IF NOT EXISTS ix_act__activity_link__activity ON ${link} (activity_id, record_object, record_id) WHERE deleted_at IS NULL`.execute(trx);
}
