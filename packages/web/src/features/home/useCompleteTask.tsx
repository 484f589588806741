import { Button, Group, Text } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { useQueryClient } from '@tanstack/react-query';
import { agendaKey, editOccurrence } from '../../api/agenda';
import { errorMessage } from '../../api/client';
import { updateRecord } from '../../api/records';

/** What completing needs to know of a task, from the agenda or from a task list. */
export interface TaskRef {
  id: string;
  subject: string;
  status: string;
  recurring: boolean;
  /** The due date of this occurrence (identifies it in a repeating task). */
  occurrence: string;
  /** The record the task is about (shown under its subject). */
  regarding?: { object: string; id: string; name: string } | null;
}

/**
 * One-click completion with undo in the toast. A repeating task completes only this
 * occurrence: it is split off the series as a task of its own (occurrences/edit, scope "this"),
 * so undo reopens that task rather than the whole series.
 */
export function useCompleteTask() {
  const qc = useQueryClient();
  const refresh = () => Promise.all([qc.invalidateQueries({ queryKey: agendaKey }), qc.invalidateQueries({ queryKey: ['records', 'task'] })]);

  const setStatus = async (id: string, status: string) => {
    await updateRecord('task', id, { status });
    await refresh();
  };

  return async (task: TaskRef, done: boolean) => {
    const previous = task.status;
    const next = done ? 'completed' : 'not_started';
    try {
      let id = task.id;
      if (done && task.recurring) id = (await editOccurrence({ object: 'task', id: task.id, occurrence: task.occurrence }, 'this', { status: next })).created?.id ?? task.id;
      else await updateRecord('task', task.id, { status: next });
      await refresh();
      const key = `task-${id}-${Date.now()}`;
      notifications.show({
        id: key,
        autoClose: 8000,
        message: (
          <Group justify="space-between" wrap="nowrap" gap="xs">
            <Text size="sm">“{task.subject}” {done ? 'completed' : 'reopened'}</Text>
            <Button
              size="compact-sm"
              variant="subtle"
              onClick={() => {
                notifications.hide(key);
                setStatus(id, previous).catch((e) => notifications.show({ color: 'red', message: errorMessage(e) }));
              }}
            >
              Undo
            </Button>
          </Group>
        ),
      });
    } catch (e) {
      notifications.show({ color: 'red', message: errorMessage(e) });
    }
  };
}
