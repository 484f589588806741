import { useState } from 'react';
import { Button, CopyButton, Group, Modal, Stack, Table, Text } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { errorMessage } from '../../api/client';
import { quoteMailApi } from '../../api/quoteMail';
import type { RecordSlotProps } from '../../lib/extensions';
import type { RecordData } from '../../api/types';
import { formatDateTime } from '../../lib/format';
import { SendQuoteDialog } from './SendQuoteDialog';

const SENDABLE = ['draft', 'approved', 'sent', 'viewed'];
const SHAREABLE = ['sent', 'viewed', 'accepted'];

/**
 * The quote's documents on its record page: the PDF as the customer gets it, sending by e-mail
 * (the preview dialog), and links to the online quote — made, copied once, listed and revoked.
 */
export function QuoteDocumentActions({ record, id, name, onSaved }: RecordSlotProps) {
  const [open, setOpen] = useState<'pdf' | 'email' | 'links' | null>(null);
  const status = String(record.status ?? '');
  const pdfUrl = `/api/v1/quotes/${encodeURIComponent(id)}/pdf`;
  return (
    <>
      <Button variant="default" onClick={() => setOpen('pdf')}>PDF</Button>
      {SENDABLE.includes(status) && <Button onClick={() => setOpen('email')}>E-mail…</Button>}
      {SHAREABLE.includes(status) && <Button variant="default" onClick={() => setOpen('links')}>Customer link</Button>}
      <Modal opened={open === 'pdf'} onClose={() => setOpen(null)} title={`${name} (PDF)`} size="xl">
        <Stack gap="xs">
          {open === 'pdf' && <iframe title={`PDF of ${name}`} src={pdfUrl} style={{ width: '100%', height: '70vh', border: 0 }} />}
          <Group justify="flex-end"><Button component="a" href={pdfUrl} download variant="default">Download</Button></Group>
        </Stack>
      </Modal>
      {open === 'email' && (
        <SendQuoteDialog quoteId={id} quoteName={name} opened onClose={() => setOpen(null)} onSent={(r) => onSaved(r.quote as RecordData)} />
      )}
      {open === 'links' && <QuoteLinksModal quoteId={id} name={name} onClose={() => setOpen(null)} />}
    </>
  );
}

function QuoteLinksModal({ quoteId, name, onClose }: { quoteId: string; name: string; onClose: () => void }) {
  const qc = useQueryClient();
  const key = ['quote-links', quoteId];
  const links = useQuery({ queryKey: key, queryFn: () => quoteMailApi.links(quoteId) });
  const [fresh, setFresh] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const create = async () => {
    setBusy(true);
    try {
      setFresh((await quoteMailApi.createLink(quoteId)).url);
      void qc.invalidateQueries({ queryKey: key });
    } catch (e) {
      notifications.show({ color: 'red', message: errorMessage(e) });
    } finally {
      setBusy(false);
    }
  };
  const revoke = async (linkId: string) => {
    try {
      await quoteMailApi.revokeLink(quoteId, linkId);
      void qc.invalidateQueries({ queryKey: key });
    } catch (e) {
      notifications.show({ color: 'red', message: errorMessage(e) });
    }
  };
  return (
    <Modal opened onClose={onClose} title={`Links to ${name}`} size="lg">
      <Stack>
        <Text size="sm">A link lets the customer read the quote, choose optional items and accept or decline it online. Only its holder can open it; it expires, and you can revoke it at any time.</Text>
        {fresh ? (
          <Group gap="xs" wrap="nowrap">
            <Text size="sm" ff="monospace" style={{ overflowWrap: 'anywhere' }}>{fresh}</Text>
            <CopyButton value={fresh}>{({ copied, copy }) => <Button size="compact-sm" onClick={copy}>{copied ? 'Copied' : 'Copy'}</Button>}</CopyButton>
          </Group>
        ) : (
          <Group><Button onClick={() => void create()} loading={busy}>New link</Button></Group>
        )}
        {fresh && <Text size="xs" c="gray.7">Copy it now: for safety, Meridian keeps only a fingerprint of it.</Text>}
        {(links.data ?? []).length > 0 && (
          <Table aria-label="Links" verticalSpacing={4}>
            <Table.Thead><Table.Tr><Table.Th>Made</Table.Th><Table.Th>Expires</Table.Th><Table.Th>Opened</Table.Th><Table.Th /></Table.Tr></Table.Thead>
            <Table.Tbody>
              {links.data!.map((l) => (
                <Table.Tr key={l.id}>
                  <Table.Td>{formatDateTime(l.createdAt)}</Table.Td>
                  <Table.Td>{l.revokedAt ? 'Revoked' : formatDateTime(l.expiresAt)}</Table.Td>
                  <Table.Td>{l.openCount ? `${l.openCount}×, last ${formatDateTime(l.lastOpenedAt!)}` : 'Not yet'}</Table.Td>
                  <Table.Td>{l.active && <Button size="compact-xs" variant="subtle" color="red" onClick={() => void revoke(l.id)}>Revoke</Button>}</Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        )}
      </Stack>
    </Modal>
  );
}
