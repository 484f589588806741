import { useEffect, useState } from 'react';
import { Button, Group, Modal, NumberInput, SegmentedControl, Stack, Table, Text, Textarea } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import type { RecordData } from '../../api/types';
import { FormSummary } from '../../components/FormSummary';
import { useApiForm } from '../../lib/useApiForm';
import { fetchLines, INVOICE_LINES, linesKey } from '../line-items/lines';
import { invoicesApi, type CreditResult } from './api';

/**
 * Credit a posted invoice: in full, or chosen lines with the quantity to credit (at most what
 * was invoiced; the server refuses more than is left, naming the line). The credit note is
 * posted at once with its own number.
 */
export function CreditDialog({ invoice, opened, onCancel, onDone }: { invoice: RecordData; opened: boolean; onCancel: () => void; onDone: (result: CreditResult) => void }) {
  const [mode, setMode] = useState<'lines' | 'full'>('lines');
  const [quantities, setQuantities] = useState<Record<string, string | number>>({});
  const [reason, setReason] = useState('');
  const lines = useQuery({ queryKey: linesKey(INVOICE_LINES, invoice.id), queryFn: () => fetchLines(INVOICE_LINES, invoice.id), enabled: opened });
  const chosen = (lines.data?.lines ?? []).map((l) => ({ line: l, quantity: String(quantities[l.id] ?? '') })).filter((c) => c.quantity !== '' && Number(c.quantity) > 0);
  const form = useApiForm({
    fields: ['reason', 'amount', 'lines', ...(lines.data?.lines ?? []).map((_, i) => `lines[${i}].quantity`)],
    submit: () => invoicesApi.credit(invoice.id, {
      ...(mode === 'full' ? { full: true } : { lines: chosen.map((c) => ({ invoiceLine: c.line.id, quantity: c.quantity })) }),
      ...(reason.trim() ? { reason: reason.trim() } : {}),
    }, invoice.version as number),
    onSuccess: onDone,
  });
  const { reset } = form;
  useEffect(() => {
    if (!opened) return;
    setMode('lines');
    setQuantities({});
    setReason('');
    reset();
    // eslint-disable-next-line react-hooks/exhaustive-deps -- reset is a new function each render
  }, [opened]);
  // The server names lines by their place in the request: map them back to the table's rows.
  const errorOf = (lineId: string) => {
    const i = chosen.findIndex((c) => c.line.id === lineId);
    return i < 0 ? undefined : form.errors[`lines[${i}].quantity`];
  };
  return (
    <Modal opened={opened} onClose={onCancel} title={`Credit ${String(invoice.name ?? 'invoice')}`} centered size="lg">
      <form ref={form.formRef} onSubmit={(e) => { e.preventDefault(); form.onSubmit(); }} noValidate>
        <Stack>
          <FormSummary summary={form.summary} errors={form.errors} />
          <SegmentedControl value={mode} onChange={(v) => setMode(v as 'lines' | 'full')} data={[{ value: 'lines', label: 'Choose lines' }, { value: 'full', label: 'Credit in full' }]} aria-label="What to credit" />
          {mode === 'full' ? (
            <Text size="sm">Everything not credited yet goes on the credit note, at the invoice's prices and taxes.</Text>
          ) : (
            <Table>
              <Table.Thead><Table.Tr><Table.Th>Line</Table.Th><Table.Th ta="right">Invoiced</Table.Th><Table.Th>Credit quantity</Table.Th></Table.Tr></Table.Thead>
              <Table.Tbody>
                {(lines.data?.lines ?? []).map((l) => {
                  const name = String(l.description ?? l.name ?? '');
                  return (
                    <Table.Tr key={l.id}>
                      <Table.Td>{name}</Table.Td>
                      <Table.Td ta="right">{String(l.quantity)}</Table.Td>
                      <Table.Td>
                        <NumberInput aria-label={`Quantity to credit of ${name}`} min={0} max={Number(l.quantity)} decimalScale={6} value={quantities[l.id] ?? ''} error={errorOf(l.id)}
                          onChange={(v) => { setQuantities((q) => ({ ...q, [l.id]: v })); form.clearError(`lines[${chosen.findIndex((c) => c.line.id === l.id)}].quantity`); }} />
                      </Table.Td>
                    </Table.Tr>
                  );
                })}
              </Table.Tbody>
            </Table>
          )}
          <Textarea label="Reason" description="Printed on the credit note." value={reason} error={form.errors.reason} autosize minRows={2} onChange={(e) => setReason(e.currentTarget.value)} />
          <Group justify="flex-end">
            <Button variant="default" onClick={onCancel} disabled={form.pending}>Back</Button>
            <Button type="submit" loading={form.pending} disabled={mode === 'lines' && chosen.length === 0}>Post credit note</Button>
          </Group>
        </Stack>
      </form>
    </Modal>
  );
}
