import { wallToIso } from '../../lib/tz';
import { minutesNowIn, type PlainDate } from './dates';

/** New meetings are half an hour long unless changed in the form. */
const MEETING_MINUTES = 30;

const pad = (n: number) => String(n).padStart(2, '0');

/** Start and end instants of a new meeting at a wall-clock time of a day in the user's zone. */
export function slotStart(day: PlainDate, minutes: number, timeZone: string): { startAt: string; endAt: string } {
  const startAt = wallToIso(`${day} ${pad(Math.floor(minutes / 60))}:${pad(minutes % 60)}`, timeZone)!;
  return { startAt, endAt: new Date(Date.parse(startAt) + MEETING_MINUTES * 60_000).toISOString() };
}

/** Where "New meeting" starts by default: the next half hour today, 9:00 on another day. */
export function defaultSlot(day: PlainDate, today: PlainDate, timeZone: string): { startAt: string; endAt: string } {
  const minutes = day === today ? Math.min(23 * 60 + 30, Math.ceil((minutesNowIn(timeZone) + 1) / 30) * 30) : 9 * 60;
  return slotStart(day, minutes, timeZone);
}
