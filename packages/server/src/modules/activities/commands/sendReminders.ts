import { sql } from 'kysely';
import { DateTime } from 'luxon';
import nodemailer from 'nodemailer';
import type { Platform } from '../../../platform/kernel.ts';
import { expandDates, expandInstants, parseExceptions } from '../domain/recurrence.ts';
import { OPEN_TASK_STATUSES } from '../objects.ts';
import { settingsOfUsers } from '../notifications/settings.ts';
import { recordUrl } from '../notifications/mail.ts';
import { markNotificationEmailed, notifyUser, pingNotificationStreams } from '../../../platform/notifications/store.ts';
import { activitySettings } from '../settings.ts';

/** A reminder whose time passed longer ago than this (e.g. the worker was down) is not sent late. */
const GRACE_MS = 60 * 60_000;
/** Occurrences of a repeating task older than this are not escalated any more. */
const ESCALATION_LOOKBACK_DAYS = 7;

export interface ReminderSettings {
  /** SMTP URL (smtp://user:pass@host:port, smtps://…); no e-mail when unset. */
  smtpUrl?: string;
  from?: string;
  /** Hours after the end of its due date before an open task is escalated to the owner's manager. */
  escalationHours: number;
  /** Days before an attachment's expires_on that its owner is told (default 30). */
  expiryNoticeDays?: number;
}

/** The platform's mail settings with the module's own (activities/settings.ts). */
export function reminderSettings(platform: Platform): ReminderSettings {
  const { escalationHours, expiryNoticeDays } = activitySettings.of(platform);
  return { ...(platform.config.smtpUrl ? { smtpUrl: platform.config.smtpUrl } : {}), from: platform.config.smtpFrom, escalationHours, expiryNoticeDays };
}

interface Due {
  userId: string;
  kind: 'reminder' | 'escalation' | 'expiry';
  object: string;
  recordId: string;
  occurrence: string;
  title: string;
  body: string;
}

interface UserInfo {
  id: string;
  email: string;
  time_zone: string | null;
  manager_id: string | null;
  full_name: string | null;
}

/**
 * ACT-3, run every minute by the `activities.reminders` job: finds reminders that are due
 * (reminder_minutes before a meeting's or call's start — each occurrence of a recurring one —
 * or before the start of a task's due day in the owner's time zone) and overdue open tasks
 * past the escalation delay (for the owner's manager), writes one in-app notification for each
 * (unique per user, record and occurrence, so reruns and parallel workers do not repeat them)
 * and e-mails the new ones when SMTP is configured.
 */
export async function sendDueReminders(platform: Platform, options: { now?: Date; settings?: ReminderSettings } = {}): Promise<{ created: number; emailed: number }> {
  const now = options.now ?? new Date();
  const settings = options.settings ?? reminderSettings(platform);
  const table = (o: string) => sql.table(platform.registry.requireObject(o).table);
  const users = new Map<string, UserInfo>();
  const userRows = await sql<UserInfo>`SELECT id, email, time_zone, manager_id, full_name FROM obj_user WHERE deleted_at IS NULL AND active IS NOT FALSE`.execute(platform.db);
  for (const u of userRows.rows) users.set(u.id, u);
  const due: Due[] = [];

  for (const object of ['meeting', 'call']) {
    const r = await sql<{ id: string; owner_id: string; subject: string; start_at: Date; time_zone: string | null; reminder_minutes: number; recurrence_rule: string | null; recurrence_exceptions: string | null }>`
      SELECT id, owner_id, subject, start_at, time_zone, reminder_minutes::int AS reminder_minutes, recurrence_rule, recurrence_exceptions FROM ${table(object)}
      WHERE deleted_at IS NULL AND status = 'scheduled' AND reminder_minutes IS NOT NULL AND owner_id IS NOT NULL
        AND (recurrence_rule IS NOT NULL OR (start_at - make_interval(mins => reminder_minutes::int) <= ${now} AND start_at - make_interval(mins => reminder_minutes::int) > ${new Date(now.getTime() - GRACE_MS)}))`.execute(platform.db);
    for (const e of r.rows) {
      const lead = e.reminder_minutes * 60_000;
      const user = users.get(e.owner_id);
      const zone = e.time_zone || user?.time_zone || 'UTC';
      const starts = e.recurrence_rule
        ? expandInstants({ rule: e.recurrence_rule, start: new Date(e.start_at), timeZone: zone, from: new Date(now.getTime() - GRACE_MS + lead), to: new Date(now.getTime() + lead + 1), exceptions: parseExceptions(e.recurrence_exceptions) })
        : [new Date(e.start_at)];
      for (const s of starts) {
        if (s.getTime() - lead > now.getTime() || s.getTime() - lead <= now.getTime() - GRACE_MS) continue;
        const when = DateTime.fromJSDate(s, { zone: user?.time_zone || 'UTC' }).toFormat('ccc d LLL yyyy, HH:mm ZZZZ');
        due.push({ userId: e.owner_id, kind: 'reminder', object, recordId: e.id, occurrence: s.toISOString(), title: `Reminder: ${e.subject}`, body: `${object === 'call' ? 'Call' : 'Meeting'} "${e.subject}" starts ${when}.` });
      }
    }
  }

  const open = sql.join([...OPEN_TASK_STATUSES]);
  // Calendar days around now, in UTC; the windows below are a day wider than needed for zones.
  const utcDay = (offset: number) => DateTime.fromJSDate(now, { zone: 'UTC' }).plus({ days: offset }).toISODate()!;
  const tasks = await sql<{ id: string; owner_id: string; subject: string; due_date: string; reminder_minutes: number | null; recurrence_rule: string | null; recurrence_exceptions: string | null }>`
    SELECT t.id, t.owner_id, t.subject, t.due_date::text AS due_date, t.reminder_minutes::int AS reminder_minutes, t.recurrence_rule, t.recurrence_exceptions
    FROM ${table('task')} t LEFT JOIN ${table('user')} u ON u.id = t.owner_id
    WHERE t.deleted_at IS NULL AND t.owner_id IS NOT NULL AND t.due_date IS NOT NULL AND t.status IN (${open})
      -- Only tasks with something to send: a reminder that can fall due now (a one-off task's
      -- is reminder_minutes before its due day, so its due date is near), or an escalation to
      -- a manager not sent yet. Others are not read, so this job's work each minute does not
      -- grow with every open or overdue task of the organisation.
      AND (
        (t.reminder_minutes IS NOT NULL AND (t.recurrence_rule IS NOT NULL
          OR t.due_date BETWEEN ${utcDay(-1)}::date AND ${utcDay(0)}::date + (t.reminder_minutes::int / 1440 + 2)))
        OR (u.manager_id IS NOT NULL AND (t.recurrence_rule IS NOT NULL
          OR (t.due_date BETWEEN ${utcDay(-60)}::date AND ${utcDay(0)}::date
            AND NOT EXISTS (SELECT 1 FROM user_notification n WHERE n.user_id = u.manager_id AND n.kind = 'escalation'
              AND n.object = 'task' AND n.record_id = t.id AND n.occurrence = t.due_date::text))))
      )`.execute(platform.db);
  for (const t of tasks.rows) {
    const user = users.get(t.owner_id);
    const zone = user?.time_zone || 'UTC';
    if (t.reminder_minutes !== null) {
      // Due days whose reminder time falls in the last hour; each occurrence of a repeating task.
      const lead = t.reminder_minutes * 60_000;
      const days = t.recurrence_rule
        ? expandDates({
            rule: t.recurrence_rule, start: t.due_date, exceptions: parseExceptions(t.recurrence_exceptions),
            from: DateTime.fromMillis(now.getTime() - GRACE_MS + lead, { zone }).minus({ days: 1 }).toISODate()!,
            to: DateTime.fromMillis(now.getTime() + lead, { zone }).plus({ days: 1 }).toISODate()!,
          })
        : [t.due_date];
      for (const day of days) {
        const at = DateTime.fromISO(day, { zone }).toMillis() - lead;
        if (at <= now.getTime() && at > now.getTime() - GRACE_MS) {
          due.push({ userId: t.owner_id, kind: 'reminder', object: 'task', recordId: t.id, occurrence: day, title: `Reminder: ${t.subject}`, body: `Task "${t.subject}" is due ${day}.` });
        }
      }
    }
    if (!user?.manager_id) continue;
    // A one-off task escalates once. A repeating task escalates each occurrence still open: one
    // completed or moved through occurrences/edit is an exception of the series and drops out.
    // Only occurrences of the last ESCALATION_LOOKBACK_DAYS count, so turning escalation on for
    // an old daily series does not send its whole past at once.
    const overdueDays = t.recurrence_rule
      ? expandDates({
          rule: t.recurrence_rule, start: t.due_date, exceptions: parseExceptions(t.recurrence_exceptions),
          from: DateTime.fromJSDate(now, { zone }).minus({ days: ESCALATION_LOOKBACK_DAYS }).toISODate()!,
          to: DateTime.fromJSDate(now, { zone }).toISODate()!,
        })
      : t.due_date >= DateTime.fromJSDate(now).minus({ days: 60 }).toISODate()! ? [t.due_date] : [];
    for (const day of overdueDays) {
      const escalateAt = DateTime.fromISO(day, { zone }).plus({ days: 1 }).toMillis() + settings.escalationHours * 3_600_000;
      if (now.getTime() < escalateAt) continue;
      due.push({
        userId: user.manager_id, kind: 'escalation', object: 'task', recordId: t.id, occurrence: day,
        title: `Overdue: ${t.subject}`, body: `Task "${t.subject}" of ${user.full_name || user.email} was due ${day} and is still open.`,
      });
    }
  }

  // Documents with an expiry date (attachments' expires_on, PLT-7): their owner hears once when
  // the date comes within the notice period, and not about documents that expired long ago.
  const attachment = platform.registry.getObject('attachment');
  if (attachment?.fields.some((f) => f.apiName === 'expires_on')) {
    const noticeDays = settings.expiryNoticeDays ?? 30;
    const today = DateTime.fromJSDate(now, { zone: 'UTC' });
    const docs = await sql<{ id: string; owner_id: string; file_name: string; expires_on: string }>`
      SELECT a.id, a.owner_id, a.file_name, a.expires_on::text AS expires_on FROM ${table('attachment')} a
      WHERE a.deleted_at IS NULL AND a.owner_id IS NOT NULL AND a.expires_on IS NOT NULL
        AND a.expires_on BETWEEN ${today.minus({ days: 7 }).toISODate()}::date AND ${today.plus({ days: noticeDays + 1 }).toISODate()}::date
        AND NOT EXISTS (SELECT 1 FROM user_notification n WHERE n.user_id = a.owner_id AND n.kind = 'expiry'
          AND n.object = 'attachment' AND n.record_id = a.id AND n.occurrence = a.expires_on::text)`.execute(platform.db);
    for (const d of docs.rows) {
      const zone = users.get(d.owner_id)?.time_zone || 'UTC';
      const localToday = DateTime.fromJSDate(now, { zone }).toISODate()!;
      const days = Math.round(DateTime.fromISO(d.expires_on, { zone: 'UTC' }).diff(DateTime.fromISO(localToday, { zone: 'UTC' }), 'days').days);
      if (days > noticeDays) continue;
      const when = days < 0 ? `expired on ${d.expires_on}` : days === 0 ? 'expires today' : `expires on ${d.expires_on} (in ${days} day${days === 1 ? '' : 's'})`;
      due.push({ userId: d.owner_id, kind: 'expiry', object: 'attachment', recordId: d.id, occurrence: d.expires_on, title: `${days < 0 ? 'Expired' : 'Expires soon'}: ${d.file_name}`, body: `The document "${d.file_name}" ${when}.` });
    }
  }

  let created = 0;
  let emailed = 0;
  const channels = await settingsOfUsers(platform, [...new Set(due.map((d) => d.userId))]);
  const transport = settings.smtpUrl && due.length ? nodemailer.createTransport(settings.smtpUrl) : undefined;
  try {
    for (const d of due) {
      const choice = channels.get(d.userId)!;
      // With in-app notifications off the row is still written, already read: the unique key keeps
      // the e-mail from repeating, and the list keeps a trace of what was sent, without a badge.
      const id = await notifyUser(platform.db, { userId: d.userId, kind: d.kind, object: d.object, recordId: d.recordId, occurrence: d.occurrence, title: d.title, body: d.body, read: !choice.inApp });
      if (!id) continue;
      created++;
      const to = users.get(d.userId)?.email;
      if (!transport || !to || !choice.email) continue;
      try {
        await transport.sendMail({ from: settings.from, to, subject: d.title, text: `${d.body}\n\n${recordUrl(platform, d.object, d.recordId)}\n` });
        await markNotificationEmailed(platform.db, id);
        emailed++;
      } catch (error) {
        // The in-app notification stands; the e-mail is not retried (the next run skips it).
        platform.logger.warn({ err: error, notification: id }, 'reminder e-mail failed');
      }
    }
  } finally {
    transport?.close();
  }
  if (created) await pingNotificationStreams(platform.db);
  return { created, emailed };
}
