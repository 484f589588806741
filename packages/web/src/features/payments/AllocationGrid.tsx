import { Table, Text, TextInput } from '@mantine/core';
import type { RecordData } from '../../api/types';
import { AnchorLink } from '../../components/links';
import { formatDate } from '../../lib/format';
import { fromMinor, minorDigits, toMinor } from './money';

/**
 * The account's open invoices with what the payment applies to each: typed by hand, or filled
 * oldest first (read-only then). Amounts are exact minor units; a row the server refuses shows
 * its error at the row.
 */
export function AllocationGrid({ invoices, currency, values, onChange, readOnly, errorOf }: {
  invoices: RecordData[];
  currency: string;
  values: Record<string, string>;
  onChange: (invoice: string, value: string) => void;
  readOnly: boolean;
  errorOf: (invoice: string) => string | undefined;
}) {
  const digits = minorDigits(currency);
  const money = (v: unknown) => {
    const m = toMinor(String(v ?? '0'), 6);
    return m === null ? String(v ?? '') : new Intl.NumberFormat(undefined, { style: 'currency', currency, minimumFractionDigits: digits, maximumFractionDigits: digits }).format(Number(fromMinor(m, 6)));
  };
  if (!invoices.length) return <Text size="sm" c="dimmed">No open invoices in {currency}: the whole payment becomes the customer's credit, applied to their next invoices as they are posted.</Text>;
  return (
    <Table.ScrollContainer minWidth={420}>
      <Table aria-label="Allocation to open invoices">
        <Table.Thead>
          <Table.Tr><Table.Th>Invoice</Table.Th><Table.Th>Due</Table.Th><Table.Th ta="right">Open</Table.Th><Table.Th w={150}>Apply</Table.Th></Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {invoices.map((inv) => {
            const name = String(inv.number ?? inv.name ?? '');
            return (
              <Table.Tr key={inv.id}>
                <Table.Td><AnchorLink to="/o/$object/$id" params={{ object: 'invoice', id: inv.id }} search={{ tab: undefined }} target="_blank">{name}</AnchorLink></Table.Td>
                <Table.Td>{typeof inv.due_date === 'string' ? formatDate(inv.due_date) : '—'}</Table.Td>
                <Table.Td ta="right">{money(inv.open_amount)}</Table.Td>
                <Table.Td>
                  <TextInput size="xs" inputMode="decimal" aria-label={`Apply to ${name}`} value={values[inv.id] ?? ''} readOnly={readOnly}
                    error={errorOf(inv.id)} onChange={(e) => onChange(inv.id, e.currentTarget.value)} placeholder="0" />
                </Table.Td>
              </Table.Tr>
            );
          })}
        </Table.Tbody>
      </Table>
    </Table.ScrollContainer>
  );
}
