import { DateTime } from 'luxon';

/** Small RFC 5545 writer: text escaping, line folding, dates, and VTIMEZONE from the tz database. */
export function escapeText(value: string): string {
  return value.replace(/\\/g, '\\\\').replace(/;/g, '\\;').replace(/,/g, '\\,').replace(/\r?\n/g, '\\n');
}

/** Folds a content line at 75 octets (continuation lines start with a space), never inside a UTF-8 sequence. */
export function fold(line: string): string {
  const out: string[] = [];
  let current = '';
  let bytes = 0;
  for (const ch of line) {
    const n = Buffer.byteLength(ch);
    if (bytes + n > (out.length ? 74 : 75)) {
      out.push(current);
      current = '';
      bytes = 0;
    }
    current += ch;
    bytes += n;
  }
  out.push(current);
  return out.join('\r\n ');
}

export const utcStamp = (d: Date) => d.toISOString().replace(/[-:]/g, '').replace(/\.\d{3}/, '');
export const localStamp = (d: Date, zone: string) => DateTime.fromJSDate(d, { zone }).toFormat("yyyyMMdd'T'HHmmss");
export const dateStamp = (isoDate: string) => isoDate.replace(/-/g, '');

function offset(minutes: number): string {
  const sign = minutes < 0 ? '-' : '+';
  const a = Math.abs(minutes);
  return `${sign}${String(Math.floor(a / 60)).padStart(2, '0')}${String(a % 60).padStart(2, '0')}`;
}

/**
 * A VTIMEZONE listing each offset change of `zone` between two years (one STANDARD or DAYLIGHT
 * block per transition, found by scanning the tz database through luxon), so clients expand
 * local-time RRULEs across DST exactly as the server does.
 */
export function vtimezone(zone: string, fromYear: number, toYear: number): string[] {
  const lines = ['BEGIN:VTIMEZONE', `TZID:${zone}`];
  const offAt = (ms: number) => DateTime.fromMillis(ms, { zone }).offset;
  let t = Date.UTC(fromYear, 0, 1);
  const end = Date.UTC(toYear + 1, 0, 1);
  const initial = offAt(t);
  let blocks = 0;
  const block = (kind: 'STANDARD' | 'DAYLIGHT', at: number, from: number, to: number) => {
    const local = DateTime.fromMillis(at, { zone: 'UTC' }).plus({ minutes: from }).toFormat("yyyyMMdd'T'HHmmss");
    lines.push(`BEGIN:${kind}`, `DTSTART:${local}`, `TZOFFSETFROM:${offset(from)}`, `TZOFFSETTO:${offset(to)}`, `END:${kind}`);
    blocks++;
  };
  block(DateTime.fromMillis(t, { zone }).isInDST ? 'DAYLIGHT' : 'STANDARD', t, initial, initial);
  const DAY = 86_400_000;
  while (t < end) {
    const next = t + DAY;
    const a = offAt(t);
    const b = offAt(next);
    if (a !== b) {
      let lo = t;
      let hi = next;
      while (hi - lo > 60_000) {
        const mid = lo + Math.floor((hi - lo) / 120_000) * 60_000;
        if (offAt(mid) === a) lo = mid;
        else hi = mid;
      }
      block(DateTime.fromMillis(hi, { zone }).isInDST ? 'DAYLIGHT' : 'STANDARD', hi, a, b);
    }
    t = next;
  }
  void blocks;
  lines.push('END:VTIMEZONE');
  return lines;
}
