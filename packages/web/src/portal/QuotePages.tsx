import { useState } from 'react';
import { Alert, Anchor, Badge, Button, Checkbox, Group, Paper, Stack, Text, Textarea, Title } from '@mantine/core';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { errorMessage } from '../api/client';
import { portalApi } from '../api/portal';
import { day, money, statusLabel } from './format';
import { PortalLink } from './PortalApp';
import { Empty, Pending } from './pages';

/** Quotes the customer was sent: the list, and one quote to accept (with optional lines) or decline. */
export function QuotesPage() {
  const q = useQuery({ queryKey: ['portal', 'quotes'], queryFn: portalApi.quotes });
  return (
    <Stack>
      <Title order={1} size="h2">Quotes</Title>
      {!q.data ? <Pending error={q.error} label="Quotes" /> : q.data.data.length === 0 ? <Empty>No quotes yet.</Empty> : (
        <Stack component="ul" gap="xs" p={0} m={0} style={{ listStyle: 'none' }}>
          {q.data.data.map((x) => (
            <Paper withBorder p="sm" component="li" key={x.id}>
              <Group justify="space-between" wrap="nowrap" align="flex-start">
                <div>
                  <Text fw={600}><PortalLink to={`quotes/${x.id}`}>Quote {x.number}</PortalLink></Text>
                  <Text size="sm" c="dimmed">{[x.title, x.validUntil ? `valid until ${day(x.validUntil)}` : null, x.account.name].filter(Boolean).join(' · ')}</Text>
                  <Badge variant="light" mt={4} color={x.canAnswer ? 'blue' : x.status === 'accepted' ? 'green' : 'gray'}>{statusLabel(x.status)}</Badge>
                </div>
                <Text fw={600} className="portal-amount">{money(x.total, x.currency)}</Text>
              </Group>
            </Paper>
          ))}
        </Stack>
      )}
    </Stack>
  );
}

export function QuotePage({ id }: { id: string }) {
  const client = useQueryClient();
  const q = useQuery({ queryKey: ['portal', 'quote', id], queryFn: () => portalApi.quote(id) });
  const [chosen, setChosen] = useState<string[]>([]);
  const [consent, setConsent] = useState(false);
  const [reason, setReason] = useState('');
  const done = (data: Awaited<ReturnType<typeof portalApi.quote>>) => {
    client.setQueryData(['portal', 'quote', id], data);
    void client.invalidateQueries({ queryKey: ['portal', 'quotes'] });
    void client.invalidateQueries({ queryKey: ['portal', 'summary'] });
  };
  const accept = useMutation({ mutationFn: () => portalApi.accept(id, chosen), onSuccess: done });
  const decline = useMutation({ mutationFn: () => portalApi.decline(id, reason), onSuccess: done });
  if (!q.data) return <Pending error={q.error} label="The quote" />;
  const quote = q.data;
  return (
    <Stack>
      <PortalLink to="quotes">← All quotes</PortalLink>
      <Title order={1} size="h2">Quote {quote.number}</Title>
      <Text>{[quote.title, quote.account.name, quote.validUntil ? `valid until ${day(quote.validUntil)}` : null].filter(Boolean).join(' · ')}</Text>
      <Badge variant="light" color={quote.status === 'accepted' ? 'green' : quote.canAnswer ? 'blue' : 'gray'} w="fit-content">{statusLabel(quote.status)}</Badge>
      {quote.status === 'accepted' && <Alert color="green" role="status">Accepted by {quote.signedBy} on {day(quote.answeredAt)}{quote.acceptedTotal ? ` for ${money(quote.acceptedTotal, quote.currency)}` : ''}. Thank you!</Alert>}
      {quote.status === 'declined' && <Alert color="gray" role="status">Declined on {day(quote.answeredAt)}{quote.declineReason ? `: ${quote.declineReason}` : ''}.</Alert>}
      <Stack component="ul" gap="xs" p={0} m={0} style={{ listStyle: 'none' }}>
        {quote.lines.map((l) => (
          <Paper withBorder p="sm" component="li" key={l.id}>
            <Group justify="space-between" wrap="nowrap" align="flex-start">
              <div>
                {l.optional && quote.canAnswer ? (
                  <Checkbox label={`${l.description || l.name} (optional)`} checked={chosen.includes(l.id)} onChange={(e) => { const on = e.currentTarget.checked; setChosen((c) => (on ? [...c, l.id] : c.filter((x) => x !== l.id))); }} />
                ) : <Text fw={500}>{l.description || l.name}{l.optional ? ` (optional${l.selected ? ', included' : ', not included'})` : ''}</Text>}
                <Text size="sm">{Number(l.quantity)} × {l.unitPrice !== null ? money(l.unitPrice, quote.currency) : ''}</Text>
              </div>
              <Text className="portal-amount">{money(l.net, quote.currency)}</Text>
            </Group>
          </Paper>
        ))}
      </Stack>
      <Stack gap={2} align="flex-end">
        <Text>Subtotal {money(quote.subtotal, quote.currency)}</Text>
        {Number(quote.discountTotal) > 0 && <Text>Discount −{money(quote.discountTotal, quote.currency)}</Text>}
        <Text>Tax {money(quote.taxTotal, quote.currency)}</Text>
        <Text fw={700}>Total {money(quote.total, quote.currency)}{chosen.length ? ' (before the optional lines you chose)' : ''}</Text>
      </Stack>
      {quote.terms && <Paper withBorder p="sm"><Text size="sm" fw={600}>Terms</Text><Text size="sm" style={{ whiteSpace: 'pre-wrap' }}>{quote.terms}</Text></Paper>}
      <Anchor href={portalApi.quotePdfUrl(quote.id)} target="_blank" rel="noopener">Download the quote (PDF)</Anchor>
      {quote.canAnswer && (
        <Paper withBorder p="md">
          <Stack>
            <Title order={2} size="h4">Your answer</Title>
            <Checkbox label="I have read the quote and its terms and accept them on behalf of the customer." checked={consent} onChange={(e) => setConsent(e.currentTarget.checked)} />
            <Button disabled={!consent} loading={accept.isPending} onClick={() => accept.mutate()}>Accept quote</Button>
            {accept.error && <Alert color="red" role="alert">{errorMessage(accept.error)}</Alert>}
            <Textarea label="Not for you? Tell us why" value={reason} onChange={(e) => setReason(e.currentTarget.value)} autosize minRows={2} />
            <Button variant="default" disabled={!reason.trim()} loading={decline.isPending} onClick={() => decline.mutate()}>Decline quote</Button>
            {decline.error && <Alert color="red" role="alert">{errorMessage(decline.error)}</Alert>}
          </Stack>
        </Paper>
      )}
    </Stack>
  );
}
