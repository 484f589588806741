import { useState } from 'react';
import { Alert, Anchor, Badge, Button, Checkbox, Group, Loader, Paper, Select, SimpleGrid, Stack, Table, Text, TextInput, Title } from '@mantine/core';
import { useInfiniteQuery, useMutation, useQuery } from '@tanstack/react-query';
import { errorMessage } from '../api/client';
import { portalApi, type PortalInvoice, type PortalMe } from '../api/portal';
import { day, money, statusLabel } from './format';
import { PortalLink } from './PortalApp';

/** Pages of the portal: overview, invoices (with paying online), payments, statement, orders, links. */
export function Pending({ error, label }: { error: unknown; label: string }) {
  if (error) return <Alert color="red" role="alert" title={`${label} could not be loaded`}>{errorMessage(error)}</Alert>;
  return <Loader aria-label={`Loading ${label.toLowerCase()}`} />;
}

export function Empty({ children }: { children: React.ReactNode }) {
  return <Paper withBorder p="md"><Text c="dimmed">{children}</Text></Paper>;
}

export function DashboardPage({ me }: { me: PortalMe }) {
  const q = useQuery({ queryKey: ['portal', 'summary'], queryFn: portalApi.summary });
  return (
    <Stack>
      <Title order={1} size="h2">Welcome, {me.contact.name}</Title>
      {!q.data ? <Pending error={q.error} label="Overview" /> : (
        <SimpleGrid cols={{ base: 1, sm: 3 }}>
          <Paper withBorder p="md">
            <Text size="sm" c="dimmed">Balance due</Text>
            {q.data.balances.length === 0 ? <Text fw={700} size="xl">Nothing due</Text> : q.data.balances.map((b) => (
              <div key={b.currency}>
                <Text fw={700} size="xl">{money(b.due, b.currency)}</Text>
                <Text size="sm">{b.openInvoices} open invoice{b.openInvoices === 1 ? '' : 's'}{b.overdueInvoices ? <>, <Text span c="red.9" fw={600}>{money(b.overdue, b.currency)} overdue ({b.overdueInvoices})</Text></> : ''}</Text>
              </div>
            ))}
            <PortalLink to="invoices">See invoices</PortalLink>
          </Paper>
          <Paper withBorder p="md">
            <Text size="sm" c="dimmed">Quotes awaiting your answer</Text>
            <Text fw={700} size="xl">{q.data.openQuotes}</Text>
            <PortalLink to="quotes">See quotes</PortalLink>
          </Paper>
          <Paper withBorder p="md">
            <Text size="sm" c="dimmed">Orders in progress</Text>
            <Text fw={700} size="xl">{q.data.openOrders}</Text>
            <PortalLink to="orders">See orders</PortalLink>
          </Paper>
        </SimpleGrid>
      )}
    </Stack>
  );
}

function InvoiceCard({ inv, selectable, selected, onSelect }: { inv: PortalInvoice; selectable: boolean; selected: boolean; onSelect: (on: boolean) => void }) {
  const label = `${inv.kind === 'credit_note' ? 'Credit note' : 'Invoice'} ${inv.number}`;
  return (
    <Paper withBorder p="sm" component="li" className="portal-item">
      <Group justify="space-between" align="flex-start" wrap="nowrap" gap="sm">
        <Group align="flex-start" wrap="nowrap" gap="sm">
          {selectable && <Checkbox mt={4} aria-label={`Select ${label} to pay`} checked={selected} onChange={(e) => onSelect(e.currentTarget.checked)} />}
          <div>
            <Text fw={600}><PortalLink to={`invoices/${inv.id}`}>{label}</PortalLink></Text>
            <Text size="sm" c="dimmed">{day(inv.invoiceDate)}{inv.dueDate ? ` · due ${day(inv.dueDate)}` : ''}{inv.account.name ? ` · ${inv.account.name}` : ''}</Text>
            <Group gap={6} mt={4}>
              <Badge variant="light" color={inv.overdue ? 'red' : inv.status === 'paid' ? 'green' : 'gray'}>{inv.overdue ? 'Overdue' : statusLabel(inv.status)}</Badge>
              <Anchor size="sm" href={portalApi.invoicePdfUrl(inv.id)} target="_blank" rel="noopener">PDF</Anchor>
            </Group>
          </div>
        </Group>
        <div className="portal-amount">
          <Text fw={600}>{money(inv.total, inv.currency)}</Text>
          {Number(inv.openAmount) > 0 && Number(inv.openAmount) !== Number(inv.total) && <Text size="sm">{money(inv.openAmount, inv.currency)} open</Text>}
        </div>
      </Group>
    </Paper>
  );
}

export function InvoicesPage({ me, id }: { me: PortalMe; id?: string }) {
  const [state, setState] = useState<'open' | 'paid' | 'all'>('open');
  const [selected, setSelected] = useState<string[]>([]);
  // Pages of 50, newest first; "Show more" asks for the next (an account may have thousands).
  const pages = useInfiniteQuery({
    queryKey: ['portal', 'invoices', state],
    queryFn: ({ pageParam }) => portalApi.invoices(state, pageParam),
    initialPageParam: null as string | null,
    getNextPageParam: (last) => last.nextCursor,
  });
  const q = { data: pages.data ? { data: pages.data.pages.flatMap((p) => p.data) } : undefined, error: pages.error };
  const pay = useMutation({ mutationFn: () => portalApi.pay(selected), onSuccess: (r) => window.location.assign(r.redirectUrl) });
  if (id) return <InvoiceDetail id={id} />;
  const returned = new URLSearchParams(window.location.search).get('payment') === 'returned';
  const total = (q.data?.data ?? []).filter((i) => selected.includes(i.id));
  return (
    <Stack>
      <Title order={1} size="h2">Invoices</Title>
      {returned && <Alert color="blue">Thank you. Your payment is being processed; the invoices show as paid once it arrives.</Alert>}
      <Group gap="xs" role="group" aria-label="Show">
        {(['open', 'paid', 'all'] as const).map((s) => (
          <Button key={s} size="xs" variant={state === s ? 'filled' : 'default'} aria-pressed={state === s} onClick={() => { setState(s); setSelected([]); }}>{s === 'open' ? 'Open' : s === 'paid' ? 'Paid' : 'All'}</Button>
        ))}
      </Group>
      {!q.data ? <Pending error={q.error} label="Invoices" /> : q.data.data.length === 0 ? (
        <Empty>{state === 'open' ? 'No open invoices — you are all paid up.' : 'No invoices yet.'}</Empty>
      ) : (
        <Stack component="ul" gap="xs" p={0} m={0} style={{ listStyle: 'none' }}>
          {q.data.data.map((inv) => (
            <InvoiceCard key={inv.id} inv={inv} selectable={['posted', 'partially_paid'].includes(inv.status) && inv.kind === 'invoice'} selected={selected.includes(inv.id)}
              onSelect={(on) => setSelected((s) => (on ? [...s, inv.id] : s.filter((x) => x !== inv.id)))} />
          ))}
        </Stack>
      )}
      {pages.hasNextPage && (
        <Group justify="center"><Button variant="default" loading={pages.isFetchingNextPage} onClick={() => void pages.fetchNextPage()}>Show more invoices</Button></Group>
      )}
      {state !== 'paid' && (q.data?.data.length ?? 0) > 0 && (
        <Paper withBorder p="sm">
          <Group justify="space-between" wrap="wrap">
            <Text size="sm">{selected.length ? `${selected.length} selected · ${money(total.reduce((s, i) => s + Number(i.openAmount), 0), total[0]?.currency ?? 'USD')}` : 'Select the invoices you want to pay.'}</Text>
            <Button disabled={!me.onlinePayment || selected.length === 0} loading={pay.isPending} onClick={() => pay.mutate()}>Pay selected invoices</Button>
          </Group>
          {!me.onlinePayment && <Text size="sm" c="dimmed" mt="xs">Online payment is not available yet. Please pay as described on the invoice.</Text>}
          {pay.error && <Alert color="red" role="alert" mt="xs">{errorMessage(pay.error)}</Alert>}
        </Paper>
      )}
    </Stack>
  );
}

function InvoiceDetail({ id }: { id: string }) {
  const q = useQuery({ queryKey: ['portal', 'invoice', id], queryFn: () => portalApi.invoice(id) });
  if (!q.data) return <Pending error={q.error} label="The invoice" />;
  const inv = q.data;
  return (
    <Stack>
      <PortalLink to="invoices">← All invoices</PortalLink>
      <Title order={1} size="h2">{inv.kind === 'credit_note' ? 'Credit note' : 'Invoice'} {inv.number}</Title>
      <Text>{inv.account.name} · {day(inv.invoiceDate)}{inv.dueDate ? ` · due ${day(inv.dueDate)}` : ''} · <Badge variant="light" color={inv.overdue ? 'red' : 'gray'}>{inv.overdue ? 'Overdue' : statusLabel(inv.status)}</Badge></Text>
      <Table.ScrollContainer minWidth={420}>
        <Table>
          <Table.Thead><Table.Tr><Table.Th>Item</Table.Th><Table.Th className="portal-amount">Qty</Table.Th><Table.Th className="portal-amount">Amount</Table.Th></Table.Tr></Table.Thead>
          <Table.Tbody>{inv.lines.map((l, i) => <Table.Tr key={i}><Table.Td>{l.description || l.name}</Table.Td><Table.Td className="portal-amount">{Number(l.quantity)}</Table.Td><Table.Td className="portal-amount">{money(l.net, inv.currency)}</Table.Td></Table.Tr>)}</Table.Tbody>
        </Table>
      </Table.ScrollContainer>
      <Stack gap={2} align="flex-end">
        <Text>Tax {money(inv.taxTotal, inv.currency)}</Text>
        <Text fw={700}>Total {money(inv.total, inv.currency)}</Text>
        {Number(inv.openAmount) > 0 && <Text>Amount due {money(inv.openAmount, inv.currency)}</Text>}
      </Stack>
      <Anchor href={portalApi.invoicePdfUrl(inv.id)} target="_blank" rel="noopener">Download the invoice (PDF)</Anchor>
    </Stack>
  );
}

export function PaymentsPage({ me }: { me: PortalMe }) {
  const q = useQuery({ queryKey: ['portal', 'payments'], queryFn: portalApi.payments });
  return (
    <Stack>
      <Title order={1} size="h2">Payments</Title>
      {!q.data ? <Pending error={q.error} label="Payments" /> : !q.data.available || !me.paymentsAvailable ? (
        <Empty>Payment history is not available here yet. Your invoices show what is still open.</Empty>
      ) : q.data.data.length === 0 ? <Empty>No payments received yet.</Empty> : (
        <Stack component="ul" gap="xs" p={0} m={0} style={{ listStyle: 'none' }}>
          {q.data.data.map((p) => (
            <Paper withBorder p="sm" component="li" key={p.id}>
              <Group justify="space-between" wrap="nowrap" align="flex-start">
                <div>
                  <Text fw={600}>{day(p.date)} · {p.reference}</Text>
                  <Text size="sm" c="dimmed">{[p.method, p.account.name].filter(Boolean).join(' · ')}{p.status === 'reversed' ? ' · reversed' : ''}</Text>
                  {p.allocations.length > 0 && <Text size="sm">Paid: {p.allocations.map((a) => `${a.invoiceNumber} (${money(a.amount, p.currency)})`).join(', ')}</Text>}
                </div>
                <Text fw={600} className="portal-amount">{money(p.amount, p.currency)}</Text>
              </Group>
            </Paper>
          ))}
        </Stack>
      )}
    </Stack>
  );
}

export function StatementPage({ me }: { me: PortalMe }) {
  const [account, setAccount] = useState(me.account.id);
  const [from, setFrom] = useState('');
  const [to, setTo] = useState('');
  const params = { account, from, to };
  const q = useQuery({ queryKey: ['portal', 'statement', params], queryFn: () => portalApi.statement(params) });
  const s = q.data;
  return (
    <Stack>
      <Title order={1} size="h2">Statement of account</Title>
      <Group align="flex-end" wrap="wrap">
        {me.accounts.length > 1 && <Select label="Account" data={me.accounts.map((a) => ({ value: a.id, label: a.name }))} value={account} onChange={(v) => v && setAccount(v)} allowDeselect={false} />}
        <TextInput label="From" type="date" value={from || s?.from || ''} onChange={(e) => setFrom(e.currentTarget.value)} />
        <TextInput label="To" type="date" value={to || s?.to || ''} onChange={(e) => setTo(e.currentTarget.value)} />
        {s && <Anchor href={portalApi.statementPdfUrl({ account, from: s.from, to: s.to, currency: s.currency })} target="_blank" rel="noopener">Download as PDF</Anchor>}
      </Group>
      {!s ? <Pending error={q.error} label="The statement" /> : (
        <>
          <Text size="sm">{s.account.name} · {day(s.from)} – {day(s.to)} · {s.currency}</Text>
          <Table.ScrollContainer minWidth={520}>
            <Table striped>
              <Table.Thead><Table.Tr><Table.Th>Date</Table.Th><Table.Th>Document</Table.Th><Table.Th className="portal-amount">Debit</Table.Th><Table.Th className="portal-amount">Credit</Table.Th><Table.Th className="portal-amount">Balance</Table.Th></Table.Tr></Table.Thead>
              <Table.Tbody>
                <Table.Tr><Table.Td>{day(s.from)}</Table.Td><Table.Td>Opening balance</Table.Td><Table.Td /><Table.Td /><Table.Td className="portal-amount">{money(s.openingBalance, s.currency)}</Table.Td></Table.Tr>
                {s.lines.map((l, i) => (
                  <Table.Tr key={i}><Table.Td>{day(l.date)}</Table.Td><Table.Td>{statusLabel(l.kind)} {l.reference}</Table.Td><Table.Td className="portal-amount">{Number(l.debit) ? money(l.debit, s.currency) : ''}</Table.Td><Table.Td className="portal-amount">{Number(l.credit) ? money(l.credit, s.currency) : ''}</Table.Td><Table.Td className="portal-amount">{money(l.balance, s.currency)}</Table.Td></Table.Tr>
                ))}
                <Table.Tr><Table.Td>{day(s.to)}</Table.Td><Table.Td fw={700}>Closing balance</Table.Td><Table.Td /><Table.Td /><Table.Td className="portal-amount" fw={700}>{money(s.closingBalance, s.currency)}</Table.Td></Table.Tr>
              </Table.Tbody>
            </Table>
          </Table.ScrollContainer>
          {s.lines.length === 0 && <Text size="sm" c="dimmed">No invoices, credit notes or payments in this period.</Text>}
        </>
      )}
    </Stack>
  );
}

export function OrdersPage({ id }: { id?: string }) {
  const q = useQuery({ queryKey: ['portal', 'orders'], queryFn: portalApi.orders, enabled: !id });
  const one = useQuery({ queryKey: ['portal', 'order', id], queryFn: () => portalApi.order(id!), enabled: !!id });
  if (id) {
    if (!one.data) return <Pending error={one.error} label="The order" />;
    const o = one.data;
    return (
      <Stack>
        <PortalLink to="orders">← All orders</PortalLink>
        <Title order={1} size="h2">Order {o.number}</Title>
        <Text>{statusLabel(o.status)}{o.onHold ? ' (on hold)' : ''}{o.poNumber ? ` · your PO ${o.poNumber}` : ''} · {money(o.total, o.currency)}</Text>
        <Stack component="ul" gap={4} p={0} m={0} style={{ listStyle: 'none' }}>
          {o.lines.map((l, i) => <li key={i}><Text>{Number(l.quantity)} × {l.description || l.name}</Text></li>)}
        </Stack>
      </Stack>
    );
  }
  return (
    <Stack>
      <Title order={1} size="h2">Orders</Title>
      {!q.data ? <Pending error={q.error} label="Orders" /> : q.data.data.length === 0 ? <Empty>No orders yet.</Empty> : (
        <Stack component="ul" gap="xs" p={0} m={0} style={{ listStyle: 'none' }}>
          {q.data.data.map((o) => (
            <Paper withBorder p="sm" component="li" key={o.id}>
              <Group justify="space-between" wrap="nowrap" align="flex-start">
                <div>
                  <Text fw={600}><PortalLink to={`orders/${o.id}`}>Order {o.number}</PortalLink></Text>
                  <Text size="sm" c="dimmed">{day(o.orderedAt)}{o.poNumber ? ` · PO ${o.poNumber}` : ''}{o.account.name ? ` · ${o.account.name}` : ''}</Text>
                  <Badge variant="light" mt={4}>{statusLabel(o.status)}{o.onHold ? ' · on hold' : ''}</Badge>
                </div>
                <Text fw={600} className="portal-amount">{money(o.total, o.currency)}</Text>
              </Group>
            </Paper>
          ))}
        </Stack>
      )}
    </Stack>
  );
}

export function LinksPage() {
  const q = useQuery({ queryKey: ['portal', 'links'], queryFn: portalApi.links });
  return (
    <Stack>
      <Title order={1} size="h2">Links</Title>
      {!q.data ? <Pending error={q.error} label="Links" /> : q.data.data.length === 0 ? <Empty>No links have been set up for your account.</Empty> : (
        <Stack component="ul" gap="xs" p={0} m={0} style={{ listStyle: 'none' }}>
          {q.data.data.map((l) => (
            <Paper withBorder p="sm" component="li" key={l.id}>
              <Anchor href={l.url} target="_blank" rel="noopener noreferrer" fw={600}>{l.label}</Anchor>
              {l.description && <Text size="sm">{l.description}</Text>}
              <Text size="xs" c="dimmed">{l.url}</Text>
            </Paper>
          ))}
        </Stack>
      )}
    </Stack>
  );
}

