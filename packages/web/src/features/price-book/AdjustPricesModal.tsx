import { useState } from 'react';
import { Alert, Button, Group, List, Modal, Progress, Stack, Table, Text, TextInput } from '@mantine/core';
import { ApiError, errorMessage } from '../../api/client';
import { updateRecord } from '../../api/records';
import { formatCurrency, localeSettings } from '../../lib/format';
import { ENTRY, refusalOf, useEntriesCache } from './entries';
import type { EntryRow } from './grid';
import { adjustByPercent, isNegative, parseDecimalInput, type RoundingMode } from './money';

interface Props {
  opened: boolean;
  rows: EntryRow[];
  bookId: string;
  bookCurrency: string;
  places: (currency: string) => number;
  rounding: RoundingMode;
  labels: Record<string, string>;
  onClose: (changed: boolean) => void;
  onDenied: (message: string) => void;
}

interface Change {
  row: EntryRow;
  from: number;
  to: string;
}

type Run = { done: number; total: number; changed: number; refused: Array<{ label: string; message: string }> };

const ROUNDING_WORDS: Record<RoundingMode, string> = { half_up: 'halves away from zero', half_even: 'halves to even' };

/**
 * "Adjust prices…" for the selected entries: a percentage (+5, −3.5), a preview of the new prices
 * rounded to each currency's minor unit with the organisation's rounding, then one PATCH per entry
 * (with its version) under a progress bar, and which entries were refused and why.
 */
export function AdjustPricesModal({ opened, rows, bookId, bookCurrency, places, rounding, labels, onClose, onDenied }: Props) {
  const cache = useEntriesCache(bookId);
  const [percent, setPercent] = useState('');
  const [run, setRun] = useState<Run | null>(null);
  const currencyOf = (row: EntryRow) => (typeof row.record.currency === 'string' ? row.record.currency : bookCurrency);
  const parsed = parseDecimalInput(percent.replace('%', ''), localeSettings().locale);
  const changes: Change[] = parsed === null ? [] : rows.flatMap((row) => {
    const from = row.record.unit_price;
    const to = typeof from === 'number' ? adjustByPercent(from, parsed, places(currencyOf(row)), rounding) : null;
    return to === null ? [] : [{ row, from: from as number, to }];
  });
  const negative = changes.some((c) => isNegative(c.to));
  const running = run !== null && run.done < run.total;
  const finished = run !== null && run.done === run.total;

  const apply = async () => {
    const state: Run = { done: 0, total: changes.length, changed: 0, refused: [] };
    setRun({ ...state });
    for (const change of changes) {
      try {
        cache.put(await updateRecord(ENTRY, change.row.record.id, { unit_price: change.to }, change.row.record.version));
        state.changed += 1;
      } catch (e) {
        if (e instanceof ApiError && e.status === 403) {
          onDenied(e.message);
          state.refused.push({ label: change.row.label, message: e.message });
          state.done = state.total;
          break;
        }
        const refusal = refusalOf(e, 'unit_price', labels);
        const message = refusal.kind === 'conflict' ? 'Someone else changed it meanwhile: not adjusted (the grid shows their price).'
          : refusal.kind === 'gone' ? 'It was removed meanwhile.' : refusal.kind === 'invalid' ? refusal.message : errorMessage(e);
        state.refused.push({ label: change.row.label, message });
      }
      state.done += 1;
      setRun({ ...state, refused: [...state.refused] });
    }
    setRun({ ...state, done: state.total, refused: [...state.refused] });
    if (state.refused.length) void cache.reload();
  };

  const close = () => {
    if (running) return;
    const changed = (run?.changed ?? 0) > 0;
    setRun(null);
    setPercent('');
    onClose(changed);
  };
  const money = (amount: number | string, row: EntryRow) => formatCurrency(Number(amount), currencyOf(row));
  const currencies = [...new Set(rows.map(currencyOf))];

  return (
    <Modal opened={opened} onClose={close} title="Adjust prices" size="lg" closeOnEscape={!running} closeOnClickOutside={!running} withCloseButton={!running}>
      <Stack>
        {!run && (
          <>
            <TextInput label="Change by (%)" description="5 raises the prices by 5 %, -3.5 lowers them by 3.5 %." value={percent} onChange={(e) => setPercent(e.currentTarget.value)}
              error={percent.trim() && parsed === null ? 'Type a percentage, e.g. 5 or -3.5' : negative ? 'A price cannot fall below zero' : undefined} inputMode="decimal" data-autofocus
              onKeyDown={(e) => { if (e.key === 'Enter' && changes.length && !negative) void apply(); }} />
            <Text size="sm">
              {rows.length} {rows.length === 1 ? 'price' : 'prices'}; new prices are rounded to {currencies.map((c) => `${places(c)} decimal${places(c) === 1 ? '' : 's'} in ${c}`).join(', ')} ({ROUNDING_WORDS[rounding]}).
            </Text>
            {changes.length > 0 && (
              <div className="list-table-wrap">
                <Table verticalSpacing={2} aria-label="New prices">
                  <Table.Thead><Table.Tr><Table.Th>Entry</Table.Th><Table.Th ta="right">Now</Table.Th><Table.Th ta="right">New</Table.Th></Table.Tr></Table.Thead>
                  <Table.Tbody>
                    {changes.slice(0, 8).map((c) => (
                      <Table.Tr key={c.row.record.id}><Table.Td>{c.row.label}</Table.Td><Table.Td ta="right">{money(c.from, c.row)}</Table.Td><Table.Td ta="right">{money(c.to, c.row)}</Table.Td></Table.Tr>
                    ))}
                  </Table.Tbody>
                </Table>
                {changes.length > 8 && <Text size="sm" c="gray.7">… and {changes.length - 8} more.</Text>}
              </div>
            )}
            <Group justify="flex-end">
              <Button variant="default" onClick={close}>Cancel</Button>
              <Button onClick={() => void apply()} disabled={!changes.length || negative}>Adjust {changes.length || ''} {changes.length === 1 ? 'price' : 'prices'}</Button>
            </Group>
          </>
        )}
        {run && (
          <>
            <Progress value={run.total ? (100 * run.done) / run.total : 100} aria-label="Adjusting prices" />
            <Text size="sm" aria-live="polite">{finished ? `Adjusted ${run.changed} of ${run.total} ${run.total === 1 ? 'price' : 'prices'}.` : `Adjusting… ${run.done} of ${run.total}`}</Text>
            {finished && run.refused.length > 0 && (
              <Alert color="orange" role="alert" title={`${run.refused.length} ${run.refused.length === 1 ? 'price was' : 'prices were'} not changed`}>
                <List size="sm">{run.refused.map((r) => <List.Item key={r.label}>{r.label}: {r.message}</List.Item>)}</List>
              </Alert>
            )}
            <Group justify="flex-end"><Button onClick={close} disabled={running}>Done</Button></Group>
          </>
        )}
      </Stack>
    </Modal>
  );
}
