import { useState } from 'react';
import { Button } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { useNavigate } from '@tanstack/react-router';
import { api, errorMessage } from '../../api/client';
import type { RecordData } from '../../api/types';
import type { RecordSlotProps } from '../../lib/extensions';
import { ReasonDialog, type ReasonPrompt } from '../orders/ReasonDialog';

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

/** A discount's answer asks for words first: the approval's comment is kept on the quote, a rejection must say why. */
const ANSWERS: Record<'approve' | 'reject', ReasonPrompt & { done: string }> = {
  approve: { title: 'Approve the discount', label: 'Comment', name: 'comment', required: false, submitLabel: 'Approve', color: 'green', done: 'Approved' },
  reject: { title: 'Reject the discount', label: 'Why?', name: 'comment', required: true, submitLabel: 'Reject', color: 'red', description: 'The quote goes back to draft; its owner sees your comment.', done: 'Rejected' },
};

/** The quote's commands that its status allows (the server decides; refusals are shown). */
export function QuoteStatusActions({ record, id, onSaved }: RecordSlotProps) {
  const navigate = useNavigate();
  const [busy, setBusy] = useState<string | null>(null);
  const [answering, setAnswering] = useState<'approve' | 'reject' | null>(null);
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
          <Button color="green" onClick={() => setAnswering('approve')}>Approve</Button>
          <Button variant="default" color="red" onClick={() => setAnswering('reject')}>Reject</Button>
        </>
      )}
      <ReasonDialog
        prompt={answering ? ANSWERS[answering] : null}
        onCancel={() => setAnswering(null)}
        submit={(body) => api.post<RecordData>(`/quotes/${enc(id)}/${answering!}`, body, { headers: { 'if-match': `"${String(record.version)}"` } })}
        onDone={(saved) => {
          const done = answering ? ANSWERS[answering].done : 'Saved';
          setAnswering(null);
          onSaved(saved);
          notifications.show({ color: 'green', message: `${done}: ${String(saved.name ?? '')} is ${String(saved.status).replace('_', ' ')}` });
        }}
      />
      {['sent', 'viewed', 'declined', 'expired'].includes(status) && <Button variant="default" loading={busy === 'revise'} onClick={() => void run('revise', 'Revised')}>Revise</Button>}
    </>
  );
}
