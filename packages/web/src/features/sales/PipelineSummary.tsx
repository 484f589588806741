import { Group, Paper, Stack, Text, Title } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { salesApi } from '../../api/sales';
import { ButtonLink } from '../../components/links';
import { formatCurrency } from '../../lib/format';
import { useCalendarSettings } from '../calendar/settings';
import { usePipelineStages } from './stages';

/**
 * "My pipeline" on the home page (issue 17 item 14): the user's open deals per stage with their
 * count and amount, and the open and weighted totals — the board's summary (POST
 * /sales/board-summary), filtered to the deals they own. Amounts stay per currency.
 */
export function PipelineSummary() {
  const { userId } = useCalendarSettings();
  const stages = usePipelineStages(null);
  const filter = { field: 'owner', op: 'eq', value: userId };
  const q = useQuery({ queryKey: ['records', 'opportunity', 'board-summary', 'mine', userId], queryFn: () => salesApi.boardSummary(filter), enabled: Boolean(userId) });
  const open = (stages.data?.stages ?? []).filter((s) => s.outcome === 'open');
  const rows = open.map((s) => ({ stage: s, summary: q.data?.stages.find((x) => x.stage === s.value) })).filter((r) => r.summary && r.summary.count > 0);
  const totals = new Map<string, { amount: number; weighted: number }>();
  for (const r of rows) for (const t of r.summary!.totals ?? []) {
    const sum = totals.get(t.currency) ?? { amount: 0, weighted: 0 };
    totals.set(t.currency, { amount: sum.amount + t.amount, weighted: sum.weighted + t.weighted });
  }
  const money = (list: Array<{ currency: string; amount: number }>) => list.map((t) => formatCurrency(t.amount, t.currency)).join(' + ');
  return (
    <Paper withBorder p="md" component="section" aria-labelledby="pipeline-title">
      <Title order={2} size="h4" id="pipeline-title" mb="xs">My pipeline</Title>
      {q.isSuccess && stages.isSuccess && rows.length === 0 ? (
        <Text size="sm" c="gray.7">No open deals of yours yet.</Text>
      ) : (
        <Stack gap={4}>
          {rows.map(({ stage, summary }) => (
            <Group key={stage.value} justify="space-between" wrap="nowrap" data-stage={stage.value}>
              <Text size="sm">{stage.name} <Text span size="xs" c="gray.7">({summary!.count})</Text></Text>
              <Text size="sm">{summary!.totals ? money(summary!.totals) : ''}</Text>
            </Group>
          ))}
          {totals.size > 0 && (
            <Group justify="space-between" wrap="nowrap" mt={4} data-testid="pipeline-total">
              <Text size="sm" fw={700}>Open</Text>
              <Text size="sm" fw={700}>{money([...totals].map(([currency, t]) => ({ currency, amount: t.amount })))}</Text>
            </Group>
          )}
          {totals.size > 0 && (
            <Group justify="space-between" wrap="nowrap">
              <Text size="sm" c="gray.7">Weighted</Text>
              <Text size="sm" c="gray.7">{money([...totals].map(([currency, t]) => ({ currency, amount: t.weighted })))}</Text>
            </Group>
          )}
        </Stack>
      )}
      <ButtonLink size="xs" variant="light" mt="xs" to="/o/$object/board" params={{ object: 'opportunity' }} search={{ field: undefined }}>Open the board</ButtonLink>
    </Paper>
  );
}
