import type { AgendaItem } from '../../api/agenda';
import { type PlainDate, wallOf } from './dates';

/** An event's part on one day of the time grid, in minutes since midnight, and its column. */
export interface Placed {
  item: AgendaItem;
  top: number;
  bottom: number;
  /** Column within its group of overlapping events, and how many columns the group has. */
  column: number;
  columns: number;
  continuesBefore: boolean;
  continuesAfter: boolean;
}

/** Events without an end are drawn half an hour long; very short ones stay clickable. */
const DEFAULT_MINUTES = 30;
const MIN_MINUTES = 20;
const DAY = 24 * 60;

export const isTimed = (i: AgendaItem) => i.object !== 'task' && Boolean(i.localStart);
export const keyOf = (i: AgendaItem) => `${i.object}:${i.id}:${i.occurrence}`;

/** Where a timed event lies on a day's wall clock, or null if it does not touch that day. */
export function spanOn(item: AgendaItem, day: PlainDate): { top: number; bottom: number; continuesBefore: boolean; continuesAfter: boolean } | null {
  if (!item.localStart) return null;
  const s = wallOf(item.localStart);
  const e = item.localEnd ? wallOf(item.localEnd) : { date: s.date, minutes: Math.min(DAY, s.minutes + DEFAULT_MINUTES) };
  if (s.date > day || e.date < day) return null;
  const top = s.date < day ? 0 : s.minutes;
  const bottom = e.date > day ? DAY : e.minutes;
  // An event ending at midnight touches the next day only at its very start: not on it.
  if (bottom <= top && !(s.date === day && e.date === day && s.minutes === e.minutes)) return null;
  return { top, bottom, continuesBefore: s.date < day, continuesAfter: e.date > day };
}

/**
 * Lays out one day's timed events: groups of (transitively) overlapping events share the
 * width, each event in the first column free at its start, as calendar apps draw them.
 */
export function layoutDay(items: AgendaItem[], day: PlainDate): Placed[] {
  const spans = items
    .filter(isTimed)
    .map((item) => {
      const s = spanOn(item, day);
      return s && { item, ...s, bottom: Math.max(s.bottom, Math.min(DAY, s.top + MIN_MINUTES)), column: 0, columns: 1 };
    })
    .filter((p): p is Placed => p !== null)
    .sort((a, b) => a.top - b.top || b.bottom - a.bottom);
  let group: Placed[] = [];
  let columnEnds: number[] = [];
  let groupEnd = -1;
  const close = () => {
    for (const p of group) p.columns = columnEnds.length;
    group = [];
    columnEnds = [];
  };
  for (const p of spans) {
    if (p.top >= groupEnd) close();
    let col = columnEnds.findIndex((end) => end <= p.top);
    if (col === -1) col = columnEnds.push(p.bottom) - 1;
    else columnEnds[col] = p.bottom;
    p.column = col;
    group.push(p);
    groupEnd = Math.max(groupEnd, p.bottom);
  }
  close();
  return spans;
}

/** The tasks due on a day, and (for the month view) everything that touches it, timed first by start. */
export function tasksOn(items: AgendaItem[], day: PlainDate): AgendaItem[] {
  return items.filter((i) => i.object === 'task' && i.dueDate === day);
}

export function itemsOn(items: AgendaItem[], day: PlainDate): AgendaItem[] {
  return [...tasksOn(items, day), ...items.filter((i) => isTimed(i) && spanOn(i, day) !== null)];
}
