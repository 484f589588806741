/**
 * Relative date values (`{ "relative": "this_quarter" }`) and calendar days given for datetime
 * fields. Each resolves to a half-open range [start, end) of calendar days in the user's zone;
 * for datetime fields the two boundaries become the instants of local midnight. Both back ends
 * (compile.ts, evaluate.ts) call resolvePeriod so they compare against the very same boundaries.
 */
import { DateTime, IANAZone } from 'luxon';
import { badRequest } from '../errors.ts';
import type { ConditionContext, Period, RelativeDate, RelativeUnit } from './parsed.ts';

const NAMED: Record<string, { unit: RelativeUnit; offset: number }> = {
  today: { unit: 'day', offset: 0 },
  yesterday: { unit: 'day', offset: -1 },
  tomorrow: { unit: 'day', offset: 1 },
  this_week: { unit: 'week', offset: 0 },
  last_week: { unit: 'week', offset: -1 },
  next_week: { unit: 'week', offset: 1 },
  this_month: { unit: 'month', offset: 0 },
  last_month: { unit: 'month', offset: -1 },
  next_month: { unit: 'month', offset: 1 },
  this_quarter: { unit: 'quarter', offset: 0 },
  last_quarter: { unit: 'quarter', offset: -1 },
  next_quarter: { unit: 'quarter', offset: 1 },
  this_year: { unit: 'year', offset: 0 },
  last_year: { unit: 'year', offset: -1 },
  next_year: { unit: 'year', offset: 1 },
};

export const RELATIVE_DATE_NAMES = [...Object.keys(NAMED), 'last_n_days:N', 'next_n_days:N'];

export const MAX_RELATIVE_DAYS = 3650;

/** Returns undefined for anything that is not a known relative date (the caller reports it). */
export function parseRelativeDate(name: string): RelativeDate | undefined {
  if (Object.hasOwn(NAMED, name)) return { kind: 'relative', name, ...NAMED[name] };
  const match = /^(last|next)_n_days:([1-9][0-9]{0,3})$/.exec(name);
  if (!match) return undefined;
  const days = Number(match[2]);
  if (days > MAX_RELATIVE_DAYS) return undefined;
  return { kind: 'relative', name, unit: match[1] === 'last' ? 'last_n_days' : 'next_n_days', days };
}

/** Rejects a context that would make every relative value meaningless. */
// Checking a zone builds an Intl.DateTimeFormat; users have few zones, so remember the good ones.
const validZones = new Set<string>();

export function assertConditionContext(context: ConditionContext): void {
  if (!(context.now instanceof Date) || Number.isNaN(context.now.getTime())) {
    throw badRequest('The condition context needs a valid `now`');
  }
  if (typeof context.timeZone === 'string' && validZones.has(context.timeZone)) return;
  if (typeof context.timeZone !== 'string' || !IANAZone.isValidZone(context.timeZone)) {
    const message = `Unknown time zone '${String(context.timeZone).slice(0, 60)}'`;
    throw badRequest(message, [{ field: 'timeZone', code: 'invalid_time_zone', message }]);
  }
  if (validZones.size < 1000) validZones.add(context.timeZone);
}

/** [start, end) as 'YYYY-MM-DD' calendar days. */
function resolveDays(period: Period, context: ConditionContext): { start: DateTime; end: DateTime } {
  if (period.kind === 'day') {
    const start = DateTime.fromISO(period.date, { zone: 'utc' });
    return { start, end: start.plus({ days: 1 }) };
  }
  // Calendar arithmetic happens on a zone-less (UTC) copy of today's local date, so DST
  // transitions cannot shift a boundary off midnight.
  const localToday = DateTime.fromJSDate(context.now, { zone: context.timeZone }).toISODate()!;
  const today = DateTime.fromISO(localToday, { zone: 'utc' });
  switch (period.unit) {
    case 'last_n_days':
      return { start: today.minus({ days: period.days }), end: today.plus({ days: 1 }) };
    case 'next_n_days':
      return { start: today, end: today.plus({ days: period.days + 1 }) };
    case 'day': {
      const start = today.plus({ days: period.offset });
      return { start, end: start.plus({ days: 1 }) };
    }
    default: {
      // startOf('week') is the ISO week: Monday.
      const start = today.startOf(period.unit).plus({ [`${period.unit}s`]: period.offset });
      return { start, end: start.plus({ [`${period.unit}s`]: 1 }) };
    }
  }
}

/** The instant a calendar day starts in the zone (UTC ISO with milliseconds). */
function getLocalMidnight(input: { date: string; timeZone: string }): string {
  return DateTime.fromISO(input.date, { zone: input.timeZone }).startOf('day').toUTC().toISO()!;
}

/**
 * The half-open range a period covers: calendar days for date fields, instants (UTC ISO with
 * milliseconds) for datetime fields.
 */
export function resolvePeriod(input: {
  period: Period;
  kind: 'date' | 'datetime';
  context: ConditionContext;
}): { start: string; end: string } {
  const { start, end } = resolveDays(input.period, input.context);
  const startDate = start.toISODate()!;
  const endDate = end.toISODate()!;
  if (input.kind === 'date') return { start: startDate, end: endDate };
  return {
    start: getLocalMidnight({ date: startDate, timeZone: input.context.timeZone }),
    end: getLocalMidnight({ date: endDate, timeZone: input.context.timeZone }),
  };
}
