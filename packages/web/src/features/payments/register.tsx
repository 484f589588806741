import { useState } from 'react';
import { Button } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { useNavigate } from '@tanstack/react-router';
import { useQueryClient } from '@tanstack/react-query';
import type { RecordData } from '../../api/types';
import { registerListExtension, registerRecordExtension, type RecordSlotProps } from '../../lib/extensions';
import { PaymentActions } from './PaymentActions';
import { PaymentAllocations } from './PaymentAllocations';
import { RecordPaymentDialog } from './RecordPaymentDialog';

/** "Record payment" wherever a finance user starts from: the payments list, an account, an open invoice. */
function RecordPaymentButton({ account, invoice, onSaved }: { account?: string; invoice?: RecordData; onSaved?: (p: RecordData) => void }) {
  const [opened, setOpened] = useState(false);
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  return (
    <>
      <Button variant={invoice ? 'filled' : 'default'} onClick={() => setOpened(true)}>Record payment</Button>
      <RecordPaymentDialog opened={opened} account={account} invoice={invoice} onCancel={() => setOpened(false)}
        onDone={(payment) => {
          setOpened(false);
          void queryClient.invalidateQueries({ queryKey: ['records'] });
          notifications.show({ color: 'green', message: `Payment ${String(payment.name)} recorded` });
          if (onSaved) onSaved(payment);
          else void navigate({ to: '/o/$object/$id', params: { object: 'payment', id: payment.id }, search: { tab: undefined } });
        }} />
    </>
  );
}

/** Payments in the web app (issue 13): record with an allocation grid; allocate credit, refund, reverse; where a payment went. */
export function registerPayments(): void {
  registerListExtension('payment', { Actions: () => <RecordPaymentButton /> });
  registerRecordExtension('payment', { Actions: PaymentActions, Main: PaymentAllocations });
  registerRecordExtension('account', { Actions: ({ id }: RecordSlotProps) => <RecordPaymentButton account={id} /> });
  registerRecordExtension('invoice', {
    Actions: ({ record }: RecordSlotProps) => (record.kind === 'invoice' && ['posted', 'partially_paid'].includes(String(record.status)) ? <RecordPaymentButton invoice={record} /> : null),
  });
}
