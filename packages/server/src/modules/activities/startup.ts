import { sql } from 'kysely';
import type { Platform } from '../../platform/kernel.ts';
import { inTransaction, systemActor } from '../../platform/records/context.ts';
import { tableOf } from './context.ts';

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
    await sql`CREATE INDEX IF NOT EXISTS ix_act__activity_link__activity ON ${link} (activity_id, record_object, record_id) WHERE deleted_at IS NULL`.execute(ctx.trx);
  });
}
