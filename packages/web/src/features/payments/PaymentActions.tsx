import { useEffect, useMemo, useState } from 'react';
import { Button, Group, Modal, SegmentedControl, Stack, Text, TextInput, Textarea } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import type { RecordData } from '../../api/types';
import { FormSummary } from '../../components/FormSummary';
import type { RecordSlotProps } from '../../lib/extensions';
import { useApiForm } from '../../lib/useApiForm';
import { ReasonDialog, type ReasonPrompt } from '../orders/ReasonDialog';
import { AllocationGrid } from './AllocationGrid';
import { paymentKey, paymentsApi } from './api';
import { fillOldestFirst, fromMinor, minorDigits, toMinor } from './money';

const REVERSE_PROMPT: ReasonPrompt = {
  title: 'Reverse the payment', label: 'Reason', name: 'reason', required: true, submitLabel: 'Reverse payment', color: 'red',
  description: 'For a bounced check or a charge-back: the invoices it paid are open again, and it no longer counts. This cannot be undone.',
};

/** A payment's commands in its page's header: allocate its credit, refund it, reverse the payment. */
export function PaymentActions({ record, id, onSaved }: RecordSlotProps) {
  const queryClient = useQueryClient();
  const [dialog, setDialog] = useState<'allocate' | 'refund' | 'reverse' | null>(null);
  if (record.status !== 'received') return null;
  const credit = Number(record.unallocated_amount ?? 0);
  const done = (saved: RecordData, message: string) => {
    setDialog(null);
    onSaved(saved);
    void queryClient.invalidateQueries({ queryKey: paymentKey(id) });
    void queryClient.invalidateQueries({ queryKey: ['records', 'invoice'] });
    notifications.show({ color: 'green', message });
  };
  return (
    <>
      {credit > 0 && <Button onClick={() => setDialog('allocate')}>Allocate credit…</Button>}
      {credit > 0 && <Button variant="default" onClick={() => setDialog('refund')}>Refund…</Button>}
      <Button variant="default" color="red" onClick={() => setDialog('reverse')}>Reverse…</Button>
      <AllocateDialog payment={record} opened={dialog === 'allocate'} onCancel={() => setDialog(null)} onDone={(p) => done(p, `${String(p.name)}: credit allocated`)} />
      <RefundDialog payment={record} opened={dialog === 'refund'} onCancel={() => setDialog(null)} onDone={(p) => done(p, `${String(p.name)}: refund recorded`)} />
      <ReasonDialog prompt={dialog === 'reverse' ? REVERSE_PROMPT : null} onCancel={() => setDialog(null)}
        submit={async (body) => (await paymentsApi.reverse(id, body)).payment} onDone={(p) => done(p, `${String(p.name)} was reversed`)} />
    </>
  );
}

function AllocateDialog({ payment, opened, onCancel, onDone }: { payment: RecordData; opened: boolean; onCancel: () => void; onDone: (p: RecordData) => void }) {
  const currency = String(payment.currency ?? 'USD');
  const digits = minorDigits(currency);
  const budget = toMinor(String(payment.unallocated_amount ?? '0'), digits) ?? 0n;
  const [mode, setMode] = useState<'oldest_first' | 'by_hand'>('oldest_first');
  const [byHand, setByHand] = useState<Record<string, string>>({});
  const open = useQuery({ queryKey: ['records', 'invoice', 'open-for-payment', payment.account, currency], queryFn: () => paymentsApi.openInvoices(String(payment.account), currency), enabled: opened });
  const invoices = useMemo(() => open.data ?? [], [open.data]);
  const shown = useMemo(() => {
    if (mode === 'by_hand') return byHand;
    const fill = fillOldestFirst(invoices.map((i) => toMinor(String(i.open_amount ?? 0), digits) ?? 0n), budget);
    return Object.fromEntries(invoices.map((i, k) => [i.id, fill[k]! > 0n ? fromMinor(fill[k]!, digits) : '']));
  }, [mode, byHand, invoices, budget, digits]);
  const chosen = Object.entries(shown).filter(([, v]) => v.trim() !== '' && toMinor(v, digits) !== 0n).map(([invoice, v]) => ({ invoice, amount: v.trim() }));
  const form = useApiForm({
    fields: ['allocations', ...chosen.map((_, i) => `allocations[${i}].amount`)],
    submit: async () => (await paymentsApi.allocate(String(payment.id), mode === 'by_hand' ? chosen : undefined)).payment,
    onSuccess: onDone,
  });
  const { reset } = form;
  useEffect(() => {
    if (!opened) return;
    setMode('oldest_first');
    setByHand({});
    reset();
    // eslint-disable-next-line react-hooks/exhaustive-deps -- reset is a new function each render
  }, [opened]);
  const fmt = (m: bigint) => new Intl.NumberFormat(undefined, { style: 'currency', currency }).format(Number(fromMinor(m, digits)));
  return (
    <Modal opened={opened} onClose={onCancel} title={`Allocate the credit of ${String(payment.name ?? '')}`} centered size="lg">
      <form ref={form.formRef} onSubmit={(e) => { e.preventDefault(); form.onSubmit(); }} noValidate>
        <Stack>
          <FormSummary summary={form.summary} errors={form.errors} />
          <Text size="sm">{fmt(budget)} is not allocated yet.</Text>
          <SegmentedControl value={mode} onChange={(v) => { if (v === 'by_hand') setByHand(shown); setMode(v as 'oldest_first' | 'by_hand'); }} aria-label="How to allocate" data={[{ value: 'oldest_first', label: 'Oldest first' }, { value: 'by_hand', label: 'By hand' }]} />
          <AllocationGrid invoices={invoices} currency={currency} values={shown} readOnly={mode !== 'by_hand'} onChange={(id, v) => setByHand({ ...shown, [id]: v })}
            errorOf={(inv) => { const i = chosen.findIndex((c) => c.invoice === inv); return i < 0 ? undefined : form.errors[`allocations[${i}].amount`]; }} />
          <Group justify="flex-end">
            <Button variant="default" onClick={onCancel} disabled={form.pending}>Cancel</Button>
            <Button type="submit" loading={form.pending} disabled={!invoices.length}>Allocate</Button>
          </Group>
        </Stack>
      </form>
    </Modal>
  );
}

function RefundDialog({ payment, opened, onCancel, onDone }: { payment: RecordData; opened: boolean; onCancel: () => void; onDone: (p: RecordData) => void }) {
  const [amount, setAmount] = useState('');
  const [reason, setReason] = useState('');
  const form = useApiForm({
    fields: ['amount', 'reason'],
    submit: async () => (await paymentsApi.refund(String(payment.id), { amount: amount.trim(), ...(reason.trim() ? { reason: reason.trim() } : {}) })).payment,
    onSuccess: onDone,
  });
  const { reset } = form;
  useEffect(() => {
    if (!opened) return;
    setAmount(String(payment.unallocated_amount ?? ''));
    setReason('');
    reset();
    // eslint-disable-next-line react-hooks/exhaustive-deps -- reset is a new function each render
  }, [opened]);
  return (
    <Modal opened={opened} onClose={onCancel} title={`Refund from ${String(payment.name ?? '')}`} centered>
      <form ref={form.formRef} onSubmit={(e) => { e.preventDefault(); form.onSubmit(); }} noValidate>
        <Stack>
          <FormSummary summary={form.summary} errors={form.errors} />
          <TextInput label="Amount" required inputMode="decimal" value={amount} error={form.errors.amount} data-autofocus
            description="At most the payment's unallocated credit" onChange={(e) => { setAmount(e.currentTarget.value); form.clearError('amount'); }} />
          <Textarea label="Reason" value={reason} error={form.errors.reason} autosize minRows={2} onChange={(e) => setReason(e.currentTarget.value)} />
          <Group justify="flex-end">
            <Button variant="default" onClick={onCancel} disabled={form.pending}>Cancel</Button>
            <Button type="submit" loading={form.pending}>Record refund</Button>
          </Group>
        </Stack>
      </form>
    </Modal>
  );
}
