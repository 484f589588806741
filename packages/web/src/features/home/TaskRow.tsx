import { useState, type ReactNode } from 'react';
import { Checkbox, Group, Text } from '@mantine/core';
import { AnchorLink } from '../../components/links';
import { RepeatMark } from '../calendar/icons';
import { useCompleteTask, type TaskRef } from './useCompleteTask';

/** A task with a checkbox that completes it (or reopens it) in one click, and a link to it. */
export function TaskRow({ task, meta }: { task: TaskRef; meta?: ReactNode }) {
  const complete = useCompleteTask();
  const [pending, setPending] = useState<boolean | null>(null);
  const done = pending ?? task.status === 'completed';
  return (
    <div className="day-item" data-testid={`task-${task.id}`}>
      <Checkbox
        mt={2}
        checked={done}
        disabled={pending !== null}
        aria-label={done ? `Reopen “${task.subject}”` : `Complete “${task.subject}”`}
        onChange={(e) => {
          const next = e.currentTarget.checked;
          setPending(next);
          void complete(task, next).finally(() => setPending(null));
        }}
      />
      <div style={{ minWidth: 0 }}>
        <Group gap={4} wrap="nowrap">
          <AnchorLink to="/o/$object/$id" params={{ object: 'task', id: task.id }} search={{ tab: undefined }} td={done ? 'line-through' : undefined} c={done ? 'dimmed' : undefined}>
            {task.subject}
          </AnchorLink>
          {task.recurring && <RepeatMark />}
        </Group>
        {task.regarding && (
          <AnchorLink size="xs" c="gray.7" to="/o/$object/$id" params={{ object: task.regarding.object, id: task.regarding.id }} search={{ tab: undefined }} className="task-regarding">
            {task.regarding.name}
          </AnchorLink>
        )}
        {meta}
      </div>
    </div>
  );
}
