import { useState } from 'react';
import '@mantine/charts/styles.css';
import { LineChart } from '@mantine/charts';
import { Alert, Box, Group, Paper, SegmentedControl, Table, Text, Title } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { errorMessage } from '../../api/client';
import type { RecordSlotProps } from '../../lib/extensions';
import { formatNumber } from '../../lib/format';
import { showMoney } from './money';
import { forecastingApi } from './api';

/**
 * Account behaviour, tracked weekly (seed 004 "Tracking", issue 16 item 6): the account's last 26
 * weekly snapshots — revenue invoiced, open pipeline, orders, activities, payment days — as a trend
 * chart, or the same figures as a table (for screen readers and exact numbers). Nothing before the
 * first snapshot is taken.
 */
export function AccountBehaviourPanel({ id }: RecordSlotProps) {
  const [view, setView] = useState<'chart' | 'table'>('chart');
  const query = useQuery({ queryKey: ['forecasting', 'behaviour', id], queryFn: ({ signal }) => forecastingApi.behaviour(id, signal) });
  if (query.error) return <Alert color="red" role="alert">{errorMessage(query.error)}</Alert>;
  const weeks = query.data?.weeks ?? [];
  if (!weeks.length) return null;
  const data = weeks.map((w) => ({ week: w.week, Revenue: Number(w.revenue), 'Open pipeline': Number(w.openPipeline), Orders: w.orders, Activities: w.activities }));
  return (
    <Paper withBorder p="sm">
      <Group justify="space-between" mb="xs" wrap="wrap">
        <Title order={2} size="h4">Weekly behaviour</Title>
        <SegmentedControl size="xs" value={view} onChange={(v) => setView(v as 'chart' | 'table')} data={[{ value: 'chart', label: 'Chart' }, { value: 'table', label: 'Table' }]} aria-label="Show as" />
      </Group>
      {view === 'chart' ? (
        <Box role="img" aria-label={`Revenue and open pipeline per week, ${weeks[0]!.week} to ${weeks[weeks.length - 1]!.week}; choose Table for the figures`}>
          <LineChart h={220} data={data} dataKey="week" withLegend curveType="linear"
            valueFormatter={(v) => formatNumber(v)}
            series={[{ name: 'Revenue', color: 'blue.7' }, { name: 'Open pipeline', color: 'teal.7' }]} />
        </Box>
      ) : (
        <Box style={{ overflowX: 'auto', position: 'relative' }} tabIndex={0} role="region" aria-label="Weekly behaviour figures">
          <Table aria-label="Weekly behaviour" striped miw={640}>
            <Table.Thead>
              <Table.Tr>
                {['Week of', 'Orders', 'Revenue', 'Open pipeline', 'Activities', 'Cases', 'Payment days'].map((h, i) => <Table.Th scope="col" key={h} ta={i ? 'right' : undefined}>{h}</Table.Th>)}
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {weeks.map((w) => (
                <Table.Tr key={w.week}>
                  <Table.Th scope="row" fw={400}>{w.week}</Table.Th>
                  <Table.Td ta="right">{formatNumber(w.orders)}</Table.Td>
                  <Table.Td ta="right">{showMoney(w.revenue)}</Table.Td>
                  <Table.Td ta="right">{showMoney(w.openPipeline)}</Table.Td>
                  <Table.Td ta="right">{formatNumber(w.activities)}</Table.Td>
                  <Table.Td ta="right">{w.cases === null ? '—' : formatNumber(w.cases)}</Table.Td>
                  <Table.Td ta="right">{w.paymentDays === null ? '—' : formatNumber(w.paymentDays, { maximumFractionDigits: 1 })}</Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        </Box>
      )}
      <Text size="xs" c="dimmed" mt={4}>Taken every Monday for the week before.</Text>
    </Paper>
  );
}
