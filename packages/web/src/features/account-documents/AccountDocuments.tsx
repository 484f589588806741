import { Alert, Group, Paper, SimpleGrid, Text, Title } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { errorMessage } from '../../api/client';
import { accountDocumentsApi } from '../../api/accountDocuments';
import { formatCurrency } from '../../lib/format';
import { AnchorLink } from '../../components/links';
import type { RecordSlotProps } from '../../lib/extensions';

const join = (parts: string[]) => (parts.length ? parts.join(' + ') : formatCurrency(0));

/**
 * Seed 001's first problem — sales could not see a customer's orders and what it owes during a
 * call — answered on the account's page: its open orders (held ones counted) and its open
 * invoices with how many are overdue, each linking to the list behind it. Figures are the
 * server's, for what the reader may see. The overdue banner is the balance block's
 * (features/account-balance), so the page shows one.
 */
export function AccountDocuments({ id }: RecordSlotProps) {
  const orders = useQuery({ queryKey: ['records', 'order', 'open', id], queryFn: () => accountDocumentsApi.openOrders(id) });
  const invoices = useQuery({ queryKey: ['records', 'invoice', 'open', id], queryFn: () => accountDocumentsApi.openInvoices(id) });
  const error = orders.error ?? invoices.error;
  if (error) return <Alert color="red" role="alert">{errorMessage(error)}</Alert>;
  if (!orders.data || !invoices.data) return null;
  const o = orders.data;
  const i = invoices.data;
  const filter = (object: string, extra: unknown[]) => JSON.stringify({ and: [{ field: 'account', op: 'eq', value: id }, ...extra] });
  return (
    <section aria-labelledby="account-documents-title">
      <Title order={2} size="h4" mb="sm" id="account-documents-title">Orders and invoices</Title>
      <SimpleGrid cols={{ base: 1, xs: 2 }}>
        <Paper withBorder p="sm" data-stat="Open orders">
          <Text size="xs" c="dimmed" tt="uppercase" fw={700}>Open orders</Text>
          <Text size="xl" fw={700}>{join(o.totals.map((t) => formatCurrency(t.total, t.currency)))}</Text>
          <Group gap={4}>
            <AnchorLink size="xs" to="/o/$object" params={{ object: 'order' }} search={{ filter: filter('order', [{ field: 'status', op: 'in', value: ['received', 'confirmed', 'in_production'] }]) }}>
              {o.count} open{o.held ? `, ${o.held} on hold` : ''}
            </AnchorLink>
          </Group>
        </Paper>
        <Paper withBorder p="sm" data-stat="Open invoices">
          <Text size="xs" c="dimmed" tt="uppercase" fw={700}>Owed on invoices</Text>
          <Text size="xl" fw={700}>{join(i.totals.map((t) => formatCurrency(t.open, t.currency)))}</Text>
          <AnchorLink size="xs" to="/o/$object" params={{ object: 'invoice' }} search={{ filter: filter('invoice', [{ field: 'status', op: 'in', value: ['posted', 'partially_paid'] }]) }}>
            {i.count} open{i.overdue ? `, ${i.overdue} overdue` : ''}
          </AnchorLink>
        </Paper>
      </SimpleGrid>
    </section>
  );
}
