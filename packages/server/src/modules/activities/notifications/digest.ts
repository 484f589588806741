import { sql } from 'kysely';
import { DateTime } from 'luxon';
import nodemailer from 'nodemailer';
import type { Platform } from '../../../platform/kernel.ts';
import { buildActor, type UserRow } from '../../../platform/auth/sessions.ts';
import { permissionsFor, visibilityCondition } from '../../../platform/access/policy.ts';
import type { RecordContext } from '../../../platform/records/context.ts';
import { getAgenda, type Occurrence } from '../queries/agenda.ts';
import { reminderSettings, type ReminderSettings } from '../commands/sendReminders.ts';
import { OPEN_TASK_STATUSES } from '../objects.ts';
import { tableOf } from '../context.ts';
import { recordUrl } from './mail.ts';

const MAX_OVERDUE = 20;

interface DigestUser extends UserRow {
  digest_hour: number;
}

interface Overdue {
  id: string;
  subject: string;
  due_date: string;
}

/**
 * The daily digest (ACT-3), run every 15 minutes by the `activities.digest` job: each user who
 * turned it on and whose local time has reached their digest hour gets one e-mail listing the
 * day's meetings, calls and tasks (their agenda, read with their own access) and their overdue
 * open tasks. Once per user and local day: the (user, date) row is claimed before sending, so
 * reruns and parallel workers skip it; a failed send gives the claim back for the next run. A
 * day with nothing to say is claimed too, without an e-mail.
 */
export async function sendDailyDigests(platform: Platform, options: { now?: Date; settings?: ReminderSettings } = {}): Promise<{ sent: number; empty: number }> {
  const now = options.now ?? new Date();
  const settings = options.settings ?? reminderSettings(platform);
  if (!settings.smtpUrl) return { sent: 0, empty: 0 };
  const users = await sql<DigestUser>`SELECT u.id, u.email, u.profile, u.role, u.active, u.time_zone, u.locale, u.full_name, s.digest_hour
    FROM activity_notification_settings s JOIN obj_user u ON u.id = s.user_id
    WHERE s.digest_enabled AND u.deleted_at IS NULL AND u.active IS NOT FALSE AND u.email IS NOT NULL`.execute(platform.db);
  let sent = 0;
  let empty = 0;
  const transport = users.rows.length ? nodemailer.createTransport(settings.smtpUrl) : undefined;
  try {
    for (const user of users.rows) {
      const local = DateTime.fromJSDate(now, { zone: user.time_zone || 'UTC' });
      if (!local.isValid || local.hour < Number(user.digest_hour)) continue;
      const day = local.toISODate()!;
      const claim = await sql`INSERT INTO activity_notification_digest (user_id, local_date) VALUES (${user.id}::uuid, ${day}::date)
        ON CONFLICT DO NOTHING RETURNING user_id`.execute(platform.db);
      if (!claim.rows.length) continue;
      try {
        const ctx: RecordContext = { platform, actor: await buildActor(platform, user, 'system') };
        const message = await composeDigest(ctx, local);
        if (!message) {
          empty++;
          continue;
        }
        await transport!.sendMail({ from: settings.from, to: user.email, subject: message.subject, text: message.text });
        await sql`UPDATE activity_notification_digest SET sent_at = now(), items = ${message.items} WHERE user_id = ${user.id}::uuid AND local_date = ${day}::date`.execute(platform.db);
        sent++;
      } catch (error) {
        platform.logger.warn({ err: error, user: user.id }, 'daily digest failed; retried on the next run');
        await sql`DELETE FROM activity_notification_digest WHERE user_id = ${user.id}::uuid AND local_date = ${day}::date`.execute(platform.db);
      }
    }
  } finally {
    transport?.close();
  }
  return { sent, empty };
}

/** The digest's subject and text for the actor's local day, or undefined when there is nothing to say. */
export async function composeDigest(ctx: RecordContext, local: DateTime): Promise<{ subject: string; text: string; items: number } | undefined> {
  const from = local.startOf('day');
  const agenda = (await getAgenda({ ctx, from: from.toJSDate(), to: from.plus({ days: 1 }).toJSDate() })).filter((o) => !['cancelled', 'completed'].includes(o.status));
  const overdue = await overdueTasks(ctx, from.toISODate()!);
  if (!agenda.length && !overdue.length) return undefined;
  const locale = ctx.actor.locale;
  const link = (object: string, id: string) => recordUrl(ctx.platform, object, id);
  const line = (o: Occurrence) => o.localStart
    ? `- ${DateTime.fromISO(o.localStart, { setZone: true }).setLocale(locale).toLocaleString(DateTime.TIME_SIMPLE)} ${o.object === 'call' ? 'Call' : 'Meeting'}: ${o.subject}\n  ${link(o.object, o.id)}`
    : `- Task: ${o.subject}\n  ${link(o.object, o.id)}`;
  const parts: string[] = [];
  const events = agenda.filter((o) => o.object !== 'task');
  const tasks = agenda.filter((o) => o.object === 'task');
  if (events.length) parts.push(`Meetings and calls\n${events.map(line).join('\n')}`);
  if (tasks.length) parts.push(`Tasks due today\n${tasks.map(line).join('\n')}`);
  if (overdue.length) parts.push(`Overdue tasks\n${overdue.map((t) => `- ${t.subject} (due ${DateTime.fromISO(t.due_date).setLocale(locale).toLocaleString(DateTime.DATE_MED)})\n  ${link('task', t.id)}`).join('\n')}`);
  const items = agenda.length + overdue.length;
  const date = local.setLocale(locale).toLocaleString({ weekday: 'short', day: 'numeric', month: 'short' });
  return { subject: `Your day, ${date}: ${items} ${items === 1 ? 'item' : 'items'}`, text: `${parts.join('\n\n')}\n`, items };
}

/** One-off open tasks of the actor due before today (repeating ones have no per-occurrence state), with the actor's access. */
async function overdueTasks(ctx: RecordContext, today: string): Promise<Overdue[]> {
  const def = ctx.platform.registry.requireObject('task');
  if (!permissionsFor(ctx.actor, def).read) return [];
  const vis = visibilityCondition(ctx.actor, def, 'a');
  const r = await sql<Overdue>`SELECT a.id, a.subject, a.due_date::text AS due_date FROM ${tableOf(ctx, 'task')} a
    WHERE a.owner_id = ${ctx.actor.userId}::uuid AND a.deleted_at IS NULL AND a.recurrence_rule IS NULL AND a.due_date < ${today}::date
      AND a.status IN (${sql.join([...OPEN_TASK_STATUSES])})${vis ? sql` AND ${vis}` : sql``}
    ORDER BY a.due_date, a.id LIMIT ${MAX_OVERDUE}`.execute(ctx.platform.db);
  return r.rows;
}
