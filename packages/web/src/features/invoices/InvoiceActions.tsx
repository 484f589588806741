import { useState } from 'react';
import { Alert, Button, Text } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { useQueryClient } from '@tanstack/react-query';
import { errorMessage } from '../../api/client';
import type { RecordData } from '../../api/types';
import { AnchorLink } from '../../components/links';
import type { RecordSlotProps } from '../../lib/extensions';
import { INVOICE_LINES, linesKey } from '../line-items/lines';
import { ReasonDialog, type ReasonPrompt } from '../orders/ReasonDialog';
import { CreditDialog } from './CreditDialog';
import { invoicesApi } from './api';

const VOID_PROMPT: ReasonPrompt = {
  title: 'Void the invoice', label: 'Reason', name: 'reason', required: false, submitLabel: 'Void invoice', color: 'red',
  description: 'What is not credited yet is credited by a credit note, and the invoice becomes void. It keeps its number.',
};

/** An invoice's commands in the record page's header: Post a draft; Send, Credit…, Void a posted one; the PDF always. */
export function InvoiceActions({ record, id, onSaved }: RecordSlotProps) {
  const queryClient = useQueryClient();
  const [busy, setBusy] = useState<string | null>(null);
  const [dialog, setDialog] = useState<'credit' | 'void' | null>(null);
  const status = String(record.status ?? '');
  const isInvoice = record.kind !== 'credit_note';
  const refreshLines = () => void queryClient.invalidateQueries({ queryKey: linesKey(INVOICE_LINES, id) });
  const run = async (label: string, action: () => Promise<RecordData>, done: (saved: RecordData) => string) => {
    setBusy(label);
    try {
      const saved = await action();
      onSaved(saved);
      refreshLines();
      notifications.show({ color: 'green', message: done(saved) });
    } catch (e) {
      notifications.show({ color: 'red', title: `${label} failed`, message: errorMessage(e), autoClose: 8000 });
    } finally {
      setBusy(null);
    }
  };
  const credited = (note: RecordData | null, invoice: RecordData) => {
    setDialog(null);
    onSaved(invoice);
    notifications.show({ color: 'green', message: note ? `Credit note ${String(note.number)} posted` : `${String(invoice.name)} is void` });
  };
  return (
    <>
      {status === 'draft' && (
        <Button loading={busy === 'Post'} onClick={() => void run('Post', () => invoicesApi.post(id, record.version as number), (s) => `Posted as ${String(s.number)}`)}>Post</Button>
      )}
      {status !== 'draft' && (
        <Button variant="default" loading={busy === 'Send'} onClick={() => void run('Send', async () => (await invoicesApi.send(id)).invoice, (s) => `${String(s.name)} was e-mailed`)}>Send by e-mail</Button>
      )}
      {isInvoice && ['posted', 'partially_paid'].includes(status) && <Button variant="default" onClick={() => setDialog('credit')}>Credit…</Button>}
      {isInvoice && status === 'posted' && <Button variant="default" color="red" onClick={() => setDialog('void')}>Void</Button>}
      <Button component="a" variant="default" href={invoicesApi.pdfUrl(id)} target="_blank" rel="noopener">Download PDF</Button>
      <CreditDialog invoice={record} opened={dialog === 'credit'} onCancel={() => setDialog(null)} onDone={(r) => credited(r.creditNote, r.invoice)} />
      <ReasonDialog
        prompt={dialog === 'void' ? VOID_PROMPT : null}
        onCancel={() => setDialog(null)}
        submit={async (body) => {
          const r = await invoicesApi.void(id, body, record.version as number);
          return { ...r.invoice, _creditNote: r.creditNote };
        }}
        onDone={(saved) => credited((saved as RecordData & { _creditNote: RecordData | null })._creditNote, saved)}
      />
    </>
  );
}

/** Under the header: why the last e-mail did not go out, and which invoice a credit note corrects. */
export function InvoiceBanner({ record, display }: RecordSlotProps) {
  const credited = typeof record.credited_invoice === 'string' ? record.credited_invoice : null;
  return (
    <>
      {typeof record.send_error === 'string' && record.send_error && (
        <Alert color="orange" mt="sm" title="The invoice was not e-mailed" role="status">
          <Text size="sm">{record.send_error}</Text>
          <Text size="sm" mt={4}>Check the account's e-mail and send it again.</Text>
        </Alert>
      )}
      {credited && (
        <Text size="sm" mt="xs">
          Credits{' '}
          <AnchorLink to="/o/$object/$id" params={{ object: 'invoice', id: credited }} search={{ tab: undefined }}>{display.invoice?.[credited] ?? 'the invoice'}</AnchorLink>
        </Text>
      )}
    </>
  );
}
