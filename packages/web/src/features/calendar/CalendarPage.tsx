import { useEffect, useState } from 'react';
import { ActionIcon, Button, Group, Loader, SegmentedControl, Stack, Text, Title } from '@mantine/core';
import { useMediaQuery } from '@mantine/hooks';
import { useNavigate } from '@tanstack/react-router';
import { useAgenda } from '../../api/agenda';
import { ErrorState } from '../../components/PageState';
import { addDays, isPlainDate, step, todayIn, viewTitle, visibleDays, type CalendarView, type PlainDate } from './dates';
import { ChevronIcon } from './icons';
import { MonthGrid } from './MonthGrid';
import { NewMeetingModal } from './NewMeetingModal';
import { useCalendarSettings } from './settings';
import { TimeGrid } from './TimeGrid';
import { defaultSlot, slotStart } from './slots';
import './calendar.css';

export const CALENDAR_VIEWS: CalendarView[] = ['day', 'week', 'month'];
const VIEW_LABEL: Record<CalendarView, string> = { day: 'Day', week: 'Week', month: 'Month' };
const SHORTCUTS: Record<string, CalendarView> = { d: 'day', w: 'week', m: 'month' };

/** Search params of /calendar: both optional, so a bare link opens this week (or today on a phone). */
export function validateCalendarSearch(s: Record<string, unknown>): { view?: CalendarView; date?: string } {
  return {
    view: CALENDAR_VIEWS.includes(s.view as CalendarView) ? (s.view as CalendarView) : undefined,
    date: isPlainDate(s.date) ? s.date : undefined,
  };
}

/**
 * The calendar (ACT-4): the signed-in user's meetings, calls and tasks by day, week or month, in
 * their time zone. View and date live in the URL, so a view can be shared or bookmarked; only the
 * visible window is fetched from /me/agenda.
 */
export function CalendarPage({ view: viewParam, date: dateParam }: { view?: CalendarView; date?: PlainDate }) {
  const { locale, timeZone, firstDay } = useCalendarSettings();
  const navigate = useNavigate();
  const phone = useMediaQuery('(max-width: 48em)', undefined, { getInitialValueInEffect: false });
  const today = todayIn(timeZone);
  const view = viewParam ?? (phone ? 'day' : 'week');
  const date = dateParam ?? today;
  const days = visibleDays(view, date, firstDay);
  const agenda = useAgenda(days[0]!, addDays(days[days.length - 1]!, 1));
  const [newMeeting, setNewMeeting] = useState<{ startAt: string; endAt: string } | null>(null);

  const go = (next: { view?: CalendarView; date?: PlainDate }) => navigate({ to: '/calendar', search: { view: next.view ?? view, date: next.date ?? date } });

  // Re-subscribed on every render on purpose: the handler always sees the current view and date.
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (e.defaultPrevented || e.altKey || e.ctrlKey || e.metaKey || newMeeting) return;
      const t = e.target as HTMLElement | null;
      // Typing in a field, or working inside a dialog or popover, is not a calendar command.
      if (t?.closest('input, textarea, select, [contenteditable="true"], [role="dialog"], [role="listbox"], [role="menu"]')) return;
      const key = e.key.length === 1 ? e.key.toLowerCase() : e.key;
      if (key === 'ArrowLeft' || key === 'ArrowRight') go({ date: step(view, date, key === 'ArrowLeft' ? -1 : 1) });
      else if (key === 't') go({ date: today });
      else if (SHORTCUTS[key]) go({ view: SHORTCUTS[key] });
      else return;
      e.preventDefault();
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  });

  const unit = view;
  const items = agenda.data?.data ?? [];
  const openDay = (d: PlainDate) => go({ view: 'day', date: d });
  const openSlot = (d: PlainDate, minutes: number) => setNewMeeting(slotStart(d, minutes, timeZone));

  return (
    <Stack gap="sm">
      <Group justify="space-between" wrap="wrap" gap="xs">
        <Title order={1}>Calendar</Title>
        <Button onClick={() => setNewMeeting(defaultSlot(date, today, timeZone))}>New meeting</Button>
      </Group>
      <Group justify="space-between" wrap="wrap" gap="xs">
        <Group gap="xs" wrap="wrap">
          <Group gap="xs" wrap="nowrap">
            <ActionIcon variant="default" size="lg" aria-label={`Previous ${unit}`} aria-keyshortcuts="ArrowLeft" onClick={() => go({ date: step(view, date, -1) })}>
              <ChevronIcon direction="left" />
            </ActionIcon>
            <Button variant="default" aria-keyshortcuts="t" onClick={() => go({ date: today })}>Today</Button>
            <ActionIcon variant="default" size="lg" aria-label={`Next ${unit}`} aria-keyshortcuts="ArrowRight" onClick={() => go({ date: step(view, date, 1) })}>
              <ChevronIcon direction="right" />
            </ActionIcon>
          </Group>
          <Title order={2} size="h4" aria-live="polite">
            {viewTitle(view, days, date, locale)}
          </Title>
          {agenda.isFetching && <Loader size="xs" aria-label="Loading" />}
        </Group>
        <SegmentedControl
          aria-label="View"
          value={view}
          onChange={(v) => go({ view: v as CalendarView })}
          data={CALENDAR_VIEWS.map((v) => ({ value: v, label: VIEW_LABEL[v] }))}
        />
      </Group>
      {agenda.error ? (
        <ErrorState error={agenda.error} />
      ) : view === 'month' ? (
        <MonthGrid days={days} month={date.slice(0, 7)} items={items} today={today} onDay={openDay} />
      ) : (
        <TimeGrid days={days} items={items} today={today} onSlot={openSlot} onDay={openDay} />
      )}
      {agenda.isSuccess && items.length === 0 && (
        <Text c="dimmed" size="sm">
          Nothing scheduled in this {unit}. {view === 'month' ? 'Open a day' : 'Click a free time'} to plan a meeting, or use New meeting.
        </Text>
      )}
      <Text c="dimmed" size="xs">
        Keys: ← → previous/next, T today, D day, W week, M month. Times are in {timeZone}.
      </Text>
      <NewMeetingModal start={newMeeting} onClose={() => setNewMeeting(null)} />
    </Stack>
  );
}
