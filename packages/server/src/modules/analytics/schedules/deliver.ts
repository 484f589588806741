import { sql } from 'kysely';
import { DateTime } from 'luxon';
import type { Platform } from '../../../platform/kernel.ts';
import { buildActor, type UserRow } from '../../../platform/auth/sessions.ts';
import { writeAudit } from '../../../platform/events/audit.ts';
import { sendMail } from '../../../platform/mail.ts';
import type { RecordContext } from '../../../platform/records/context.ts';
import { encodeArrayLiteral } from '../../../platform/query/compile.ts';
import { analyticsSettings } from '../settings.ts';
import { reportAttachment, reportFileName } from '../reports/file.ts';
import { loadScheduledReport, type SavedReport } from '../reports/store.ts';
import { toSchedule, type ScheduleRow } from './store.ts';
import { sendDashboard } from './deliverDashboard.ts';
import { SUMMARY_ROWS, escapeHtml, summaryOf } from './summary.ts';

export interface DeliveryResult {
  sent: number;
  failed: number;
  broken: number;
  errors?: string[];
}

/** The people a schedule goes to: its users and its groups' members, active and with an e-mail, each once. */
async function recipientsOf(platform: Platform, row: ScheduleRow): Promise<UserRow[]> {
  const { users, groups } = toSchedule(row).recipients;
  const r = await sql<UserRow>`SELECT u.id, u.email, u.profile, u.role, u.active, u.time_zone, u.locale, u.full_name FROM obj_user u
    WHERE (u.id = ANY(${encodeArrayLiteral(users)}::uuid[]) OR u.id IN (SELECT m.user_id FROM access_group_member m WHERE m.group_name = ANY(${encodeArrayLiteral(groups)}::text[])))
      AND u.deleted_at IS NULL AND u.active IS NOT FALSE AND u.email IS NOT NULL ORDER BY u.id`.execute(platform.db);
  return r.rows;
}

export type SendOutcome = { status: 'sent' | 'broken'; rows: number | null };

/** The recipient's local date of a run, for the subject line. */
export function runDay(slot: Date, user: UserRow, row: ScheduleRow): string {
  return DateTime.fromJSDate(slot, { zone: user.time_zone || row.time_zone }).toLocaleString(DateTime.DATE_MED, { locale: user.locale || 'en-US' });
}

async function sendOne(args: { platform: Platform; row: ScheduleRow; user: UserRow; slot: Date }): Promise<SendOutcome> {
  const { platform, row, user } = args;
  const ctx: RecordContext = { platform, actor: await buildActor(platform, user, 'system') };
  return row.dashboard_id ? sendDashboard({ ...args, ctx }) : sendReport({ ...args, ctx });
}

async function sendReport(args: { platform: Platform; ctx: RecordContext; row: ScheduleRow; user: UserRow; slot: Date }): Promise<SendOutcome> {
  const { platform, ctx, row, user, slot } = args;
  const report: SavedReport | null = await loadScheduledReport(ctx, row.report_id!);
  if (!report) throw new Error('the report no longer exists');
  const link = `${platform.config.publicUrl}/reports/${report.id}`;
  const subject = `${report.name} — ${runDay(slot, user, row)}`;
  if (report.broken) {
    // Said rather than skipped: a recipient who stops getting a report should know why.
    const why = `This report cannot run for you: ${report.broken}. Ask its owner to fix it, or to take you off the schedule.`;
    await sendMail(platform, { to: user.email, subject, text: `${why}\n\n${link}`, html: `<p>${escapeHtml(why)}</p><p><a href="${escapeHtml(link)}">${escapeHtml(report.name)}</a></p>` });
    return { status: 'broken', rows: null };
  }
  const object = platform.registry.requireObject(report.object);
  const { mailMaxRows } = analyticsSettings.of(platform);
  const file = await reportAttachment({ ctx, object, name: report.name, definition: report.definition, format: row.format, maxRows: mailMaxRows });
  const summary = summaryOf(object, file.first);
  const counted = file.first.shape === 'tabular' ? (file.first.nextCursor ? `${summary.rows}+ rows` : `${summary.rows} rows`) : `${summary.rows} rows with subtotals`;
  const notes = [
    `${counted}; ${summary.rows > SUMMARY_ROWS ? `the first ${SUMMARY_ROWS} are below, ` : ''}the whole report is attached (${row.format.toUpperCase()}).`,
    ...(file.truncated ? [`The attachment holds the first ${mailMaxRows.toLocaleString('en-US')} rows; open the report for the rest.`] : []),
    'Run with your own access: you see the records you could open in Meridian.',
  ];
  await sendMail(platform, {
    to: user.email, subject,
    text: `${report.name}\n${notes.join('\n')}\n\n${summary.text}\n\n${link}`,
    html: `<h2 style="font-family:sans-serif">${escapeHtml(report.name)}</h2>${notes.map((n) => `<p style="font-family:sans-serif">${escapeHtml(n)}</p>`).join('')}${summary.html}<p><a href="${escapeHtml(link)}">Open the report in Meridian</a></p>`,
    attachments: [{ filename: reportFileName(report.name, row.format, slot), content: file.content }],
  });
  await writeAudit(platform.db, {
    action: 'reports.emailed', actor: ctx.actor, target: { type: 'report', id: report.id },
    details: { report: report.id, schedule: row.id, format: row.format, truncated: file.truncated },
  });
  return { status: 'sent', rows: summary.rows };
}

/**
 * Sends one run (`slot`) of a schedule: the report run as each recipient in turn (their access,
 * their fields), one e-mail each. The delivery row is claimed before sending, so a retried run or
 * a second worker never sends a recipient the same slot twice; a failure is recorded per
 * recipient and does not stop the others.
 */
export async function deliverSchedule(args: { platform: Platform; row: ScheduleRow; slot: Date }): Promise<DeliveryResult> {
  const { platform, row, slot } = args;
  const result: DeliveryResult = { sent: 0, failed: 0, broken: 0 };
  const errors: string[] = [];
  for (const user of await recipientsOf(platform, row)) {
    const claim = await sql`INSERT INTO analytics_report_delivery (schedule_id, slot, recipient_id, status) VALUES (${row.id}, ${slot}, ${user.id}, 'sending')
      ON CONFLICT DO NOTHING RETURNING recipient_id`.execute(platform.db);
    if (!claim.rows.length) continue;
    try {
      const { status, rows } = await sendOne({ platform, row, user, slot });
      result[status === 'sent' ? 'sent' : 'broken']++;
      await sql`UPDATE analytics_report_delivery SET status = ${status}, rows = ${rows} WHERE schedule_id = ${row.id} AND slot = ${slot} AND recipient_id = ${user.id}`.execute(platform.db);
    } catch (error) {
      result.failed++;
      const message = error instanceof Error ? error.message : String(error);
      errors.push(`${user.email}: ${message}`.slice(0, 300));
      platform.logger.warn({ err: error, schedule: row.id, recipient: user.id }, 'scheduled report: a delivery failed');
      await sql`UPDATE analytics_report_delivery SET status = 'failed', error = ${message.slice(0, 1000)} WHERE schedule_id = ${row.id} AND slot = ${slot} AND recipient_id = ${user.id}`.execute(platform.db);
    }
  }
  if (errors.length) result.errors = errors.slice(0, 10);
  await sql`UPDATE analytics_report_schedule SET last_run_at = ${slot}, last_result = ${JSON.stringify(result)}::jsonb WHERE id = ${row.id}`.execute(platform.db);
  return result;
}
