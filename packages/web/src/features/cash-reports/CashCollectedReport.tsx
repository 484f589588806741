import { useState } from 'react';
import { Alert, Group, SegmentedControl, Stack, Table, Text, TextInput, Title } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { ErrorState, Loading } from '../../components/PageState';
import { formatDate } from '../../lib/format';
import { cashApi } from './api';
import { ColumnChart } from './charts';
import { money, monthLabel, monthsBack, todayText } from './format';

const DAY = /^\d{4}-\d{2}-\d{2}$/;

/** Cash collected per month or week: payments received − refunds − reversals, a bar per period. */
export function CashCollectedReport() {
  const [from, setFrom] = useState(() => `${monthsBack(11)}-01`);
  const [to, setTo] = useState(todayText);
  const [period, setPeriod] = useState<'month' | 'week'>('month');
  const valid = DAY.test(from) && DAY.test(to) && from <= to;
  const query = useQuery({ queryKey: ['reports', 'cash', from, to, period], queryFn: () => cashApi.cash({ from, to, period }), enabled: valid });
  const label = (p: string) => (period === 'month' ? monthLabel(p) : formatDate(p));
  return (
    <Stack gap="md">
      <Group align="end">
        <TextInput type="date" label="From" value={from} onChange={(e) => setFrom(e.currentTarget.value)} w={180} />
        <TextInput type="date" label="To" value={to} onChange={(e) => setTo(e.currentTarget.value)} w={180} error={valid ? undefined : 'From a day up to a later one'} />
        <SegmentedControl aria-label="Per" value={period} onChange={(v) => setPeriod(v as 'month' | 'week')} data={[{ value: 'month', label: 'Per month' }, { value: 'week', label: 'Per week' }]} />
      </Group>
      {query.error ? <ErrorState error={query.error} /> : !valid ? null : !query.data ? <Loading label="Loading cash collected" /> : query.data.currencies.length === 0 ? (
        <Alert color="gray" title="No payments in this period">Payments recorded (by hand or online) appear here by the day they were received, less refunds and reversals (bounced checks, charge-backs) on the days they happened.</Alert>
      ) : query.data.currencies.map((c) => (
        <section key={c.currency} aria-labelledby={`cash-${c.currency}`} data-currency={c.currency}>
          <Title order={2} size="h4" id={`cash-${c.currency}`}>{c.currency}: {money(c.net, c.currency)} collected</Title>
          <Text size="sm" c="dimmed">Received {money(c.received, c.currency)} − refunded {money(c.refunded, c.currency)} − reversed {money(c.reversed, c.currency)}</Text>
          <ColumnChart
            label={`Net cash collected in ${c.currency} per ${period}: ${c.periods.map((p) => `${label(p.period)} ${money(p.net, c.currency)}`).join(', ')}`}
            points={c.periods.map((p) => ({ label: label(p.period), value: Number(p.net), text: money(p.net, c.currency) }))}
          />
          <Table.ScrollContainer minWidth={560} mt="xs">
            <Table striped>
              <Table.Thead><Table.Tr><Table.Th>{period === 'month' ? 'Month' : 'Week of'}</Table.Th><Table.Th ta="right">Received</Table.Th><Table.Th ta="right">Refunded</Table.Th><Table.Th ta="right">Reversed</Table.Th><Table.Th ta="right">Net</Table.Th></Table.Tr></Table.Thead>
              <Table.Tbody>
                {c.periods.map((p) => (
                  <Table.Tr key={p.period}>
                    <Table.Td>{label(p.period)}</Table.Td>
                    <Table.Td ta="right">{money(p.received, c.currency)}</Table.Td>
                    <Table.Td ta="right">{money(p.refunded, c.currency)}</Table.Td>
                    <Table.Td ta="right">{money(p.reversed, c.currency)}</Table.Td>
                    <Table.Td ta="right" fw={700}>{money(p.net, c.currency)}</Table.Td>
                  </Table.Tr>
                ))}
              </Table.Tbody>
            </Table>
          </Table.ScrollContainer>
        </section>
      ))}
    </Stack>
  );
}
