import { useMemo, useState } from 'react';
import { Alert, Badge, Button, Collapse, Group, List, Modal, Paper, Stack, Table, Text, TextInput, Title } from '@mantine/core';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { ApiError, errorMessage } from '../../api/client';
import { AnchorLink, ButtonLink } from '../../components/links';
import { Loading } from '../../components/PageState';
import { formatCurrency, formatDate, formatNumber } from '../../lib/format';
import { todayInZone } from '../timeline/time';
import { dunningApi, SKIP_REASONS, type DunningMail, type DunningRunResult } from './api';

const LIMIT = 200;
const previewKey = (date: string) => ['dunning', 'preview', date];
const isDay = (s: string) => /^\d{4}-\d{2}-\d{2}$/.test(s);
const plural = (n: number, one: string, many = `${one}s`) => `${formatNumber(n)} ${n === 1 ? one : many}`;

/** The open amount of one currency's invoices, exact to the cent (the server's amounts are decimal strings). */
function sumByCurrency(mails: DunningMail[]): string {
  const sums = new Map<string, number>();
  for (const m of mails) for (const i of m.invoices) sums.set(i.currency, (sums.get(i.currency) ?? 0) + Math.round(Number(i.open_amount) * 100));
  return [...sums].map(([c, cents]) => formatCurrency(cents / 100, c)).join(' + ');
}

/**
 * "Reminders due today" (/reminders, issue 13 item 9): the dunning dry run — per account the
 * e-mails the run would send on a day (today by default), their levels, invoices and rendered
 * subject and body, and the accounts skipped and why — and "Send reminders now" for those allowed
 * to run reminders (the preview itself needs that permission: a 403 is explained, not thrown).
 */
export function DunningPreviewPage() {
  const today = todayInZone();
  const [date, setDate] = useState(today);
  const day = isDay(date) ? date : today;
  const preview = useQuery({ queryKey: previewKey(day), queryFn: ({ signal }) => dunningApi.preview({ date: day, limit: LIMIT }, signal), retry: (n, e) => !(e instanceof ApiError && e.status < 500) && n < 2 });
  const denied = preview.error instanceof ApiError && preview.error.status === 403;
  const data = preview.data;
  const groups = useMemo(() => {
    const byAccount = new Map<string, { account: DunningMail['account']; to: string; mails: DunningMail[] }>();
    for (const m of data?.mails ?? []) {
      const g = byAccount.get(m.account.id) ?? { account: m.account, to: m.to, mails: [] };
      g.mails.push(m);
      byAccount.set(m.account.id, g);
    }
    return [...byAccount.values()];
  }, [data]);
  const invoiceCount = (data?.mails ?? []).reduce((n, m) => n + m.invoices.length, 0);

  return (
    <Stack gap="md" maw={1100}>
      <Stack gap="xs">
        <div>
          <Title order={1}>{day === today ? 'Reminders due today' : `Reminders due on ${formatDate(day)}`}</Title>
          <Text size="sm" c="dimmed">A dry run: what the daily run would e-mail. Nothing is sent or recorded until you send.</Text>
        </div>
        <Group gap="xs" wrap="wrap" align="flex-end">
          <TextInput type="date" label="Date" value={date} onChange={(e) => setDate(e.currentTarget.value)} error={date && !isDay(date) ? 'Pick a day' : undefined} w={170} />
          {day !== today && <Button variant="subtle" onClick={() => setDate(today)}>Today</Button>}
          <ButtonLink variant="default" to="/o/$object" params={{ object: 'dunning_schedule' }} search={{ view: undefined }}>Reminder settings</ButtonLink>
          <ButtonLink variant="default" to="/o/$object" params={{ object: 'dunning_reminder' }} search={{ view: undefined }}>Sent reminders</ButtonLink>
        </Group>
      </Stack>

      {denied ? (
        <Alert color="gray" title="You cannot run payment reminders" role="status">
          The dry run and sending reminders need the "Run payment reminders" permission. Ask an administrator for it, or look at the reminders already sent.
        </Alert>
      ) : preview.error ? (
        <Alert color="red" title="The dry run failed" role="alert">
          {errorMessage(preview.error)} <Button size="compact-sm" variant="subtle" onClick={() => void preview.refetch()}>Try again</Button>
        </Alert>
      ) : !data ? (
        <Loading label="Working out which reminders are due" />
      ) : (
        <>
          <SendNow day={day} today={today} mails={data.mails.length} />
          {data.mails.length > 0 ? (
            <Text size="sm" role="status" aria-live="polite" data-testid="dunning-summary">
              {plural(data.mails.length, 'e-mail')} to {plural(groups.length, 'account')} for {plural(invoiceCount, 'invoice')} · {sumByCurrency(data.mails)} open
              {data.more && ` — the first ${formatNumber(LIMIT)} accounts are shown; the run sends them all`}
            </Text>
          ) : (
            <EmptyState day={day} today={today} skipped={data.skipped.length} />
          )}
          <Stack gap="sm" component="ul" p={0} m={0} style={{ listStyle: 'none' }} aria-label="Reminders by account">
            {groups.map((g) => (
              <Paper key={g.account.id} component="li" withBorder p="md" aria-labelledby={`dunning-acc-${g.account.id}`}>
                <Group justify="space-between" wrap="wrap" gap="xs">
                  <Title order={2} size="h4" id={`dunning-acc-${g.account.id}`}>
                    <AnchorLink to="/o/$object/$id" params={{ object: 'account', id: g.account.id }} search={{ tab: undefined }}>{g.account.name}</AnchorLink>
                  </Title>
                  <Text size="sm" c="dimmed">To {g.to}</Text>
                </Group>
                <Stack gap="md" mt="xs">
                  {g.mails.map((m) => <MailPreview key={m.level.id} mail={m} />)}
                </Stack>
              </Paper>
            ))}
          </Stack>
          {data.skipped.length > 0 && (
            <Paper withBorder p="md" component="section" aria-labelledby="dunning-skipped">
              <Title order={2} size="h5" id="dunning-skipped">Accounts with overdue invoices that get nothing</Title>
              <List size="sm" mt="xs" spacing={4}>
                {data.skipped.map((s) => (
                  <List.Item key={s.account.id}>
                    <AnchorLink to="/o/$object/$id" params={{ object: 'account', id: s.account.id }} search={{ tab: undefined }}>{s.account.name}</AnchorLink>
                    {' — '}{SKIP_REASONS[s.reason] ?? s.reason}
                  </List.Item>
                ))}
              </List>
            </Paper>
          )}
        </>
      )}
    </Stack>
  );
}

function MailPreview({ mail }: { mail: DunningMail }) {
  const [open, setOpen] = useState(false);
  const bodyId = `dunning-body-${mail.account.id}-${mail.level.id}`;
  return (
    <div data-testid="dunning-mail">
      <Group gap="xs" wrap="wrap">
        <Badge variant="light">Level {mail.level.level} · {mail.level.name}</Badge>
        {mail.level.fee !== null && mail.level.fee > 0 && <Badge variant="light" color="orange">Fee {formatCurrency(mail.level.fee, mail.invoices[0]?.currency ?? 'USD')}</Badge>}
        {mail.level.createsTask && <Badge variant="light" color="grape">Creates a task</Badge>}
      </Group>
      <Table.ScrollContainer minWidth={420} mt="xs">
        <Table striped withTableBorder aria-label={`Invoices in ${mail.account.name}'s ${mail.level.name}`}>
          <Table.Thead>
            <Table.Tr><Table.Th>Invoice</Table.Th><Table.Th>Due</Table.Th><Table.Th ta="right">Days overdue</Table.Th><Table.Th ta="right">Open</Table.Th></Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {mail.invoices.map((i) => (
              <Table.Tr key={i.id}>
                <Table.Td><AnchorLink to="/o/$object/$id" params={{ object: 'invoice', id: i.id }} search={{ tab: undefined }}>{i.number ?? 'Invoice'}</AnchorLink></Table.Td>
                <Table.Td>{formatDate(i.due_date)}</Table.Td>
                <Table.Td ta="right">{formatNumber(i.days_overdue)}</Table.Td>
                <Table.Td ta="right">{formatCurrency(Number(i.open_amount), i.currency)}</Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      </Table.ScrollContainer>
      <Group justify="space-between" wrap="nowrap" align="flex-start" mt="xs" gap="xs">
        <Text size="sm" style={{ wordBreak: 'break-word' }}><Text span c="dimmed">Subject: </Text><Text span fw={600}>{mail.subject}</Text></Text>
        <Button size="compact-sm" variant="default" aria-expanded={open} aria-controls={bodyId} onClick={() => setOpen((o) => !o)} style={{ flexShrink: 0 }}>
          {open ? 'Hide e-mail' : 'Show e-mail'}
        </Button>
      </Group>
      <Collapse expanded={open}>
        <Paper id={bodyId} withBorder p="sm" mt="xs" bg="var(--mantine-color-gray-0)">
          <Text component="pre" size="sm" style={{ whiteSpace: 'pre-wrap', wordBreak: 'break-word', fontFamily: 'inherit', margin: 0 }}>{mail.text}</Text>
        </Paper>
      </Collapse>
    </div>
  );
}

function EmptyState({ day, today, skipped }: { day: string; today: string; skipped: number }) {
  return (
    <Paper withBorder p="lg" data-testid="dunning-empty">
      <Title order={2} size="h4">{day === today ? 'No reminders are due today' : `No reminders would be due on ${formatDate(day)}`}</Title>
      <Text size="sm" mt="xs">A reminder goes out when an open invoice (posted or partly paid) has reached a level's days overdue and has not had that level, or a higher one, yet. So nothing is due when:</Text>
      <List size="sm" mt={4} spacing={2}>
        <List.Item>no invoice is far enough past its due date for the next level of its schedule (or the reminders were already sent — each level goes once);</List.Item>
        <List.Item>the overdue invoices are disputed, or their accounts are marked "No payment reminders" or have no e-mail address{skipped ? ` (${plural(skipped, 'account')} listed below)` : ''};</List.Item>
        <List.Item>the schedule is inactive or has no levels.</List.Item>
      </List>
      <Text size="sm" mt="xs">Pick a later date to see what will come due.</Text>
    </Paper>
  );
}

/** "Send reminders now": the daily run by hand, confirmed first; what it sent is reported. */
function SendNow({ day, today, mails }: { day: string; today: string; mails: number }) {
  const qc = useQueryClient();
  const [confirming, setConfirming] = useState(false);
  const [busy, setBusy] = useState(false);
  const [result, setResult] = useState<DunningRunResult | null>(null);
  const [error, setError] = useState<string | null>(null);
  const send = async () => {
    setBusy(true);
    setError(null);
    setResult(null);
    try {
      setResult(await dunningApi.run());
      setConfirming(false);
      void qc.invalidateQueries({ queryKey: ['dunning', 'preview'] });
      void qc.invalidateQueries({ queryKey: ['records', 'dunning_reminder'] });
    } catch (e) {
      setError(e instanceof ApiError && e.status === 403 ? 'You do not have the "Run payment reminders" permission.' : errorMessage(e));
    } finally {
      setBusy(false);
    }
  };
  return (
    <>
      <Group gap="sm" wrap="wrap">
        <Button color="orange" onClick={() => { setError(null); setConfirming(true); }} disabled={day === today && mails === 0}>Send reminders now…</Button>
        {day !== today && <Text size="xs" c="dimmed">Sending always sends what is due today, not on the date shown.</Text>}
      </Group>
      <div aria-live="polite">
        {result && (
          <Alert color={result.refused ? 'orange' : 'green'} title="Reminders sent" withCloseButton closeButtonLabel="Dismiss" onClose={() => setResult(null)}>
            {plural(result.emails, 'e-mail')} sent for {plural(result.reminders, 'invoice reminder')}
            {result.tasks ? `, ${plural(result.tasks, 'task')} created` : ''}
            {result.refused ? `; ${plural(result.refused, 'message')} refused by the mail server (tried again next run)` : ''}
            {result.cancelled ? `; ${formatNumber(result.cancelled)} cancelled (paid or disputed meanwhile)` : ''}.
          </Alert>
        )}
      </div>
      <Modal opened={confirming} onClose={() => !busy && setConfirming(false)} title="Send payment reminders now?" centered>
        <Stack>
          <Text size="sm">
            {day === today ? `${plural(mails, 'e-mail')} will go out to customers now.` : 'Everything due today will be e-mailed to customers now.'}{' '}
            Reminders already sent are never sent again, so the daily run will not repeat them.
          </Text>
          {error && <Alert color="red" role="alert" title="The run did not finish">{error}</Alert>}
          <Group justify="flex-end">
            <Button variant="default" onClick={() => setConfirming(false)} disabled={busy}>Cancel</Button>
            <Button color="orange" loading={busy} onClick={() => void send()} data-autofocus>Send reminders</Button>
          </Group>
        </Stack>
      </Modal>
    </>
  );
}
