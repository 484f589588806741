import { useState } from 'react';
import { Button, Grid, Group, Paper, Stack, Text, Title } from '@mantine/core';
import { useAgenda } from '../../api/agenda';
import { useMe } from '../../lib/useMe';
import { ButtonLink } from '../../components/links';
import { ErrorState, Loading } from '../../components/PageState';
import { addDays, formatPlain, todayIn, wallOf } from '../calendar/dates';
import { isTimed, spanOn, tasksOn } from '../calendar/layout';
import { NewMeetingModal } from '../calendar/NewMeetingModal';
import { useCalendarSettings } from '../calendar/settings';
import { defaultSlot } from '../calendar/slots';
import { GoTo, RecentlyViewed } from './Shortcuts';
import { OverdueTasks } from './OverdueTasks';
import { homePanelsList } from '../../lib/extensions';
import { TaskRow } from './TaskRow';
import { TodaySchedule } from './TodaySchedule';
import { DemoOffer } from '../demo/DemoOffer';
import { HomeDashboard } from '../dashboards/HomeDashboard';
import './home.css';

/** The look-ahead covers the week after today; one agenda request serves it and today. */
const LOOK_AHEAD_DAYS = 7;

/**
 * "My day" (the home page): today's meetings and calls, today's tasks with one-click completion,
 * overdue tasks and a look at the week ahead, then recent records and the objects. Two requests
 * in all: one agenda window (today + 7 days) and one overdue-tasks query.
 */
export function HomePage() {
  const me = useMe().data;
  const { locale, timeZone } = useCalendarSettings();
  const today = todayIn(timeZone);
  const agenda = useAgenda(today, addDays(today, LOOK_AHEAD_DAYS + 1));
  const [newMeeting, setNewMeeting] = useState<{ startAt: string; endAt: string } | null>(null);
  const items = agenda.data?.data ?? [];

  const events = items.filter((i) => isTimed(i) && spanOn(i, today) !== null);
  const tasks = tasksOn(items, today);
  const later = items.filter((i) => (i.dueDate ?? (i.localStart && wallOf(i.localStart).date) ?? '') > today && i.status !== 'cancelled' && i.status !== 'completed');
  const laterEvents = later.filter(isTimed).length;
  const laterTasks = later.length - laterEvents;
  const planButtons = (
    <Group gap="xs">
      <ButtonLink size="sm" to="/o/$object/new" params={{ object: 'task' }}>New task</ButtonLink>
      <Button size="sm" variant="default" onClick={() => setNewMeeting(defaultSlot(today, today, timeZone))}>New meeting</Button>
    </Group>
  );

  return (
    <Stack gap="md">
      <Group justify="space-between" wrap="wrap" gap="xs">
        <div>
          <Title order={1}>My day</Title>
          <Text c="dimmed">
            {formatPlain(today, locale, { weekday: 'long', month: 'long', day: 'numeric' })}
            {me?.first_name ? ` · Hello, ${me.first_name}` : ''}
          </Text>
        </div>
        <Group gap="xs">
          {planButtons}
          <ButtonLink size="sm" variant="subtle" to="/calendar">Calendar</ButtonLink>
        </Group>
      </Group>
      <DemoOffer />
      <HomeDashboard />
      <Grid gap="md">
        <Grid.Col span={{ base: 12, md: 8 }}>
          <Stack gap="md">
            {agenda.isLoading ? (
              <Loading label="Loading your day" />
            ) : agenda.error ? (
              <ErrorState error={agenda.error} />
            ) : events.length === 0 && tasks.length === 0 ? (
              <Paper withBorder p="lg" component="section" aria-labelledby="today-empty">
                <Title order={2} size="h4" id="today-empty">Nothing scheduled today — plan your day</Title>
                <Text size="sm" c="dimmed" mb="sm">No meetings, calls or tasks are due today.</Text>
                {planButtons}
              </Paper>
            ) : (
              <>
                <Paper withBorder p="md" component="section" aria-labelledby="schedule-title">
                  <Title order={2} size="h4" id="schedule-title" mb="xs">Today's meetings and calls</Title>
                  {events.length ? <TodaySchedule items={events} today={today} /> : <Text size="sm" c="dimmed">No meetings or calls today.</Text>}
                </Paper>
                <Paper withBorder p="md" component="section" aria-labelledby="tasks-title">
                  <Title order={2} size="h4" id="tasks-title" mb="xs">Today's tasks</Title>
                  {tasks.length ? tasks.map((t) => <TaskRow key={`${t.id}:${t.occurrence}`} task={t} />) : <Text size="sm" c="dimmed">No tasks due today.</Text>}
                </Paper>
              </>
            )}
          </Stack>
        </Grid.Col>
        <Grid.Col span={{ base: 12, md: 4 }}>
          <Stack gap="md">
            <OverdueTasks today={today} />
            {homePanelsList().map((Panel, i) => <Panel key={i} />)}
            <Paper withBorder p="md" component="section" aria-labelledby="week-title">
              <Title order={2} size="h4" id="week-title" mb={4}>Next {LOOK_AHEAD_DAYS} days</Title>
              {agenda.data && (
                <Text size="sm" data-testid="look-ahead">
                  {laterEvents === 1 ? '1 meeting or call' : `${laterEvents} meetings and calls`} · {laterTasks === 1 ? '1 task' : `${laterTasks} tasks`}
                </Text>
              )}
              <ButtonLink size="xs" variant="light" mt="xs" to="/calendar" search={{ view: 'week', date: undefined }}>Open the week</ButtonLink>
            </Paper>
            <RecentlyViewed />
            <GoTo />
          </Stack>
        </Grid.Col>
      </Grid>
      <NewMeetingModal start={newMeeting} onClose={() => setNewMeeting(null)} />
    </Stack>
  );
}
