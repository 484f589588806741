import { createHash, createHmac, randomBytes } from 'node:crypto';
import { sql } from 'kysely';
import { DateTime } from 'luxon';
import type { Platform } from '../../../platform/kernel.ts';
import type { RecordContext } from '../../../platform/records/context.ts';
import { permissionsFor, visibilityCondition, isFieldReadable } from '../../../platform/access/policy.ts';
import { dateStamp, escapeText, fold, localStamp, utcStamp, vtimezone } from '../domain/ical.ts';
import { parseExceptions } from '../domain/recurrence.ts';
import { tableOf } from '../context.ts';
import { invitedMeetingIds } from './agenda.ts';

/**
 * The secret iCalendar feed of a user (ACT-4). The token is an HMAC of a random per-user nonce
 * under the server's signing key: the database keeps the nonce and the token's SHA-256 (the
 * lookup key), never the token, so a database dump alone does not reveal feed URLs, and
 * GET can show the same URL again. Rotating replaces the nonce: the old URL stops working.
 */
const sha256 = (s: string) => createHash('sha256').update(s).digest('hex');
const tokenFor = (platform: Platform, userId: string, nonce: string) => createHmac('sha256', platform.signingKey).update(`ical:${userId}:${nonce}`).digest('base64url');

export async function calendarFeedUrl(ctx: RecordContext, rotate: boolean): Promise<{ url: string }> {
  const userId = ctx.actor.userId;
  if (!userId) throw new Error('A user is needed');
  const db = ctx.trx ?? ctx.platform.db;
  let nonce: string | undefined;
  if (!rotate) {
    const r = await sql<{ nonce: string }>`SELECT nonce FROM activity_calendar_feed WHERE user_id = ${userId}::uuid`.execute(db);
    nonce = r.rows[0]?.nonce;
  }
  if (!nonce) {
    nonce = randomBytes(16).toString('base64url');
    const hash = sha256(tokenFor(ctx.platform, userId, nonce));
    await sql`INSERT INTO activity_calendar_feed (user_id, nonce, token_hash) VALUES (${userId}::uuid, ${nonce}, ${hash})
      ON CONFLICT (user_id) DO UPDATE SET nonce = EXCLUDED.nonce, token_hash = EXCLUDED.token_hash, created_at = now()`.execute(db);
  }
  const base = ctx.platform.config.publicUrl.replace(/\/$/, '');
  return { url: `${base}/ical/${tokenFor(ctx.platform, userId, nonce)}.ics` };
}

/** The user a feed token belongs to, or undefined. */
export async function feedUser(platform: Platform, token: string): Promise<string | undefined> {
  if (!/^[A-Za-z0-9_-]{20,100}$/.test(token)) return undefined;
  const r = await sql<{ user_id: string }>`SELECT user_id FROM activity_calendar_feed WHERE token_hash = ${sha256(token)}`.execute(platform.db);
  return r.rows[0]?.user_id;
}

interface EventRow {
  id: string;
  subject: string;
  description: string | null;
  status: string;
  start_at: Date;
  end_at: Date | null;
  time_zone: string | null;
  location?: string | null;
  recurrence_rule: string | null;
  recurrence_exceptions: string | null;
}

const TODO_STATUS: Record<string, string> = { not_started: 'NEEDS-ACTION', in_progress: 'IN-PROCESS', deferred: 'NEEDS-ACTION', completed: 'COMPLETED', cancelled: 'CANCELLED' };

/**
 * The feed: the user's meetings and calls as VEVENTs, dated tasks as VTODOs, recurring ones
 * with their RRULE and EXDATEs (clients expand them), times in the activity's own time zone
 * with a VTIMEZONE for each zone used. Past one-off items older than 90 days are left out.
 */
export async function buildCalendarFeed(ctx: RecordContext): Promise<string> {
  const userId = ctx.actor.userId!;
  const db = ctx.platform.db;
  const now = new Date();
  const since = new Date(now.getTime() - 90 * 86_400_000);
  const events: string[][] = [];
  const zones = new Map<string, { min: number; max: number }>();
  const useZone = (zone: string, d: Date) => {
    const y = d.getUTCFullYear();
    const z = zones.get(zone) ?? { min: y, max: y };
    zones.set(zone, { min: Math.min(z.min, y), max: Math.max(z.max, y) });
  };
  const stamp = utcStamp(now);
  const invited = await invitedMeetingIds(ctx, userId);
  for (const object of ['meeting', 'call'] as const) {
    const def = ctx.platform.registry.requireObject(object);
    if (!permissionsFor(ctx.actor, def).read) continue;
    const vis = visibilityCondition(ctx.actor, def, 'a');
    // Field-level security applies to the feed as to every read (the agenda hides the same fields).
    const seen = (field: string) => { const f = def.fields.find((x) => x.apiName === field); return !f || isFieldReadable(ctx.actor, def, f); };
    const showDescription = seen('description');
    const showLocation = seen('location');
    const mine = object === 'meeting' && invited.length ? sql`(a.owner_id = ${userId}::uuid OR a.id = ANY(${invited}::uuid[]))` : sql`a.owner_id = ${userId}::uuid`;
    const r = await sql<EventRow>`SELECT a.* FROM ${tableOf(ctx, object)} a WHERE ${mine} AND a.deleted_at IS NULL
      AND (a.recurrence_rule IS NOT NULL OR a.start_at >= ${since})${vis ? sql` AND ${vis}` : sql``} ORDER BY a.start_at, a.id LIMIT 5000`.execute(db);
    const attendees = object === 'meeting' ? await attendeeLines(ctx, r.rows.map((e) => e.id)) : new Map<string, string[]>();
    for (const e of r.rows) {
      const start = new Date(e.start_at);
      const zone = e.time_zone && DateTime.local().setZone(e.time_zone).isValid && e.time_zone !== 'UTC' ? e.time_zone : null;
      const at = (d: Date) => (zone ? `;TZID=${zone}:${localStamp(d, zone)}` : `:${utcStamp(d)}`);
      const lines = ['BEGIN:VEVENT', `UID:${e.id}@meridian`, `DTSTAMP:${stamp}`, `DTSTART${at(start)}`];
      if (e.end_at) lines.push(`DTEND${at(new Date(e.end_at))}`);
      lines.push(`SUMMARY:${escapeText((object === 'call' ? 'Call: ' : '') + e.subject)}`);
      if (e.description && showDescription) lines.push(`DESCRIPTION:${escapeText(e.description)}`);
      if (e.location && showLocation) lines.push(`LOCATION:${escapeText(e.location)}`);
      lines.push(`STATUS:${e.status === 'cancelled' ? 'CANCELLED' : 'CONFIRMED'}`, ...(attendees.get(e.id) ?? []));
      if (e.recurrence_rule) {
        lines.push(`RRULE:${e.recurrence_rule}`);
        for (const x of parseExceptions(e.recurrence_exceptions)) lines.push(`EXDATE${at(new Date(x))}`);
      }
      lines.push('END:VEVENT');
      if (zone) {
        useZone(zone, start);
        useZone(zone, new Date(Math.max(start.getTime(), now.getTime()) + 2 * 365 * 86_400_000));
      }
      events.push(lines);
    }
  }
  const taskDef = ctx.platform.registry.requireObject('task');
  if (permissionsFor(ctx.actor, taskDef).read) {
    const vis = visibilityCondition(ctx.actor, taskDef, 'a');
    const r = await sql<{ id: string; subject: string; description: string | null; status: string; due_date: string; priority: string | null; recurrence_rule: string | null; recurrence_exceptions: string | null }>`
      SELECT a.id, a.subject, a.description, a.status, a.due_date::text AS due_date, a.priority, a.recurrence_rule, a.recurrence_exceptions
      FROM ${tableOf(ctx, 'task')} a WHERE a.owner_id = ${userId}::uuid AND a.deleted_at IS NULL AND a.due_date IS NOT NULL
        AND (a.recurrence_rule IS NOT NULL OR a.due_date >= ${since.toISOString().slice(0, 10)}::date)${vis ? sql` AND ${vis}` : sql``}
      ORDER BY a.due_date, a.id LIMIT 5000`.execute(db);
    for (const t of r.rows) {
      const lines = ['BEGIN:VTODO', `UID:${t.id}@meridian`, `DTSTAMP:${stamp}`, `DTSTART;VALUE=DATE:${dateStamp(t.due_date)}`, `DUE;VALUE=DATE:${dateStamp(t.due_date)}`, `SUMMARY:${escapeText(t.subject)}`];
      if (t.description && taskDef.fields.some((f) => f.apiName === 'description' && isFieldReadable(ctx.actor, taskDef, f))) lines.push(`DESCRIPTION:${escapeText(t.description)}`);
      lines.push(`STATUS:${TODO_STATUS[t.status] ?? 'NEEDS-ACTION'}`, `PRIORITY:${t.priority === 'high' ? 1 : t.priority === 'low' ? 9 : 5}`);
      if (t.recurrence_rule) {
        lines.push(`RRULE:${t.recurrence_rule}`);
        for (const x of parseExceptions(t.recurrence_exceptions)) lines.push(`EXDATE;VALUE=DATE:${dateStamp(x)}`);
      }
      lines.push('END:VTODO');
      events.push(lines);
    }
  }
  const out = ['BEGIN:VCALENDAR', 'VERSION:2.0', 'PRODID:-//Meridian//CRM activities//EN', 'CALSCALE:GREGORIAN', 'METHOD:PUBLISH', 'X-WR-CALNAME:Meridian'];
  for (const [zone, years] of zones) out.push(...vtimezone(zone, years.min - 1, years.max));
  for (const e of events) out.push(...e);
  out.push('END:VCALENDAR');
  return out.map(fold).join('\r\n') + '\r\n';
}

/** iCalendar's participation status of each meeting_invitee response. */
const PARTSTAT: Record<string, string> = { needs_action: 'NEEDS-ACTION', accepted: 'ACCEPTED', declined: 'DECLINED', tentative: 'TENTATIVE' };

/**
 * ATTENDEE lines of the meetings' invitees the reader may see: colleagues with their e-mail, contacts
 * with theirs when the reader may see the contact and its e-mail field (else a name only).
 */
async function attendeeLines(ctx: RecordContext, meetingIds: string[]): Promise<Map<string, string[]>> {
  const out = new Map<string, string[]>();
  const invitee = ctx.platform.registry.requireObject('meeting_invitee');
  const contact = ctx.platform.registry.requireObject('contact');
  if (!meetingIds.length || !permissionsFor(ctx.actor, invitee).read) return out;
  const vis = visibilityCondition(ctx.actor, invitee, 'i');
  const emailField = contact.fields.find((f) => f.apiName === 'email');
  const contactEmail = permissionsFor(ctx.actor, contact).read && emailField && isFieldReadable(ctx.actor, contact, emailField);
  const contactVis = visibilityCondition(ctx.actor, contact, 'c');
  const r = await sql<{ meeting_id: string; name: string | null; response: string; email: string | null }>`
    SELECT i.meeting_id, i.name, i.response, COALESCE(u.email, ${contactEmail ? sql`c.email` : sql`NULL`}) AS email
    FROM ${sql.table(invitee.table)} i LEFT JOIN obj_user u ON u.id = i.user_id
      LEFT JOIN ${sql.table(contact.table)} c ON c.id = i.contact_id AND c.deleted_at IS NULL${contactVis ? sql` AND ${contactVis}` : sql``}
    WHERE i.meeting_id = ANY(${meetingIds}::uuid[]) AND i.deleted_at IS NULL${vis ? sql` AND ${vis}` : sql``} ORDER BY i.meeting_id, i.id`.execute(ctx.platform.db);
  for (const a of r.rows) {
    const cn = (a.name ?? '').replace(/[\r\n"]/g, ' ').trim();
    const line = `ATTENDEE;ROLE=REQ-PARTICIPANT;PARTSTAT=${PARTSTAT[a.response] ?? 'NEEDS-ACTION'}${cn ? `;CN="${cn}"` : ''}:${a.email ? `mailto:${a.email}` : 'invalid:nomail'}`;
    out.set(a.meeting_id, [...(out.get(a.meeting_id) ?? []), line]);
  }
  return out;
}
