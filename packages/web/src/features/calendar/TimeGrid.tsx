import { useEffect, useRef, useState, type MouseEvent } from 'react';
import type { AgendaItem } from '../../api/agenda';
import { EventChip } from './EventChip';
import { formatHour, formatPlain, minutesNowIn, type PlainDate } from './dates';
import { isTimed, keyOf, layoutDay, tasksOn } from './layout';
import { useCalendarSettings } from './settings';

/** Pixels per hour of the grid; a 30-minute slot is half of it. */
const HOUR_PX = 48;
const SLOT_MINUTES = 30;
const HOURS = Array.from({ length: 24 }, (_, h) => h);

export interface TimeGridProps {
  days: PlainDate[];
  items: AgendaItem[];
  today: PlainDate;
  /** An empty slot was clicked: its day and minutes since midnight. */
  onSlot?: (day: PlainDate, minutes: number) => void;
  onDay: (day: PlainDate) => void;
}

/**
 * The day and week views: a column per day on a 24-hour grid, events placed by their time in the
 * user's zone, overlapping ones side by side, tasks in an all-day row above. One box scrolls
 * both ways under a sticky header (so days and columns stay aligned); on narrow screens the
 * week scrolls sideways rather than squeezing seven columns.
 */
export function TimeGrid({ days, items, today, onSlot, onDay }: TimeGridProps) {
  const { locale, timeZone } = useCalendarSettings();
  const scroller = useRef<HTMLDivElement>(null);
  const nowMinutes = useNowMinutes(timeZone);
  const timed = items.filter(isTimed);

  // Open at the working day (or the first event, if earlier), not at midnight.
  const firstKey = days[0];
  useEffect(() => {
    const starts = days.flatMap((d) => layoutDay(timed, d).map((p) => p.top));
    const first = Math.min(8 * 60, ...starts);
    scroller.current?.scrollTo({ top: Math.max(0, (first / 60) * HOUR_PX - HOUR_PX / 2) });
    // Only when the window moves, not on every refetch.
  }, [firstKey, days.length]);

  const slotClick = (day: PlainDate) => (e: MouseEvent<HTMLDivElement>) => {
    if (!onSlot || e.target !== e.currentTarget) return;
    const y = e.clientY - e.currentTarget.getBoundingClientRect().top;
    const minutes = Math.floor(((y / HOUR_PX) * 60) / SLOT_MINUTES) * SLOT_MINUTES;
    onSlot(day, Math.max(0, Math.min(24 * 60 - SLOT_MINUTES, minutes)));
  };

  const cols = `var(--cal-gutter) repeat(${days.length}, minmax(var(--cal-col-min), 1fr))`;
  return (
    <div ref={scroller} className="cal-scroll-x cal-timed" data-days={days.length}>
      <div className="cal-head">
        <div className="cal-time-grid" style={{ gridTemplateColumns: cols }}>
          <div className="cal-corner" />
          {days.map((d) => (
            <div key={d} className="cal-day-head" data-today={d === today || undefined}>
              <button type="button" className="cal-day-link" onClick={() => onDay(d)}>
                <span className="cal-weekday">{formatPlain(d, locale, { weekday: 'short' })}</span>
                <span className="cal-daynum">{formatPlain(d, locale, { day: 'numeric' })}</span>
                <span className="sr-only">: open the day, {formatPlain(d, locale, { weekday: 'long', month: 'long', day: 'numeric' })}</span>
              </button>
            </div>
          ))}
          <div className="cal-allday-label">Tasks</div>
          {days.map((d) => (
            <div key={d} className="cal-allday" data-testid={`allday-${d}`}>
              {tasksOn(items, d).map((t) => (
                <EventChip key={keyOf(t)} item={t} compact />
              ))}
            </div>
          ))}
        </div>
      </div>
      <div className="cal-time-grid" style={{ gridTemplateColumns: cols }}>
        <div className="cal-hours" aria-hidden="true">
          {HOURS.map((h) => (
            <div key={h} className="cal-hour-label" style={{ height: HOUR_PX }}>
              {h > 0 ? formatHour(h, locale) : ''}
            </div>
          ))}
        </div>
        {days.map((d) => (
          <div key={d} className="cal-day-col" style={{ height: 24 * HOUR_PX }} data-day={d} data-testid={`day-${d}`} onClick={slotClick(d)}>
            {d === today && <div className="cal-now" style={{ top: (nowMinutes / 60) * HOUR_PX }} aria-hidden="true" />}
            {layoutDay(timed, d).map((p) => (
              <EventChip
                key={keyOf(p.item)}
                item={p.item}
                // Under three quarters of an hour there is room for one line only.
                compact={p.bottom - p.top < 45}
                style={{
                  position: 'absolute',
                  top: (p.top / 60) * HOUR_PX,
                  height: ((p.bottom - p.top) / 60) * HOUR_PX - 2,
                  left: `calc(${(p.column / p.columns) * 100}% + 2px)`,
                  width: `calc(${100 / p.columns}% - 4px)`,
                }}
              />
            ))}
          </div>
        ))}
      </div>
    </div>
  );
}

/** Minutes since midnight in the user's zone, moving once a minute (the "now" line). */
export function useNowMinutes(timeZone: string): number {
  const [now, setNow] = useState(() => minutesNowIn(timeZone));
  useEffect(() => {
    setNow(minutesNowIn(timeZone));
    const t = setInterval(() => setNow(minutesNowIn(timeZone)), 60_000);
    return () => clearInterval(t);
  }, [timeZone]);
  return now;
}
