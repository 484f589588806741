import { describe, expect, it } from 'vitest';
import { formatAvailability, parseAvailability } from './availability.ts';
import { candidateSlots, withoutBusy } from './slots.ts';
import { plainText } from './input.ts';

const hours = (text: string) => {
  const r = parseAvailability(text);
  if (!r.ok) throw new Error(r.message);
  return r.hours;
};
const starts = (slots: Array<{ start: Date }>) => slots.map((s) => s.start.toISOString());

describe('weekly hours', () => {
  it('normalises: week order, sorted windows, empty days dropped, 24:00 kept', () => {
    expect(formatAvailability(hours('{"fri":[["13:00","24:00"],["09:00","12:00"]],"mon":[],"tue":[["08:30","09:00"]]}'))).toBe('{"tue":[["08:30","09:00"]],"fri":[["09:00","12:00"],["13:00","24:00"]]}');
  });

  it('says where a mistake is', () => {
    const bad = (text: string) => {
      const r = parseAvailability(text);
      return r.ok ? 'ok' : r.message;
    };
    expect(bad('{"mon":[["09:00","12:00"],["11:30","13:00"]]}')).toMatch(/mon: the hours 09:00–12:00 and 11:30–13:00 overlap/);
    expect(bad('{"mon":[["25:00","26:00"]]}')).toMatch(/mon\[0\]/);
    expect(bad('[]')).toMatch(/JSON object/);
    expect(bad('{"mon":[["09:00","09:00"]]}')).toMatch(/must be after/);
  });
});

describe('candidate slots', () => {
  const rules = { timeZone: 'Europe/Berlin', hours: hours('{"sun":[["00:00","04:00"]]}'), durationMinutes: 60, minNoticeHours: 0, maxDaysAhead: 60 };
  const now = new Date('2030-03-01T00:00:00Z');

  it('keeps wall-clock hours across the European spring change (31 March 2030)', () => {
    // 00:00–04:00 Berlin is 23:00Z–03:00Z before the change and three hours long on its night.
    expect(starts(candidateSlots(rules, '2030-03-24', '2030-03-24', now))).toEqual(['2030-03-23T23:00:00.000Z', '2030-03-24T00:00:00.000Z', '2030-03-24T01:00:00.000Z', '2030-03-24T02:00:00.000Z']);
    expect(starts(candidateSlots(rules, '2030-03-31', '2030-03-31', now))).toEqual(['2030-03-30T23:00:00.000Z', '2030-03-31T00:00:00.000Z', '2030-03-31T01:00:00.000Z']);
  });

  it('respects notice and the horizon, and keeps the buffer around busy time', () => {
    const day = { ...rules, hours: hours('{"mon":[["09:00","12:00"]]}'), timeZone: 'UTC', durationMinutes: 30 };
    expect(starts(candidateSlots({ ...day, minNoticeHours: 2 }, '2030-03-04', '2030-03-04', new Date('2030-03-04T08:15:00Z')))[0]).toBe('2030-03-04T10:30:00.000Z');
    expect(candidateSlots({ ...day, maxDaysAhead: 2 }, '2030-03-04', '2030-03-04', now)).toEqual([]);
    const all = candidateSlots(day, '2030-03-04', '2030-03-04', now);
    const busy = [{ start: new Date('2030-03-04T10:00:00Z'), end: new Date('2030-03-04T10:30:00Z') }];
    expect(starts(withoutBusy(all, busy, 0))).not.toContain('2030-03-04T10:00:00.000Z');
    expect(starts(withoutBusy(all, busy, 15))).toEqual(['2030-03-04T09:00:00.000Z', '2030-03-04T11:00:00.000Z', '2030-03-04T11:30:00.000Z']);
  });
});

describe('visitor text', () => {
  it('drops control and bidi characters and tags, keeps comparisons and line breaks', () => {
    expect(plainText(' a < b\r\nand <b onclick="x">bold</b>\u202e\u0007 ')).toBe('a < b\nand bold');
  });
});
