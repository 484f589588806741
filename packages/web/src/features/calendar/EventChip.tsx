import { useState, type CSSProperties } from 'react';
import { Popover } from '@mantine/core';
import type { AgendaItem } from '../../api/agenda';
import { EventDetails, isDone, OBJECT_LABEL } from './EventDetails';
import { RepeatIcon } from './icons';
import { formatTime } from './dates';
import { useCalendarSettings } from './settings';

/**
 * One event or task on the calendar: a button that opens its details in a popover. The visible
 * text is short (time and subject); kind, repetition and status are spelled out for screen readers.
 */
export function EventChip({ item, style, compact }: { item: AgendaItem; style?: CSSProperties; compact?: boolean }) {
  const { locale, timeZone } = useCalendarSettings();
  const [opened, setOpened] = useState(false);
  const time = item.start ? formatTime(item.start, locale, timeZone) : null;
  return (
    <Popover opened={opened} onChange={setOpened} position="bottom-start" withArrow shadow="md" trapFocus returnFocus withinPortal>
      <Popover.Target>
        <button
          type="button"
          className="cal-event"
          data-object={item.object}
          data-status={item.status}
          data-compact={compact || undefined}
          style={style}
          onClick={(e) => {
            // The slot under the event must not also open "New meeting".
            e.stopPropagation();
            setOpened((o) => !o);
          }}
        >
          <span className="sr-only">{OBJECT_LABEL[item.object]}: </span>
          {time && <span className="cal-event-time">{time} </span>}
          <span className="cal-event-subject">{item.subject}</span>
          {item.recurring && (
            <span className="cal-event-icon" title="Repeats">
              <RepeatIcon />
              <span className="sr-only"> (repeats)</span>
            </span>
          )}
          {isDone(item) && <span className="sr-only"> ({item.status})</span>}
        </button>
      </Popover.Target>
      <Popover.Dropdown>
        <EventDetails item={item} onDone={() => setOpened(false)} />
      </Popover.Dropdown>
    </Popover>
  );
}
