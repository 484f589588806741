import { sql } from 'kysely';
import type { RecordContext } from '../../../platform/records/context.ts';
import { tableOf } from '../../billing/index.ts';
import type { ReminderLevel } from '../templates.ts';

export interface DunningConfig {
  /** Active schedules' levels, lowest first. */
  levels: Map<string, ReminderLevel[]>;
  defaultSchedule: string | null;
  /** The fewest days overdue any level waits: invoices younger than that are never read. */
  minDays: number;
}

/** The schedules and their levels (a handful of rows), read once per run. */
export async function loadConfig(ctx: RecordContext): Promise<DunningConfig> {
  const db = ctx.trx ?? ctx.platform.db;
  const schedules = (await sql<{ id: string; is_default: boolean | null; active: boolean | null }>`SELECT id, is_default, active FROM ${tableOf(ctx, 'dunning_schedule')} WHERE deleted_at IS NULL`.execute(db)).rows;
  const rows = (await sql<{ id: string; schedule_id: string; level: string; name: string; days_overdue: string; subject: string; body: string; fee: string | null; creates_task: boolean | null }>`
    SELECT id, schedule_id, level, name, days_overdue, subject, body, fee, creates_task FROM ${tableOf(ctx, 'dunning_level')}
    WHERE deleted_at IS NULL ORDER BY schedule_id, level`.execute(db)).rows;
  const active = new Set(schedules.filter((s) => s.active !== false).map((s) => s.id));
  const levels = new Map<string, ReminderLevel[]>();
  for (const s of active) levels.set(s, []);
  for (const r of rows) {
    const list = levels.get(r.schedule_id);
    if (!list) continue;
    list.push({ id: r.id, schedule: r.schedule_id, level: Number(r.level), name: r.name, days_overdue: Number(r.days_overdue), subject: r.subject, body: r.body, fee: r.fee === null ? null : Number(r.fee), creates_task: r.creates_task === true, final: false });
  }
  for (const list of levels.values()) if (list.length) list[list.length - 1]!.final = true;
  const all = [...levels.values()].flat();
  return {
    levels,
    defaultSchedule: schedules.find((s) => s.is_default === true)?.id ?? null,
    minDays: all.length ? Math.min(...all.map((l) => l.days_overdue)) : Number.POSITIVE_INFINITY,
  };
}

/**
 * The level an invoice is due for: the highest whose days overdue it has reached. An invoice
 * that reached level 3 before it was ever reminded (dunning newly switched on, a long dispute
 * settled) gets level 3 only: the customer never gets three reminders at once.
 */
export function dueLevel(levels: readonly ReminderLevel[], daysOverdue: number): ReminderLevel | null {
  let due: ReminderLevel | null = null;
  for (const l of levels) if (l.days_overdue <= daysOverdue) due = l;
  return due;
}
