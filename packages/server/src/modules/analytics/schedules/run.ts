import { sql } from 'kysely';
import type { Platform } from '../../../platform/kernel.ts';
import { deliverSchedule, type DeliveryResult } from './deliver.ts';
import { nextRunAt } from './next.ts';
import { loadEditableSchedule, toSchedule, type ScheduleRow } from './store.ts';
import type { RecordContext } from '../../../platform/records/context.ts';

/** Schedules claimed per run of the job; the rest wait a minute. */
const BATCH = 20;

/**
 * The `analytics.report_schedules` job (every minute): claims the schedules that are due —
 * `FOR UPDATE SKIP LOCKED`, so two workers never take the same one — moves each one's next run
 * forward in the same transaction, then sends. A server that was down sends a missed run once,
 * not once per missed day: the next run is computed from now.
 */
export async function runDueSchedules(platform: Platform, now = new Date()): Promise<{ schedules: number; results: DeliveryResult[] }> {
  const claimed = await platform.db.transaction().execute(async (trx) => {
    const due = await sql<ScheduleRow>`SELECT * FROM analytics_report_schedule WHERE active AND next_run_at <= ${now}
      ORDER BY next_run_at LIMIT ${BATCH} FOR UPDATE SKIP LOCKED`.execute(trx);
    for (const row of due.rows) {
      const s = toSchedule(row);
      const next = nextRunAt({ frequency: s.frequency, at: s.at, weekday: s.weekday, monthDay: s.monthDay, timeZone: s.timeZone }, now);
      await sql`UPDATE analytics_report_schedule SET next_run_at = ${next} WHERE id = ${row.id}`.execute(trx);
    }
    return due.rows;
  });
  const results: DeliveryResult[] = [];
  for (const row of claimed) {
    try {
      results.push(await deliverSchedule({ platform, row, slot: new Date(row.next_run_at) }));
    } catch (error) {
      platform.logger.error({ err: error, schedule: row.id }, 'scheduled report: the run failed');
    }
  }
  return { schedules: claimed.length, results };
}

/** "Send now" (the schedule's owner, the report's owner or an admin): this minute's run, to every recipient. */
export async function sendScheduleNow(args: { ctx: RecordContext; id: string; now?: Date }): Promise<DeliveryResult> {
  const { row } = await loadEditableSchedule(args.ctx, args.id);
  const slot = new Date(Math.floor((args.now ?? new Date()).getTime() / 60_000) * 60_000);
  return deliverSchedule({ platform: args.ctx.platform, row, slot });
}
