import { Alert, Paper, SimpleGrid, Text, Title } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { errorMessage } from '../../api/client';
import { AnchorLink } from '../../components/links';
import { formatDate } from '../../lib/format';
import type { RecordSlotProps } from '../../lib/extensions';
import { daysText, isPositive, money, moneyList } from '../cash-reports/format';
import { balanceApi } from './api';

function Stat({ label, value, detail, testId }: { label: string; value: string; detail?: React.ReactNode; testId: string }) {
  return (
    <Paper withBorder p="xs" data-stat={label} data-testid={testId}>
      <Text size="xs" c="dimmed" tt="uppercase" fw={700}>{label}</Text>
      <Text size="lg" fw={700} style={{ overflowWrap: 'anywhere' }}>{value}</Text>
      {detail && <Text size="xs" c="dimmed">{detail}</Text>}
    </Paper>
  );
}

/**
 * Seed 001's first problem — a rep on the phone could not see what the customer owes — on the
 * account's page (and a contact's, for their account): balance, overdue, credit limit and what is
 * left of it, the last payment and the account's DSO over 90 days, with a banner when anything
 * is overdue. The figures are the server's for what the reader may see; the credit limit comes
 * from the credit module when this Meridian has it ("—" otherwise).
 */
export function AccountBalance({ account, accountName }: { account: string; accountName?: string }) {
  const balance = useQuery({ queryKey: ['records', 'account', 'balance', account], queryFn: () => balanceApi.balance(account) });
  const dso = useQuery({ queryKey: ['records', 'account', 'dso', account], queryFn: () => balanceApi.dso(account) });
  const credit = useQuery({ queryKey: ['records', 'account', 'credit', account], queryFn: () => balanceApi.credit(account), retry: false });
  if (balance.error) return <Alert color="red" role="alert">{errorMessage(balance.error)}</Alert>;
  if (!balance.data) return null;
  const b = balance.data;
  const overdue = b.currencies.filter((c) => isPositive(c.overdue));
  const over90 = b.currencies.filter((c) => isPositive(c.aging.over_90));
  const c = credit.data;
  const withCurrency = (field: 'balance' | 'overdue') => b.currencies.filter((x) => x[field] !== '0' || field === 'balance').map((x) => ({ amount: x[field], currency: x.currency }));
  const dsoText = dso.data ? (dso.data.currencies.length ? dso.data.currencies.map((x) => `${daysText(x.dso)}${dso.data!.currencies.length > 1 ? ` (${x.currency})` : ''}`).join(' · ') : '—') : '…';
  return (
    <section aria-labelledby="account-balance-title">
      <Title order={2} size="h4" mb="xs" id="account-balance-title">
        {accountName ? <>Balance of <AnchorLink to="/o/$object/$id" params={{ object: 'account', id: account }} search={{ tab: undefined }}>{accountName}</AnchorLink></> : 'Balance'}
      </Title>
      {overdue.length > 0 && (
        <Alert color="red" mb="sm" title="Overdue balance" data-testid="overdue-banner" role="alert">
          {moneyList(overdue.map((x) => ({ amount: x.overdue, currency: x.currency })))} is past due{over90.length ? `, ${moneyList(over90.map((x) => ({ amount: x.aging.over_90, currency: x.currency })))} of it by more than 90 days` : ''}. Remind the customer on your next call.
        </Alert>
      )}
      <SimpleGrid cols={{ base: 2, sm: 3, lg: 6 }} spacing="xs">
        <Stat testId="balance-stat" label="Balance" value={moneyList(withCurrency('balance'), money(0, 'USD'))} detail={b.currencies.some((x) => isPositive(x.credit)) ? `Credit ${moneyList(b.currencies.filter((x) => isPositive(x.credit)).map((x) => ({ amount: x.credit, currency: x.currency })))}` : undefined} />
        <Stat testId="overdue-stat" label="Overdue" value={overdue.length ? moneyList(overdue.map((x) => ({ amount: x.overdue, currency: x.currency }))) : 'Nothing'} />
        <Stat testId="credit-limit-stat" label="Credit limit" value={c && c.limit !== null ? money(c.limit, c.currency) : '—'} />
        <Stat testId="available-credit-stat" label="Available credit" value={c && c.available !== null ? money(c.available, c.currency) : '—'} />
        <Stat testId="last-payment-stat" label="Last payment" value={b.lastPayment ? money(b.lastPayment.amount, b.lastPayment.currency) : 'None'} detail={b.lastPayment ? formatDate(b.lastPayment.date) : undefined} />
        <Stat testId="dso-stat" label="DSO (90 days)" value={dsoText} detail={<AnchorLink size="xs" to="/cash/$report" params={{ report: 'dso' }}>How it is computed</AnchorLink>} />
      </SimpleGrid>
    </section>
  );
}

export function AccountBalanceHeader({ id }: RecordSlotProps) {
  return <AccountBalance account={id} />;
}

/** On a contact's page: the same block for the contact's account (nothing without one). */
export function ContactAccountBalance({ record, display }: RecordSlotProps) {
  const account = typeof record.account === 'string' ? record.account : null;
  if (!account) return null;
  return <AccountBalance account={account} accountName={display.account?.[account] ?? 'the account'} />;
}
