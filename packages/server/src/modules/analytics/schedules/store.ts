import { sql } from 'kysely';
import { DateTime } from 'luxon';
import { uuidv7 } from '../../../platform/ids.ts';
import { forbidden, notFound, validationFailed, type FieldError } from '../../../platform/errors.ts';
import type { RecordContext } from '../../../platform/records/context.ts';
import { UUID_RE } from '../../../platform/records/values.ts';
import { encodeArrayLiteral } from '../../../platform/query/compile.ts';
import { loadReport } from '../reports/store.ts';
import { loadDashboard } from '../dashboards/store.ts';
import { nextRunAt, type Frequency, type Recurrence } from './next.ts';

/**
 * Report and dashboard schedules: who may make them and what a valid one is. Anyone who can open
 * a report (dashboard) may have it sent to themselves; sending it to other people or groups is for
 * its owner and admins, as it puts it in other inboxes. A schedule is changed by its owner, the
 * target's owner or an admin.
 */
/** What a schedule sends: a saved report or a dashboard. */
export type ScheduleTarget = { kind: 'report' | 'dashboard'; id: string };

export interface ReportSchedule {
  id: string;
  /** Exactly one of reportId and dashboardId is set. */
  reportId: string | null;
  dashboardId: string | null;
  ownerId: string;
  frequency: Frequency;
  at: string;
  weekday: number | null;
  monthDay: number | null;
  timeZone: string;
  recipients: { users: string[]; groups: string[] };
  format: 'csv' | 'xlsx';
  active: boolean;
  nextRunAt: string;
  lastRunAt: string | null;
  lastResult: { sent: number; failed: number; broken: number; errors?: string[] } | null;
}

export interface ScheduleRow {
  id: string;
  report_id: string | null;
  dashboard_id: string | null;
  owner_id: string;
  frequency: Frequency;
  at_time: string;
  weekday: number | null;
  month_day: number | null;
  time_zone: string;
  recipient_users: string[];
  recipient_groups: string[];
  format: 'csv' | 'xlsx';
  active: boolean;
  next_run_at: Date | string;
  last_run_at: Date | string | null;
  last_result: ReportSchedule['lastResult'] | string | null;
}

const MAX_USERS = 100;
const MAX_GROUPS = 20;
const MAX_PER_REPORT = 20;
const FREQUENCIES: Frequency[] = ['daily', 'weekly', 'monthly'];
const TIME = /^([01]\d|2[0-3]):[0-5]\d$/;

const db = (ctx: RecordContext) => ctx.trx ?? ctx.platform.db;
const iso = (v: Date | string | null) => (v === null ? null : new Date(v).toISOString());

/** Postgres arrays come back as arrays from pg and PGlite alike; a text literal is parsed defensively. */
function arrayOf(value: unknown): string[] {
  if (Array.isArray(value)) return value.map(String);
  if (typeof value === 'string' && value.startsWith('{')) return value.slice(1, -1).split(',').filter(Boolean).map((s) => s.replace(/^"|"$/g, ''));
  return [];
}

export function toSchedule(row: ScheduleRow): ReportSchedule {
  return {
    id: row.id, reportId: row.report_id ?? null, dashboardId: row.dashboard_id ?? null, ownerId: row.owner_id, frequency: row.frequency, at: row.at_time,
    weekday: row.weekday === null ? null : Number(row.weekday), monthDay: row.month_day === null ? null : Number(row.month_day), timeZone: row.time_zone,
    recipients: { users: arrayOf(row.recipient_users), groups: arrayOf(row.recipient_groups) },
    format: row.format, active: row.active, nextRunAt: iso(row.next_run_at)!, lastRunAt: iso(row.last_run_at),
    lastResult: typeof row.last_result === 'string' ? JSON.parse(row.last_result) : row.last_result,
  };
}

export interface ScheduleInput {
  frequency?: unknown;
  at?: unknown;
  weekday?: unknown;
  monthDay?: unknown;
  timeZone?: unknown;
  recipients?: { users?: unknown; groups?: unknown };
  format?: unknown;
  active?: unknown;
}

interface CheckedInput {
  recurrence: Recurrence;
  users: string[];
  groups: string[];
  format: 'csv' | 'xlsx';
  active: boolean;
}

async function checkInput(ctx: RecordContext, input: ScheduleInput, mayAddressOthers: boolean): Promise<CheckedInput> {
  const errors: FieldError[] = [];
  const frequency = input.frequency as Frequency;
  if (!FREQUENCIES.includes(frequency)) errors.push({ field: 'frequency', code: 'invalid', message: 'daily, weekly or monthly' });
  const at = typeof input.at === 'string' ? input.at : '';
  if (!TIME.test(at)) errors.push({ field: 'at', code: 'invalid', message: 'A time of day as HH:MM (24-hour), e.g. 08:00' });
  const weekday = input.weekday === undefined || input.weekday === null ? null : Number(input.weekday);
  if (frequency === 'weekly' && (weekday === null || !Number.isInteger(weekday) || weekday < 1 || weekday > 7)) errors.push({ field: 'weekday', code: 'required', message: 'A weekly schedule needs a weekday: 1 (Monday) to 7 (Sunday)' });
  const monthDay = input.monthDay === undefined || input.monthDay === null ? null : Number(input.monthDay);
  if (frequency === 'monthly' && (monthDay === null || !Number.isInteger(monthDay) || monthDay < 1 || monthDay > 31)) errors.push({ field: 'monthDay', code: 'required', message: 'A monthly schedule needs a day of the month, 1 to 31 (a shorter month sends on its last day)' });
  const timeZone = input.timeZone === undefined ? ctx.actor.timeZone || 'UTC' : input.timeZone;
  if (typeof timeZone !== 'string' || !DateTime.local().setZone(timeZone).isValid) errors.push({ field: 'timeZone', code: 'invalid', message: 'An IANA time zone, e.g. Europe/Berlin' });
  const format = input.format === undefined ? 'xlsx' : input.format;
  if (format !== 'csv' && format !== 'xlsx') errors.push({ field: 'format', code: 'invalid', message: 'csv or xlsx' });
  const users = Array.isArray(input.recipients?.users) ? [...new Set(input.recipients.users as unknown[])] : [];
  const groups = Array.isArray(input.recipients?.groups) ? [...new Set(input.recipients.groups as unknown[])] : [];
  if (input.recipients?.users !== undefined && !Array.isArray(input.recipients.users)) errors.push({ field: 'recipients.users', code: 'invalid', message: 'A list of user ids' });
  if (input.recipients?.groups !== undefined && !Array.isArray(input.recipients.groups)) errors.push({ field: 'recipients.groups', code: 'invalid', message: 'A list of group names' });
  if (!users.length && !groups.length) errors.push({ field: 'recipients', code: 'required', message: 'Send it to at least one user or group' });
  if (users.length > MAX_USERS) errors.push({ field: 'recipients.users', code: 'too_many', message: `At most ${MAX_USERS} users; use a group for more` });
  if (groups.length > MAX_GROUPS) errors.push({ field: 'recipients.groups', code: 'too_many', message: `At most ${MAX_GROUPS} groups` });
  users.forEach((u, i) => {
    if (typeof u !== 'string' || !UUID_RE.test(u)) errors.push({ field: `recipients.users[${i}]`, code: 'invalid', message: 'A user id' });
  });
  groups.forEach((g, i) => {
    if (typeof g !== 'string' || !g || g.length > 100) errors.push({ field: `recipients.groups[${i}]`, code: 'invalid', message: 'A group name' });
  });
  if (input.active !== undefined && typeof input.active !== 'boolean') errors.push({ field: 'active', code: 'invalid', message: 'true or false' });
  if (errors.length) throw validationFailed(errors);
  const userIds = users as string[];
  const groupNames = groups as string[];
  if (userIds.length) {
    const found = await sql<{ id: string }>`SELECT id FROM obj_user WHERE id = ANY(${encodeArrayLiteral(userIds)}::uuid[]) AND deleted_at IS NULL AND active IS NOT FALSE`.execute(db(ctx));
    const known = new Set(found.rows.map((r) => r.id));
    userIds.forEach((u, i) => {
      if (!known.has(u)) errors.push({ field: `recipients.users[${i}]`, code: 'not_found', message: 'No active user has this id' });
    });
  }
  if (groupNames.length) {
    const found = await sql<{ name: string }>`SELECT name FROM access_group WHERE name = ANY(${encodeArrayLiteral(groupNames)}::text[])`.execute(db(ctx));
    const known = new Set(found.rows.map((r) => r.name));
    groupNames.forEach((g, i) => {
      if (!known.has(g)) errors.push({ field: `recipients.groups[${i}]`, code: 'not_found', message: 'No group has this name' });
    });
  }
  if (errors.length) throw validationFailed(errors);
  if (!mayAddressOthers && (groupNames.length || userIds.some((u) => u !== ctx.actor.userId))) {
    throw forbidden("Only the report's owner or an administrator can send it to other people or groups; you can schedule it for yourself");
  }
  return {
    recurrence: { frequency, at, weekday: frequency === 'weekly' ? weekday : null, monthDay: frequency === 'monthly' ? monthDay : null, timeZone: timeZone as string },
    users: userIds, groups: groupNames, format: format as 'csv' | 'xlsx', active: input.active === undefined ? true : (input.active as boolean),
  };
}

/** The target as the caller may open it (404 otherwise) and its owner. */
async function openTarget(ctx: RecordContext, target: ScheduleTarget): Promise<{ id: string; ownerId: string }> {
  const found = target.kind === 'report' ? await loadReport(ctx, target.id) : await loadDashboard(ctx, target.id);
  return { id: found.id, ownerId: found.ownerId };
}

const targetColumn = (target: ScheduleTarget) => (target.kind === 'report' ? sql.ref('report_id') : sql.ref('dashboard_id'));

export function targetOf(row: Pick<ScheduleRow, 'report_id' | 'dashboard_id'>): ScheduleTarget {
  return row.report_id ? { kind: 'report', id: row.report_id } : { kind: 'dashboard', id: row.dashboard_id! };
}

async function loadRow(ctx: RecordContext, id: string): Promise<ScheduleRow> {
  if (!UUID_RE.test(id)) throw notFound('Schedule');
  const r = await sql<ScheduleRow>`SELECT * FROM analytics_report_schedule WHERE id = ${id}`.execute(db(ctx));
  if (!r.rows[0]) throw notFound('Schedule');
  return r.rows[0];
}

/** The schedules of a report or dashboard the caller may see: their own; all of them for its owner and admins. */
export async function listSchedules(args: { ctx: RecordContext; target: ScheduleTarget }): Promise<ReportSchedule[]> {
  const { ctx } = args;
  const target = await openTarget(ctx, args.target);
  const all = ctx.actor.isAdmin || target.ownerId === ctx.actor.userId;
  const r = await sql<ScheduleRow>`SELECT * FROM analytics_report_schedule WHERE ${targetColumn(args.target)} = ${target.id} ${all ? sql`` : sql`AND owner_id = ${ctx.actor.userId}`}
    ORDER BY created_at, id`.execute(db(ctx));
  return r.rows.map(toSchedule);
}

export async function createSchedule(args: { ctx: RecordContext; target: ScheduleTarget; input: ScheduleInput; now?: Date }): Promise<ReportSchedule> {
  const { ctx } = args;
  const target = await openTarget(ctx, args.target);
  const checked = await checkInput(ctx, args.input, ctx.actor.isAdmin || target.ownerId === ctx.actor.userId);
  const count = await sql<{ n: number }>`SELECT count(*)::int AS n FROM analytics_report_schedule WHERE ${targetColumn(args.target)} = ${target.id}`.execute(db(ctx));
  if (Number(count.rows[0]!.n) >= MAX_PER_REPORT) throw validationFailed([{ field: args.target.kind, code: 'too_many', message: `A ${args.target.kind} has at most ${MAX_PER_REPORT} schedules` }]);
  const { recurrence: r } = checked;
  const next = nextRunAt(r, args.now ?? new Date());
  const reportId = args.target.kind === 'report' ? target.id : null;
  const dashboardId = args.target.kind === 'dashboard' ? target.id : null;
  const row = await sql<ScheduleRow>`INSERT INTO analytics_report_schedule (id, report_id, dashboard_id, owner_id, frequency, at_time, weekday, month_day, time_zone, recipient_users, recipient_groups, format, active, next_run_at)
    VALUES (${uuidv7()}, ${reportId}, ${dashboardId}, ${ctx.actor.userId}, ${r.frequency}, ${r.at}, ${r.weekday ?? null}, ${r.monthDay ?? null}, ${r.timeZone},
      ${encodeArrayLiteral(checked.users)}::uuid[], ${encodeArrayLiteral(checked.groups)}::text[], ${checked.format}, ${checked.active}, ${next})
    RETURNING *`.execute(db(ctx));
  return toSchedule(row.rows[0]!);
}

/** The schedule, if the caller may change it: its owner, the report's (dashboard's) owner, or an admin. */
export async function loadEditableSchedule(ctx: RecordContext, id: string): Promise<{ row: ScheduleRow; targetOwner: string }> {
  const row = await loadRow(ctx, id);
  // The target must still be one the caller can open; otherwise the schedule does not exist for them.
  const target = await openTarget(ctx, targetOf(row)).catch(() => {
    throw notFound('Schedule');
  });
  if (!(ctx.actor.isAdmin || row.owner_id === ctx.actor.userId || target.ownerId === ctx.actor.userId)) throw notFound('Schedule');
  return { row, targetOwner: target.ownerId };
}

export async function updateSchedule(args: { ctx: RecordContext; id: string; input: ScheduleInput; now?: Date }): Promise<ReportSchedule> {
  const { ctx } = args;
  const { row, targetOwner } = await loadEditableSchedule(ctx, args.id);
  const checked = await checkInput(ctx, args.input, ctx.actor.isAdmin || targetOwner === ctx.actor.userId);
  const { recurrence: r } = checked;
  const next = nextRunAt(r, args.now ?? new Date());
  const updated = await sql<ScheduleRow>`UPDATE analytics_report_schedule SET frequency = ${r.frequency}, at_time = ${r.at}, weekday = ${r.weekday ?? null},
      month_day = ${r.monthDay ?? null}, time_zone = ${r.timeZone}, recipient_users = ${encodeArrayLiteral(checked.users)}::uuid[],
      recipient_groups = ${encodeArrayLiteral(checked.groups)}::text[], format = ${checked.format}, active = ${checked.active},
      next_run_at = ${next}, updated_at = now()
    WHERE id = ${row.id} RETURNING *`.execute(db(ctx));
  return toSchedule(updated.rows[0]!);
}

export async function deleteSchedule(args: { ctx: RecordContext; id: string }): Promise<void> {
  const { row } = await loadEditableSchedule(args.ctx, args.id);
  await sql`DELETE FROM analytics_report_schedule WHERE id = ${row.id}`.execute(db(args.ctx));
}
