import { useEffect, useState } from 'react';
import { Alert, Badge, Button, Group, Paper, Stack, Table, Text, Textarea, Title } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { errorMessage } from '../../api/client';
import { updateRecord } from '../../api/records';
import { orderIntakeApi, type IntakeSampleResult } from '../../api/orderIntake';
import type { RecordSlotProps } from '../../lib/extensions';

type Line = { sku?: string; quantity?: string; unitPrice?: string; description?: string };

/**
 * The mapping editor of an order source: the mapping (JSON paths → order fields) for an own
 * format, and "Test with a sample" — the server reads a pasted payload with the format and the
 * mapping as edited here and shows the order it would make, the account and products it matches,
 * or every problem, storing nothing. cXML and UBL sources test their samples the same way.
 */
export function MappingPanel({ record, id, onSaved }: RecordSlotProps) {
  const custom = record.format === 'custom';
  const [mapping, setMapping] = useState(String(record.mapping ?? ''));
  const [sample, setSample] = useState('');
  const [result, setResult] = useState<IntakeSampleResult | null>(null);
  const [busy, setBusy] = useState<'test' | 'save' | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => setMapping(String(record.mapping ?? '')), [record.mapping]);

  const test = async () => {
    setBusy('test');
    setError(null);
    try {
      setResult(await orderIntakeApi.test(id, { sample, ...(custom ? { mapping } : {}) }));
    } catch (e) {
      setError(errorMessage(e));
    } finally {
      setBusy(null);
    }
  };
  const save = async () => {
    setBusy('save');
    setError(null);
    try {
      onSaved(await updateRecord('order_intake_source', id, { mapping }, Number(record.version)));
      notifications.show({ color: 'green', message: 'Mapping saved' });
    } catch (e) {
      setError(errorMessage(e));
    } finally {
      setBusy(null);
    }
  };
  const order = result?.order as { externalId?: string; poNumber?: string; currency?: string; customer?: Record<string, string>; lines?: Line[] } | null | undefined;
  const matches = result?.matches as { account?: string | null; accountProblem?: string | null; unknownSkus?: string[] } | undefined;
  return (
    <Paper withBorder p="md" component="section" aria-labelledby="intake-mapping-title">
      <Stack gap="sm">
        <Title order={2} size="h4" id="intake-mapping-title">{custom ? 'Mapping and sample' : 'Test with a sample'}</Title>
        {custom && (
          <Textarea label="Mapping (JSON)" description="Paths in the shop's payload for each order field; lines.path names the list of items." autosize minRows={6} maxRows={20}
            value={mapping} onChange={(e) => setMapping(e.currentTarget.value)} styles={{ input: { fontFamily: 'monospace' } }} />
        )}
        <Textarea label="Sample payload" description="Paste an order as the shop sends it; nothing is stored." autosize minRows={4} maxRows={16}
          value={sample} onChange={(e) => setSample(e.currentTarget.value)} styles={{ input: { fontFamily: 'monospace' } }} />
        <Group>
          <Button onClick={() => void test()} loading={busy === 'test'} disabled={!sample.trim()}>Test with sample</Button>
          {custom && <Button variant="default" onClick={() => void save()} loading={busy === 'save'} disabled={mapping === String(record.mapping ?? '')}>Save mapping</Button>}
        </Group>
        {error && <Alert color="red" title="Could not run">{error}</Alert>}
        {result && result.problems.length > 0 && (
          <Alert color="red" title={`${result.problems.length} problem${result.problems.length === 1 ? '' : 's'}`}>
            <ul style={{ margin: 0, paddingLeft: '1.2em' }}>{result.problems.map((p, i) => <li key={i}><Text span ff="monospace" size="sm">{p.field}</Text>: {p.message}</li>)}</ul>
          </Alert>
        )}
        {order && (
          <Stack gap="xs" data-testid="intake-sample-result">
            <Text size="sm">Shop order <b>{order.externalId ?? '—'}</b>{order.poNumber ? `, PO ${order.poNumber}` : ''}{order.currency ? `, ${order.currency}` : ''}; customer {[order.customer?.accountNumber, order.customer?.name, order.customer?.email].filter(Boolean).join(' · ') || '—'}</Text>
            <Group gap="xs">
              {matches?.account ? <Badge color="green">Account found</Badge> : <Badge color="orange">{matches?.accountProblem ?? 'No account'}</Badge>}
              {(matches?.unknownSkus ?? []).map((s) => <Badge key={s} color="orange">Unknown SKU {s}</Badge>)}
            </Group>
            <Table>
              <Table.Thead><Table.Tr><Table.Th>SKU</Table.Th><Table.Th>Description</Table.Th><Table.Th ta="right">Quantity</Table.Th><Table.Th ta="right">Unit price</Table.Th></Table.Tr></Table.Thead>
              <Table.Tbody>
                {(order.lines ?? []).map((l, i) => (
                  <Table.Tr key={i}><Table.Td>{l.sku}</Table.Td><Table.Td>{l.description ?? ''}</Table.Td><Table.Td ta="right">{l.quantity}</Table.Td><Table.Td ta="right">{l.unitPrice ?? ''}</Table.Td></Table.Tr>
                ))}
              </Table.Tbody>
            </Table>
          </Stack>
        )}
      </Stack>
    </Paper>
  );
}
