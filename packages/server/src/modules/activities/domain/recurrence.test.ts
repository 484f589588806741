import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { expandDates, expandInstants } from './recurrence.ts';

const DAY = 86_400_000;
const ZONES = ['UTC', 'America/New_York', 'Europe/Berlin', 'Australia/Sydney', 'Asia/Kolkata'];
const DAYS = ['MO', 'TU', 'WE', 'TH', 'FR', 'SA', 'SU'];

/** DAILY and WEEKLY rules, with INTERVAL, BYDAY and UNTIL: the ones expansion fast-forwards. */
const rule = fc.record({
  freq: fc.constantFrom('DAILY', 'WEEKLY'),
  interval: fc.integer({ min: 1, max: 3 }),
  byday: fc.subarray(DAYS, { minLength: 0, maxLength: 3 }),
  untilDays: fc.option(fc.integer({ min: 30, max: 900 }), { nil: undefined }),
});
const toText = (r: { freq: string; interval: number; byday: string[] }, until?: Date) =>
  [`FREQ=${r.freq}`, `INTERVAL=${r.interval}`, r.byday.length ? `BYDAY=${r.byday.join(',')}` : '', until ? `UNTIL=${until.toISOString().replace(/[-:]|\.\d{3}/g, '')}` : ''].filter(Boolean).join(';');

describe('recurrence expansion skips whole periods before the window', () => {
  // The reference expands from the series' own start (nothing to skip) and keeps the window.
  it('gives the same instants as expanding from the start, across DST and zones', () => {
    fc.assert(
      fc.property(rule, fc.constantFrom(...ZONES), fc.integer({ min: 0, max: 365 * 2 }), fc.integer({ min: 1, max: 35 }), fc.integer({ min: 0, max: 1439 }), (r, timeZone, offsetDays, spanDays, minute) => {
        const start = new Date(Date.UTC(2024, 0, 3) + minute * 60_000);
        const until = r.untilDays === undefined ? undefined : new Date(start.getTime() + r.untilDays * DAY);
        const text = toText(r, until);
        const from = new Date(start.getTime() + offsetDays * DAY + 3_600_000);
        const to = new Date(from.getTime() + spanDays * DAY);
        const fast = expandInstants({ rule: text, start, timeZone, from, to });
        const all = expandInstants({ rule: text, start, timeZone, from: start, to }).filter((d) => d >= from);
        expect(fast.map((d) => d.toISOString())).toEqual(all.map((d) => d.toISOString()));
      }),
      { numRuns: 150 },
    );
  });

  it('gives the same due dates for repeating tasks', () => {
    fc.assert(
      fc.property(rule, fc.integer({ min: 0, max: 365 * 2 }), fc.integer({ min: 0, max: 35 }), (r, offsetDays, spanDays) => {
        const iso = (t: number) => new Date(t).toISOString().slice(0, 10);
        const start = iso(Date.UTC(2024, 1, 28));
        const until = r.untilDays === undefined ? undefined : new Date(Date.UTC(2024, 1, 28) + r.untilDays * DAY);
        const text = toText(r, until);
        const from = iso(Date.UTC(2024, 1, 28) + offsetDays * DAY);
        const to = iso(Date.UTC(2024, 1, 28) + (offsetDays + spanDays) * DAY);
        const fast = expandDates({ rule: text, start, from, to });
        const all = expandDates({ rule: text, start, from: start, to }).filter((d) => d >= from);
        expect(fast).toEqual(all);
      }),
      { numRuns: 150 },
    );
  });

  it('keeps COUNT series counted from their real start', () => {
    const start = new Date('2024-01-01T09:00:00Z');
    const got = expandInstants({ rule: 'FREQ=DAILY;COUNT=10', start, timeZone: 'UTC', from: new Date('2024-01-08T00:00:00Z'), to: new Date('2024-02-01T00:00:00Z') });
    expect(got.map((d) => d.toISOString().slice(0, 10))).toEqual(['2024-01-08', '2024-01-09', '2024-01-10']);
  });
});
