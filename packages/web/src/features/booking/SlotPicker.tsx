import { useEffect, useMemo, useState } from 'react';
import { Alert, Button, Group, Loader, SimpleGrid, Stack, Text, Title, VisuallyHidden } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { bookingApi, type Slot } from '../../api/booking';
import { errorMessage } from '../../api/client';
import { addDays, dateIn, daysFrom, formatDay, formatTime, slotsByDay } from './days';

const DAYS_SHOWN = 14;

/**
 * Two weeks of days (in the visitor's zone) with their free slots. The API takes dates in the
 * host's zone, so one day more is asked for on each side and the slots are regrouped here.
 */
export function SlotPicker(props: { slug: string; locale: string; timeZone: string; notice?: string | null; onPick: (slot: Slot) => void }) {
  const { slug, locale, timeZone } = props;
  const today = dateIn(new Date(), timeZone);
  const [first, setFirst] = useState(today);
  const [day, setDay] = useState<string | null>(null);
  const slots = useQuery({
    queryKey: ['booking', slug, 'slots', first],
    queryFn: () => bookingApi.slots(slug, addDays(first, -1), addDays(first, DAYS_SHOWN)),
  });
  const days = useMemo(() => daysFrom(first, DAYS_SHOWN), [first]);
  const byDay = useMemo(() => slotsByDay(slots.data ?? [], timeZone), [slots.data, timeZone]);
  const firstFree = days.find((d) => byDay.get(d)?.length);
  // Open the first day with free times; keep the visitor's choice while it still has some.
  useEffect(() => {
    if (!day || !byDay.get(day)?.length) setDay(firstFree ?? null);
  }, [byDay, firstFree, day]);

  const shown = day ? (byDay.get(day) ?? []) : [];
  return (
    <Stack gap="sm">
      <Title order={2} size="h4">Pick a day</Title>
      {props.notice && <Alert color="orange" role="alert">{props.notice}</Alert>}
      <Group gap="xs" justify="space-between">
        <Button variant="subtle" size="compact-sm" disabled={first <= today} onClick={() => setFirst(addDays(first, -DAYS_SHOWN))}>Earlier</Button>
        <Text size="sm" c="dimmed">{formatDay(days[0]!, locale)} – {formatDay(days[days.length - 1]!, locale)}</Text>
        <Button variant="subtle" size="compact-sm" onClick={() => setFirst(addDays(first, DAYS_SHOWN))}>Later</Button>
      </Group>
      {slots.isPending && <Group justify="center" p="md"><Loader size="sm" aria-label="Loading free times" /></Group>}
      {slots.isError && <Alert color="red" role="alert">{errorMessage(slots.error)}</Alert>}
      {slots.isSuccess && (
        <>
          <div className="booking-days" role="group" aria-label="Days">
            {days.map((d) => {
              const count = byDay.get(d)?.length ?? 0;
              return (
                <Button key={d} variant={d === day ? 'filled' : 'default'} disabled={!count} aria-pressed={d === day} onClick={() => setDay(d)} className="booking-day">
                  {formatDay(d, locale)}
                  <VisuallyHidden>{count ? `, ${count} free times` : ', no free times'}</VisuallyHidden>
                </Button>
              );
            })}
          </div>
          {!firstFree && <Alert color="gray" title="No free times in these two weeks">Try later weeks with the Later button.</Alert>}
          {day && (
            <Stack gap="xs">
              <Title order={3} size="h5">{formatDay(day, locale, 'long')}</Title>
              <SimpleGrid cols={{ base: 3, sm: 4 }} spacing="xs" role="group" aria-label="Free times">
                {shown.map((s) => (
                  <Button key={s.start} variant="light" onClick={() => props.onPick(s)} aria-label={`${formatDay(day, locale, 'long')}, ${formatTime(s.start, locale, timeZone)}`}>
                    {formatTime(s.start, locale, timeZone)}
                  </Button>
                ))}
              </SimpleGrid>
            </Stack>
          )}
        </>
      )}
    </Stack>
  );
}
