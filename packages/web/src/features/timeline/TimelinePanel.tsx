import { useState } from 'react';
import { Box, Alert, Button, Group, Paper, Stack, Text, Title } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { useInfiniteQuery, useQueryClient } from '@tanstack/react-query';
import { activitiesApi, timelineKey, type TimelineItem as Item } from '../../api/activities';
import { errorMessage } from '../../api/client';
import type { ObjectDef } from '../../api/types';
import { changeUserIds } from './changeText';
import { QuickActions } from './QuickActions';
import { TimelineItem } from './TimelineItem';
import { useUserNames } from './useUserNames';
import './timeline.css';

/**
 * The activity timeline of one record (ACT-1): quick actions, then "Upcoming & overdue" and
 * "History" from GET /{object}/{id}/timeline, paged with its cursor ("Load more").
 */
export function TimelinePanel({ object, id, recordName }: { object: ObjectDef; id: string; recordName: string }) {
  const qc = useQueryClient();
  const key = timelineKey(object.apiName, id);
  const q = useInfiniteQuery({
    queryKey: key,
    initialPageParam: null as string | null,
    queryFn: ({ pageParam }) => activitiesApi.timeline(object.apiName, id, pageParam),
    getNextPageParam: (last) => last.nextCursor ?? undefined,
  });
  const [pending, setPending] = useState<string | null>(null);
  const items = (q.data?.pages ?? []).flatMap((p) => p.data);
  const names = useUserNames(items.flatMap((i) => [i.owner, i.change?.actor, ...changeUserIds(object, i.change)]).filter((x): x is string => !!x));

  // The server lists open tasks (overdue ones first) and future meetings and calls first.
  const upcoming = items.filter((i) => i.upcoming);
  const history = items.filter((i) => !i.upcoming);

  const setStatus = async (item: Item, status: string) => {
    setPending(item.id);
    try {
      await activitiesApi.setTaskStatus(item.id, status);
      await qc.invalidateQueries({ queryKey: key });
      return true;
    } catch (e) {
      notifications.show({ color: 'red', message: errorMessage(e) });
      return false;
    } finally {
      setPending(null);
    }
  };
  const toggleTask = async (item: Item, completed: boolean) => {
    const previous = item.status ?? 'not_started';
    if (!(await setStatus(item, completed ? 'completed' : 'not_started'))) return;
    const toastId = `task-${item.id}-${Date.now()}`;
    notifications.show({
      id: toastId,
      color: 'green',
      message: (
        <Group gap="xs">
          <Text size="sm">{completed ? `Completed “${item.title ?? 'task'}”.` : `Reopened “${item.title ?? 'task'}”.`}</Text>
          <Button size="compact-xs" variant="light" onClick={() => { notifications.hide(toastId); void setStatus(item, previous); }}>Undo</Button>
        </Group>
      ),
    });
  };

  const list = (label: string, entries: Item[]) => (
    <ul className="timeline-list" aria-label={label}>
      {entries.map((i) => (
        <TimelineItem key={`${i.kind}-${i.id}`} item={i} object={object} names={names} overdue={i.overdue} busy={pending === i.id} onToggleTask={(it, c) => void toggleTask(it, c)} />
      ))}
    </ul>
  );

  return (
    <Paper withBorder p="md" component="section" aria-labelledby="activity-title" className="timeline-panel">
      <Title order={2} size="h4" id="activity-title" mb="sm">Activity</Title>
      {/* On a phone the record page puts these at its top instead (RecordPage). */}
      <Box visibleFrom="md"><QuickActions object={object.apiName} id={id} recordName={recordName} /></Box>
      {q.isLoading && <Text size="sm" c="dimmed" mt="md">Loading activity…</Text>}
      {q.error && <Alert color="red" role="alert" mt="md">{errorMessage(q.error)}</Alert>}
      {q.data && items.length === 0 && (
        <Text size="sm" c="dimmed" mt="md">
          Nothing has happened here yet. Log a call, add a task or write a note: everything about this {object.label.toLowerCase()} will be collected in this timeline.
        </Text>
      )}
      {items.length > 0 && (
        <Stack gap="md" mt="md">
          <section aria-labelledby="timeline-upcoming">
            <Title order={3} size="h6" id="timeline-upcoming" mb={6}>Upcoming &amp; overdue</Title>
            {upcoming.length ? list('Upcoming and overdue', upcoming) : <Text size="sm" c="dimmed">Nothing planned. Add a task or a follow-up to plan the next step.</Text>}
          </section>
          <section aria-labelledby="timeline-history">
            <Title order={3} size="h6" id="timeline-history" mb={6}>History</Title>
            {history.length ? list('History', history) : <Text size="sm" c="dimmed">No history yet.</Text>}
          </section>
          {q.hasNextPage && (
            <Button variant="subtle" onClick={() => void q.fetchNextPage()} loading={q.isFetchingNextPage} w="fit-content">Load more</Button>
          )}
        </Stack>
      )}
    </Paper>
  );
}
