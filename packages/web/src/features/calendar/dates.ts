/**
 * Calendar arithmetic on plain dates ("YYYY-MM-DD" strings). A calendar day is not an instant:
 * doing the arithmetic on UTC midnights keeps it free of the browser's own zone and of DST, and
 * the user's zone only comes in where a day meets a clock (today, times of events).
 */
export type PlainDate = string;

const DAY_MS = 86_400_000;
const PLAIN_RE = /^(\d{4})-(\d{2})-(\d{2})$/;

export function isPlainDate(value: unknown): value is PlainDate {
  if (typeof value !== 'string') return false;
  const m = PLAIN_RE.exec(value);
  if (!m) return false;
  const d = new Date(Date.UTC(+m[1]!, +m[2]! - 1, +m[3]!));
  return d.getUTCMonth() === +m[2]! - 1 && d.getUTCDate() === +m[3]!;
}

function toUtc(d: PlainDate): Date {
  const m = PLAIN_RE.exec(d);
  if (!m) throw new Error(`Not a plain date: ${d}`);
  return new Date(Date.UTC(+m[1]!, +m[2]! - 1, +m[3]!));
}

function fromUtc(d: Date): PlainDate {
  return d.toISOString().slice(0, 10);
}

export function addDays(d: PlainDate, n: number): PlainDate {
  return fromUtc(new Date(toUtc(d).getTime() + n * DAY_MS));
}

/** Same day of the month n months on, clamped to the month's last day (31 Jan + 1 → 28/29 Feb). */
export function addMonths(d: PlainDate, n: number): PlainDate {
  const u = toUtc(d);
  const first = new Date(Date.UTC(u.getUTCFullYear(), u.getUTCMonth() + n, 1));
  const last = new Date(Date.UTC(first.getUTCFullYear(), first.getUTCMonth() + 1, 0)).getUTCDate();
  return fromUtc(new Date(Date.UTC(first.getUTCFullYear(), first.getUTCMonth(), Math.min(u.getUTCDate(), last))));
}

/** 0 = Sunday … 6 = Saturday. */
export function dayOfWeek(d: PlainDate): number {
  return toUtc(d).getUTCDay();
}

export function daysBetween(a: PlainDate, b: PlainDate): number {
  return Math.round((toUtc(b).getTime() - toUtc(a).getTime()) / DAY_MS);
}

/** Today's date on the wall calendar of a time zone. */
export function todayIn(timeZone: string, now = new Date()): PlainDate {
  const p: Record<string, string> = {};
  for (const x of new Intl.DateTimeFormat('en-US', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' }).formatToParts(now)) p[x.type] = x.value;
  return `${p.year}-${p.month}-${p.day}`;
}

/** Minutes since midnight on the wall clock of a time zone. */
export function minutesNowIn(timeZone: string, now = new Date()): number {
  const p: Record<string, string> = {};
  for (const x of new Intl.DateTimeFormat('en-US', { timeZone, hourCycle: 'h23', hour: '2-digit', minute: '2-digit' }).formatToParts(now)) p[x.type] = x.value;
  return (+p.hour! % 24) * 60 + +p.minute!;
}

type WeekInfo = { firstDay?: number };
type LocaleWithWeek = Intl.Locale & { getWeekInfo?: () => WeekInfo; weekInfo?: WeekInfo };

/**
 * The first day of the week in a locale (0 = Sunday, 1 = Monday …): Sunday in en-US, Monday in
 * en-GB or de. Intl.Locale's week info is newer than the rest of Intl (a method in some engines,
 * a getter in others); where neither exists, Monday (ISO 8601) is the safer guess.
 */
export function firstDayOfWeek(locale: string): number {
  try {
    const l = new Intl.Locale(locale) as LocaleWithWeek;
    const info = typeof l.getWeekInfo === 'function' ? l.getWeekInfo() : l.weekInfo;
    if (info?.firstDay) return info.firstDay % 7;
  } catch {
    /* an invalid locale: fall through */
  }
  return 1;
}

export function startOfWeek(d: PlainDate, firstDay: number): PlainDate {
  return addDays(d, -((dayOfWeek(d) - firstDay + 7) % 7));
}

export function startOfMonth(d: PlainDate): PlainDate {
  return `${d.slice(0, 8)}01`;
}

export type CalendarView = 'day' | 'week' | 'month';

/** The days a view shows around a date: one, a week, or the whole weeks covering the month. */
export function visibleDays(view: CalendarView, date: PlainDate, firstDay: number): PlainDate[] {
  if (view === 'day') return [date];
  if (view === 'week') return Array.from({ length: 7 }, (_, i) => addDays(startOfWeek(date, firstDay), i));
  const first = startOfWeek(startOfMonth(date), firstDay);
  const nextMonth = startOfMonth(addMonths(startOfMonth(date), 1));
  const weeks = Math.ceil(daysBetween(first, nextMonth) / 7);
  return Array.from({ length: weeks * 7 }, (_, i) => addDays(first, i));
}

/** The date one step back or on: a day, a week or a month. */
export function step(view: CalendarView, date: PlainDate, direction: 1 | -1): PlainDate {
  if (view === 'day') return addDays(date, direction);
  if (view === 'week') return addDays(date, 7 * direction);
  return addMonths(date, direction);
}

/** Date and minutes since midnight of a local ISO time ("2026-03-09T09:30:00-04:00"), as written. */
export function wallOf(local: string): { date: PlainDate; minutes: number } {
  const m = /^(\d{4}-\d{2}-\d{2})T(\d{2}):(\d{2})/.exec(local);
  if (!m) throw new Error(`Not a local date-time: ${local}`);
  return { date: m[1]!, minutes: +m[2]! * 60 + +m[3]! };
}

/** Formats a plain date in a locale, without any zone shifting it. */
export function formatPlain(d: PlainDate, locale: string, options: Intl.DateTimeFormatOptions): string {
  return new Intl.DateTimeFormat(locale, { ...options, timeZone: 'UTC' }).format(toUtc(d));
}

/** "9:30 AM" / "09:30" for an instant, in the user's zone and locale. */
export function formatTime(instant: string, locale: string, timeZone: string): string {
  return new Intl.DateTimeFormat(locale, { hour: 'numeric', minute: '2-digit', timeZone }).format(new Date(instant));
}

/** An hour of the day as the locale writes it ("9 AM", "09"), for the time grid's labels. */
export function formatHour(hour: number, locale: string): string {
  return new Intl.DateTimeFormat(locale, { hour: 'numeric', timeZone: 'UTC' }).format(new Date(Date.UTC(2000, 0, 1, hour)));
}

/** The title of a view: "Tuesday, March 10, 2026", "Mar 9 – 15, 2026", "March 2026". */
export function viewTitle(view: CalendarView, days: PlainDate[], date: PlainDate, locale: string): string {
  if (view === 'day') return formatPlain(date, locale, { weekday: 'long', year: 'numeric', month: 'long', day: 'numeric' });
  if (view === 'month') return formatPlain(date, locale, { year: 'numeric', month: 'long' });
  const f = new Intl.DateTimeFormat(locale, { year: 'numeric', month: 'short', day: 'numeric', timeZone: 'UTC' });
  return f.formatRange(toUtc(days[0]!), toUtc(days[days.length - 1]!));
}
