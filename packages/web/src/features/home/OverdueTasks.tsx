import { Badge, Group, Paper, Text, Title } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { queryRecords } from '../../api/records';
import type { Condition, DisplayMap, RecordData } from '../../api/types';
import { AnchorLink } from '../../components/links';
import { ErrorState, Loading } from '../../components/PageState';
import { daysBetween, formatPlain, type PlainDate } from '../calendar/dates';
import { useCalendarSettings } from '../calendar/settings';
import { TaskRow } from './TaskRow';

/** Tasks fetched at once (one query); the count says "50+" beyond that. */
const LIMIT = 50;
const SHOWN = 5;

/**
 * My open one-off tasks due before today, oldest first. Repeating tasks are left out: their
 * due date is the series' first, and there is no per-occurrence state to call one overdue.
 */
export function overdueFilter(userId: string): Condition {
  return {
    and: [
      { field: 'owner', op: 'eq', value: userId },
      // "in" the open statuses (not "nin" the closed ones): the server's partial index of open
      // tasks by owner and due date serves exactly this condition.
      { field: 'status', op: 'in', value: ['not_started', 'in_progress', 'deferred'] },
      { field: 'due_date', op: 'lt', value: { relative: 'today' } },
      { field: 'recurrence_rule', op: 'isNull' },
    ],
  };
}

/** The record a task is about, as the agenda names it: the deal, else the account, contact or lead the reader may see. */
function regardingOf(task: RecordData, display: DisplayMap | undefined) {
  for (const object of ['opportunity', 'account', 'contact', 'lead']) {
    const id = task[object];
    const name = typeof id === 'string' ? display?.[object]?.[id] : undefined;
    if (typeof id === 'string' && name) return { object, id, name };
  }
  return null;
}

export function OverdueTasks({ today }: { today: PlainDate }) {
  const { locale, userId } = useCalendarSettings();
  const filter = overdueFilter(userId);
  const q = useQuery({
    // Under ['records', 'task'] so every task change (lists, completion) refreshes it.
    queryKey: ['records', 'task', 'overdue', userId, today],
    queryFn: ({ signal }) => queryRecords('task', { filter, sort: 'due_date', fields: ['subject', 'due_date', 'status', 'opportunity', 'account', 'contact', 'lead'], limit: LIMIT, display: true }, signal),
    enabled: Boolean(userId),
  });
  const tasks = q.data?.data ?? [];
  const count = `${tasks.length}${q.data?.nextCursor ? '+' : ''}`;

  return (
    <Paper withBorder p="md" component="section" aria-labelledby="overdue-title">
      <Group justify="space-between" mb="xs">
        <Group gap="xs">
          <Title order={2} size="h4" id="overdue-title">Overdue tasks</Title>
          {tasks.length > 0 && <Badge color="red" variant="light" data-testid="overdue-count">{count}</Badge>}
        </Group>
        {tasks.length > 0 && (
          <AnchorLink size="sm" to="/o/$object" params={{ object: 'task' }} search={{ view: undefined, filter: JSON.stringify(filter) }}>
            View all
          </AnchorLink>
        )}
      </Group>
      {q.isLoading ? (
        <Loading label="Loading overdue tasks" />
      ) : q.error ? (
        <ErrorState error={q.error} />
      ) : tasks.length === 0 ? (
        <Text size="sm" c="dimmed">Nothing overdue. Well done.</Text>
      ) : (
        tasks.slice(0, SHOWN).map((t) => {
          const due = String(t.due_date);
          const late = daysBetween(due, today);
          return (
            <TaskRow
              key={t.id}
              task={{ id: t.id, subject: String(t.subject ?? ''), status: String(t.status ?? ''), recurring: false, occurrence: due, regarding: regardingOf(t, q.data?.display) }}
              meta={
                <Text size="xs" c="red.9">
                  Due {formatPlain(due, locale, { month: 'short', day: 'numeric' })} · {late === 1 ? '1 day' : `${late} days`} late
                </Text>
              }
            />
          );
        })
      )}
      {tasks.length > SHOWN && (
        <Text size="sm" mt="xs">
          and {tasks.length - SHOWN}
          {q.data?.nextCursor ? '+' : ''} more —{' '}
          <AnchorLink to="/o/$object" params={{ object: 'task' }} search={{ view: undefined, filter: JSON.stringify(filter) }}>
            see the full list
          </AnchorLink>
        </Text>
      )}
    </Paper>
  );
}
