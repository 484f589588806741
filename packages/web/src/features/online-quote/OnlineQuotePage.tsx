import { useMemo, useState } from 'react';
import { Alert, Anchor, Center, Divider, Group, Loader, Paper, Stack, Text, Title } from '@mantine/core';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { ApiError, errorMessage } from '../../api/client';
import { onlineQuoteApi, type PublicQuote } from '../../api/onlineQuote';
import { AcceptForm, DeclineForm } from './AnswerForms';
import { QuoteLines } from './QuoteLines';
import { QuoteTotals } from './QuoteTotals';
import { formatDay, formatInstant, moneyFormatter } from './money';
import './online-quote.css';

function AnswerBanner({ quote, money, preparedBy }: { quote: PublicQuote; money: (n: number) => string; preparedBy: string }) {
  const a = quote.answer;
  switch (a.state) {
    case 'accepted':
      return <Alert color="green" role="status" title="Accepted — thank you">Signed by {a.signerName}{a.at ? ` on ${formatInstant(a.at)}` : ''}{a.acceptedTotal !== null ? ` for ${money(a.acceptedTotal)}` : ''}. {preparedBy} has been told and will be in touch.</Alert>;
    case 'declined':
      return <Alert color="gray" role="status" title="Declined">You declined this quote{a.at ? ` on ${formatInstant(a.at)}` : ''}. {preparedBy} has been told.</Alert>;
    case 'expired':
      return <Alert color="yellow" role="status" title="This quote has expired">{quote.validUntil ? `It was valid until ${formatDay(quote.validUntil)}. ` : ''}Ask {preparedBy} for a new one.</Alert>;
    case 'superseded':
      return <Alert color="yellow" role="status" title="A newer version of this quote exists">This version can no longer be accepted. {preparedBy} will send you the current one.</Alert>;
    default:
      return null;
  }
}

/**
 * The customer's page of a quote link (/q/<token>), outside the signed-in app: read the quote,
 * download the PDF, choose optional items (totals recomputed by the server), then accept with a
 * typed signature or decline with a reason. Unknown, expired and revoked links look the same.
 */
export function OnlineQuotePage({ token }: { token: string }) {
  const qc = useQueryClient();
  const page = useQuery({ queryKey: ['online-quote', token], queryFn: () => onlineQuoteApi.get(token), retry: false });
  const [choice, setChoice] = useState<Set<string> | null>(null);
  const [declining, setDeclining] = useState(false);
  const quote = page.data;
  const chosen = useMemo(() => choice ?? new Set((quote?.lines ?? []).filter((l) => l.optional && l.selected).map((l) => l.id)), [choice, quote]);
  const chosenList = [...chosen].sort();
  const changed = choice !== null;
  const preview = useQuery({
    queryKey: ['online-quote', token, 'preview', chosenList],
    queryFn: () => onlineQuoteApi.preview(token, chosenList),
    enabled: changed && quote?.answer.state === 'open',
    placeholderData: (prev) => prev,
  });

  let body: React.ReactNode;
  if (page.isPending) body = <Group justify="center" p="xl"><Loader aria-label="Loading the quote" /></Group>;
  else if (page.isError || !quote) {
    const missing = page.error instanceof ApiError && page.error.status === 404;
    body = (
      <Alert color={missing ? 'gray' : 'red'} role="alert" title={missing ? 'This quote link is not available' : 'Something went wrong'}>
        {missing ? 'The link is wrong, has expired or was withdrawn. Ask the person who sent it for a new one.' : errorMessage(page.error)}
      </Alert>
    );
  } else {
    const money = moneyFormatter(quote.currency, quote.fractionDigits);
    const preparedBy = quote.preparedBy?.name || 'Your contact';
    const open = quote.answer.state === 'open';
    const totals = changed && open && preview.data ? preview.data : quote;
    const answered = (q: PublicQuote) => {
      qc.setQueryData(['online-quote', token], q);
      setDeclining(false);
      window.scrollTo({ top: 0 });
    };
    body = (
      <Stack gap="md">
        <Stack gap={4}>
          <Text size="sm" c="dimmed">{quote.seller} · quote for {quote.customer.account}{quote.customer.contact ? ` · ${quote.customer.contact}` : ''}</Text>
          <Title order={1} size="h2">{quote.title || `Quote ${quote.name}`}</Title>
          <Text size="sm">{quote.name}{quote.validUntil ? ` · valid until ${formatDay(quote.validUntil)}` : ''}{quote.preparedBy ? ` · prepared by ${quote.preparedBy.name}` : ''}</Text>
          <Anchor href={onlineQuoteApi.pdfUrl(token)} target="_blank" rel="noopener" size="sm">Download the PDF{quote.answer.sealed ? ' (as signed)' : ''}</Anchor>
        </Stack>
        <AnswerBanner quote={quote} money={money} preparedBy={preparedBy} />
        <QuoteLines lines={quote.lines} money={money} chosen={chosen} {...(open ? { onToggle: (id: string, on: boolean) => { const next = new Set(chosen); if (on) next.add(id); else next.delete(id); setChoice(next); } } : {})} />
        <QuoteTotals totals={totals} money={money} taxInclusive={quote.taxInclusive} pending={preview.isFetching} />
        {quote.terms && (
          <Stack gap={4}>
            <Title order={2} size="h5">Terms</Title>
            <Text size="sm" className="oq-terms">{quote.terms}</Text>
          </Stack>
        )}
        {open && (
          <>
            <Divider />
            {declining
              ? <DeclineForm token={token} onAnswered={answered} onCancel={() => setDeclining(false)} />
              : <AcceptForm token={token} quote={quote} chosen={chosenList} totalText={money(totals.total)} onAnswered={answered} onDecline={() => setDeclining(true)} />}
          </>
        )}
      </Stack>
    );
  }
  return (
    <Center mih="100vh" p={{ base: 'xs', sm: 'md' }} bg="gray.1" component="main">
      <Paper withBorder shadow="sm" p={{ base: 'md', sm: 'xl' }} radius="md" w="100%" maw={760}>
        {body}
      </Paper>
    </Center>
  );
}
