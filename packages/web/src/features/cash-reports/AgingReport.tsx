import { useState } from 'react';
import { Alert, Button, Group, Paper, SimpleGrid, Stack, Table, Text, TextInput, Title } from '@mantine/core';
import { useInfiniteQuery } from '@tanstack/react-query';
import { AnchorLink } from '../../components/links';
import { ErrorState, Loading } from '../../components/PageState';
import { formatDate } from '../../lib/format';
import { cashApi } from './api';
import { Legend, SERIES_COLORS, StackedBar } from './charts';
import { money, todayText } from './format';

export const BUCKETS = [
  { key: 'current', label: 'Current' },
  { key: 'days_1_30', label: '1–30 days' },
  { key: 'days_31_60', label: '31–60 days' },
  { key: 'days_61_90', label: '61–90 days' },
  { key: 'over_90', label: 'Over 90 days' },
] as const;

/** Aging: open amounts by days past due as of a day — a stacked bar per currency and a table per account. */
export function AgingReport() {
  const [asOf, setAsOf] = useState(todayText);
  const valid = /^\d{4}-\d{2}-\d{2}$/.test(asOf);
  const query = useInfiniteQuery({
    queryKey: ['reports', 'aging', asOf],
    enabled: valid,
    initialPageParam: undefined as string | undefined,
    queryFn: ({ pageParam }) => cashApi.aging({ asOf, limit: 50, ...(pageParam ? { cursor: pageParam } : {}) }),
    getNextPageParam: (last) => last.nextCursor ?? undefined,
  });
  const first = query.data?.pages[0];
  const rows = query.data?.pages.flatMap((p) => p.rows) ?? [];
  return (
    <Stack gap="md">
      <Group align="end">
        <TextInput type="date" label="As of" value={asOf} onChange={(e) => setAsOf(e.currentTarget.value)} error={valid ? undefined : 'Pick a day'} w={200} />
        {first?.historical && <Text size="sm" c="dimmed">Open amounts rebuilt as they stood on that day (payments and credit notes dated up to it).</Text>}
      </Group>
      {query.error ? <ErrorState error={query.error} /> : !first ? <Loading label="Loading the aging" /> : first.currencies.length === 0 ? (
        <Alert color="gray" title="Nothing open">
          No invoice had an open amount on {formatDate(first.asOf)}. When invoices are posted and not paid in full, what is still owed appears here, by how many days it is past its due date.
        </Alert>
      ) : (
        <>
          <SimpleGrid cols={{ base: 1, md: Math.min(first.currencies.length, 2) }}>
            {first.currencies.map((c) => (
              <Paper withBorder p="md" key={c.currency} data-currency={c.currency}>
                <Title order={2} size="h4">{c.currency}: {money(c.total, c.currency)} open</Title>
                <Text size="sm" c="dimmed" mb="xs">{c.invoices} invoice{c.invoices === 1 ? '' : 's'} on {c.accounts} account{c.accounts === 1 ? '' : 's'}</Text>
                <StackedBar
                  label={`Aging in ${c.currency}: ${BUCKETS.map((b) => `${b.label} ${money(c.buckets[b.key], c.currency)}`).join(', ')}`}
                  segments={BUCKETS.map((b, i) => ({ label: b.label, value: Number(c.buckets[b.key]), color: SERIES_COLORS[i]!, text: money(c.buckets[b.key], c.currency) }))}
                />
                <Table mt="sm" withRowBorders={false} verticalSpacing={2} data-testid={`aging-buckets-${c.currency}`}>
                  <Table.Tbody>
                    {BUCKETS.map((b, i) => (
                      <Table.Tr key={b.key}>
                        <Table.Td><Group gap={6} wrap="nowrap"><span aria-hidden="true" style={{ width: 10, height: 10, borderRadius: 2, background: SERIES_COLORS[i], display: 'inline-block' }} />{b.label}</Group></Table.Td>
                        <Table.Td ta="right" data-bucket={b.key}>{money(c.buckets[b.key], c.currency)}</Table.Td>
                      </Table.Tr>
                    ))}
                  </Table.Tbody>
                </Table>
              </Paper>
            ))}
          </SimpleGrid>
          <Legend items={BUCKETS.map((b, i) => ({ label: b.label, color: SERIES_COLORS[i]! }))} />
          <section aria-labelledby="aging-accounts-title">
            <Title order={2} size="h4" id="aging-accounts-title" mb="xs">By account</Title>
            <Table.ScrollContainer minWidth={720}>
              <Table striped highlightOnHover>
                <Table.Thead>
                  <Table.Tr>
                    <Table.Th>Account</Table.Th>
                    {BUCKETS.map((b) => <Table.Th key={b.key} ta="right">{b.label}</Table.Th>)}
                    <Table.Th ta="right">Total</Table.Th>
                  </Table.Tr>
                </Table.Thead>
                <Table.Tbody>
                  {rows.map((r) => (
                    <Table.Tr key={`${r.account}-${r.currency}`}>
                      <Table.Td>{r.name === null ? <Text span c="dimmed">Account not visible to you</Text> : <AnchorLink to="/o/$object/$id" params={{ object: 'account', id: r.account }} search={{ tab: undefined }}>{r.name}</AnchorLink>}</Table.Td>
                      {BUCKETS.map((b) => <Table.Td key={b.key} ta="right">{money(r.buckets[b.key], r.currency)}</Table.Td>)}
                      <Table.Td ta="right" fw={700}>{money(r.total, r.currency)}</Table.Td>
                    </Table.Tr>
                  ))}
                </Table.Tbody>
              </Table>
            </Table.ScrollContainer>
            {query.hasNextPage && <Button variant="default" mt="sm" loading={query.isFetchingNextPage} onClick={() => void query.fetchNextPage()}>Show more accounts</Button>}
          </section>
        </>
      )}
    </Stack>
  );
}
