import { useEffect, useMemo, useState } from 'react';
import { Alert, Button, Group, Modal, SegmentedControl, Select, SimpleGrid, Stack, Text, TextInput } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { fieldOf, useMetadata } from '../../api/metadata';
import { getRecord } from '../../api/records';
import type { RecordData } from '../../api/types';
import { FormSummary } from '../../components/FormSummary';
import { LookupSelect } from '../../components/LookupSelect';
import { useApiForm } from '../../lib/useApiForm';
import { AllocationGrid } from './AllocationGrid';
import { paymentsApi, type Allocation } from './api';
import { fillOldestFirst, fromMinor, minorDigits, toMinor } from './money';

type Mode = 'oldest_first' | 'by_hand' | 'none';
const METHODS = [
  { value: 'bank_transfer', label: 'Bank transfer / ACH' }, { value: 'check', label: 'Check' }, { value: 'card', label: 'Card' },
  { value: 'cash', label: 'Cash' }, { value: 'other', label: 'Other' },
];
const todayIso = () => new Date().toLocaleDateString('en-CA');

/**
 * Record a payment (docs/payments.md): the account, how much, how it came; then where it goes —
 * oldest due first (what the server does by default; the grid previews it), by hand in the grid,
 * or all kept as the customer's credit. What is not allocated is shown as credit before saving.
 */
export function RecordPaymentDialog({ opened, onCancel, onDone, account: fixedAccount, invoice }: {
  opened: boolean;
  onCancel: () => void;
  onDone: (payment: RecordData) => void;
  /** Preset: the account page's or the invoice's account. */
  account?: string;
  /** Preset: paying this invoice (its open amount, applied to it). */
  invoice?: RecordData;
}) {
  const { byName } = useMetadata();
  const paymentObject = byName('payment');
  const accountField = paymentObject ? fieldOf(paymentObject, 'account') : undefined;
  const [account, setAccount] = useState<string | null>(fixedAccount ?? null);
  const [amount, setAmount] = useState('');
  const [currency, setCurrency] = useState<string | null>(null);
  const [date, setDate] = useState(todayIso());
  const [method, setMethod] = useState<string | null>('bank_transfer');
  const [reference, setReference] = useState('');
  const [mode, setMode] = useState<Mode>('oldest_first');
  const [byHand, setByHand] = useState<Record<string, string>>({});

  const accountRecord = useQuery({ queryKey: ['records', 'account', account, 'for-payment'], queryFn: () => getRecord('account', account!), enabled: opened && !!account });
  const cur = currency ?? (typeof invoice?.currency === 'string' ? invoice.currency : typeof accountRecord.data?.currency === 'string' ? accountRecord.data.currency : 'USD');
  const open = useQuery({ queryKey: ['records', 'invoice', 'open-for-payment', account, cur], queryFn: () => paymentsApi.openInvoices(account!, cur), enabled: opened && !!account });
  const invoices = useMemo(() => open.data ?? [], [open.data]);
  const digits = minorDigits(cur);
  const amountMinor = toMinor(amount, digits);
  // Said at once, not only by a greyed-out button: "1,000" or "12.345" is not an amount here.
  const amountHint = amount.trim() !== '' && amountMinor === null
    ? `Type digits with a decimal point and at most ${digits} decimals, e.g. ${digits ? `1250.${'0'.repeat(digits)}` : '1250'} — no thousands separators`
    : undefined;

  const shown: Record<string, string> = useMemo(() => {
    if (mode === 'by_hand') return byHand;
    if (mode === 'none' || amountMinor === null) return {};
    const fill = fillOldestFirst(invoices.map((i) => toMinor(String(i.open_amount ?? 0), digits) ?? 0n), amountMinor);
    return Object.fromEntries(invoices.map((i, k) => [i.id, fill[k]! > 0n ? fromMinor(fill[k]!, digits) : '']));
  }, [mode, byHand, invoices, amountMinor, digits]);
  const chosen: Allocation[] = Object.entries(shown).filter(([, v]) => v.trim() !== '' && toMinor(v, digits) !== 0n).map(([invoice, v]) => ({ invoice, amount: v.trim() }));
  const allocated = chosen.reduce((s, a) => s + (toMinor(a.amount, digits) ?? 0n), 0n);
  const credit = amountMinor === null ? null : amountMinor - allocated;

  const form = useApiForm({
    fields: ['account', 'amount', 'currency', 'payment_date', 'method', 'reference', 'allocations', ...chosen.flatMap((_, i) => [`allocations[${i}].amount`, `allocations[${i}].invoice`, `allocations[${i}].currency`])],
    submit: () => paymentsApi.record({
      account: account ?? '', amount: amount.trim(), currency: cur, payment_date: date, method: method ?? '',
      ...(reference.trim() ? { reference: reference.trim() } : {}),
      ...(mode === 'by_hand' ? { allocations: chosen } : mode === 'none' ? { allocate: 'none' as const } : {}),
    }),
    onSuccess: (r) => onDone(r.payment),
  });
  const { reset } = form;
  useEffect(() => {
    if (!opened) return;
    setAccount(fixedAccount ?? (typeof invoice?.account === 'string' ? invoice.account : null));
    setAmount(invoice ? String(invoice.open_amount ?? '') : '');
    setCurrency(null);
    setDate(todayIso());
    setMethod('bank_transfer');
    setReference('');
    setMode(invoice ? 'by_hand' : 'oldest_first');
    setByHand(invoice ? { [invoice.id]: String(invoice.open_amount ?? '') } : {});
    reset();
    // eslint-disable-next-line react-hooks/exhaustive-deps -- reset is a new function each render
  }, [opened]);
  const errorOf = (invoiceId: string) => {
    const i = chosen.findIndex((c) => c.invoice === invoiceId);
    return i < 0 ? undefined : form.errors[`allocations[${i}].amount`] ?? form.errors[`allocations[${i}].invoice`] ?? form.errors[`allocations[${i}].currency`];
  };
  const fmt = (minor: bigint) => new Intl.NumberFormat(undefined, { style: 'currency', currency: cur }).format(Number(fromMinor(minor, digits)));
  const currencies = paymentObject ? (fieldOf(paymentObject, 'currency')?.picklist?.values ?? []).map((v) => ({ value: v.value, label: v.value })) : [];

  return (
    <Modal opened={opened} onClose={onCancel} title="Record a payment" centered size="lg">
      <form ref={form.formRef} onSubmit={(e) => { e.preventDefault(); form.onSubmit(); }} noValidate>
        <Stack>
          <FormSummary summary={form.summary} errors={form.errors} />
          {!fixedAccount && !invoice && accountField && (
            <LookupSelect field={accountField} label="Account" required value={account} onChange={(v) => { setAccount(v); setByHand({}); form.clearError('account'); }} error={form.errors.account} />
          )}
          <SimpleGrid cols={{ base: 1, xs: 2 }}>
            <TextInput label="Amount" required inputMode="decimal" value={amount} error={form.errors.amount ?? amountHint} data-autofocus
              onChange={(e) => { setAmount(e.currentTarget.value); form.clearError('amount'); }} />
            <Select label="Currency" data={currencies} value={cur} searchable error={form.errors.currency} onChange={(v) => { setCurrency(v); setByHand({}); }} allowDeselect={false} />
            <TextInput label="Date" type="date" required value={date} error={form.errors.payment_date} onChange={(e) => setDate(e.currentTarget.value)} />
            <Select label="Method" data={METHODS} value={method} required error={form.errors.method} onChange={setMethod} allowDeselect={false} />
          </SimpleGrid>
          <TextInput label="Reference" description="Check number, bank reference or card transaction" value={reference} error={form.errors.reference} onChange={(e) => setReference(e.currentTarget.value)} />
          {account && (
            <>
              <SegmentedControl value={mode} onChange={(v) => { if (v === 'by_hand') setByHand(shown); setMode(v as Mode); }} aria-label="Where the payment goes"
                data={[{ value: 'oldest_first', label: 'Oldest first' }, { value: 'by_hand', label: 'By hand' }, { value: 'none', label: 'Keep as credit' }]} />
              {mode !== 'none' && (
                <AllocationGrid invoices={invoices} currency={cur} values={shown} readOnly={mode !== 'by_hand'} errorOf={errorOf}
                  onChange={(id, v) => { setByHand({ ...shown, [id]: v }); }} />
              )}
              {form.errors.allocations && <Alert color="red" role="alert">{form.errors.allocations}</Alert>}
              {credit !== null && (
                <Text size="sm" role="status">
                  Allocated {fmt(allocated)}
                  {credit > 0n ? ` · ${fmt(credit)} left as the customer's credit` : credit < 0n ? ` · ${fmt(-credit)} more than the payment` : ''}
                </Text>
              )}
            </>
          )}
          <Group justify="flex-end">
            <Button variant="default" onClick={onCancel} disabled={form.pending}>Cancel</Button>
            <Button type="submit" loading={form.pending} disabled={!account || credit === null || credit < 0n}>Record payment</Button>
          </Group>
        </Stack>
      </form>
    </Modal>
  );
}
