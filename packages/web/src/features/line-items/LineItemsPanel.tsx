import { useEffect, useState } from 'react';
import { ActionIcon, Alert, Button, Checkbox, Group, NumberInput, Paper, Table, Text, Title, Tooltip } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { errorMessage } from '../../api/client';
import { fieldOf, useMetadata } from '../../api/metadata';
import { createRecord, deleteRecord, getRecord, updateRecord } from '../../api/records';
import type { DisplayMap, RecordData } from '../../api/types';
import { LookupSelect } from '../../components/LookupSelect';
import { formatCurrency, recordCurrency } from '../../lib/format';
import type { RecordSlotProps } from '../../lib/extensions';
import { fetchLines, linesKey, reorderTo, type LineKind } from './lines';
import './line-items.css';

/**
 * The products of a deal or the lines of a quote, edited in place: add a product (priced by the
 * server from the account's book — hover the price for how), change quantity or discount, mark a
 * quote line optional, reorder by dragging the handle, with the arrows or Alt+↑/↓, remove. Every change is saved at once
 * and the totals shown are the server's. A quote that went out is read-only: revise it instead.
 */
export function LineItemsPanel({ kind, ...slot }: RecordSlotProps & { kind: LineKind }) {
  const { record, id, onSaved } = slot;
  const { byName } = useMetadata();
  const lineDef = byName(kind.object);
  const qc = useQueryClient();
  const key = linesKey(kind, id);
  const q = useQuery({ queryKey: key, queryFn: () => fetchLines(kind, id) });
  const [product, setProduct] = useState<string | null>(null);
  const [quantity, setQuantity] = useState<number | string>(1);
  const [busy, setBusy] = useState(false);
  // A drag in progress: the line picked up, and the row it would land on.
  const [drag, setDrag] = useState<{ from: number; over: number | null } | null>(null);
  // After a move, the keyboard returns to the moved line's arrow once the list is re-rendered.
  const [refocus, setRefocus] = useState<{ id: string; dir: 'up' | 'down' } | null>(null);
  useEffect(() => {
    if (!refocus || busy) return;
    const target = document.querySelector<HTMLButtonElement>(`[data-line="${refocus.id}"] [data-move="${refocus.dir}"]`);
    if (target && !target.disabled) {
      target.focus();
      setRefocus(null);
    }
  });
  const currency = recordCurrency(record);
  const editable = kind.editableWhile;
  const locked = !!editable && !editable.statuses.includes(String(record.status ?? editable.statuses[0]));
  if (!lineDef) return null;
  const lines = q.data?.lines ?? [];
  const productField = fieldOf(lineDef, 'product')!;

  const refresh = async () => {
    await qc.invalidateQueries({ queryKey: key });
    // The parent's amount (deal) or totals (quote) follow the lines: show the server's.
    onSaved(await getRecord(kind.parent, id));
  };
  const run = async (what: string, action: () => Promise<unknown>) => {
    setBusy(true);
    try {
      await action();
      await refresh();
      return true;
    } catch (e) {
      notifications.show({ color: 'red', title: what, message: errorMessage(e), autoClose: 8000 });
      await qc.invalidateQueries({ queryKey: key });
      return false;
    } finally {
      setBusy(false);
    }
  };
  const add = async () => {
    if (!product) return;
    const ok = await run('The product was not added', () => createRecord(kind.object, { [kind.field]: id, product, quantity: Number(quantity) || 1, ...(kind.quoteLike ? { position: (lines.length + 1) * 10 } : {}) }));
    if (ok) {
      setProduct(null);
      setQuantity(1);
    }
  };
  const change = (line: RecordData, values: Record<string, unknown>) => run('The line was not changed', () => updateRecord(kind.object, line.id, values, line.version));
  const moveTo = (from: number, to: number, refocusDir?: 'up' | 'down') => {
    const changes = reorderTo(lines, from, to);
    if (!changes.length) return;
    if (refocusDir) setRefocus({ id: lines[from]!.id, dir: refocusDir });
    void run('The lines were not reordered', async () => {
      for (const c of changes) await updateRecord(kind.object, c.id, { position: c.position });
    });
  };
  const move = (index: number, delta: -1 | 1) => moveTo(index, index + delta, delta < 0 ? 'up' : 'down');
  const money = (v: unknown) => (typeof v === 'number' ? formatCurrency(v, currency) : '—');
  const productName = (l: RecordData) => q.data?.display?.product?.[String(l.product)] ?? String(l.name ?? '');
  const title = kind.quoteLike ? 'Lines' : 'Products';

  return (
    <Paper withBorder p="md" component="section" aria-label={title}>
      <Group justify="space-between" mb="xs">
        <Title order={2} size="h4">{title}</Title>
        {locked && <Text size="sm" c="gray.7">{editable?.lockedText}</Text>}
      </Group>
      {q.isError && <Alert color="red" role="alert">{errorMessage(q.error)}</Alert>}
      {q.isSuccess && lines.length === 0 && (
        <Text size="sm" c="gray.7" mb="sm">{kind.quoteLike ? 'No lines yet — add a product from the price book.' : 'No products yet — add one from the catalogue; the amount follows the products.'}</Text>
      )}
      {lines.length > 0 && (
        <div className="list-table-wrap">
          <Table verticalSpacing={4} aria-label={title} className="line-items">
            <Table.Thead>
              <Table.Tr>
                {kind.quoteLike && !locked && <Table.Th><span className="sr-only">Order</span></Table.Th>}
                <Table.Th>Product</Table.Th>
                <Table.Th ta="right">Quantity</Table.Th>
                <Table.Th ta="right">Unit price</Table.Th>
                {kind.quoteLike && <Table.Th ta="right">Discount %</Table.Th>}
                {kind.optional && <Table.Th>Optional</Table.Th>}
                <Table.Th ta="right">Total</Table.Th>
                {!locked && <Table.Th><span className="sr-only">Remove</span></Table.Th>}
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {lines.map((l, i) => (
                <Table.Tr key={l.id} data-line={l.id}
                  data-drop={drag && drag.over === i && drag.from !== i ? (drag.from < i ? 'after' : 'before') : undefined}
                  onDragOver={(e) => {
                    if (!drag) return;
                    e.preventDefault();
                    e.dataTransfer.dropEffect = 'move';
                    if (drag.over !== i) setDrag({ ...drag, over: i });
                  }}
                  onDrop={(e) => {
                    e.preventDefault();
                    if (drag) moveTo(drag.from, i);
                    setDrag(null);
                  }}
                  onKeyDown={(e) => {
                    if (!kind.quoteLike || locked || !e.altKey || (e.key !== 'ArrowUp' && e.key !== 'ArrowDown')) return;
                    e.preventDefault();
                    move(i, e.key === 'ArrowUp' ? -1 : 1);
                  }}>
                  {kind.quoteLike && !locked && (
                    <Table.Td>
                      <Group gap={2} wrap="nowrap">
                        {/* The mouse's way; the arrows beside it are the keyboard's (hence hidden from assistive tech). */}
                        <span className="line-drag" draggable={!busy} aria-hidden="true" title="Drag to reorder" data-drag={l.id}
                          onDragStart={(e) => {
                            e.dataTransfer.setData('text/plain', l.id);
                            e.dataTransfer.effectAllowed = 'move';
                            setDrag({ from: i, over: null });
                          }}
                          onDragEnd={() => setDrag(null)}>⠿</span>
                        <ActionIcon size="sm" variant="subtle" data-move="up" aria-label={`Move ${productName(l)} up`} disabled={i === 0 || busy} onClick={() => move(i, -1)}>↑</ActionIcon>
                        <ActionIcon size="sm" variant="subtle" data-move="down" aria-label={`Move ${productName(l)} down`} disabled={i === lines.length - 1 || busy} onClick={() => move(i, 1)}>↓</ActionIcon>
                      </Group>
                    </Table.Td>
                  )}
                  <Table.Td>{productName(l)}{kind.production && <LineProduction line={l} display={q.data?.display} />}</Table.Td>
                  <Table.Td ta="right">
                    {locked ? String(l.quantity) : (
                      <NumberInput key={`q-${l.id}-${String(l.version)}`} size="xs" w={90} ml="auto" aria-label={`Quantity of ${productName(l)}`} defaultValue={Number(l.quantity)} min={0} hideControls
                        onBlur={(e) => { const v = Number(e.currentTarget.value); if (v !== Number(l.quantity)) void change(l, { quantity: v }); }}
                        onKeyDown={(e) => { if (e.key === 'Enter') (e.currentTarget as HTMLInputElement).blur(); }} />
                    )}
                  </Table.Td>
                  <Table.Td ta="right">
                    <Tooltip label={<span style={{ whiteSpace: 'pre-line' }}>{String(l.price_explanation ?? 'Your own price')}</span>} multiline w={320} withArrow>
                      <Text span size="sm" tabIndex={0} className="line-price">{money(l.unit_price)}</Text>
                    </Tooltip>
                  </Table.Td>
                  {kind.quoteLike && (
                    <Table.Td ta="right">
                      {locked ? (l.discount_percent ?? '—') as string : (
                        <NumberInput key={`d-${l.id}-${String(l.version)}`} size="xs" w={80} ml="auto" aria-label={`Discount % of ${productName(l)}`} defaultValue={(l.discount_percent as number | null) ?? ''} min={0} max={100} hideControls
                          onBlur={(e) => { const raw = e.currentTarget.value; const v = raw === '' ? null : Number(raw); if (v !== (l.discount_percent ?? null)) void change(l, { discount_percent: v }); }}
                          onKeyDown={(e) => { if (e.key === 'Enter') (e.currentTarget as HTMLInputElement).blur(); }} />
                      )}
                    </Table.Td>
                  )}
                  {kind.optional && (
                    <Table.Td>
                      <Checkbox aria-label={`${productName(l)} is optional`} checked={l.optional === true} disabled={locked || busy} onChange={(e) => void change(l, { optional: e.currentTarget.checked })} />
                    </Table.Td>
                  )}
                  <Table.Td ta="right" data-testid="line-total">{money(l.total)}</Table.Td>
                  {!locked && (
                    <Table.Td>
                      <ActionIcon size="sm" variant="subtle" color="red" aria-label={`Remove ${productName(l)}`} disabled={busy} onClick={() => void run('The line was not removed', () => deleteRecord(kind.object, l.id))}>✕</ActionIcon>
                    </Table.Td>
                  )}
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        </div>
      )}
      {!locked && (
        <Group mt="sm" align="flex-end" wrap="wrap" gap="xs">
          <div style={{ flex: '1 1 220px' }}>
            <LookupSelect field={productField} label="Add a product" value={product} onChange={setProduct} />
          </div>
          <NumberInput label="Quantity" w={100} min={0} value={quantity} onChange={setQuantity} />
          <Button onClick={() => void add()} disabled={!product} loading={busy}>Add</Button>
        </Group>
      )}
      {kind.quoteLike && <QuoteTotals record={record} money={money} />}
    </Paper>
  );
}

/** What production needs of an order line: its spec text and team, under the product. */
function LineProduction({ line, display }: { line: RecordData; display: DisplayMap | undefined }) {
  const team = line.team ? display?.production_team?.[String(line.team)] : undefined;
  if (!line.specs && !team) return null;
  return (
    <Text size="xs" c="gray.7" style={{ whiteSpace: 'pre-line' }}>
      {[team && `Team: ${team}`, typeof line.specs === 'string' ? line.specs : null].filter(Boolean).join(' · ')}
    </Text>
  );
}

function QuoteTotals({ record, money }: { record: RecordData; money: (v: unknown) => string }) {
  const row = (label: string, value: unknown, strong = false) => (
    <Group justify="space-between" wrap="nowrap">
      <Text size="sm" fw={strong ? 700 : 400}>{label}</Text>
      <Text size="sm" fw={strong ? 700 : 400} data-testid={strong ? 'quote-total' : undefined}>{money(value)}</Text>
    </Group>
  );
  return (
    <div className="line-totals" aria-live="polite">
      {row('Subtotal', record.subtotal)}
      {typeof record.discount_total === 'number' && record.discount_total !== 0 && row('Discount', record.discount_total)}
      {row(record.tax_inclusive ? 'Included tax' : 'Tax', record.tax_total)}
      {row('Total', record.total, true)}
    </div>
  );
}
