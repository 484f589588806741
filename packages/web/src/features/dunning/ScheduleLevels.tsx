import { Alert, Badge, Group, Paper, Table, Text, Title } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { errorMessage } from '../../api/client';
import { queryRecords } from '../../api/records';
import { AnchorLink, ButtonLink } from '../../components/links';
import type { RecordSlotProps } from '../../lib/extensions';
import { formatNumber } from '../../lib/format';

/**
 * A schedule's levels at a glance on its page (the reminder settings): when each goes out, its
 * fee and task, each linking to the level's template editor; and the dry run.
 */
export function ScheduleLevels({ id }: RecordSlotProps) {
  const levels = useQuery({
    queryKey: ['records', 'dunning_level', 'of-schedule', id, 'panel'],
    queryFn: ({ signal }) => queryRecords('dunning_level', { filter: { field: 'schedule', op: 'eq', value: id }, sort: 'level', limit: 200, display: false }, signal),
  });
  const rows = levels.data?.data ?? [];
  return (
    <Paper withBorder p="md" component="section" aria-labelledby="dunning-levels-title">
      <Group justify="space-between" mb="xs" wrap="wrap">
        <Title order={2} size="h4" id="dunning-levels-title">Reminder levels</Title>
        <ButtonLink size="xs" variant="default" to="/reminders">Reminders due today</ButtonLink>
      </Group>
      {levels.error ? <Alert color="red" role="alert">{errorMessage(levels.error)}</Alert>
        : levels.isLoading ? <Text size="sm" c="dimmed">Loading…</Text>
        : rows.length === 0 ? <Text size="sm">This schedule has no levels yet, so it sends nothing. Add a level (number, days overdue, subject and body) under Related.</Text>
        : (
          <Table.ScrollContainer minWidth={360}>
            <Table aria-label="Reminder levels">
              <Table.Thead>
                <Table.Tr><Table.Th>Level</Table.Th><Table.Th>Name</Table.Th><Table.Th ta="right">Days overdue</Table.Th><Table.Th ta="right">Fee</Table.Th><Table.Th>Task</Table.Th></Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {rows.map((l) => (
                  <Table.Tr key={l.id}>
                    <Table.Td>{typeof l.level === 'number' ? formatNumber(l.level) : ''}</Table.Td>
                    <Table.Td><AnchorLink to="/o/$object/$id" params={{ object: 'dunning_level', id: l.id }} search={{ tab: undefined }}>{String(l.name ?? 'Level')}</AnchorLink></Table.Td>
                    <Table.Td ta="right">{typeof l.days_overdue === 'number' ? formatNumber(l.days_overdue) : ''}</Table.Td>
                    <Table.Td ta="right">{typeof l.fee === 'number' && l.fee > 0 ? formatNumber(l.fee, { minimumFractionDigits: 2, maximumFractionDigits: 2 }) : '—'}</Table.Td>
                    <Table.Td>{l.creates_task === true && <Badge variant="light" color="grape">Creates a task</Badge>}</Table.Td>
                  </Table.Tr>
                ))}
              </Table.Tbody>
            </Table>
          </Table.ScrollContainer>
        )}
    </Paper>
  );
}
