import { Fragment, useState } from 'react';
import { ActionIcon, Alert, Group, Stack, Table, Text, TextInput, Title, VisuallyHidden } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { AnchorLink } from '../../components/links';
import { ErrorState, Loading } from '../../components/PageState';
import { cashApi, type RevenueTree } from './api';
import { money, monthsBack, todayText } from './format';

const DAY = /^\d{4}-\d{2}-\d{2}$/;
type Row = RevenueTree['rows'][number];

function Bar({ value, max }: { value: number; max: number }) {
  const w = max > 0 ? Math.max(0, (value / max) * 100) : 0;
  return (
    <div aria-hidden="true" style={{ background: 'var(--mantine-color-gray-1)', height: 10, borderRadius: 2, minWidth: 80 }}>
      <div style={{ width: `${w}%`, height: 10, borderRadius: 2, background: 'var(--mantine-color-indigo-6)' }} />
    </div>
  );
}

/** One account's row, expandable into its children (each with its subtree rolled up). */
function TreeRows({ row, depth, from, to, max }: { row: Row; depth: number; from: string; to: string; max: Map<string, number> }) {
  const [open, setOpen] = useState(false);
  const children = useQuery({ queryKey: ['reports', 'revenue', from, to, row.account], queryFn: () => cashApi.revenue({ from, to, parent: row.account }), enabled: open });
  const name = row.own ? `${row.name ?? 'Account'} (own invoices)` : row.name;
  return (
    <Fragment>
      <Table.Tr>
        <Table.Td>
          <Group gap={4} wrap="nowrap" style={{ paddingLeft: depth * 20 }}>
            {row.hasChildren && !row.own ? (
              <ActionIcon variant="subtle" size="sm" aria-expanded={open} aria-label={`${open ? 'Collapse' : 'Expand'} ${row.name ?? 'account'}`} onClick={() => setOpen((o) => !o)}>
                <span aria-hidden="true">{open ? '▾' : '▸'}</span>
              </ActionIcon>
            ) : <span style={{ width: 22, display: 'inline-block' }} />}
            {name === null ? <Text span c="dimmed">Account not visible to you</Text> : <AnchorLink to="/o/$object/$id" params={{ object: 'account', id: row.account }} search={{ tab: undefined }}>{name}</AnchorLink>}
          </Group>
        </Table.Td>
        <Table.Td ta="right">{row.accounts}</Table.Td>
        <Table.Td ta="right">{money(row.invoiced, row.currency)}</Table.Td>
        <Table.Td ta="right">{money(row.credited, row.currency)}</Table.Td>
        <Table.Td ta="right" fw={700}>{money(row.revenue, row.currency)}</Table.Td>
        <Table.Td w="20%"><Bar value={Number(row.revenue)} max={max.get(row.currency) ?? 0} /></Table.Td>
      </Table.Tr>
      {open && (children.error ? <Table.Tr><Table.Td colSpan={6}><ErrorState error={children.error} /></Table.Td></Table.Tr>
        : !children.data ? <Table.Tr><Table.Td colSpan={6}><Loading /></Table.Td></Table.Tr>
        : children.data.rows.filter((c) => c.currency === row.currency).map((c) => <TreeRows key={`${c.account}-${c.currency}-${c.own}`} row={c} depth={depth + 1} from={from} to={to} max={max} />))}
    </Fragment>
  );
}

/** Revenue by account tree: invoiced net of credit notes per top-level account, children rolled up, expandable. */
export function RevenueReport() {
  const [from, setFrom] = useState(() => `${monthsBack(11)}-01`);
  const [to, setTo] = useState(todayText);
  const valid = DAY.test(from) && DAY.test(to) && from <= to;
  const query = useQuery({ queryKey: ['reports', 'revenue', from, to], queryFn: () => cashApi.revenue({ from, to }), enabled: valid });
  const max = new Map<string, number>();
  for (const r of query.data?.rows ?? []) max.set(r.currency, Math.max(max.get(r.currency) ?? 0, Number(r.revenue)));
  return (
    <Stack gap="md">
      <Group align="end">
        <TextInput type="date" label="From" value={from} onChange={(e) => setFrom(e.currentTarget.value)} w={180} />
        <TextInput type="date" label="To" value={to} onChange={(e) => setTo(e.currentTarget.value)} w={180} error={valid ? undefined : 'From a day up to a later one'} />
      </Group>
      {query.error ? <ErrorState error={query.error} /> : !valid ? null : !query.data ? <Loading label="Loading revenue" /> : query.data.rows.length === 0 ? (
        <Alert color="gray" title="No revenue in this period">Invoices posted in the period, less credit notes, appear here per top-level account with every account below it rolled up; expand a group to see its branches.</Alert>
      ) : (
        <>
          <Group gap="xl">
            {query.data.totals.map((t) => (
              <div key={t.currency} data-currency={t.currency}>
                <Text size="xs" c="dimmed" tt="uppercase" fw={700}>Revenue {t.currency}</Text>
                <Text size="xl" fw={700}>{money(t.revenue, t.currency)}</Text>
                <Text size="xs" c="dimmed">invoiced {money(t.invoiced, t.currency)} − credited {money(t.credited, t.currency)}</Text>
              </div>
            ))}
          </Group>
          <section aria-labelledby="revenue-tree-title">
            <Title order={2} size="h4" id="revenue-tree-title" mb="xs">By top-level account</Title>
            <Table.ScrollContainer minWidth={720}>
              <Table>
                <Table.Thead><Table.Tr><Table.Th>Account</Table.Th><Table.Th ta="right">Accounts invoiced</Table.Th><Table.Th ta="right">Invoiced</Table.Th><Table.Th ta="right">Credited</Table.Th><Table.Th ta="right">Revenue</Table.Th><Table.Th><VisuallyHidden>Share</VisuallyHidden></Table.Th></Table.Tr></Table.Thead>
                <Table.Tbody>
                  {query.data.rows.map((r) => <TreeRows key={`${r.account}-${r.currency}`} row={r} depth={0} from={from} to={to} max={max} />)}
                </Table.Tbody>
              </Table>
            </Table.ScrollContainer>
            {query.data.more && <Text size="sm" c="dimmed">Showing the largest 100 groups.</Text>}
          </section>
        </>
      )}
    </Stack>
  );
}
