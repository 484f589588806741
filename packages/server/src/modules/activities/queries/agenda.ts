import { sql } from 'kysely';
import { DateTime } from 'luxon';
import { badRequest } from '../../../platform/errors.ts';
import { isFieldReadable, permissionsFor, visibilityCondition } from '../../../platform/access/policy.ts';
import type { RecordContext } from '../../../platform/records/context.ts';
import { expandDates, expandInstants, parseExceptions } from '../domain/recurrence.ts';
import { tableOf } from '../context.ts';
import { resolveDisplayNames } from '../../../platform/records/read.ts';
import type { FieldDefinition, ObjectDefinition } from '../../../platform/metadata/types.ts';

export const AGENDA_MAX_DAYS = 366;

export interface Occurrence {
  object: 'meeting' | 'call' | 'task';
  id: string;
  subject: string;
  status: string;
  recurring: boolean;
  /** Identifies the occurrence for edits: its original start (UTC instant) or due date. */
  occurrence: string;
  /** Meetings and calls: instants, and the same in the user's time zone. */
  start?: string;
  end?: string | null;
  localStart?: string;
  localEnd?: string | null;
  /** Tasks: the due date. */
  dueDate?: string;
  /** Meetings: where (so a day view needs no second request). */
  location?: string | null;
  /** The record it is about — the deal, else the account, contact or lead — when the reader may see it. */
  regarding?: { object: string; id: string; name: string } | null;
}

/** Which related record names an activity in lists: the most specific first. */
const REGARDING_ORDER = ['opportunity', 'account', 'contact', 'lead'] as const;

/** The regarding lookups of an activity object that the reader may see, as SQL columns and field names. */
function regardingColumns(ctx: RecordContext, def: ObjectDefinition) {
  const fields = REGARDING_ORDER.map((name) => def.fields.find((f) => f.apiName === name)).filter((f): f is FieldDefinition => !!f && isFieldReadable(ctx.actor, def, f));
  return {
    fields,
    sql: fields.length ? sql`, ${sql.join(fields.map((f) => sql`${sql.ref(`a.${f.column}`)}::text AS ${sql.ref(`r_${f.apiName}`)}`))}` : sql``,
  };
}

/** Names the regarding record of each row, through the record service's display names (visibility applies). */
async function nameRegarding(ctx: RecordContext, def: ObjectDefinition, fields: FieldDefinition[], rows: Array<Record<string, unknown> & { id: string }>) {
  const records: Array<Record<string, unknown> & { id: string }> = rows.map((r) => ({ id: r.id, ...Object.fromEntries(fields.map((f) => [f.apiName, r[`r_${f.apiName}`] ?? null])) }));
  const names = await resolveDisplayNames(ctx, def, records);
  const out = new Map<string, Occurrence['regarding']>();
  for (const r of records) {
    const f = fields.find((x) => typeof r[x.apiName] === 'string' && names[x.lookup!.object]?.[r[x.apiName] as string]);
    out.set(r.id, f ? { object: f.lookup!.object, id: r[f.apiName] as string, name: names[f.lookup!.object]![r[f.apiName] as string]! } : null);
  }
  return out;
}

interface EventRow {
  id: string;
  subject: string;
  status: string;
  start_at: Date;
  end_at: Date | null;
  time_zone: string | null;
  recurrence_rule: string | null;
  recurrence_exceptions: string | null;
  location: string | null;
}

interface TaskRow {
  id: string;
  subject: string;
  status: string;
  due_date: string;
  recurrence_rule: string | null;
  recurrence_exceptions: string | null;
}

/**
 * Ids of the meetings a user is invited to as a colleague (meeting_invitee.user) and did not
 * decline; with a window, only those that may have an occurrence in it. Read by the agenda and
 * the calendar feed, which otherwise list what the user owns; each id is an index probe.
 */
export async function invitedMeetingIds(ctx: RecordContext, userId: string, window?: { from: Date; to: Date }): Promise<string[]> {
  const r = await sql<{ id: string }>`SELECT i.meeting_id AS id FROM ${tableOf(ctx, 'meeting_invitee')} i JOIN ${tableOf(ctx, 'meeting')} m ON m.id = i.meeting_id AND m.deleted_at IS NULL
    WHERE i.user_id = ${userId}::uuid AND i.deleted_at IS NULL AND i.response <> 'declined'
    ${window ? sql`AND m.start_at < ${window.to} AND (m.recurrence_rule IS NOT NULL OR COALESCE(m.end_at, m.start_at) >= ${window.from})` : sql``}
    LIMIT 5000`.execute(ctx.trx ?? ctx.platform.db);
  return r.rows.map((x) => x.id);
}

export function parseWindow(q: { from?: string; to?: string }, timeZone: string): { from: Date; to: Date } {
  const parse = (value: string | undefined, field: string) => {
    if (!value) throw badRequest(`${field} is required`, [{ field, code: 'required', message: 'An ISO date or date-time' }]);
    const d = DateTime.fromISO(value, { zone: timeZone });
    if (!d.isValid) throw badRequest(`${field} is not a date`, [{ field, code: 'type', message: 'An ISO date or date-time' }]);
    return d.toJSDate();
  };
  const from = parse(q.from, 'from');
  const to = parse(q.to, 'to');
  if (to <= from || to.getTime() - from.getTime() > AGENDA_MAX_DAYS * 86_400_000) {
    throw badRequest('to must be after from, at most a year later', [{ field: 'to', code: 'out_of_range', message: `After from, at most ${AGENDA_MAX_DAYS} days` }]);
  }
  return { from, to };
}

/**
 * The signed-in user's agenda (ACT-2): their meetings, calls and dated tasks in [from, to),
 * recurring ones expanded on read (never stored as copies), sorted by start. Plain dates in
 * from/to are midnights in the user's time zone; local times are given in that zone too.
 */
export async function getAgenda(args: { ctx: RecordContext; from: Date; to: Date; userId?: string }): Promise<Occurrence[]> {
  const { ctx, from, to } = args;
  const userId = args.userId ?? ctx.actor.userId;
  const tz = ctx.actor.timeZone;
  const local = (d: Date) => DateTime.fromJSDate(d, { zone: tz }).toISO({ suppressMilliseconds: true, includeOffset: true })!;
  const iso = (d: Date) => d.toISOString().replace('.000Z', 'Z');
  const out: Occurrence[] = [];
  const db = ctx.trx ?? ctx.platform.db;
  // Meetings the user is invited to (and did not decline) count as theirs, whoever owns them.
  const invited = userId ? await invitedMeetingIds(ctx, userId, { from, to }) : [];
  for (const object of ['meeting', 'call'] as const) {
    const def = ctx.platform.registry.requireObject(object);
    if (!permissionsFor(ctx.actor, def).read) continue;
    const mine = object === 'meeting' && invited.length ? sql`(a.owner_id = ${userId}::uuid OR a.id = ANY(${invited}::uuid[]))` : sql`a.owner_id = ${userId}::uuid`;
    const vis = visibilityCondition(ctx.actor, def, 'a');
    // Field-level security applies here as on every read: no location for those who may not see it.
    const locationField = object === 'meeting' ? def.fields.find((f) => f.apiName === 'location') : undefined;
    const withLocation = locationField !== undefined && isFieldReadable(ctx.actor, def, locationField);
    // Three disjoint parts, each on its own partial index (startup.ts): recurring series (expanded
    // below), one-off items of at most a day, found by their start in [from − 1 day, to), and the
    // rare longer ones. A single "ends after from" condition would read every future item.
    const about = regardingColumns(ctx, def);
    const cols = sql`a.id, a.subject, a.status, a.start_at, a.end_at, a.time_zone, a.recurrence_rule, a.recurrence_exceptions, ${withLocation ? sql`a.location` : sql`NULL`} AS location${about.sql}`;
    const base = sql`FROM ${tableOf(ctx, object)} a WHERE ${mine} AND a.deleted_at IS NULL AND a.start_at < ${to}${vis ? sql` AND ${vis}` : sql``}`;
    const r = await sql<EventRow>`SELECT ${cols} ${base} AND a.recurrence_rule IS NOT NULL
      UNION ALL
      SELECT ${cols} ${base} AND a.recurrence_rule IS NULL AND (a.end_at IS NULL OR a.end_at - a.start_at <= interval '1 day')
        AND a.start_at >= ${from}::timestamptz - interval '1 day' AND COALESCE(a.end_at, a.start_at) >= ${from}
      UNION ALL
      SELECT ${cols} ${base} AND a.recurrence_rule IS NULL AND a.end_at - a.start_at > interval '1 day' AND a.end_at >= ${from}`.execute(db);
    const regarding = await nameRegarding(ctx, def, about.fields, r.rows as never);
    for (const row of r.rows) {
      const start = new Date(row.start_at);
      const duration = row.end_at ? new Date(row.end_at).getTime() - start.getTime() : null;
      const starts = row.recurrence_rule
        ? expandInstants({ rule: row.recurrence_rule, start, timeZone: row.time_zone || tz, from: new Date(from.getTime() - (duration ?? 0)), to, exceptions: parseExceptions(row.recurrence_exceptions) })
        : [start];
      for (const s of starts) {
        const end = duration === null ? null : new Date(s.getTime() + duration);
        if ((end ?? s) < from && s < from) continue;
        out.push({ object, id: row.id, subject: row.subject, status: row.status, recurring: Boolean(row.recurrence_rule), occurrence: iso(s), start: iso(s), end: end && iso(end), localStart: local(s), localEnd: end && local(end), ...(withLocation ? { location: row.location } : {}), regarding: regarding.get(row.id) ?? null });
      }
    }
  }
  const taskDef = ctx.platform.registry.requireObject('task');
  if (permissionsFor(ctx.actor, taskDef).read) {
    const fromDate = DateTime.fromJSDate(from, { zone: tz }).toISODate()!;
    // [from, to): the last day is the one before `to` unless `to` is later than its midnight.
    const toDate = DateTime.fromJSDate(new Date(to.getTime() - 1), { zone: tz }).toISODate()!;
    const vis = visibilityCondition(ctx.actor, taskDef, 'a');
    const about = regardingColumns(ctx, taskDef);
    const r = await sql<TaskRow>`SELECT a.id, a.subject, a.status, a.due_date::text AS due_date, a.recurrence_rule, a.recurrence_exceptions${about.sql}
      FROM ${tableOf(ctx, 'task')} a WHERE a.owner_id = ${userId}::uuid AND a.deleted_at IS NULL AND a.due_date <= ${toDate}::date
        AND a.recurrence_rule IS NOT NULL${vis ? sql` AND ${vis}` : sql``}
      UNION ALL
      SELECT a.id, a.subject, a.status, a.due_date::text AS due_date, a.recurrence_rule, a.recurrence_exceptions${about.sql}
      FROM ${tableOf(ctx, 'task')} a WHERE a.owner_id = ${userId}::uuid AND a.deleted_at IS NULL AND a.due_date <= ${toDate}::date
        AND a.recurrence_rule IS NULL AND a.due_date >= ${fromDate}::date${vis ? sql` AND ${vis}` : sql``}`.execute(db);
    const regarding = await nameRegarding(ctx, taskDef, about.fields, r.rows as never);
    for (const row of r.rows) {
      const dates = row.recurrence_rule ? expandDates({ rule: row.recurrence_rule, start: row.due_date, from: fromDate, to: toDate, exceptions: parseExceptions(row.recurrence_exceptions) }) : [row.due_date];
      for (const d of dates) out.push({ object: 'task', id: row.id, subject: row.subject, status: row.status, recurring: Boolean(row.recurrence_rule), occurrence: d, dueDate: d, regarding: regarding.get(row.id) ?? null });
    }
  }
  // Sort keys computed once per item: a luxon parse inside the comparator ran n·log n times.
  const keys = new Map<Occurrence, string>();
  const dayStarts = new Map<string, string>();
  for (const o of out) {
    let k = o.start;
    if (k === undefined) {
      k = dayStarts.get(o.dueDate!);
      if (k === undefined) dayStarts.set(o.dueDate!, (k = DateTime.fromISO(o.dueDate!, { zone: tz }).toUTC().toISO()!));
    }
    keys.set(o, k);
  }
  return out.sort((a, b) => {
    const ka = keys.get(a)!;
    const kb = keys.get(b)!;
    return ka < kb ? -1 : ka > kb ? 1 : a.id < b.id ? -1 : 1;
  });
}
