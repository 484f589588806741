import { useEffect, useState } from 'react';
import { Badge, Group, Text } from '@mantine/core';
import type { AgendaItem } from '../../api/agenda';
import { AnchorLink } from '../../components/links';
import { RepeatMark } from '../calendar/icons';
import { OBJECT_LABEL } from '../calendar/EventDetails';
import { formatTime, wallOf, type PlainDate } from '../calendar/dates';
import { keyOf } from '../calendar/layout';
import { useCalendarSettings } from '../calendar/settings';

type State = 'past' | 'now' | 'next' | 'later';

/** Past, happening now, the next one, or later: the day list's markers (cancelled ones never count). */
export function statesOf(items: AgendaItem[], now: number): State[] {
  let nextGiven = false;
  return items.map((i) => {
    const start = Date.parse(i.start!);
    const end = i.end ? Date.parse(i.end) : start;
    if (i.status === 'cancelled' || end < now || (end === start && start < now)) return 'past';
    if (start <= now) return 'now';
    if (!nextGiven) {
      nextGiven = true;
      return 'next';
    }
    return 'later';
  });
}

/** Today's meetings and calls in time order, with their place and a "now"/"next" marker. */
export function TodaySchedule({ items, today }: { items: AgendaItem[]; today: PlainDate }) {
  const { locale, timeZone } = useCalendarSettings();
  const now = useNow();
  const states = statesOf(items, now);
  return (
    <div role="list" aria-label="Today's meetings and calls">
      {items.map((item, n) => {
        const state = states[n]!;
        const startsEarlier = wallOf(item.localStart!).date < today;
        return (
          <div role="listitem" key={keyOf(item)} className="day-item" data-state={state} data-testid={`event-${item.id}`}>
            <div className="day-item-time">
              <Text fw={600} size="sm">{startsEarlier ? 'Earlier' : formatTime(item.start!, locale, timeZone)}</Text>
              {item.end && <Text size="xs" c="dimmed">until {formatTime(item.end, locale, timeZone)}</Text>}
            </div>
            <div style={{ minWidth: 0, flex: 1 }}>
              <Group gap={6} wrap="wrap">
                <AnchorLink to="/o/$object/$id" params={{ object: item.object, id: item.id }} search={{ tab: undefined }} td={item.status === 'cancelled' ? 'line-through' : undefined} c={state === 'past' ? 'dimmed' : undefined}>
                  {item.subject}
                </AnchorLink>
                {item.recurring && <RepeatMark />}
                {state === 'now' && <Badge color="red" variant="light" size="sm">Now</Badge>}
                {state === 'next' && <Badge color="indigo" variant="light" size="sm">Next</Badge>}
                {item.status === 'cancelled' && <Badge color="gray" variant="light" size="sm">Cancelled</Badge>}
              </Group>
              <Text size="xs" c="dimmed">
                {OBJECT_LABEL[item.object]}
                {item.location ? ` · ${item.location}` : ''}
              </Text>
            </div>
          </div>
        );
      })}
    </div>
  );
}

/** The current time, moving once a minute. */
function useNow(): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const t = setInterval(() => setNow(Date.now()), 60_000);
    return () => clearInterval(t);
  }, []);
  return now;
}
