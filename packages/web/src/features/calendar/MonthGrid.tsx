import type { AgendaItem } from '../../api/agenda';
import { EventChip } from './EventChip';
import { formatPlain, type PlainDate } from './dates';
import { itemsOn, keyOf } from './layout';
import { useCalendarSettings } from './settings';

/** Items shown in a month cell before the rest fold into "+N more". */
const PER_CELL = 3;

/**
 * The month view: whole weeks covering the month, each day with its first few items and a
 * "+N more" that opens the day. Days of the neighbouring months are shown lighter.
 */
export function MonthGrid({ days, month, items, today, onDay }: { days: PlainDate[]; month: string; items: AgendaItem[]; today: PlainDate; onDay: (day: PlainDate) => void }) {
  const { locale } = useCalendarSettings();
  return (
    <div className="cal-scroll-x">
      <div className="cal-month" role="table" aria-label={formatPlain(`${month}-01`, locale, { month: 'long', year: 'numeric' })}>
        <div role="row" className="cal-month-row">
          {days.slice(0, 7).map((d) => (
            <div role="columnheader" key={d} className="cal-month-weekday">
              {formatPlain(d, locale, { weekday: 'short' })}
            </div>
          ))}
        </div>
        {Array.from({ length: days.length / 7 }, (_, w) => days.slice(w * 7, w * 7 + 7)).map((week) => (
          <div role="row" key={week[0]} className="cal-month-row">
            {week.map((d) => {
              const all = itemsOn(items, d);
              const more = all.length - PER_CELL;
              return (
                <div role="cell" key={d} className="cal-month-cell" data-outside={!d.startsWith(month) || undefined} data-today={d === today || undefined} data-testid={`month-${d}`}>
                  <button type="button" className="cal-month-daynum" onClick={() => onDay(d)}>
                    {formatPlain(d, locale, { day: 'numeric' })}
                    <span className="sr-only">: open the day, {formatPlain(d, locale, { weekday: 'long', month: 'long', day: 'numeric' })}</span>
                  </button>
                  {all.slice(0, more > 0 ? PER_CELL - 1 : PER_CELL).map((i) => (
                    <EventChip key={keyOf(i)} item={i} compact />
                  ))}
                  {more > 0 && (
                    <button type="button" className="cal-more" onClick={() => onDay(d)}>
                      +{more + 1} more
                    </button>
                  )}
                </div>
              );
            })}
          </div>
        ))}
      </div>
    </div>
  );
}
