import { useState } from 'react';
import { Badge, Button, Group, Modal, Stack, Table, Text } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { api, errorMessage } from '../../api/client';
import type { ResponseOf } from '../../api/types';
import type { RecordSlotProps } from '../../lib/extensions';
import { formatDateTime } from '../../lib/format';

type JobTicket = ResponseOf<'listOrderJobTickets'>['data'][number];

const enc = encodeURIComponent;
const TICKETED = ['confirmed', 'in_production', 'completed'];
const STATUS_COLOR: Record<string, string> = { sent: 'green', pending: 'blue', failed: 'red' };

/**
 * An order's job ticket (FIN-7) on its page: the PDF production works from, what was sent where
 * (and why a sending failed), and Reprint — sent again through the order's production channel.
 */
export function JobTicketActions({ record, id, name }: RecordSlotProps) {
  const qc = useQueryClient();
  const [open, setOpen] = useState(false);
  const [busy, setBusy] = useState(false);
  const key = ['order-job-tickets', id];
  const tickets = useQuery({ queryKey: key, queryFn: () => api.get<{ data: JobTicket[] }>(`/orders/${enc(id)}/job-tickets`).then((r) => r.data), enabled: open });
  if (!TICKETED.includes(String(record.status ?? ''))) return null;
  const pdfUrl = `/api/v1/orders/${enc(id)}/job-ticket.pdf`;
  const reprint = async () => {
    setBusy(true);
    try {
      await api.post(`/orders/${enc(id)}/job-ticket`, {});
      notifications.show({ color: 'green', message: `Job ticket of ${name} sent again` });
      void qc.invalidateQueries({ queryKey: key });
    } catch (e) {
      notifications.show({ color: 'red', title: 'Reprint failed', message: errorMessage(e), autoClose: 8000 });
    } finally {
      setBusy(false);
    }
  };
  return (
    <>
      <Button variant="default" onClick={() => setOpen(true)}>Job ticket</Button>
      <Modal opened={open} onClose={() => setOpen(false)} title={`Job ticket of ${name}`} size="lg">
        <Stack>
          <Group>
            <Button component="a" href={pdfUrl} target="_blank" rel="noopener" variant="default">Open PDF</Button>
            <Button onClick={() => void reprint()} loading={busy}>Reprint</Button>
          </Group>
          {tickets.data && tickets.data.length === 0 && <Text size="sm" c="gray.7">Nothing was sent: this order's job tickets go nowhere (set a channel on its order source, or MERIDIAN_JOB_TICKET_EMAIL).</Text>}
          {tickets.data && tickets.data.length > 0 && (
            <Table>
              <Table.Thead><Table.Tr><Table.Th>When</Table.Th><Table.Th>To</Table.Th><Table.Th>Why</Table.Th><Table.Th>Status</Table.Th></Table.Tr></Table.Thead>
              <Table.Tbody>
                {tickets.data.map((t) => (
                  <Table.Tr key={t.id}>
                    <Table.Td>{formatDateTime(t.sent_at ?? t.created_at)}</Table.Td>
                    <Table.Td>{t.channel === 'webhook' ? 'Webhook order.job_ticket' : `${t.channel === 'email' ? 'E-mail' : 'Printer'} ${t.target ?? ''}`}</Table.Td>
                    <Table.Td>{t.reason === 'reprint' ? 'Reprint' : 'Confirmed'}</Table.Td>
                    <Table.Td>
                      <Badge color={STATUS_COLOR[t.status] ?? 'gray'} variant="light">{t.status}</Badge>
                      {t.last_error && <Text size="xs" c="red.8">{t.last_error}</Text>}
                    </Table.Td>
                  </Table.Tr>
                ))}
              </Table.Tbody>
            </Table>
          )}
        </Stack>
      </Modal>
    </>
  );
}
