import { useState } from 'react';
import { Button } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { useNavigate } from '@tanstack/react-router';
import { errorMessage } from '../../api/client';
import type { RecordSlotProps } from '../../lib/extensions';
import { invoicesApi } from './api';

/** On a completed order not invoiced yet: a draft invoice from it, at the prices it was sold at (then opened). */
export function InvoiceOrderAction({ record, id }: RecordSlotProps) {
  const navigate = useNavigate();
  const [busy, setBusy] = useState(false);
  if (record.status !== 'completed' || record.invoice) return null;
  const create = async () => {
    setBusy(true);
    try {
      const { invoice } = await invoicesApi.fromOrders([id]);
      navigate({ to: '/o/$object/$id', params: { object: 'invoice', id: invoice.id }, search: { tab: undefined } });
    } catch (e) {
      notifications.show({ color: 'red', title: 'The invoice was not created', message: errorMessage(e), autoClose: 8000 });
    } finally {
      setBusy(false);
    }
  };
  return <Button loading={busy} onClick={() => void create()}>Create invoice</Button>;
}
