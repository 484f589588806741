import { describe, expect, it } from 'vitest';
import { assertConditionContext, parseRelativeDate, resolvePeriod } from './relative-dates.ts';
import type { ConditionContext } from './parsed.ts';

function resolve(name: string, kind: 'date' | 'datetime', context: ConditionContext) {
  const period = parseRelativeDate(name);
  if (!period) throw new Error(`not relative: ${name}`);
  return resolvePeriod({ period, kind, context });
}

const newYorkDstStart: ConditionContext = { now: new Date('2026-03-08T06:30:00Z'), timeZone: 'America/New_York' };
const berlinDstEnd: ConditionContext = { now: new Date('2026-10-25T09:00:00Z'), timeZone: 'Europe/Berlin' };

describe('relative dates', () => {
  it('makes today a 23-hour range on the day New York springs forward', () => {
    // 01:30 EST on Sunday 8 March 2026; clocks jump from 02:00 to 03:00.
    expect(resolve('today', 'datetime', newYorkDstStart)).toEqual({
      start: '2026-03-08T05:00:00.000Z',
      end: '2026-03-09T04:00:00.000Z',
    });
    expect(resolve('today', 'date', newYorkDstStart)).toEqual({ start: '2026-03-08', end: '2026-03-09' });
    expect(resolve('yesterday', 'datetime', newYorkDstStart)).toEqual({
      start: '2026-03-07T05:00:00.000Z',
      end: '2026-03-08T05:00:00.000Z',
    });
  });

  it('makes today a 25-hour range on the day Berlin falls back', () => {
    expect(resolve('today', 'datetime', berlinDstEnd)).toEqual({
      start: '2026-10-24T22:00:00.000Z',
      end: '2026-10-25T23:00:00.000Z',
    });
    expect(resolve('tomorrow', 'datetime', berlinDstEnd)).toEqual({
      start: '2026-10-25T23:00:00.000Z',
      end: '2026-10-26T23:00:00.000Z',
    });
  });

  it('uses the local date, not the UTC date', () => {
    // 23:30 UTC on 31 Dec is already 1 Jan in Berlin and still 31 Dec in New York.
    const now = new Date('2026-12-31T23:30:00Z');
    expect(resolve('today', 'date', { now, timeZone: 'Europe/Berlin' })).toEqual({ start: '2027-01-01', end: '2027-01-02' });
    expect(resolve('today', 'date', { now, timeZone: 'America/New_York' })).toEqual({ start: '2026-12-31', end: '2027-01-01' });
    expect(resolve('this_year', 'date', { now, timeZone: 'Europe/Berlin' })).toEqual({ start: '2027-01-01', end: '2028-01-01' });
  });

  it('starts weeks on Monday', () => {
    // Sunday 8 March 2026 belongs to the week of Monday 2 March.
    expect(resolve('this_week', 'date', newYorkDstStart)).toEqual({ start: '2026-03-02', end: '2026-03-09' });
    expect(resolve('last_week', 'date', newYorkDstStart)).toEqual({ start: '2026-02-23', end: '2026-03-02' });
    expect(resolve('next_week', 'date', newYorkDstStart)).toEqual({ start: '2026-03-09', end: '2026-03-16' });
    // Exactly local midnight on a Monday is in the new week.
    const mondayMidnight: ConditionContext = { now: new Date('2026-03-08T23:00:00Z'), timeZone: 'Europe/Berlin' };
    expect(resolve('this_week', 'date', mondayMidnight)).toEqual({ start: '2026-03-09', end: '2026-03-16' });
    // The week spanning the spring-forward day is 167 hours long.
    expect(resolve('this_week', 'datetime', newYorkDstStart)).toEqual({
      start: '2026-03-02T05:00:00.000Z',
      end: '2026-03-09T04:00:00.000Z',
    });
  });

  it('handles quarter edges and years', () => {
    const endOfQ1: ConditionContext = { now: new Date('2026-03-31T22:30:00Z'), timeZone: 'Europe/Berlin' }; // 00:30 on 1 April
    expect(resolve('this_quarter', 'date', endOfQ1)).toEqual({ start: '2026-04-01', end: '2026-07-01' });
    expect(resolve('last_quarter', 'date', endOfQ1)).toEqual({ start: '2026-01-01', end: '2026-04-01' });
    const january: ConditionContext = { now: new Date('2026-01-15T12:00:00Z'), timeZone: 'UTC' };
    expect(resolve('last_quarter', 'date', january)).toEqual({ start: '2025-10-01', end: '2026-01-01' });
    expect(resolve('next_quarter', 'date', january)).toEqual({ start: '2026-04-01', end: '2026-07-01' });
    expect(resolve('last_month', 'date', january)).toEqual({ start: '2025-12-01', end: '2026-01-01' });
    expect(resolve('next_year', 'date', january)).toEqual({ start: '2027-01-01', end: '2028-01-01' });
    // Q1 in Berlin starts at 23:00 UTC on 31 December (CET) and ends at 22:00 UTC (CEST).
    expect(resolve('this_quarter', 'datetime', { now: new Date('2026-02-01T00:00:00Z'), timeZone: 'Europe/Berlin' })).toEqual({
      start: '2025-12-31T23:00:00.000Z',
      end: '2026-03-31T22:00:00.000Z',
    });
  });

  it('counts last_n_days and next_n_days including today', () => {
    expect(resolve('last_n_days:7', 'date', newYorkDstStart)).toEqual({ start: '2026-03-01', end: '2026-03-09' });
    expect(resolve('next_n_days:1', 'date', newYorkDstStart)).toEqual({ start: '2026-03-08', end: '2026-03-10' });
    expect(resolve('last_n_days:3650', 'date', newYorkDstStart).start).toBe('2016-03-10');
  });

  it('resolves a calendar day given for a datetime field to its local midnights', () => {
    expect(resolvePeriod({ period: { kind: 'day', date: '2026-03-29' }, kind: 'datetime', context: berlinDstEnd })).toEqual({
      start: '2026-03-28T23:00:00.000Z',
      end: '2026-03-29T22:00:00.000Z',
    });
  });

  it('accepts only the documented names', () => {
    for (const bad of ['last_n_days:0', 'last_n_days:3651', 'last_n_days:01', 'last_n_days:1.5', 'today ', 'Today', '__proto__', 'toString', 'n_days:3']) {
      expect(parseRelativeDate(bad), bad).toBeUndefined();
    }
    expect(parseRelativeDate('next_n_days:3650')).toMatchObject({ unit: 'next_n_days', days: 3650 });
  });

  it('rejects an invalid time zone or now', () => {
    expect(() => assertConditionContext({ now: new Date(), timeZone: 'Mars/Olympus' })).toThrow(/Unknown time zone/);
    expect(() => assertConditionContext({ now: new Date(), timeZone: '' })).toThrow(/Unknown time zone/);
    expect(() => assertConditionContext({ now: new Date('nope'), timeZone: 'UTC' })).toThrow(/valid `now`/);
    expect(() => assertConditionContext({ now: new Date(), timeZone: 'Asia/Kolkata' })).not.toThrow();
  });
});
