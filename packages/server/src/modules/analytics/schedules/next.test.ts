import { describe, expect, it } from 'vitest';
import { nextRunAt } from './next.ts';

const iso = (d: Date) => d.toISOString();

describe('nextRunAt', () => {
  it('daily at a local time: today when still ahead, else tomorrow', () => {
    const r = { frequency: 'daily' as const, at: '08:00', timeZone: 'Europe/Berlin' };
    expect(iso(nextRunAt(r, new Date('2026-03-10T06:59:00Z')))).toBe('2026-03-10T07:00:00.000Z');
    expect(iso(nextRunAt(r, new Date('2026-03-10T07:00:00Z')))).toBe('2026-03-11T07:00:00.000Z');
  });

  it('keeps the local hour across daylight-saving changes', () => {
    const r = { frequency: 'daily' as const, at: '08:00', timeZone: 'America/New_York' };
    // 8 March 2026: clocks go forward in New York; 08:00 is UTC-5 before, UTC-4 after.
    expect(iso(nextRunAt(r, new Date('2026-03-07T14:00:00Z')))).toBe('2026-03-08T12:00:00.000Z');
    expect(iso(nextRunAt(r, new Date('2026-03-06T14:00:00Z')))).toBe('2026-03-07T13:00:00.000Z');
  });

  it('a skipped local time (02:30 on the spring-forward night) still sends once that day', () => {
    const r = { frequency: 'daily' as const, at: '02:30', timeZone: 'Europe/Berlin' };
    const next = nextRunAt(r, new Date('2026-03-28T12:00:00Z'));
    expect(next.toISOString().slice(0, 10)).toBe('2026-03-29');
    const after = nextRunAt(r, next);
    expect(after.toISOString().slice(0, 10)).toBe('2026-03-30');
  });

  it('a repeated local time (01:30 on the fall-back night) sends once', () => {
    const r = { frequency: 'daily' as const, at: '01:30', timeZone: 'America/New_York' };
    const first = nextRunAt(r, new Date('2026-11-01T04:00:00Z'));
    const second = nextRunAt(r, first);
    expect(second.getTime() - first.getTime()).toBeGreaterThan(23 * 3600_000);
    expect(second.toISOString().slice(0, 10)).toBe('2026-11-02');
  });

  it('weekly on a weekday', () => {
    const r = { frequency: 'weekly' as const, at: '09:15', weekday: 1, timeZone: 'UTC' };
    // 2026-12-06 is a Sunday.
    expect(iso(nextRunAt(r, new Date('2026-12-06T10:00:00Z')))).toBe('2026-12-07T09:15:00.000Z');
    expect(iso(nextRunAt(r, new Date('2026-12-07T09:15:00Z')))).toBe('2026-12-14T09:15:00.000Z');
  });

  it('monthly on the 31st sends on the last day of shorter months', () => {
    const r = { frequency: 'monthly' as const, at: '06:00', monthDay: 31, timeZone: 'UTC' };
    expect(iso(nextRunAt(r, new Date('2027-01-31T07:00:00Z')))).toBe('2027-02-28T06:00:00.000Z');
    expect(iso(nextRunAt(r, new Date('2027-02-28T06:00:00Z')))).toBe('2027-03-31T06:00:00.000Z');
  });

  it('refuses a zone that does not exist', () => {
    expect(() => nextRunAt({ frequency: 'daily', at: '08:00', timeZone: 'Mars/Olympus' }, new Date())).toThrow(/time zone/);
  });
});
