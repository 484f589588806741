import { useState } from 'react';
import { Alert, Group, Paper, Stack, Table, Text, TextInput, Title } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { AnchorLink } from '../../components/links';
import { ErrorState, Loading } from '../../components/PageState';
import { formatDate } from '../../lib/format';
import { cashApi } from './api';
import { Legend, LineChart } from './charts';
import { daysText, money, monthLabel, monthsBack } from './format';

const MONTH = /^\d{4}-(0[1-9]|1[0-2])$/;
const LINES = [{ name: 'DSO (month)', color: 'var(--mantine-color-indigo-7)' }, { name: 'DSO (3 months)', color: 'var(--mantine-color-orange-7)' }];

/** DSO: the formula in words, the monthly trend per currency and the accounts with the most receivables. */
export function DsoReport() {
  const [from, setFrom] = useState(() => monthsBack(11));
  const [to, setTo] = useState(() => monthsBack(0));
  const valid = MONTH.test(from) && MONTH.test(to) && from <= to;
  const trend = useQuery({ queryKey: ['reports', 'dso', from, to], queryFn: () => cashApi.dso({ from, to }), enabled: valid });
  const accounts = useQuery({ queryKey: ['reports', 'dso-accounts'], queryFn: () => cashApi.dsoAccounts({ days: 90, limit: 25 }) });
  return (
    <Stack gap="md">
      <Paper withBorder p="md" bg="var(--mantine-color-gray-0)">
        <Title order={2} size="h4">How DSO is computed</Title>
        <Text size="sm" mt={4} data-testid="dso-formula">
          Days sales outstanding = receivables at the end of the period ÷ credit sales in the period × days in the period.
        </Text>
        <Text size="sm" c="dimmed" mt={4}>
          Receivables are the invoices posted up to that day, less their credit notes and the payments applied to them up to that day (payments reversed later still count until they were reversed); unapplied customer credit is not deducted.
          Credit sales are the invoices less credit notes dated in the period. A month's DSO uses that month; the three-month figure uses the receivables at the month's end over the last three months' credit sales and days.
          A month without credit sales has no DSO.
        </Text>
      </Paper>
      <Group align="end">
        <TextInput type="month" label="From month" value={from} onChange={(e) => setFrom(e.currentTarget.value)} w={180} error={MONTH.test(from) ? undefined : 'YYYY-MM'} />
        <TextInput type="month" label="To month" value={to} onChange={(e) => setTo(e.currentTarget.value)} w={180} error={MONTH.test(to) ? (from <= to ? undefined : 'After the first month') : 'YYYY-MM'} />
      </Group>
      {trend.error ? <ErrorState error={trend.error} /> : !valid ? null : !trend.data ? <Loading label="Loading DSO" /> : trend.data.currencies.length === 0 ? (
        <Alert color="gray" title="No invoices yet">Once invoices are posted, each month's DSO appears here: how many days of sales are still waiting to be paid.</Alert>
      ) : trend.data.currencies.map((c) => {
        const labels = c.months.map((m) => monthLabel(m.month));
        const last = c.months[c.months.length - 1];
        return (
          <section key={c.currency} aria-labelledby={`dso-${c.currency}`} data-currency={c.currency}>
            <Title order={2} size="h4" id={`dso-${c.currency}`}>{c.currency}: {daysText(last?.dso3 ?? null)} over the last three months</Title>
            <LineChart
              label={`DSO per month in ${c.currency}: ${c.months.map((m) => `${monthLabel(m.month, 'long')} ${daysText(m.dso)}`).join(', ')}`}
              labels={labels}
              series={[{ ...LINES[0]!, values: c.months.map((m) => m.dso) }, { ...LINES[1]!, values: c.months.map((m) => m.dso3) }]}
            />
            <Legend items={LINES.map((l) => ({ label: l.name, color: l.color }))} />
            <Table.ScrollContainer minWidth={640} mt="xs">
              <Table striped>
                <Table.Thead>
                  <Table.Tr><Table.Th>Month</Table.Th><Table.Th ta="right">Receivables at month end</Table.Th><Table.Th ta="right">Credit sales</Table.Th><Table.Th ta="right">Days</Table.Th><Table.Th ta="right">DSO</Table.Th><Table.Th ta="right">DSO (3 months)</Table.Th></Table.Tr>
                </Table.Thead>
                <Table.Tbody>
                  {c.months.map((m) => (
                    <Table.Tr key={m.month}>
                      <Table.Td>{monthLabel(m.month, 'long')}</Table.Td>
                      <Table.Td ta="right">{money(m.receivables, c.currency)}</Table.Td>
                      <Table.Td ta="right">{money(m.creditSales, c.currency)}</Table.Td>
                      <Table.Td ta="right">{m.days}</Table.Td>
                      <Table.Td ta="right">{daysText(m.dso)}</Table.Td>
                      <Table.Td ta="right">{daysText(m.dso3)}</Table.Td>
                    </Table.Tr>
                  ))}
                </Table.Tbody>
              </Table>
            </Table.ScrollContainer>
          </section>
        );
      })}
      <section aria-labelledby="dso-accounts-title">
        <Title order={2} size="h4" id="dso-accounts-title">Accounts with the most receivables</Title>
        {accounts.error ? <ErrorState error={accounts.error} /> : !accounts.data ? <Loading /> : accounts.data.rows.length === 0 ? (
          <Text size="sm" c="dimmed">No receivables: accounts with open invoices appear here with their DSO over the last 90 days.</Text>
        ) : (
          <>
            <Text size="sm" c="dimmed">DSO over the 90 days from {formatDate(accounts.data.from)} to {formatDate(accounts.data.to)}.</Text>
            <Table.ScrollContainer minWidth={560}>
              <Table striped>
                <Table.Thead><Table.Tr><Table.Th>Account</Table.Th><Table.Th ta="right">Receivables</Table.Th><Table.Th ta="right">Credit sales (90 days)</Table.Th><Table.Th ta="right">DSO</Table.Th></Table.Tr></Table.Thead>
                <Table.Tbody>
                  {accounts.data.rows.map((r) => (
                    <Table.Tr key={`${r.account}-${r.currency}`}>
                      <Table.Td>{r.name === null ? <Text span c="dimmed">Account not visible to you</Text> : <AnchorLink to="/o/$object/$id" params={{ object: 'account', id: r.account }} search={{ tab: undefined }}>{r.name}</AnchorLink>}</Table.Td>
                      <Table.Td ta="right">{money(r.receivables, r.currency)}</Table.Td>
                      <Table.Td ta="right">{money(r.creditSales, r.currency)}</Table.Td>
                      <Table.Td ta="right">{daysText(r.dso)}</Table.Td>
                    </Table.Tr>
                  ))}
                </Table.Tbody>
              </Table>
            </Table.ScrollContainer>
          </>
        )}
      </section>
    </Stack>
  );
}
