import { registerEventSubscriber } from '../../platform/events/index.ts';
import { finalNoticeTasks } from './run/tasks.ts';
import { sql } from 'kysely';
import type { Platform } from '../../platform/kernel.ts';
import type { ModuleMigration } from '../../platform/module.ts';
import { inTransaction, systemActor } from '../../platform/records/context.ts';
import { createRecord } from '../../platform/records/write.ts';
import { tableOf } from '../billing/index.ts';
import { DEFAULT_LEVELS } from './templates.ts';

/** Dunning's migrations (ids `dunning/<id>`). */
export const dunningMigrations: ModuleMigration[] = [
  {
    // The double-send guard: one reminder per invoice and level, whoever claims it (run/claim.ts);
    // the claims a later run takes over; one default schedule.
    id: '0001_reminders',
    async up(trx, { registry }) {
      const reminders = sql.table(registry.requireObject('dunning_reminder').table);
      const schedules = sql.table(registry.requireObject('dunning_schedule').table);
      await sql`CREATE UNIQUE INDEX IF NOT EXISTS uq_dunning__invoice_level ON ${reminders} (invoice_id, level)`.execute(trx);
      await sql`CREATE INDEX IF NOT EXISTS ix_dunning__open_claims ON ${reminders} (claimed_at) WHERE status IN ('pending', 'sending')`.execute(trx);
      const levels = sql.table(registry.requireObject('dunning_level').table);
      await sql`CREATE UNIQUE INDEX IF NOT EXISTS uq_dunning__schedule_level ON ${levels} (schedule_id, level) WHERE deleted_at IS NULL`.execute(trx);
      await sql`CREATE UNIQUE INDEX IF NOT EXISTS uq_dunning__one_default ON ${schedules} ((true)) WHERE is_default AND deleted_at IS NULL`.execute(trx);
    },
  },
];

/**
 * The default schedule (3, 10 and 30 days overdue; English templates), once: when no schedule
 * was ever made (a schedule an admin deleted stays deleted). Under an advisory lock, through the
 * record pipeline.
 */
export async function startDunning(platform: Platform): Promise<void> {
  registerEventSubscriber(platform, finalNoticeTasks);
  await inTransaction({ platform, actor: systemActor('system') }, async (ctx) => {
    await sql`SELECT pg_advisory_xact_lock(hashtext('meridian.dunning.startup'))`.execute(ctx.trx);
    const any = await sql`SELECT 1 FROM ${tableOf(ctx, 'dunning_schedule')} LIMIT 1`.execute(ctx.trx);
    if (any.rows.length) return;
    const schedule = await createRecord({
      ctx, object: platform.registry.requireObject('dunning_schedule'),
      input: { name: 'Standard reminders', is_default: true, active: true, description: 'Reminders 3, 10 and 30 days after the due date; the last one gives the account manager a task.' },
    });
    const levels = platform.registry.requireObject('dunning_level');
    for (const l of DEFAULT_LEVELS) await createRecord({ ctx, object: levels, input: { ...l, schedule: schedule.id } });
  });
}
