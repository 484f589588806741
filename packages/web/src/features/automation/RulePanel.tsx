import { useState } from 'react';
import { Alert, Badge, Button, Group, List, Loader, Paper, Stack, Table, Text, Title } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { errorMessage } from '../../api/client';
import { AnchorLink } from '../../components/links';
import type { RecordSlotProps } from '../../lib/extensions';
import { automationApi, type DryRunResult } from './api';
import { RunTable } from './RunTable';

interface ActionEntry { type?: unknown; [key: string]: unknown }

function parseActions(text: unknown): ActionEntry[] {
  try {
    const v = JSON.parse(String(text ?? '[]'));
    return Array.isArray(v) ? v : [];
  } catch {
    return [];
  }
}

/** One action in words: its type and its settings. */
function describeAction(a: ActionEntry): string {
  const { type, ...rest } = a;
  const parts = Object.entries(rest).map(([k, v]) => `${k}: ${typeof v === 'string' ? v : JSON.stringify(v)}`);
  return `${String(type ?? '?').replaceAll('_', ' ')}${parts.length ? ` — ${parts.join('; ')}` : ''}`;
}

/** Why Meridian switched the rule off (a field it used was deleted). */
export function DisabledBanner({ record }: RecordSlotProps) {
  if (!record.disabled_reason) return null;
  return <Alert color="orange" title="This rule was switched off">{String(record.disabled_reason)} Correct the rule and make it active again.</Alert>;
}

/**
 * A workflow rule's page (issue 14 item 11): what it does in words, the dry run against existing
 * records (what each action would do, nothing changed) and its recent runs with drill-down and
 * Retry. The rule's fields themselves are edited in the record form; the server checks every part
 * on save and names the field that is wrong.
 */
export function RulePanel({ record, id }: RecordSlotProps) {
  const actions = parseActions(record.actions);
  const [dry, setDry] = useState<DryRunResult | null>(null);
  const [dryError, setDryError] = useState<string | null>(null);
  const [running, setRunning] = useState(false);
  const runs = useQuery({ queryKey: ['automation', 'runs', 'rule', id], queryFn: ({ signal }) => automationApi.runs({ rule: id, limit: 20 }, signal) });
  const dryRun = async () => {
    setRunning(true);
    setDryError(null);
    try {
      setDry(await automationApi.dryRun(id, { limit: 20 }));
    } catch (error) {
      setDryError(errorMessage(error));
    } finally {
      setRunning(false);
    }
  };
  const met = dry?.records.filter((r) => r.conditionMet) ?? [];
  return (
    <Stack gap="md">
      <Paper withBorder p="md" component="section" aria-labelledby="rule-actions-title">
        <Title order={2} size="h4" id="rule-actions-title">What the rule does</Title>
        <Text size="sm" c="dimmed">
          {String(record.phase) === 'before_save' ? 'Before save, in the same write' : 'After save, retried when an action fails'}; trigger: {String(record.trigger ?? '').replaceAll('_', ' ')}
          {record.trigger_field ? ` (${String(record.trigger_field)})` : ''}
          {typeof record.delay_amount === 'number' ? `; waits ${Math.abs(record.delay_amount)} ${String(record.delay_unit ?? 'days')} ${record.delay_amount < 0 ? 'before' : 'after'} ${record.delay_from && record.delay_from !== 'event' ? String(record.delay_from) : 'the change'}` : ''}
        </Text>
        {actions.length ? <List size="sm" mt="xs">{actions.map((a, i) => <List.Item key={i}>{describeAction(a)}</List.Item>)}</List> : <Text size="sm">No actions yet.</Text>}
      </Paper>

      <Paper withBorder p="md" component="section" aria-labelledby="rule-dry-run-title">
        <Group justify="space-between">
          <Title order={2} size="h4" id="rule-dry-run-title">Dry run</Title>
          <Button variant="light" onClick={() => void dryRun()} loading={running}>Dry run on existing records</Button>
        </Group>
        <Text size="sm" c="dimmed">Evaluates the entry condition on up to 20 records and says what each action would do. Nothing is changed or sent.</Text>
        {dryError ? <Alert color="red" mt="sm">{dryError}</Alert> : null}
        {dry ? (
          <Stack gap="xs" mt="sm" data-testid="dry-run-result">
            <Text size="sm">{met.length} of {dry.records.length} records meet the condition.</Text>
            <Table.ScrollContainer minWidth={480}>
              <Table aria-label="Dry run" striped>
                <Table.Thead><Table.Tr><Table.Th>Record</Table.Th><Table.Th>Condition</Table.Th><Table.Th>Would do</Table.Th></Table.Tr></Table.Thead>
                <Table.Tbody>
                  {dry.records.map((r) => (
                    <Table.Tr key={r.id}>
                      <Table.Td><AnchorLink to="/o/$object/$id" params={{ object: String(record.target_object), id: r.id }} search={{ tab: undefined }}>{r.name || r.id}</AnchorLink></Table.Td>
                      <Table.Td><Badge variant="light" color={r.conditionMet ? 'green' : 'gray'}>{r.conditionMet ? 'met' : 'not met'}</Badge></Table.Td>
                      <Table.Td>{r.actions.map((a, i) => <Text key={i} size="sm" c={a.error ? 'red' : undefined}>{a.description ?? a.error}</Text>)}</Table.Td>
                    </Table.Tr>
                  ))}
                </Table.Tbody>
              </Table>
            </Table.ScrollContainer>
          </Stack>
        ) : null}
      </Paper>

      <Paper withBorder p="md" component="section" aria-labelledby="rule-runs-title">
        <Group justify="space-between">
          <Title order={2} size="h4" id="rule-runs-title">Recent runs</Title>
          <AnchorLink to="/automation/runs">All runs</AnchorLink>
        </Group>
        {runs.isPending ? <Loader size="sm" /> : runs.error ? <Alert color="red">{errorMessage(runs.error)}</Alert>
          : runs.data.data.length ? <RunTable runs={runs.data.data} label="Runs of this rule" />
          : <Text size="sm" c="dimmed">The rule has not run yet. Runs show here once a record change triggers it.</Text>}
      </Paper>
    </Stack>
  );
}
