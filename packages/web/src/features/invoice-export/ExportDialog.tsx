import { useState, type MouseEvent } from 'react';
import { Button, Group, Modal, Select, Stack, Text, TextInput } from '@mantine/core';
import type { ObjectDef, RecordData } from '../../api/types';

type Format = 'quickbooks' | 'xero';
type Kind = 'invoice' | 'credit_note' | 'all';

const FORMATS: Array<{ value: Format; label: string }> = [
  { value: 'quickbooks', label: 'QuickBooks Online CSV' },
  { value: 'xero', label: 'Xero CSV' },
];
const KINDS: Record<Format, Array<{ value: Kind; label: string }>> = {
  // QuickBooks imports invoices and credit notes with separate tools, so one file holds one kind.
  quickbooks: [{ value: 'invoice', label: 'Invoices' }, { value: 'credit_note', label: 'Credit notes' }],
  xero: [{ value: 'all', label: 'Invoices and credit notes' }, { value: 'invoice', label: 'Invoices' }, { value: 'credit_note', label: 'Credit notes' }],
};

const iso = (d: Date) => `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}-${String(d.getDate()).padStart(2, '0')}`;

/** The export's address: the browser downloads it with the session cookie (docs/invoicing.md, "Accounting export"). */
export function exportUrl(q: { format: Format; from: string; to: string; kind: Kind }): string {
  return `/api/v1/invoices/export?${new URLSearchParams(q).toString()}`;
}

/** "Export…" in the invoices list header: format, invoice dates and kind, then the CSV downloads. */
export function ExportButton(_: { object: ObjectDef }) {
  const [opened, setOpened] = useState(false);
  return (
    <>
      <Button variant="default" onClick={() => setOpened(true)}>Export…</Button>
      {opened && <ExportDialog onClose={() => setOpened(false)} />}
    </>
  );
}

function ExportDialog({ onClose }: { onClose: () => void }) {
  const now = new Date();
  const [format, setFormat] = useState<Format>('xero');
  const [kind, setKind] = useState<Kind>('all');
  const [from, setFrom] = useState(iso(new Date(now.getFullYear(), now.getMonth(), 1)));
  const [to, setTo] = useState(iso(now));
  const kinds = KINDS[format];
  const valid = /^\d{4}-\d{2}-\d{2}$/.test(from) && /^\d{4}-\d{2}-\d{2}$/.test(to) && from <= to;
  const chooseFormat = (value: string | null) => {
    const next = (value ?? 'xero') as Format;
    setFormat(next);
    if (!KINDS[next].some((k) => k.value === kind)) setKind(KINDS[next][0]!.value);
  };
  return (
    <Modal opened onClose={onClose} title="Export invoices" centered>
      <Stack>
        <Text size="sm" c="dimmed">Posted invoices and credit notes you can see, dated in the range, in the import layout of your accounting product.</Text>
        <Select label="Format" data={FORMATS} value={format} onChange={chooseFormat} allowDeselect={false} />
        <Group grow>
          <TextInput type="date" label="From" value={from} onChange={(e) => setFrom(e.currentTarget.value)} required />
          <TextInput type="date" label="To" value={to} onChange={(e) => setTo(e.currentTarget.value)} required error={valid || !from || !to ? undefined : 'Before the first date'} />
        </Group>
        <Select label="Documents" data={kinds} value={kind} onChange={(v) => setKind((v ?? kinds[0]!.value) as Kind)} allowDeselect={false} />
        <Group justify="flex-end">
          <Button variant="default" onClick={onClose}>Close</Button>
          <Button component="a" href={valid ? exportUrl({ format, from, to, kind }) : undefined} download data-disabled={!valid || undefined}
            onClick={(e: MouseEvent) => (valid ? onClose() : e.preventDefault())}>
            Download CSV
          </Button>
        </Group>
      </Stack>
    </Modal>
  );
}

/** "UBL XML" on a posted invoice's or credit note's page: the document as UBL 2.1. */
export function UblLink({ record, id }: { record: RecordData; id: string }) {
  if (record.status === 'draft') return null;
  return <Button component="a" variant="default" href={`/api/v1/invoices/${encodeURIComponent(id)}/ubl`} download>UBL XML</Button>;
}
