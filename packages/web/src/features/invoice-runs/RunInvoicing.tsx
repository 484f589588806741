import { useState } from 'react';
import { Alert, Button, Group, Modal, Stack, Text, TextInput } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { useQueryClient } from '@tanstack/react-query';
import { api, errorMessage } from '../../api/client';
import type { RecordData } from '../../api/types';

const lastMonth = () => {
  const d = new Date();
  d.setDate(1);
  d.setMonth(d.getMonth() - 1);
  return `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}`;
};

/**
 * "Run invoicing…" on the invoice runs list: the monthly run for a month, now (finance, after
 * fixing what the last run refused). It never invoices an order twice, so running again is safe.
 */
export function RunInvoicing() {
  const qc = useQueryClient();
  const [open, setOpen] = useState(false);
  const [period, setPeriod] = useState(lastMonth);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const run = async () => {
    setBusy(true);
    setError(null);
    try {
      const done = await api.post<RecordData>('/invoice-runs', { period });
      notifications.show({ color: done.status === 'completed' ? 'green' : 'orange', message: `${String(done.name)}: ${Number(done.invoices)} invoices for ${Number(done.orders)} orders${Number(done.failed_accounts) ? `, ${Number(done.failed_accounts)} accounts failed` : ''}` });
      void qc.invalidateQueries({ queryKey: ['records', 'invoice_run'] });
      setOpen(false);
    } catch (e) {
      setError(errorMessage(e));
    } finally {
      setBusy(false);
    }
  };
  return (
    <>
      <Button onClick={() => setOpen(true)}>Run invoicing…</Button>
      <Modal opened={open} onClose={() => setOpen(false)} title="Run the monthly invoicing">
        <Stack>
          <Text size="sm">Completed, uninvoiced orders of accounts invoiced per month, completed before the month's end, go on posted invoices. Orders already invoiced are never taken again.</Text>
          <TextInput label="Month" description="YYYY-MM" value={period} onChange={(e) => setPeriod(e.currentTarget.value)} error={/^\d{4}-(0[1-9]|1[0-2])$/.test(period) ? undefined : 'Give the month as YYYY-MM'} />
          {error && <Alert color="red" title="The run did not start">{error}</Alert>}
          <Group justify="flex-end">
            <Button variant="default" onClick={() => setOpen(false)}>Cancel</Button>
            <Button onClick={() => void run()} loading={busy} disabled={!/^\d{4}-(0[1-9]|1[0-2])$/.test(period)}>Run now</Button>
          </Group>
        </Stack>
      </Modal>
    </>
  );
}
