import { dateTimeFormat, formatDateTime, localeSettings } from '../../lib/format';
import { isoToWall } from '../../lib/tz';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

/** Calendar day (YYYY-MM-DD) of an instant in the user's zone. */
function dayOf(ms: number, timeZone: string): string {
  return isoToWall(new Date(ms).toISOString(), timeZone).slice(0, 10);
}

function dayDiff(a: string, b: string): number {
  return Math.round((Date.parse(`${a}T00:00:00Z`) - Date.parse(`${b}T00:00:00Z`)) / DAY);
}

/**
 * A task's timeline date is its due day, sent as midnight of that day in the user's zone; any
 * other instant (a task without a due date is dated by its creation) is a point in time.
 */
export function isDayOnly(kind: string, iso: string): boolean {
  return kind === 'task' && isoToWall(iso, localeSettings().timeZone).endsWith(' 00:00:00');
}

/**
 * When an item happened or is due, in the user's locale and zone: relative for the last and
 * next week ("3 hours ago", "tomorrow"), the date (and time) beyond that.
 */
export function formatWhen(iso: string, dayOnly: boolean, now = Date.now()): string {
  const t = Date.parse(iso);
  if (Number.isNaN(t)) return iso;
  const { locale, timeZone } = localeSettings();
  const rtf = new Intl.RelativeTimeFormat(locale, { numeric: 'auto' });
  if (dayOnly) {
    const days = dayDiff(dayOf(t, timeZone), dayOf(now, timeZone));
    if (Math.abs(days) < 7) return rtf.format(days, 'day');
    return dateTimeFormat(locale, { dateStyle: 'medium', timeZone }).format(t);
  }
  const diff = t - now;
  const abs = Math.abs(diff);
  if (abs < MINUTE) return rtf.format(0, 'second');
  if (abs < HOUR) return rtf.format(Math.round(diff / MINUTE), 'minute');
  if (abs < DAY) return rtf.format(Math.round(diff / HOUR), 'hour');
  if (abs < 7 * DAY) return rtf.format(dayDiff(dayOf(t, timeZone), dayOf(now, timeZone)), 'day');
  return formatDateTime(iso);
}

/** The full date and time, for the tooltip of a relative one. */
export function formatFull(iso: string, dayOnly: boolean): string {
  const { locale, timeZone } = localeSettings();
  const t = Date.parse(iso);
  if (Number.isNaN(t)) return iso;
  return dayOnly ? dateTimeFormat(locale, { dateStyle: 'full', timeZone }).format(t) : formatDateTime(iso);
}

/** Today in the user's zone (YYYY-MM-DD), for date inputs' defaults. */
export function todayInZone(): string {
  return dayOf(Date.now(), localeSettings().timeZone);
}
