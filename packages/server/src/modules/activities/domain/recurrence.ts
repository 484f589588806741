import * as rruleNs from 'rrule';
import { DateTime, IANAZone } from 'luxon';
import type { FieldError } from '../../../platform/errors.ts';

// rrule ships CommonJS: under Node's ESM loader its exports are on `default`.
const { RRule, Frequency } = ((rruleNs as unknown as { default?: typeof rruleNs }).default ?? rruleNs) as typeof rruleNs;

/** Occurrences one series may produce in one window, so a DAILY rule over years stays bounded. */
export const MAX_OCCURRENCES = 2000;
const ALLOWED = new Set([Frequency.YEARLY, Frequency.MONTHLY, Frequency.WEEKLY, Frequency.DAILY]);

/**
 * Parses and normalises an RFC 5545 RRULE value (with or without the `RRULE:` prefix). rrule's
 * own parser is lenient (FREQ=FOO parses to no frequency), so the parts are checked here too.
 * Sub-daily frequencies are refused: activities recur by day at most.
 */
export function normaliseRule(text: string): { rule: string } | { error: FieldError } {
  const bad = (message: string) => ({ error: { field: 'recurrence_rule', code: 'invalid', message } });
  // RFC 5545 names are case-insensitive; rrule's parser wants upper case.
  const raw = text.trim().replace(/^RRULE:/i, '').toUpperCase();
  if (!raw || /[\r\n]/.test(raw) || /DTSTART/i.test(raw)) return bad('One RRULE value, e.g. FREQ=WEEKLY;BYDAY=MO');
  let options: Partial<rruleNs.Options>;
  try {
    options = RRule.parseString(raw);
  } catch (error) {
    return bad((error as Error).message);
  }
  if (options.freq === undefined || options.freq === null) return bad('FREQ is missing or unknown');
  if (!ALLOWED.has(options.freq)) return bad('FREQ must be DAILY, WEEKLY, MONTHLY or YEARLY');
  const byday = options.byweekday as unknown;
  if (Array.isArray(byday) && byday.some((d) => d === undefined || d === null)) return bad('BYDAY has an unknown day');
  if (options.interval !== undefined && (!Number.isInteger(options.interval) || options.interval < 1)) return bad('INTERVAL must be a positive integer');
  if (options.count !== undefined && options.count !== null && (!Number.isInteger(options.count) || options.count < 1)) return bad('COUNT must be a positive integer');
  if (options.count && options.until) return bad('Use COUNT or UNTIL, not both');
  return { rule: RRule.optionsToString(options).replace(/^RRULE:/, '') };
}

/**
 * rrule iterates from DTSTART, so a daily series started years ago costs thousands of steps
 * for every one-day window. For DAILY and WEEKLY rules without COUNT the periods have a fixed
 * length on the floating (zone-less) scale, so DTSTART can move forward by whole periods to just
 * before the window without changing the occurrences: weekdays, INTERVAL alignment and the time
 * of day are kept. COUNT counts from the real start, and MONTHLY/YEARLY periods vary in length
 * (a 31st falls out of short months), so those keep their DTSTART; they have few steps a year.
 */
export function fastForwardStart(options: Partial<rruleNs.Options>, dtstart: Date, windowStart: Date): Date {
  if (options.count || (options.freq !== Frequency.DAILY && options.freq !== Frequency.WEEKLY)) return dtstart;
  const period = (options.freq === Frequency.DAILY ? 1 : 7) * 86_400_000 * (options.interval || 1);
  // One period of margin: BYDAY can put occurrences of a week before DTSTART's weekday.
  const k = Math.floor((windowStart.getTime() - dtstart.getTime()) / period) - 1;
  return k > 0 ? new Date(dtstart.getTime() + k * period) : dtstart;
}

/** Recurrence exceptions: original occurrence starts (instants, or dates for tasks), one per line or comma. */
export function normaliseExceptions(text: string, dated: boolean): { value: string } | { error: FieldError } {
  const out: string[] = [];
  for (const part of text.split(/[\s,]+/).filter(Boolean)) {
    if (dated) {
      if (!/^\d{4}-\d{2}-\d{2}$/.test(part) || !DateTime.fromISO(part, { zone: 'UTC' }).isValid) return { error: { field: 'recurrence_exceptions', code: 'invalid', message: `Not a date: ${part.slice(0, 40)}` } };
      out.push(part);
    } else {
      const d = DateTime.fromISO(part, { setZone: true });
      if (!d.isValid || !/T/.test(part)) return { error: { field: 'recurrence_exceptions', code: 'invalid', message: `Not a date-time: ${part.slice(0, 40)}` } };
      out.push(d.toUTC().toISO({ suppressMilliseconds: true })!);
    }
  }
  return { value: [...new Set(out)].sort().join('\n') };
}

export function parseExceptions(text: unknown): Set<string> {
  return new Set(typeof text === 'string' ? text.split(/[\s,]+/).filter(Boolean) : []);
}

// Checking a zone through luxon costs ~40 µs a call (it works out the local zone first); the
// answer never changes, and an agenda checks one per series.
const zoneValidity = new Map<string, boolean>();
function isValidZone(zone: string): boolean {
  let ok = zoneValidity.get(zone);
  if (ok === undefined) {
    ok = IANAZone.isValidZone(zone);
    if (zoneValidity.size < 1000) zoneValidity.set(zone, ok);
  }
  return ok;
}

/**
 * The starts of a series within [from, to), as instants. The rule is expanded on wall-clock
 * time in the series' time zone and each local start is then placed in that zone, so a weekly
 * 09:00 meeting stays at 09:00 local time across DST changes (RFC 5545 semantics for a
 * DTSTART with TZID). rrule itself runs on "floating" UTC dates.
 */
export function expandInstants(args: { rule: string; start: Date; timeZone: string; from: Date; to: Date; exceptions?: Set<string> }): Date[] {
  const zone = isValidZone(args.timeZone) ? args.timeZone : 'UTC';
  const localStart = DateTime.fromJSDate(args.start, { zone });
  const floating = (d: DateTime) => new Date(Date.UTC(d.year, d.month - 1, d.day, d.hour, d.minute, d.second));
  const toInstant = (f: Date) =>
    DateTime.fromObject(
      { year: f.getUTCFullYear(), month: f.getUTCMonth() + 1, day: f.getUTCDate(), hour: f.getUTCHours(), minute: f.getUTCMinutes(), second: f.getUTCSeconds() },
      { zone },
    ).toJSDate();
  const options = { ...RRule.parseString(args.rule), dtstart: floating(localStart) };
  if (options.until) {
    // UNTIL is an instant (…Z); compare it on the same floating scale.
    options.until = floating(DateTime.fromJSDate(options.until, { zone }));
  }
  // Widen the floating window by a day each side for the zone offset, then filter on instants.
  const from = new Date(floating(DateTime.fromJSDate(args.from, { zone })).getTime() - 86_400_000);
  const to = new Date(floating(DateTime.fromJSDate(args.to, { zone })).getTime() + 86_400_000);
  options.dtstart = fastForwardStart(options, options.dtstart, from);
  const rule = new RRule(options);
  const out: Date[] = [];
  rule.between(from, to, true, (d) => {
    const instant = toInstant(d);
    if (instant >= args.from && instant < args.to && !args.exceptions?.has(instant.toISOString().replace('.000Z', 'Z'))) out.push(instant);
    return out.length < MAX_OCCURRENCES;
  });
  return out;
}

/** The due dates of a recurring task within [from, to] (YYYY-MM-DD, inclusive). */
export function expandDates(args: { rule: string; start: string; from: string; to: string; exceptions?: Set<string> }): string[] {
  const d = (s: string) => new Date(`${s}T00:00:00Z`);
  const options = RRule.parseString(args.rule);
  const rule = new RRule({ ...options, dtstart: fastForwardStart(options, d(args.start), d(args.from)) });
  const out: string[] = [];
  rule.between(d(args.from), d(args.to), true, (x) => {
    const s = x.toISOString().slice(0, 10);
    if (!args.exceptions?.has(s)) out.push(s);
    return out.length < MAX_OCCURRENCES;
  });
  return out;
}
