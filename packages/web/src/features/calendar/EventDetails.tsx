import { useState } from 'react';
import { Badge, Button, Group, Stack, Text } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { useQueryClient } from '@tanstack/react-query';
import { agendaKey, editOccurrence, type AgendaItem } from '../../api/agenda';
import { errorMessage } from '../../api/client';
import { ButtonLink } from '../../components/links';
import { RepeatIcon } from './icons';
import { formatPlain, formatTime, wallOf } from './dates';
import { useCalendarSettings } from './settings';
import { useCompleteTask } from '../home/useCompleteTask';

export const OBJECT_LABEL: Record<AgendaItem['object'], string> = { meeting: 'Meeting', call: 'Call', task: 'Task' };

const STATUS_LABEL: Record<string, string> = {
  scheduled: 'Scheduled', held: 'Held', cancelled: 'Cancelled', not_started: 'Not started', in_progress: 'In progress', completed: 'Completed', deferred: 'Deferred',
};

export const isDone = (i: AgendaItem) => i.status === 'cancelled' || i.status === 'completed';

/** "Tue, Mar 10 · 9:00 AM – 9:30 AM" in the user's zone and locale, or the due date of a task. */
export function whenOf(item: AgendaItem, locale: string, timeZone: string): string {
  if (!item.start || !item.localStart) return item.dueDate ? `Due ${formatPlain(item.dueDate, locale, { weekday: 'short', month: 'short', day: 'numeric' })}` : '';
  const day = formatPlain(wallOf(item.localStart).date, locale, { weekday: 'short', month: 'short', day: 'numeric' });
  const start = formatTime(item.start, locale, timeZone);
  return item.end ? `${day} · ${start} – ${formatTime(item.end, locale, timeZone)}` : `${day} · ${start}`;
}

/** What the event popover shows: details, a link to the record, and for a series "cancel this one". */
export function EventDetails({ item, onDone }: { item: AgendaItem; onDone: () => void }) {
  const { locale, timeZone } = useCalendarSettings();
  const qc = useQueryClient();
  const complete = useCompleteTask();
  const [busy, setBusy] = useState(false);

  const cancelOccurrence = async () => {
    setBusy(true);
    try {
      await editOccurrence(item, 'this', { status: 'cancelled' });
      await qc.invalidateQueries({ queryKey: agendaKey });
      notifications.show({ color: 'green', message: `“${item.subject}” cancelled on ${whenOf(item, locale, timeZone)}` });
      onDone();
    } catch (e) {
      notifications.show({ color: 'red', message: errorMessage(e) });
    } finally {
      setBusy(false);
    }
  };

  return (
    <Stack gap="xs" maw={300}>
      <Text fw={600} td={item.status === 'cancelled' ? 'line-through' : undefined}>{item.subject}</Text>
      <Group gap={6}>
        <Badge variant="light" color="gray">{OBJECT_LABEL[item.object]}</Badge>
        <Badge variant="light" color={isDone(item) ? 'gray' : 'indigo'}>{STATUS_LABEL[item.status] ?? item.status}</Badge>
      </Group>
      <Text size="sm">{whenOf(item, locale, timeZone)}</Text>
      {item.location && <Text size="sm">Location: {item.location}</Text>}
      {item.recurring && (
        <Group gap={4} wrap="nowrap">
          <RepeatIcon />
          <Text size="sm">Part of a repeating series</Text>
        </Group>
      )}
      <Group gap="xs">
        <ButtonLink size="xs" variant="light" to="/o/$object/$id" params={{ object: item.object, id: item.id }} search={{ tab: undefined }}>
          Open {OBJECT_LABEL[item.object].toLowerCase()}{item.recurring ? ' series' : ''}
        </ButtonLink>
        {item.object === 'task' && !isDone(item) && (
          <Button size="xs" variant="light" color="green" loading={busy} onClick={() => void complete(item, true).then(onDone)}>
            Mark complete
          </Button>
        )}
        {item.recurring && item.status !== 'cancelled' && (
          <Button size="xs" variant="light" color="red" loading={busy} onClick={() => void cancelOccurrence()}>
            Cancel this occurrence
          </Button>
        )}
      </Group>
    </Stack>
  );
}
