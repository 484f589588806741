import type { Slot } from '../../api/booking';

/** The visitor's own zone: the booking page shows every time in it. */
export const visitorZone = () => Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC';

/** YYYY-MM-DD of an instant in a zone. */
export function dateIn(instant: Date, timeZone: string): string {
  return new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' }).format(instant);
}

export const addDays = (date: string, n: number) => new Date(Date.parse(`${date}T00:00:00Z`) + n * 86_400_000).toISOString().slice(0, 10);

/** `count` consecutive dates from `first`. */
export const daysFrom = (first: string, count: number) => Array.from({ length: count }, (_, i) => addDays(first, i));

/** Slots grouped by their start's date in the visitor's zone. */
export function slotsByDay(slots: Slot[], timeZone: string): Map<string, Slot[]> {
  const out = new Map<string, Slot[]>();
  for (const s of slots) {
    const day = dateIn(new Date(s.start), timeZone);
    out.set(day, [...(out.get(day) ?? []), s]);
  }
  return out;
}

export function formatDay(date: string, locale: string, style: 'short' | 'long' = 'short'): string {
  const d = new Date(`${date}T12:00:00Z`);
  const options: Intl.DateTimeFormatOptions = style === 'short' ? { weekday: 'short', day: 'numeric', month: 'short' } : { weekday: 'long', day: 'numeric', month: 'long', year: 'numeric' };
  return new Intl.DateTimeFormat(locale, { ...options, timeZone: 'UTC' }).format(d);
}

export function formatTime(instant: string, locale: string, timeZone: string): string {
  return new Intl.DateTimeFormat(locale, { hour: 'numeric', minute: '2-digit', timeZone }).format(new Date(instant));
}

/** "Tuesday, 3 March 2026, 10:00 – 10:30" in the visitor's zone. */
export function formatSlot(slot: Slot, locale: string, timeZone: string): string {
  return `${formatDay(dateIn(new Date(slot.start), timeZone), locale, 'long')}, ${formatTime(slot.start, locale, timeZone)} – ${formatTime(slot.end, locale, timeZone)}`;
}
