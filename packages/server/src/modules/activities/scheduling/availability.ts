/**
 * Weekly hours of a booking link: `{"mon":[["09:00","12:00"],["13:00","17:00"]], …}`, wall-clock
 * times in the link's time zone. Parsed strictly so a typo is refused with a message that says
 * where, instead of silently offering no (or wrong) slots.
 */
export const WEEKDAYS = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'] as const;
export type Weekday = (typeof WEEKDAYS)[number];
/** Minutes after local midnight, [start, end). */
export type WeeklyHours = Partial<Record<Weekday, Array<[number, number]>>>;

export const DEFAULT_AVAILABILITY = '{"mon":[["09:00","17:00"]],"tue":[["09:00","17:00"]],"wed":[["09:00","17:00"]],"thu":[["09:00","17:00"]],"fri":[["09:00","17:00"]]}';

const MAX_WINDOWS_PER_DAY = 12;
const TIME_RE = /^([01]\d|2[0-3]):([0-5]\d)$|^24:00$/;

const minutesOf = (hhmm: string) => (hhmm === '24:00' ? 1440 : Number(hhmm.slice(0, 2)) * 60 + Number(hhmm.slice(3, 5)));
const hhmmOf = (m: number) => `${String(Math.floor(m / 60)).padStart(2, '0')}:${String(m % 60).padStart(2, '0')}`;

export type ParsedAvailability = { ok: true; hours: WeeklyHours } | { ok: false; message: string };

export function parseAvailability(text: string): ParsedAvailability {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return { ok: false, message: 'Must be JSON, e.g. {"mon":[["09:00","17:00"]]}' };
  }
  if (!json || typeof json !== 'object' || Array.isArray(json)) return { ok: false, message: 'Must be a JSON object with days mon…sun as keys' };
  const hours: WeeklyHours = {};
  for (const [day, value] of Object.entries(json)) {
    if (!(WEEKDAYS as readonly string[]).includes(day)) return { ok: false, message: `Unknown day '${day.slice(0, 20)}'; use ${WEEKDAYS.join(', ')}` };
    if (!Array.isArray(value) || value.length > MAX_WINDOWS_PER_DAY) return { ok: false, message: `${day}: must be a list of at most ${MAX_WINDOWS_PER_DAY} ["HH:MM","HH:MM"] pairs` };
    const windows: Array<[number, number]> = [];
    for (const [i, pair] of value.entries()) {
      if (!Array.isArray(pair) || pair.length !== 2 || !pair.every((t) => typeof t === 'string' && TIME_RE.test(t))) {
        return { ok: false, message: `${day}[${i}]: must be a pair of times ["HH:MM","HH:MM"] (00:00 to 24:00)` };
      }
      const [start, end] = [minutesOf(pair[0] as string), minutesOf(pair[1] as string)];
      if (end <= start) return { ok: false, message: `${day}[${i}]: the end ${pair[1]} must be after the start ${pair[0]}` };
      windows.push([start, end]);
    }
    windows.sort((a, b) => a[0] - b[0]);
    for (let i = 1; i < windows.length; i++) {
      if (windows[i]![0] < windows[i - 1]![1]) return { ok: false, message: `${day}: the hours ${hhmmOf(windows[i - 1]![0])}–${hhmmOf(windows[i - 1]![1])} and ${hhmmOf(windows[i]![0])}–${hhmmOf(windows[i]![1])} overlap` };
    }
    if (windows.length) hours[day as Weekday] = windows;
  }
  return { ok: true, hours };
}

/** The stored form: days in week order, windows sorted, empty days left out. */
export function formatAvailability(hours: WeeklyHours): string {
  const out: Record<string, string[][]> = {};
  for (const day of WEEKDAYS) if (hours[day]?.length) out[day] = hours[day]!.map(([s, e]) => [hhmmOf(s), hhmmOf(e)]);
  return JSON.stringify(out);
}
