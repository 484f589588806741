import { useMemo, useState } from 'react';
import { Alert, Button, Checkbox, Group, Paper, Text, TextInput, Title } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { minorUnitsOf, useBillingSettings } from '../../api/billing';
import { errorMessage } from '../../api/client';
import { useMetadata } from '../../api/metadata';
import type { RecordData } from '../../api/types';
import type { RecordSlotProps } from '../../lib/extensions';
import { recordCurrency } from '../../lib/format';
import { AddEntryForm } from './AddEntryForm';
import { AdjustPricesModal } from './AdjustPricesModal';
import { ENTRY, entriesKey, fetchEntries, fetchEntry, useEntriesCache } from './entries';
import { countText, entryRows, gridColumns, matchesSearch } from './grid';
import { PriceGrid } from './PriceGrid';
import { useEntryWrites } from './useEntryWrites';
import './price-book.css';

/**
 * A price book's prices as a grid on its page (issue 11 item 12): search, a count, cells edited
 * like a spreadsheet, an add row, removal with undo and a percentage change of the selected prices.
 * When the server refuses a change for lack of permission the grid turns read-only and says why.
 */
export function PriceBookPanel({ record, id, name }: RecordSlotProps) {
  const { byName } = useMetadata();
  const entryDef = byName(ENTRY);
  const q = useQuery({ queryKey: entriesKey(id), queryFn: ({ signal }) => fetchEntries(id, signal) });
  const settings = useBillingSettings();
  const cache = useEntriesCache(id);
  const [search, setSearch] = useState('');
  const [selected, setSelected] = useState<ReadonlySet<string>>(new Set());
  const [denied, setDenied] = useState<string | null>(null);
  const [adjusting, setAdjusting] = useState(false);
  const [added, setAdded] = useState<string | null>(null);

  const currency = recordCurrency(record);
  const fields = useMemo(() => Object.fromEntries((entryDef?.fields ?? []).map((f) => [f.apiName, f])), [entryDef]);
  const columns = gridColumns(denied !== null);
  const labels = useMemo(() => ({ ...Object.fromEntries((entryDef?.fields ?? []).map((f) => [f.apiName, f.label])), ...Object.fromEntries(gridColumns(false).map((c) => [c.key, c.label])) }), [entryDef]);
  const writes = useEntryWrites(id, labels, setDenied);
  const rows = useMemo(() => entryRows(q.data?.records ?? [], q.data?.display ?? {}), [q.data]);
  const shown = useMemo(() => rows.filter((r) => matchesSearch(r, search)), [rows, search]);
  const chosen = rows.filter((r) => selected.has(r.record.id));
  const places = (c: string) => minorUnitsOf(c, settings.data);
  const allShown = shown.length > 0 && shown.every((r) => selected.has(r.record.id));

  const select = (ids: string[], on: boolean) =>
    setSelected((old) => {
      const next = new Set(old);
      for (const i of ids) if (on) next.add(i); else next.delete(i);
      return next;
    });
  const onAdded = async (created: RecordData) => {
    const fresh = await fetchEntry(created.id).catch(() => ({ record: created, display: {} }));
    cache.put(fresh.record, fresh.display);
    setAdded(created.id);
  };
  if (!entryDef) return null;

  return (
    <Paper withBorder p="md" component="section" aria-labelledby="price-grid-title" className="price-book">
      <Group justify="space-between" align="flex-end" mb="xs" wrap="wrap" gap="xs">
        <div>
          <Title order={2} size="h4" id="price-grid-title">Prices</Title>
          <Text size="sm" c="gray.7">In {currency}{record.tax_inclusive === true ? ', tax included' : ', before tax'} · <span aria-live="polite" data-testid="price-count">{q.isSuccess ? countText(shown.length, rows.length) : 'Loading…'}</span></Text>
        </div>
        <Group gap="xs" wrap="wrap" align="flex-end">
          <TextInput aria-label="Search prices" placeholder="Product, spec or code" value={search} onChange={(e) => setSearch(e.currentTarget.value)} w={220} type="search" />
          {!denied && (
            <>
              <Checkbox label="Select all shown" checked={allShown} indeterminate={!allShown && shown.some((r) => selected.has(r.record.id))} disabled={!shown.length}
                onChange={(e) => select(shown.map((r) => r.record.id), e.currentTarget.checked)} mb={8} />
              <Button variant="default" disabled={!chosen.length} onClick={() => setAdjusting(true)}>
                {chosen.length ? `Adjust ${chosen.length} ${chosen.length === 1 ? 'price' : 'prices'}…` : 'Adjust prices…'}
              </Button>
            </>
          )}
        </Group>
      </Group>
      {denied && <Alert color="yellow" mb="sm" role="status" title="You can see these prices but not change them">{denied}</Alert>}
      {q.isError && <Alert color="red" role="alert">{errorMessage(q.error)}</Alert>}
      {q.isSuccess && rows.length === 0 && <Text size="sm" c="gray.7" mb="sm">No prices yet — add the first product below.</Text>}
      {q.isSuccess && rows.length > 0 && shown.length === 0 && <Text size="sm" c="gray.7" mb="sm">No entries match “{search}”.</Text>}
      {shown.length > 0 && (
        <PriceGrid rows={shown} columns={columns} display={q.data?.display ?? {}} fields={fields} bookName={name} bookCurrency={currency} readOnly={denied !== null}
          places={places} selected={selected} onSelect={(i, on) => select([i], on)} writes={writes} added={added} />
      )}
      {!denied && q.isSuccess && <AddEntryForm bookId={id} currency={currency} fields={fields} onAdded={onAdded} onDenied={setDenied} />}
      <AdjustPricesModal opened={adjusting} rows={chosen} bookId={id} bookCurrency={currency} places={places} rounding={settings.data?.rounding.mode === 'half_even' ? 'half_even' : 'half_up'} labels={labels}
        onDenied={setDenied} onClose={(changed) => { setAdjusting(false); if (changed) setSelected(new Set()); }} />
    </Paper>
  );
}
