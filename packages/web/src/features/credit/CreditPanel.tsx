import { useEffect, useRef, useState } from 'react';
import { Alert, Badge, Button, Group, Modal, NumberInput, Paper, SimpleGrid, Stack, Table, Text, Textarea, Title } from '@mantine/core';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { errorMessage } from '../../api/client';
import { FormSummary } from '../../components/FormSummary';
import { formatCurrency, formatDateTime } from '../../lib/format';
import type { RecordSlotProps } from '../../lib/extensions';
import { useApiForm } from '../../lib/useApiForm';
import { creditApi, type CreditStanding } from './api';

const INPUT_LABELS: Array<[string, (s: NonNullable<CreditStanding['inputs']>) => string]> = [
  ['Invoices assessed (12 months)', (i) => String(i.invoices)],
  ['Paid on time', (i) => (i.invoices ? `${i.onTime} (${Math.round((i.onTime / i.invoices) * 100)}%)` : '—')],
  ['Days late: average / maximum', (i) => `${i.avgDaysLate} / ${i.maxDaysLate}`],
  ['Disputed invoices', (i) => String(i.disputes)],
  ['Reversed payments', (i) => String(i.reversals)],
  ['Invoiced less credited', (i) => `${formatCurrency(i.invoiced, i.currency)} over ${i.months} month${i.months === 1 ? '' : 's'}`],
];

/**
 * The credit limit on the account's page (issue 13 item 9): the limit in force and what is
 * available, the inputs and the formula in words — what a rep reads to the customer — and
 * Override… for finance (amount and reason, or clear). Figures are the server's.
 */
export function CreditPanel({ id, onSaved }: RecordSlotProps) {
  const client = useQueryClient();
  const key = ['credit', id];
  const standing = useQuery({ queryKey: key, queryFn: () => creditApi.standing(id) });
  const [overriding, setOverriding] = useState(false);
  const recompute = useMutation({ mutationFn: () => creditApi.recompute(id), onSuccess: (data) => client.setQueryData(key, data) });
  if (standing.error) return <Alert color="red" role="alert">{errorMessage(standing.error)}</Alert>;
  const s = standing.data;
  if (!s) return null;
  const c = s.currency;
  return (
    <Paper withBorder p="md" component="section" aria-labelledby="credit-title" data-testid="credit-panel">
      <Group justify="space-between" mb="sm">
        <Title order={2} size="h4" id="credit-title">Credit limit</Title>
        <Group gap="xs">
          <Button size="xs" variant="default" loading={recompute.isPending} onClick={() => recompute.mutate()}>Recompute</Button>
          <Button size="xs" variant="light" onClick={() => setOverriding(true)}>Override…</Button>
        </Group>
      </Group>
      {recompute.error && <Alert color="red" mb="sm" role="alert">{errorMessage(recompute.error)}</Alert>}
      <SimpleGrid cols={{ base: 1, xs: 3 }} mb="sm">
        <div data-stat="Credit limit">
          <Text size="xs" c="dimmed" tt="uppercase" fw={700}>Limit</Text>
          <Text size="xl" fw={700}>{s.limit === null ? 'Not computed yet' : formatCurrency(s.limit, c)}</Text>
          {s.override && <Badge color="orange" variant="light">Overridden{s.computedLimit !== null ? ` (computed ${formatCurrency(s.computedLimit, c)})` : ''}</Badge>}
        </div>
        <div data-stat="Available credit">
          <Text size="xs" c="dimmed" tt="uppercase" fw={700}>Available</Text>
          <Text size="xl" fw={700} c={s.available !== null && s.available < 0 ? 'red' : undefined}>{s.available === null ? '—' : formatCurrency(s.available, c)}</Text>
          <Text size="xs" c="dimmed">Open balance {formatCurrency(s.openBalance, c)} + open orders {formatCurrency(s.openOrders, c)}</Text>
        </div>
        <div data-stat="Payment behaviour">
          <Text size="xs" c="dimmed" tt="uppercase" fw={700}>Payment behaviour</Text>
          <Text size="xl" fw={700} tt="capitalize">{s.behaviour ?? 'Not rated'}</Text>
          {s.computedAt && <Text size="xs" c="dimmed">Computed {formatDateTime(s.computedAt)}</Text>}
        </div>
      </SimpleGrid>
      {s.override && (
        <Alert color="orange" mb="sm" title="Override">
          {formatCurrency(s.override.amount, c)} — {s.override.reason}{s.override.at ? ` (${formatDateTime(s.override.at)})` : ''}
        </Alert>
      )}
      {s.inputs && (
        <Table withRowBorders={false} verticalSpacing={2} mb="sm" aria-label="Inputs">
          <Table.Tbody>
            {INPUT_LABELS.map(([label, value]) => (
              <Table.Tr key={label}><Table.Td><Text size="sm" c="dimmed">{label}</Text></Table.Td><Table.Td><Text size="sm">{value(s.inputs!)}</Text></Table.Td></Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      )}
      {s.formula && (
        <Stack gap={2} data-testid="credit-formula">
          <Text size="xs" c="dimmed" tt="uppercase" fw={700}>How it is computed</Text>
          {s.formula.split('\n').map((line) => <Text size="sm" key={line}>{line}</Text>)}
        </Stack>
      )}
      <OverrideDialog opened={overriding} standing={s} accountId={id} onClose={() => setOverriding(false)}
        onDone={async (record) => { setOverriding(false); onSaved(record); await client.invalidateQueries({ queryKey: key }); }} />
    </Paper>
  );
}

function OverrideDialog({ opened, standing, accountId, onClose, onDone }: {
  opened: boolean; standing: CreditStanding; accountId: string; onClose: () => void; onDone: (record: Parameters<RecordSlotProps['onSaved']>[0]) => void;
}) {
  const [amount, setAmount] = useState<number | string>('');
  const [reason, setReason] = useState('');
  // Which button submitted: read by the submit when it runs.
  const clearing = useRef(false);
  const form = useApiForm({
    fields: ['amount', 'reason'],
    submit: () => creditApi.override(accountId, { amount: clearing.current ? null : Number(amount), reason: reason.trim() }),
    onSuccess: onDone,
  });
  const { reset } = form;
  useEffect(() => {
    if (!opened) return;
    setAmount(standing.override?.amount ?? '');
    setReason('');
    clearing.current = false;
    reset();
    // eslint-disable-next-line react-hooks/exhaustive-deps -- reset is a new function each render
  }, [opened]);
  const submit = (clear: boolean) => {
    clearing.current = clear;
    form.onSubmit();
  };
  return (
    <Modal opened={opened} onClose={onClose} title="Override the credit limit" centered>
      <form ref={form.formRef} onSubmit={(e) => { e.preventDefault(); submit(false); }} noValidate>
        <Stack>
          <FormSummary summary={form.summary} errors={form.errors} />
          <NumberInput label={`Credit limit (${standing.currency})`} min={0} decimalScale={2} value={amount} onChange={(v) => { setAmount(v); form.clearError('amount'); }} error={form.errors.amount} data-autofocus
            description={standing.computedLimit !== null ? `Computed: ${formatCurrency(standing.computedLimit, standing.currency)}` : 'Not computed yet'} />
          <Textarea label="Reason" required autosize minRows={2} value={reason} onChange={(e) => { setReason(e.currentTarget.value); form.clearError('reason'); }} error={form.errors.reason}
            description="Kept in the account's history with your name." />
          <Group justify="space-between">
            {standing.override ? <Button variant="subtle" color="red" onClick={() => submit(true)} disabled={!reason.trim() || form.pending}>Clear override</Button> : <span />}
            <Group>
              <Button variant="default" onClick={onClose} disabled={form.pending}>Back</Button>
              <Button type="submit" loading={form.pending} disabled={!reason.trim() || amount === ''}>Save override</Button>
            </Group>
          </Group>
        </Stack>
      </form>
    </Modal>
  );
}
