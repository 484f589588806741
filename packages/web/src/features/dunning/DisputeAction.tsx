import { useState } from 'react';
import { Alert, Badge, Button, Text } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { useQueryClient } from '@tanstack/react-query';
import { errorMessage } from '../../api/client';
import type { RecordSlotProps } from '../../lib/extensions';
import { ReasonDialog, type ReasonPrompt } from '../orders/ReasonDialog';
import { dunningApi } from './api';

const DISPUTE_PROMPT: ReasonPrompt = {
  title: 'Mark the invoice disputed', label: 'Reason', name: 'reason', required: true, submitLabel: 'Mark disputed', color: 'orange',
  description: 'What the customer disputes. No payment reminders go out for the invoice while it is disputed.',
};

const isInvoice = (r: RecordSlotProps['record']) => r.kind !== 'credit_note';

/** "Mark disputed…" / "Clear dispute" in an invoice's header (docs/dunning.md "Disputes"): allowed on posted invoices too. */
export function DisputeAction({ record, id, onSaved }: RecordSlotProps) {
  const qc = useQueryClient();
  const [asking, setAsking] = useState(false);
  const [busy, setBusy] = useState(false);
  if (!isInvoice(record) || ['draft', 'void'].includes(String(record.status ?? ''))) return null;
  const done = (saved: RecordSlotProps['record'], message: string) => {
    onSaved(saved);
    void qc.invalidateQueries({ queryKey: ['dunning', 'preview'] });
    notifications.show({ color: 'green', message });
  };
  if (record.disputed === true) {
    const clear = async () => {
      setBusy(true);
      try {
        done(await dunningApi.dispute(id, { disputed: false }), 'The dispute is cleared: reminders resume for this invoice');
      } catch (e) {
        notifications.show({ color: 'red', title: 'Clearing the dispute failed', message: errorMessage(e), autoClose: 8000 });
      } finally {
        setBusy(false);
      }
    };
    return <Button variant="default" loading={busy} onClick={() => void clear()}>Clear dispute</Button>;
  }
  return (
    <>
      <Button variant="default" onClick={() => setAsking(true)}>Mark disputed…</Button>
      <ReasonDialog prompt={asking ? DISPUTE_PROMPT : null} onCancel={() => setAsking(false)}
        submit={(body) => dunningApi.dispute(id, { disputed: true, reason: body.reason ?? null })}
        onDone={(saved) => { setAsking(false); done(saved, `${String(saved.name ?? 'The invoice')} is disputed: no reminders while it is`); }} />
    </>
  );
}

/** Under an invoice's header: the dispute, visibly — the reason and that no reminders go out. */
export function DisputeBanner({ record }: RecordSlotProps) {
  if (record.disputed !== true) return null;
  const reason = typeof record.dispute_reason === 'string' ? record.dispute_reason : '';
  return (
    <Alert color="orange" mt="sm" role="status" title={<Badge color="orange" variant="filled">Disputed — no reminders</Badge>}>
      <Text size="sm">{reason ? `The customer disputes this invoice: ${reason}` : 'The customer disputes this invoice.'}</Text>
      <Text size="sm" mt={4}>No payment reminders are sent for it until the dispute is cleared.</Text>
    </Alert>
  );
}
