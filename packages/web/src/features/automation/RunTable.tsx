import { Fragment, useState } from 'react';
import { Badge, Button, Code, Group, Stack, Table, Text, VisuallyHidden } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { useQueryClient } from '@tanstack/react-query';
import { errorMessage } from '../../api/client';
import { AnchorLink } from '../../components/links';
import { formatDateTime } from '../../lib/format';
import { automationApi, STATUS_COLORS, type AutomationRun } from './api';

/**
 * Runs of workflow rules: per run the rule, the record, trigger, status, attempts and duration;
 * "Details" opens the drill-down (each action with its result or error, the chain of rules that
 * led here) and a failed run has "Retry".
 */
export function RunTable({ runs, label }: { runs: AutomationRun[]; label: string }) {
  const [open, setOpen] = useState<string | null>(null);
  const queryClient = useQueryClient();
  const retry = async (run: AutomationRun) => {
    try {
      await automationApi.retry(run.id);
      notifications.show({ color: 'green', message: `Run of '${run.ruleName}' queued again` });
      await queryClient.invalidateQueries({ queryKey: ['automation', 'runs'] });
    } catch (error) {
      notifications.show({ color: 'red', message: errorMessage(error) });
    }
  };
  return (
    <Table.ScrollContainer minWidth={640}>
      <Table aria-label={label} striped>
        <Table.Thead>
          <Table.Tr>
            <Table.Th>When</Table.Th>
            <Table.Th>Rule</Table.Th>
            <Table.Th>Record</Table.Th>
            <Table.Th>Trigger</Table.Th>
            <Table.Th>Status</Table.Th>
            <Table.Th>Duration</Table.Th>
            <Table.Th><VisuallyHidden>Actions</VisuallyHidden></Table.Th>
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {runs.map((run) => (
            <Fragment key={run.id}>
              <Table.Tr>
                <Table.Td>{formatDateTime(run.createdAt)}</Table.Td>
                <Table.Td><AnchorLink to="/o/$object/$id" params={{ object: 'automation_rule', id: run.rule }} search={{ tab: undefined }}>{run.ruleName}</AnchorLink></Table.Td>
                <Table.Td><AnchorLink to="/o/$object/$id" params={{ object: run.object, id: run.record }} search={{ tab: undefined }}>{run.object} {run.record.slice(-6)}</AnchorLink></Table.Td>
                <Table.Td>{run.trigger.replaceAll('_', ' ')}</Table.Td>
                <Table.Td>
                  <Badge color={STATUS_COLORS[run.status] ?? 'gray'} variant="light">{run.status}</Badge>
                  {run.attempts > 1 ? <Text span size="xs" c="dimmed"> {run.attempts} attempts</Text> : null}
                </Table.Td>
                <Table.Td>{run.durationMs === null ? '—' : `${run.durationMs} ms`}</Table.Td>
                <Table.Td>
                  <Group gap="xs" wrap="nowrap">
                    <Button size="compact-sm" variant="default" aria-expanded={open === run.id} onClick={() => setOpen(open === run.id ? null : run.id)}>
                      Details<VisuallyHidden> of the run of {run.ruleName}</VisuallyHidden>
                    </Button>
                    {run.status === 'failed' ? <Button size="compact-sm" variant="light" color="red" onClick={() => void retry(run)}>Retry</Button> : null}
                  </Group>
                </Table.Td>
              </Table.Tr>
              {open === run.id ? (
                <Table.Tr>
                  <Table.Td colSpan={7}>
                    <Stack gap={4} data-testid="run-details">
                      {run.error ? <Text size="sm" c="red">{run.error}</Text> : null}
                      {run.actions.length ? run.actions.map((a) => (
                        <Text key={a.index} size="sm">
                          {a.index + 1}. {a.type.replaceAll('_', ' ')}: <Badge size="sm" variant="light" color={STATUS_COLORS[a.status] ?? 'gray'}>{a.status}</Badge> {a.ms} ms{' '}
                          {a.error ? <Text span c="red">{a.error}</Text> : a.result ? <Code>{JSON.stringify(a.result)}</Code> : null}
                        </Text>
                      )) : <Text size="sm" c="dimmed">No action ran.</Text>}
                      {run.chain.length > 1 ? <Text size="xs" c="dimmed">Chain: {run.chain.join(' → ')}</Text> : null}
                    </Stack>
                  </Table.Td>
                </Table.Tr>
              ) : null}
            </Fragment>
          ))}
        </Table.Tbody>
      </Table>
    </Table.ScrollContainer>
  );
}
