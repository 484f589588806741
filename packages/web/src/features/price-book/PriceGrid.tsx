import { useEffect, useLayoutEffect, useRef, useState, type KeyboardEvent, type ReactNode } from 'react';
import { ActionIcon, Checkbox, Table, Text } from '@mantine/core';
import type { DisplayMap, FieldDef } from '../../api/types';
import { localeSettings } from '../../lib/format';
import { CellEditor } from './CellEditor';
import { cellKey, cellText, copyText, pastedValue } from './cells';
import { afterSave, cellIntent, isTypedEditor, navigate, pasteTargets, type Column, type EntryRow, type Pos, type Then } from './grid';
import type { useEntryWrites } from './useEntryWrites';

interface Props {
  rows: EntryRow[];
  columns: Column[];
  display: DisplayMap;
  fields: Record<string, FieldDef | undefined>;
  bookName: string;
  bookCurrency: string;
  readOnly: boolean;
  places: (currency: string) => number;
  selected: ReadonlySet<string>;
  onSelect: (id: string, on: boolean) => void;
  writes: ReturnType<typeof useEntryWrites>;
  /** A just-added entry: marked, and scrolled to. */
  added: string | null;
}

type Active = { id: string; col: Column['key'] };

/**
 * The book's entries as a spreadsheet-like grid (WAI-ARIA grid): one tab stop, arrows move the
 * focused cell, Enter/F2 or typing edits it, Delete empties an optional cell, Space toggles the
 * checkboxes, Ctrl+Z brings back the last removed entry. Clicking a focused cell (or double-clicking
 * any) edits it. Writes are useEntryWrites'; errors stay at their cell.
 */
export function PriceGrid({ rows, columns, display, fields, bookName, bookCurrency, readOnly, places, selected, onSelect, writes, added }: Props) {
  const tableRef = useRef<HTMLTableElement>(null);
  const [active, setActive] = useState<Active | null>(null);
  const [editing, setEditing] = useState<(Active & { typed?: string }) | null>(null);
  // Where the focus goes after the next render: a cell moved to, or after a save (the row may have moved in the order).
  const [pending, setPending] = useState<(Active & { then: Then }) | null>(null);
  const focusWanted = useRef(false);
  const lastRow = useRef(0);
  const wasActive = useRef(false);

  const size = { rows: rows.length, cols: columns.length };
  const colOf = (key: Column['key']) => columns.findIndex((c) => c.key === key);
  const found = active ? rows.findIndex((r) => r.record.id === active.id) : -1;
  const pos: Pos = {
    row: found >= 0 ? found : Math.min(lastRow.current, Math.max(rows.length - 1, 0)),
    col: Math.max(active ? colOf(active.col) : colOf('product'), 0),
  };
  if (found >= 0) lastRow.current = found;
  const editable = (c: number) => !readOnly && isTypedEditor(columns[c]!);
  const moveTo = (p: Pos) => {
    const row = rows[p.row];
    if (!row) return;
    setActive({ id: row.record.id, col: columns[p.col]!.key });
    focusWanted.current = true;
  };

  useLayoutEffect(() => {
    if (pending) {
      const r = rows.findIndex((x) => x.record.id === pending.id);
      setPending(null);
      if (r >= 0) moveTo(afterSave({ row: r, col: colOf(pending.col) }, pending.then, size, editable));
      return;
    }
    if (!focusWanted.current || editing) return;
    focusWanted.current = false;
    const row = rows[pos.row];
    const target = row && tableRef.current?.querySelector<HTMLElement>(`[data-cell="${CSS.escape(cellKey(row.record.id, columns[pos.col]!.key))}"]`);
    target?.focus();
    target?.scrollIntoView?.({ block: 'nearest', inline: 'nearest' });
  });

  // A new entry is scrolled into view where the order puts it (the focus stays in the add form).
  useEffect(() => {
    if (added) tableRef.current?.querySelector(`[data-entry="${CSS.escape(added)}"]`)?.scrollIntoView?.({ block: 'nearest' });
  }, [added, rows.length]);

  const open = (row: EntryRow, column: Column, typed?: string) => {
    if (readOnly || !isTypedEditor(column) || !fields[column.key]) return;
    setActive({ id: row.record.id, col: column.key });
    setEditing({ id: row.record.id, col: column.key, typed });
  };
  const close = (refocus: boolean) => {
    setEditing(null);
    if (refocus) focusWanted.current = true;
  };
  const commit = async (row: EntryRow, column: Column, value: unknown, then: () => Then | null) => {
    const outcome = await writes.save(row, column, value);
    if (outcome === 'refused') return false;
    const how = outcome === 'saved' ? then() : 'stay';
    // A save on leaving the cell may end after another cell's editor opened: that one stays.
    setEditing((e) => (e?.id === row.record.id && e.col === column.key ? null : e));
    if (how) setPending({ id: row.record.id, col: column.key, then: how });
    return true;
  };

  const onKeyDown = (e: KeyboardEvent) => {
    if ((e.target as HTMLElement).closest('[data-editor]') || !rows.length) return;
    if ((e.ctrlKey || e.metaKey) && e.key.toLowerCase() === 'z' && !readOnly) {
      e.preventDefault();
      writes.undoLastRemoval();
      return;
    }
    const to = navigate(pos, e.key, size, e.ctrlKey || e.metaKey);
    if (to) {
      e.preventDefault();
      moveTo(to);
      return;
    }
    const row = rows[pos.row]!;
    const column = columns[pos.col]!;
    if (column.editor === 'control' || readOnly) return;
    if (column.editor === 'toggle') {
      if (e.key === 'Enter') {
        e.preventDefault();
        void writes.save(row, column, row.record.active === false);
      }
      return;
    }
    if (e.key === ' ') e.preventDefault();
    const intent = cellIntent(e);
    if (intent === 'edit' || intent === 'type') {
      e.preventDefault();
      open(row, column, intent === 'type' ? e.key : undefined);
    } else if (intent === 'clear' && column.clearable) {
      e.preventDefault();
      void writes.save(row, column, null);
    }
  };

  // Ctrl+C copies the focused cell as plain text; Ctrl+V fills cells from it down and across, as a
  // spreadsheet's range does (prices, quantities, dates, currency, active; not the lookups).
  const onCopy = (e: React.ClipboardEvent) => {
    const row = rows[pos.row];
    if (!row || (e.target as HTMLElement).closest('[data-editor]')) return;
    const column = columns[pos.col]!;
    e.preventDefault();
    e.clipboardData.setData('text/plain', copyText(column, row, bookCurrency, places(typeof row.record.currency === 'string' ? row.record.currency : bookCurrency)));
  };
  const onPaste = (e: React.ClipboardEvent) => {
    if (readOnly || editing || !rows.length || (e.target as HTMLElement).closest('[data-editor]')) return;
    e.preventDefault();
    const cells: Array<{ row: EntryRow; column: Column; value: unknown }> = [];
    let invalid = 0;
    for (const target of pasteTargets(e.clipboardData.getData('text/plain'), pos, size)) {
      const row = rows[target.row]!;
      const column = columns[target.col]!;
      const v = pastedValue(column, target.text, localeSettings().locale);
      if (v === 'skip') continue;
      if (v === 'invalid') {
        invalid += 1;
        writes.setError(cellKey(row.record.id, column.key), `“${target.text.slice(0, 40)}” does not fit ${column.label.toLowerCase()}`);
      } else cells.push({ row, column, value: v.value });
    }
    if (cells.length || invalid) void writes.paste(cells, invalid);
  };

  // Focus that arrives by mouse or by an editor makes that cell the current one.
  const onFocus = (e: React.FocusEvent) => {
    const [id, col] = ((e.target as HTMLElement).closest('[data-cell]')?.getAttribute('data-cell') ?? '').split('|');
    if (id && col && (active?.id !== id || active.col !== col)) setActive({ id, col: col as Column['key'] });
  };

  const cell = (row: EntryRow, column: Column, r: number, c: number): ReactNode => {
    const key = cellKey(row.record.id, column.key);
    const isActive = r === pos.row && c === pos.col;
    const tabIndex = isActive ? 0 : -1;
    const error = writes.errors[key];
    const errorId = error ? `price-error-${r}-${c}` : undefined;
    const isEditing = editing?.id === row.record.id && editing.col === column.key;
    if (column.key === 'select' || column.key === 'remove' || (column.key === 'active' && !readOnly)) {
      const control = column.key === 'select' ? (
        <Checkbox aria-label={`Select ${row.label}`} data-cell={key} tabIndex={tabIndex} checked={selected.has(row.record.id)} onChange={(e) => onSelect(row.record.id, e.currentTarget.checked)} />
      ) : column.key === 'remove' ? (
        <ActionIcon variant="subtle" color="red" size="sm" aria-label={`Remove ${row.label}`} data-cell={key} tabIndex={tabIndex} onClick={() => { focusWanted.current = true; void writes.remove(row); }}>✕</ActionIcon>
      ) : (
        <Checkbox aria-label={`${row.label} is active`} aria-describedby={errorId} data-cell={key} tabIndex={tabIndex} checked={row.record.active !== false}
          onChange={(e) => void writes.save(row, column, e.currentTarget.checked)} />
      );
      return (
        <Table.Td key={column.key} role="gridcell" data-col={column.key}>
          {control}
          {error && <Text id={errorId} size="xs" c="red.8" role="alert">{error}</Text>}
        </Table.Td>
      );
    }
    const text = cellText(column, row, bookCurrency);
    return (
      <Table.Td key={column.key} role="gridcell" data-col={column.key} data-cell={key} tabIndex={tabIndex} ta={column.numeric ? 'right' : undefined}
        aria-describedby={isEditing ? undefined : errorId} aria-invalid={error && !isEditing ? true : undefined}
        data-editing={isEditing || undefined}
        onMouseDown={() => { wasActive.current = isActive; }}
        onClick={() => { if (wasActive.current && !isEditing) open(row, column); }}
        onDoubleClick={() => { if (!isEditing) open(row, column); }}>
        {isEditing ? (
          <CellEditor row={row} column={column} field={fields[column.key]!} display={display} typed={editing.typed}
            places={places(typeof row.record.currency === 'string' ? row.record.currency : bookCurrency)}
            error={error} saving={writes.saving === key}
            onCommit={(value, then) => commit(row, column, value, then)}
            onCancel={() => { writes.setError(key, null); close(true); }} />
        ) : (
          <>
            {text ? <span className="price-cell-text">{text}</span> : <><span aria-hidden="true" className="price-cell-empty">—</span><span className="sr-only">empty</span></>}
            {error && <Text id={errorId} size="xs" c="red.8" role="alert">{error}</Text>}
          </>
        )}
      </Table.Td>
    );
  };

  return (
    <>
      <Text id="price-grid-keys" size="xs" c="gray.7" mb={4} visibleFrom="sm">
        {readOnly ? 'Arrows move between the cells.' : 'Arrows move · Enter, F2 or typing edits · Enter saves and goes down, Tab right · Esc cancels · Delete empties · Ctrl+C/Ctrl+V copy and paste from a spreadsheet · Ctrl+Z undoes a removal'}
      </Text>
      <div className="list-table-wrap price-grid-wrap">
        <Table className="price-grid" role="grid" aria-label={`Prices of ${bookName}`} aria-describedby="price-grid-keys" aria-readonly={readOnly || undefined} data-selectable={!readOnly || undefined} verticalSpacing={4} ref={tableRef}>
          <Table.Thead>
            <Table.Tr>
              {columns.map((c) => (
                <Table.Th key={c.key} data-col={c.key} ta={c.numeric ? 'right' : undefined}>
                  {c.editor === 'control' ? <span className="sr-only">{c.label}</span> : c.label}
                </Table.Th>
              ))}
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody onKeyDown={onKeyDown} onFocus={onFocus} onCopy={onCopy} onPaste={onPaste}>
            {rows.map((row, r) => (
              <Table.Tr key={row.record.id} data-entry={row.record.id} data-inactive={row.record.active === false || undefined} data-added={row.record.id === added || undefined}>
                {columns.map((column, c) => cell(row, column, r, c))}
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      </div>
    </>
  );
}
