import { useState } from 'react';
import { Button } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { useNavigate } from '@tanstack/react-router';
import { api, errorMessage } from '../../api/client';
import type { RecordData } from '../../api/types';
import type { RecordSlotProps } from '../../lib/extensions';

const enc = encodeURIComponent;

/** A deal's "New quote": its products become the quote's lines; the quote opens. */
export function NewQuoteAction({ id }: RecordSlotProps) {
  const navigate = useNavigate();
  const [busy, setBusy] = useState(false);
  const create = async () => {
    setBusy(true);
    try {
      const { quote } = await api.post<{ quote: RecordData }>('/quotes', { quote: { opportunity: id } });
      navigate({ to: '/o/$object/$id', params: { object: 'quote', id: quote.id }, search: { tab: undefined } });
    } catch (e) {
      notifications.show({ color: 'red', title: 'The quote was not created', message: errorMessage(e), autoClose: 8000 });
    } finally {
      setBusy(false);
    }
  };
  return <Button variant="default" onClick={() => void create()} loading={busy}>New quote</Button>;
}

/** The quote's commands that its status allows (the server decides; refusals are shown). */
export function QuoteStatusActions({ record, id, onSaved }: RecordSlotProps) {
  const navigate = useNavigate();
  const [busy, setBusy] = useState<string | null>(null);
  const status = String(record.status ?? '');
  const run = async (command: string, label: string) => {
    setBusy(command);
    try {
      const r = await api.post<RecordData>(`/quotes/${enc(id)}/${command}`, {}, { headers: { 'if-match': `"${String(record.version)}"` } });
      if (command === 'revise') navigate({ to: '/o/$object/$id', params: { object: 'quote', id: r.id }, search: { tab: undefined } });
      else onSaved(r);
      notifications.show({ color: 'green', message: `${label}: ${String(r.name ?? '')} is ${String(r.status).replace('_', ' ')}` });
    } catch (e) {
      notifications.show({ color: 'red', title: `${label} failed`, message: errorMessage(e), autoClose: 8000 });
    } finally {
      setBusy(null);
    }
  };
  return (
    <>
      {(status === 'draft' || status === 'approved') && <Button variant="default" loading={busy === 'send'} onClick={() => void run('send', 'Marked sent')}>Mark sent</Button>}
      {status === 'pending_approval' && (
        <>
          <Button color="green" loading={busy === 'approve'} onClick={() => void run('approve', 'Approved')}>Approve</Button>
          <Button variant="default" color="red" loading={busy === 'reject'} onClick={() => void run('reject', 'Rejected')}>Reject</Button>
        </>
      )}
      {['sent', 'viewed', 'declined', 'expired'].includes(status) && <Button variant="default" loading={busy === 'revise'} onClick={() => void run('revise', 'Revised')}>Revise</Button>}
    </>
  );
}
