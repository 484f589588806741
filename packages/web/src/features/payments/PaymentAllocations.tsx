import { Badge, Card, Table, Text, Title } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { AnchorLink } from '../../components/links';
import type { RecordSlotProps } from '../../lib/extensions';
import { formatCurrency, formatDate } from '../../lib/format';
import { paymentKey, paymentsApi } from './api';

/** Where a payment went: its allocations (reversed ones struck through) and refunds. */
export function PaymentAllocations({ id, record }: RecordSlotProps) {
  const detail = useQuery({ queryKey: [...paymentKey(id), record.version], queryFn: () => paymentsApi.get(id) });
  const currency = String(record.currency ?? 'USD');
  const allocations = detail.data?.allocations ?? [];
  const refunds = detail.data?.refunds ?? [];
  return (
    <Card withBorder mb="md">
      <Title order={3} size="h5" mb="xs">Allocation</Title>
      {detail.isSuccess && !allocations.length && !refunds.length && (
        <Text size="sm" c="dimmed">Nothing allocated yet: the whole payment is the customer's credit. Use "Allocate credit…" to apply it, or it is applied to their next invoice when it is posted.</Text>
      )}
      {allocations.length > 0 && (
        <Table.ScrollContainer minWidth={360}>
          <Table aria-label="Invoices paid">
            <Table.Thead><Table.Tr><Table.Th>Invoice</Table.Th><Table.Th>Date</Table.Th><Table.Th ta="right">Amount</Table.Th></Table.Tr></Table.Thead>
            <Table.Tbody>
              {allocations.map((a) => (
                <Table.Tr key={a.id} style={a.reversed_at ? { textDecoration: 'line-through' } : undefined}>
                  <Table.Td>
                    <AnchorLink to="/o/$object/$id" params={{ object: 'invoice', id: String(a.invoice) }} search={{ tab: undefined }}>{detail.data?.display.invoice?.[String(a.invoice)] ?? 'Invoice'}</AnchorLink>
                    {a.reversed_at ? <Badge ml="xs" color="red" variant="light">Reversed</Badge> : null}
                  </Table.Td>
                  <Table.Td>{typeof a.allocated_on === 'string' ? formatDate(a.allocated_on) : '—'}</Table.Td>
                  <Table.Td ta="right">{formatCurrency(Number(a.amount), currency)}</Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        </Table.ScrollContainer>
      )}
      {refunds.length > 0 && (
        <Text size="sm" mt="xs">Refunded: {refunds.map((r) => `${formatCurrency(Number(r.amount), currency)} on ${formatDate(String(r.refund_date))}${r.reason ? ` (${String(r.reason)})` : ''}`).join('; ')}</Text>
      )}
    </Card>
  );
}
