import { useRef, useState } from 'react';
import { Button, Group, Text } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { errorMessage } from '../../api/client';
import { deleteRecord, restoreRecord, updateRecord } from '../../api/records';
import { cellKey } from './cells';
import { CONFLICT_MESSAGE, ENTRY, fetchEntry, refusalOf, useEntriesCache } from './entries';
import type { Column, EntryRow } from './grid';

/** How a save ended: the grid closes the editor only when it is 'saved'. */
export type SaveOutcome = 'saved' | 'refused' | 'denied' | 'gone';

const same = (value: unknown, before: unknown) =>
  (value ?? null) === (before ?? null) || (typeof before === 'number' && typeof value === 'string' && value.trim() !== '' && Number(value) === before);

/**
 * The grid's writes: one PATCH per cell with the entry's version, the server's reason kept at the
 * cell, someone else's newer version loaded into the row (409), a refusal for lack of permission
 * passed on (403) so the grid turns read-only; and removing with an undo that restores the entry.
 */
export function useEntryWrites(bookId: string, labels: Record<string, string>, onDenied: (message: string) => void) {
  const cache = useEntriesCache(bookId);
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [saving, setSaving] = useState<string | null>(null);
  const lastRemoved = useRef<EntryRow | null>(null);
  const setError = (key: string, message: string | null) =>
    setErrors((old) => {
      const { [key]: _gone, ...rest } = old;
      return message === null ? rest : { ...rest, [key]: message };
    });

  const save = async (row: EntryRow, column: Column, value: unknown): Promise<SaveOutcome> => {
    const key = cellKey(row.record.id, column.key);
    const current = cache.get(row.record.id) ?? row.record;
    if (same(value, current[column.key])) {
      setError(key, null);
      return 'saved';
    }
    setSaving(key);
    try {
      const saved = await updateRecord(ENTRY, row.record.id, { [column.key]: value }, current.version);
      // A new product, spec or unit needs its name: the entry is read back with them.
      if (column.editor === 'lookup') {
        const fresh = await fetchEntry(saved.id);
        cache.put(fresh.record, fresh.display);
      } else cache.put(saved);
      setError(key, null);
      return 'saved';
    } catch (e) {
      const refusal = refusalOf(e, column.key, labels);
      if (refusal.kind === 'denied') {
        onDenied(refusal.message);
        return 'denied';
      }
      if (refusal.kind === 'gone') {
        cache.drop(row.record.id);
        notifications.show({ color: 'orange', message: `${row.label} was removed by someone else.` });
        return 'gone';
      }
      if (refusal.kind === 'conflict') {
        const fresh = await fetchEntry(row.record.id).catch(() => null);
        if (fresh) cache.put(fresh.record, fresh.display);
        setError(key, CONFLICT_MESSAGE);
      } else setError(key, refusal.message);
      return 'refused';
    } finally {
      setSaving(null);
    }
  };

  const undo = async (row: EntryRow) => {
    notifications.hide(`removed-${row.record.id}`);
    if (lastRemoved.current?.record.id === row.record.id) lastRemoved.current = null;
    try {
      await restoreRecord(ENTRY, row.record.id);
      await cache.reload();
      notifications.show({ color: 'green', message: `${row.label} is back.` });
    } catch (e) {
      notifications.show({ color: 'red', title: 'The entry was not restored', message: errorMessage(e) });
    }
  };

  const remove = async (row: EntryRow): Promise<boolean> => {
    try {
      await deleteRecord(ENTRY, row.record.id);
    } catch (e) {
      const refusal = refusalOf(e, '', labels);
      if (refusal.kind === 'denied') onDenied(refusal.message);
      else notifications.show({ color: 'red', title: 'The entry was not removed', message: refusal.kind === 'invalid' ? refusal.message : errorMessage(e) });
      return false;
    }
    cache.drop(row.record.id);
    lastRemoved.current = row;
    notifications.show({
      id: `removed-${row.record.id}`,
      autoClose: 10_000,
      message: (
        <Group gap="xs" wrap="nowrap">
          <Text size="sm">{row.label} removed.</Text>
          <Button size="compact-xs" variant="light" onClick={() => void undo(row)}>Undo</Button>
        </Group>
      ),
    });
    return true;
  };

  /** Cells pasted from a spreadsheet: saved one after the other; each refusal stays at its cell. */
  const paste = async (cells: Array<{ row: EntryRow; column: Column; value: unknown }>, invalid: number) => {
    let refused = invalid;
    for (const c of cells) {
      const outcome = await save(c.row, c.column, c.value);
      if (outcome === 'denied') return;
      if (outcome !== 'saved') refused += 1;
    }
    const total = cells.length + invalid;
    notifications.show({
      color: refused ? 'orange' : 'green',
      message: refused ? `Pasted ${total - refused} of ${total} cells; the others are marked with the reason.` : `Pasted ${total} ${total === 1 ? 'cell' : 'cells'}.`,
    });
  };

  /** Ctrl+Z in the grid: the last removal comes back. */
  const undoLastRemoval = () => {
    if (lastRemoved.current) void undo(lastRemoved.current);
  };

  return { errors, saving, save, paste, remove, undoLastRemoval, setError };
}
