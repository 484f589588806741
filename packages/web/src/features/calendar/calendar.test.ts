import { describe, expect, test } from 'vitest';
import type { AgendaItem } from '../../api/agenda';
import { addMonths, firstDayOfWeek, isPlainDate, minutesNowIn, step, todayIn, visibleDays, wallOf } from './dates';
import { layoutDay, spanOn } from './layout';
import { slotStart } from './slots';

describe('calendar dates', () => {
  test('weeks start on the locale’s first day', () => {
    expect(firstDayOfWeek('en-US')).toBe(0);
    expect(firstDayOfWeek('en-GB')).toBe(1);
    expect(firstDayOfWeek('de-DE')).toBe(1);
    // 2026-03-11 is a Wednesday.
    expect(visibleDays('week', '2026-03-11', 0)[0]).toBe('2026-03-08');
    expect(visibleDays('week', '2026-03-11', 1)).toEqual(['2026-03-09', '2026-03-10', '2026-03-11', '2026-03-12', '2026-03-13', '2026-03-14', '2026-03-15']);
  });

  test('a month shows whole weeks; steps move by the view’s unit', () => {
    const feb = visibleDays('month', '2026-02-14', 1);
    expect([feb[0], feb[feb.length - 1], feb.length]).toEqual(['2026-01-26', '2026-03-01', 35]);
    expect(addMonths('2026-01-31', 1)).toBe('2026-02-28');
    expect(step('week', '2026-03-01', -1)).toBe('2026-02-22');
    expect(step('month', '2026-12-15', 1)).toBe('2027-01-15');
    expect(isPlainDate('2026-02-30')).toBe(false);
    expect(isPlainDate('2026-02-28')).toBe(true);
  });

  test('today and now are the user’s zone’s, not the browser’s', () => {
    const instant = new Date('2026-03-09T03:30:00Z');
    expect(todayIn('America/New_York', instant)).toBe('2026-03-08');
    expect(todayIn('Europe/Berlin', instant)).toBe('2026-03-09');
    expect(minutesNowIn('America/New_York', instant)).toBe(23 * 60 + 30);
    expect(wallOf('2026-03-09T09:30:00-04:00')).toEqual({ date: '2026-03-09', minutes: 570 });
    // A slot at 9:00 in New York after the DST change is 13:00Z.
    expect(slotStart('2026-03-09', 540, 'America/New_York')).toEqual({ startAt: '2026-03-09T13:00:00.000Z', endAt: '2026-03-09T13:30:00.000Z' });
  });
});

const ev = (id: string, start: string, end: string | null): AgendaItem => ({ object: 'meeting', id, subject: id, status: 'scheduled', recurring: false, occurrence: start, start, end, localStart: start, localEnd: end });

describe('time grid layout', () => {
  test('overlapping events share the width; the next free column is reused', () => {
    const placed = layoutDay([
      ev('a', '2026-03-09T09:00:00+00:00', '2026-03-09T10:00:00+00:00'),
      ev('b', '2026-03-09T09:30:00+00:00', '2026-03-09T10:30:00+00:00'),
      ev('c', '2026-03-09T10:00:00+00:00', '2026-03-09T11:00:00+00:00'),
      ev('d', '2026-03-09T12:00:00+00:00', null),
    ], '2026-03-09');
    const byId = Object.fromEntries(placed.map((p) => [p.item.id, [p.column, p.columns, p.top, p.bottom]]));
    expect(byId).toEqual({ a: [0, 2, 540, 600], b: [1, 2, 570, 630], c: [0, 2, 600, 660], d: [0, 1, 720, 750] });
  });

  test('an event over midnight is drawn on both days', () => {
    const late = ev('late', '2026-03-09T23:00:00+00:00', '2026-03-10T01:00:00+00:00');
    expect(spanOn(late, '2026-03-09')).toMatchObject({ top: 1380, bottom: 1440, continuesAfter: true });
    expect(spanOn(late, '2026-03-10')).toMatchObject({ top: 0, bottom: 60, continuesBefore: true });
    expect(spanOn(ev('m', '2026-03-09T23:00:00+00:00', '2026-03-10T00:00:00+00:00'), '2026-03-10')).toBeNull();
  });
});
