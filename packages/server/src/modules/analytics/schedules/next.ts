import { DateTime } from 'luxon';

export type Frequency = 'daily' | 'weekly' | 'monthly';

/** When a schedule sends: a local time of day in an IANA zone, every day, on a weekday or on a day of the month. */
export interface Recurrence {
  frequency: Frequency;
  /** 'HH:MM', 24-hour, in `timeZone`. */
  at: string;
  /** Weekly: 1 (Monday) … 7 (Sunday), ISO. */
  weekday?: number | null;
  /** Monthly: 1 … 31; a month without that day sends on its last day. */
  monthDay?: number | null;
  timeZone: string;
}

function atTime(day: DateTime, at: string): DateTime {
  const [hour, minute] = at.split(':').map(Number);
  // A time the clocks skip (spring forward) is moved forward by luxon; a repeated one (fall back)
  // takes its first occurrence — either way once a day, never twice, never not at all.
  return day.set({ hour, minute, second: 0, millisecond: 0 });
}

function onDay(month: DateTime, monthDay: number): DateTime {
  return month.set({ day: Math.min(monthDay, month.daysInMonth!) });
}

/**
 * The first send strictly after `after`, computed in the schedule's zone so that "08:00 every
 * Monday" stays 08:00 local across daylight-saving changes.
 */
export function nextRunAt(recurrence: Recurrence, after: Date): Date {
  const now = DateTime.fromJSDate(after, { zone: recurrence.timeZone });
  if (!now.isValid) throw new Error(`invalid time zone ${recurrence.timeZone}`);
  const today = now.startOf('day');
  for (let i = 0; i < 400; i++) {
    let candidate: DateTime | null = null;
    if (recurrence.frequency === 'daily') {
      candidate = atTime(today.plus({ days: i }), recurrence.at);
    } else if (recurrence.frequency === 'weekly') {
      const day = today.plus({ days: i });
      if (day.weekday === recurrence.weekday) candidate = atTime(day, recurrence.at);
    } else {
      const month = today.startOf('month').plus({ months: i });
      candidate = atTime(onDay(month, recurrence.monthDay ?? 1), recurrence.at);
    }
    if (candidate && candidate.toMillis() > now.toMillis()) return candidate.toJSDate();
  }
  throw new Error('no next run within 400 periods');
}
