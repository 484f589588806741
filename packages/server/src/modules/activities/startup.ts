import { sql } from 'kysely';
import type { Platform } from '../../platform/kernel.ts';
import { inTransaction, systemActor } from '../../platform/records/context.ts';
import { tableOf } from './context.ts';
import { OPEN_TASK_STATUSES } from './objects.ts';
import { backfillLinkSortKeys } from './rules/linkSortKeys.ts';

/**
 * Idempotent start-up work of the activities module: the indexes the timeline reads through.
 * activity_link is read from the record side (record_object, record_id) by the timeline and from
 * the activity side (activity_id) when links are written.
 */
export async function startActivities(platform: Platform): Promise<void> {
  await inTransaction({ platform, actor: systemActor('system') }, async (ctx) => {
    await sql`SELECT pg_advisory_xact_lock(hashtext('meridian.activities.startup'))`.execute(ctx.trx);
    const link = tableOf(ctx, 'activity_link');
    await sql`CREATE INDEX IF NOT EXISTS ix_act__activity_link__record ON ${link} (record_object, record_id, activity_object) WHERE deleted_at IS NULL`.execute(ctx.trx);
    // The timeline reads each kind's items of a record in (sort_at, activity_id) order, forwards
    // for upcoming ones and backwards for the rest, so a page costs its size, not the record's.
    // Two partial indexes: items that can be upcoming (upcoming_until set) and those that never are.
    await sql`CREATE INDEX IF NOT EXISTS ix_act__activity_link__open ON ${link} (record_object, record_id, activity_object, sort_at, activity_id) WHERE deleted_at IS NULL AND upcoming_until IS NOT NULL`.execute(ctx.trx);
    await sql`CREATE INDEX IF NOT EXISTS ix_act__activity_link__closed ON ${link} (record_object, record_id, activity_object, sort_at, activity_id) WHERE deleted_at IS NULL AND upcoming_until IS NULL`.execute(ctx.trx);
    await sql`CREATE INDEX IF NOT EXISTS ix_act__activity_link__unsorted ON ${link} (activity_object, activity_id) WHERE sort_at IS NULL`.execute(ctx.trx);
    await backfillLinkSortKeys(ctx);
    // "My day" (queries/agenda.ts and the home page's overdue list) reads one user's items of a
    // window: recurring series apart (expanded in code), one-off items by their date range, and
    // open tasks by due date. Without these a user with 50,000 activities is read in full.
    for (const object of ['meeting', 'call'] as const) {
      const t = tableOf(ctx, object);
      await sql`CREATE INDEX IF NOT EXISTS ${sql.id(`ix_act__${object}__owner_starts`)} ON ${t} (owner_id, start_at) WHERE deleted_at IS NULL AND recurrence_rule IS NULL AND (end_at IS NULL OR end_at - start_at <= interval '1 day')`.execute(ctx.trx);
      // Longer items by their end: "ends after the window starts" is the selective bound for them.
      await sql`CREATE INDEX IF NOT EXISTS ${sql.id(`ix_act__${object}__owner_long_ends`)} ON ${t} (owner_id, end_at) WHERE deleted_at IS NULL AND recurrence_rule IS NULL AND end_at - start_at > interval '1 day'`.execute(ctx.trx);
      await sql`CREATE INDEX IF NOT EXISTS ${sql.id(`ix_act__${object}__owner_series`)} ON ${t} (owner_id, start_at) WHERE deleted_at IS NULL AND recurrence_rule IS NOT NULL`.execute(ctx.trx);
    }
    const task = tableOf(ctx, 'task');
    await sql`CREATE INDEX IF NOT EXISTS ix_act__task__owner_due ON ${task} (owner_id, due_date) WHERE deleted_at IS NULL AND recurrence_rule IS NULL`.execute(ctx.trx);
    await sql`CREATE INDEX IF NOT EXISTS ix_act__task__owner_series ON ${task} (owner_id, due_date) WHERE deleted_at IS NULL AND recurrence_rule IS NOT NULL`.execute(ctx.trx);
    await sql`CREATE INDEX IF NOT EXISTS ix_act__task__owner_open ON ${task} (owner_id, due_date, id) WHERE deleted_at IS NULL AND status IN (${sql.join(OPEN_TASK_STATUSES.map((x) => sql.lit(x)))})`.execute(ctx.trx);
    // Calendar feed tokens (queries/calendarFeed.ts): the nonce and the token's hash, never the token.
    await sql`CREATE TABLE IF NOT EXISTS activity_calendar_feed (
      user_id uuid PRIMARY KEY,
      nonce text NOT NULL,
      token_hash text NOT NULL UNIQUE,
      created_at timestamptz(3) NOT NULL DEFAULT now()
    )`.execute(ctx.trx);
    // In-app notifications of reminders and escalations (commands/sendReminders.ts).
    await sql`CREATE TABLE IF NOT EXISTS activity_notification (
      id uuid PRIMARY KEY,
      user_id uuid NOT NULL,
      kind text NOT NULL,
      object text NOT NULL,
      record_id uuid NOT NULL,
      occurrence text NOT NULL,
      title text NOT NULL,
      body text NOT NULL,
      created_at timestamptz(3) NOT NULL DEFAULT now(),
      read_at timestamptz(3),
      emailed_at timestamptz(3),
      UNIQUE (user_id, kind, object, record_id, occurrence)
    )`.execute(ctx.trx);
    await sql`CREATE INDEX IF NOT EXISTS ix_act__notification__user ON activity_notification (user_id, created_at DESC, id DESC)`.execute(ctx.trx);
    // The live stream's poller reads rows created after its high-water mark (notifications/hub.ts).
    await sql`CREATE INDEX IF NOT EXISTS ix_act__notification__created ON activity_notification (created_at)`.execute(ctx.trx);
    // Per-user channels and digest hour (notifications/settings.ts); no row means the defaults.
    await sql`CREATE TABLE IF NOT EXISTS activity_notification_settings (
      user_id uuid PRIMARY KEY,
      in_app boolean NOT NULL DEFAULT true,
      email boolean NOT NULL DEFAULT true,
      digest_enabled boolean NOT NULL DEFAULT false,
      digest_hour smallint NOT NULL DEFAULT 7 CHECK (digest_hour BETWEEN 0 AND 23),
      updated_at timestamptz(3) NOT NULL DEFAULT now()
    )`.execute(ctx.trx);
    // One daily digest per user and local day: the primary key is the claim that makes it once only.
    await sql`CREATE TABLE IF NOT EXISTS activity_notification_digest (
      user_id uuid NOT NULL,
      local_date date NOT NULL,
      items int NOT NULL DEFAULT 0,
      sent_at timestamptz(3),
      created_at timestamptz(3) NOT NULL DEFAULT now(),
      PRIMARY KEY (user_id, local_date)
    )`.execute(ctx.trx);
    await sql`CREATE INDEX IF NOT EXISTS ix_act__activity_link__activity ON ${link} (activity_id, record_object, record_id) WHERE deleted_at IS NULL`.execute(ctx.trx);
  });
}
