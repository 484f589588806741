import { DateTime } from 'luxon';
import { WEEKDAYS, type WeeklyHours } from './availability.ts';

export interface Interval {
  start: Date;
  end: Date;
}

export interface SlotRules {
  timeZone: string;
  hours: WeeklyHours;
  durationMinutes: number;
  minNoticeHours: number;
  maxDaysAhead: number;
}

const MINUTE = 60_000;

/**
 * The slots a link offers on the local dates [fromDate, toDate] (inclusive, in the link's zone),
 * before looking at the host's calendar. Each window's ends are placed on the wall clock of its
 * own day with luxon, so 09:00 stays 09:00 local across a DST change; slots are then cut from
 * the window back to back. Slots starting before now + notice or after now + max days are left out.
 */
export function candidateSlots(rules: SlotRules, fromDate: string, toDate: string, now: Date): Interval[] {
  const earliest = now.getTime() + rules.minNoticeHours * 3_600_000;
  const latest = now.getTime() + rules.maxDaysAhead * 86_400_000;
  const step = rules.durationMinutes * MINUTE;
  const out: Interval[] = [];
  const last = DateTime.fromISO(toDate, { zone: rules.timeZone });
  for (let day = DateTime.fromISO(fromDate, { zone: rules.timeZone }); day <= last; day = day.plus({ days: 1 })) {
    for (const [from, to] of rules.hours[WEEKDAYS[day.weekday - 1]!] ?? []) {
      const windowStart = day.set({ hour: Math.floor(from / 60), minute: from % 60 }).toMillis();
      const windowEnd = (to === 1440 ? day.plus({ days: 1 }).startOf('day') : day.set({ hour: Math.floor(to / 60), minute: to % 60 })).toMillis();
      for (let s = windowStart; s + step <= windowEnd; s += step) {
        if (s >= earliest && s <= latest) out.push({ start: new Date(s), end: new Date(s + step) });
      }
    }
  }
  return out;
}

/** Slots that keep `bufferMinutes` clear of every busy interval on both sides. */
export function withoutBusy(slots: Interval[], busy: Interval[], bufferMinutes: number): Interval[] {
  const pad = bufferMinutes * MINUTE;
  return slots.filter((s) => !busy.some((b) => s.start.getTime() < b.end.getTime() + pad && s.end.getTime() > b.start.getTime() - pad));
}
