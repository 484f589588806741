import type { DisplayMap, RecordData } from '../../api/types';
import { decimalText } from './money';

/**
 * The price grid's model, without React: its columns, how the keys move the focused cell, the
 * order and filtering of the rows, and the words around them. PriceGrid.tsx renders it.
 */
export type ColumnKey = 'select' | 'product' | 'product_spec' | 'unit_of_measure' | 'currency' | 'min_quantity' | 'unit_price' | 'valid_from' | 'valid_to' | 'active' | 'remove';

/** How a cell is edited: a lookup or a choice (pick from a list), a decimal or a date (type), a toggle (Space/Enter), or not at all. */
export type EditorKind = 'lookup' | 'choice' | 'decimal' | 'date' | 'toggle' | 'control';

export interface Column {
  key: ColumnKey;
  label: string;
  editor: EditorKind;
  /** The cell may be emptied (Delete): the server then uses its default or nothing. */
  clearable?: boolean;
  numeric?: boolean;
}

// The price comes before the currency and dates: in a narrow frame it is in view without scrolling.
const ALL: Column[] = [
  { key: 'select', label: 'Select', editor: 'control' },
  { key: 'product', label: 'Product', editor: 'lookup' },
  { key: 'product_spec', label: 'Spec', editor: 'lookup', clearable: true },
  { key: 'unit_of_measure', label: 'Unit', editor: 'lookup', clearable: true },
  { key: 'min_quantity', label: 'From quantity', editor: 'decimal', numeric: true },
  { key: 'unit_price', label: 'Unit price', editor: 'decimal', numeric: true },
  { key: 'currency', label: 'Currency', editor: 'choice' },
  { key: 'valid_from', label: 'Valid from', editor: 'date', clearable: true },
  { key: 'valid_to', label: 'Valid to', editor: 'date', clearable: true },
  { key: 'active', label: 'Active', editor: 'toggle' },
  { key: 'remove', label: 'Remove', editor: 'control' },
];

/** The grid's columns; a read-only grid has no selection and no remove buttons. */
export function gridColumns(readOnly: boolean): Column[] {
  return readOnly ? ALL.filter((c) => c.editor !== 'control') : ALL;
}

/** Columns whose cells open an editor (Tab after a save goes to the next of these). */
export const isTypedEditor = (c: Column) => c.editor !== 'control' && c.editor !== 'toggle';

export interface Pos {
  row: number;
  col: number;
}

export interface Size {
  rows: number;
  cols: number;
}

const clamp = (n: number, max: number) => Math.max(0, Math.min(n, max));
const PAGE = 10;

/**
 * Where a navigation key moves the focused cell, or null when the key does not navigate: arrows
 * by one, Home/End to the row's ends (with Ctrl: the grid's), PageUp/PageDown by ten rows.
 */
export function navigate(pos: Pos, key: string, size: Size, ctrl = false): Pos | null {
  const last = { row: size.rows - 1, col: size.cols - 1 };
  const to = (row: number, col: number): Pos => ({ row: clamp(row, last.row), col: clamp(col, last.col) });
  switch (key) {
    case 'ArrowUp': return to(pos.row - 1, pos.col);
    case 'ArrowDown': return to(pos.row + 1, pos.col);
    case 'ArrowLeft': return to(pos.row, pos.col - 1);
    case 'ArrowRight': return to(pos.row, pos.col + 1);
    case 'Home': return to(ctrl ? 0 : pos.row, 0);
    case 'End': return to(ctrl ? last.row : pos.row, last.col);
    case 'PageUp': return to(pos.row - PAGE, pos.col);
    case 'PageDown': return to(pos.row + PAGE, pos.col);
    default: return null;
  }
}

/** Where the focus goes after a cell is saved: Enter down (Shift+Enter up), Tab right (Shift+Tab left) over the editable cells, wrapping rows. */
export type Then = 'down' | 'up' | 'right' | 'left' | 'stay';

export function afterSave(pos: Pos, then: Then, size: Size, editable: (col: number) => boolean): Pos {
  if (then === 'down' || then === 'up') return { row: clamp(pos.row + (then === 'down' ? 1 : -1), size.rows - 1), col: pos.col };
  if (then === 'stay') return pos;
  const step = then === 'right' ? 1 : -1;
  let { row, col } = pos;
  for (let i = 0; i < size.rows * size.cols; i++) {
    col += step;
    if (col >= size.cols) { col = 0; row += 1; }
    if (col < 0) { col = size.cols - 1; row -= 1; }
    if (row < 0 || row >= size.rows) return pos;
    if (editable(col)) return { row, col };
  }
  return pos;
}

/** What a key pressed on a focused (not editing) cell asks: edit it, start typing into it, empty it. */
export function cellIntent(e: { key: string; ctrlKey?: boolean; metaKey?: boolean; altKey?: boolean }): 'edit' | 'type' | 'clear' | null {
  if (e.key === 'Enter' || e.key === 'F2') return 'edit';
  if (e.key === 'Delete' || e.key === 'Backspace') return 'clear';
  if (e.key.length === 1 && e.key !== ' ' && !e.ctrlKey && !e.metaKey && !e.altKey) return 'type';
  return null;
}

/** One cell of a pasted block and its text. */
export interface PastedCell extends Pos {
  text: string;
}

/**
 * The cells a pasted block fills from the focused cell: lines go down the rows, tabs across the
 * columns (as spreadsheets copy a range); what would fall outside the grid is left out.
 */
export function pasteTargets(text: string, from: Pos, size: Size): PastedCell[] {
  const lines = text.replace(/\r\n?/g, '\n').replace(/\n$/, '').split('\n');
  return lines.flatMap((line, i) => line.split('\t').map((cell, j) => ({ row: from.row + i, col: from.col + j, text: cell.trim() })))
    .filter((c) => c.row < size.rows && c.col < size.cols);
}

/** An entry with the names it is shown, sorted and searched by. */
export interface EntryRow {
  record: RecordData;
  product: string;
  spec: string;
  unit: string;
  /** "Generator 20 kW / Large, per Each from 10": names the row for screen readers and messages. */
  label: string;
}

const collator = new Intl.Collator(undefined, { sensitivity: 'base', numeric: true });
const nameOf = (display: DisplayMap, object: string, id: unknown) => (typeof id === 'string' && id ? display[object]?.[id] ?? '' : '');
const quantity = (r: RecordData) => (typeof r.min_quantity === 'number' ? r.min_quantity : 0);

/** The book's entries by product name, then spec (none first), unit, from-quantity and start date. */
export function entryRows(records: RecordData[], display: DisplayMap): EntryRow[] {
  const rows = records.map((record) => {
    const product = nameOf(display, 'product', record.product) || String(record.name ?? '');
    const spec = nameOf(display, 'product_spec', record.product_spec);
    const unit = nameOf(display, 'unit_of_measure', record.unit_of_measure);
    const from = quantity(record) ? ` from ${decimalText(quantity(record))}` : '';
    return { record, product, spec, unit, label: `${product}${spec ? ` / ${spec}` : ''}${unit ? `, per ${unit}` : ''}${from}` };
  });
  return rows.sort((a, b) =>
    collator.compare(a.product, b.product) || collator.compare(a.spec, b.spec) || collator.compare(a.unit, b.unit) ||
    quantity(a.record) - quantity(b.record) || String(a.record.valid_from ?? '').localeCompare(String(b.record.valid_from ?? '')));
}

/** Whether a row matches the search box: every word in its product, spec or entry name (which holds the product code). */
export function matchesSearch(row: EntryRow, search: string): boolean {
  const words = search.toLocaleLowerCase().split(/\s+/).filter(Boolean);
  const text = `${row.product} ${row.spec} ${String(row.record.name ?? '')}`.toLocaleLowerCase();
  return words.every((w) => text.includes(w));
}

/** "42 entries", "1 entry", or "3 of 42 entries" while searching. */
export function countText(shown: number, total: number): string {
  const noun = (n: number) => (n === 1 ? 'entry' : 'entries');
  return shown === total ? `${total} ${noun(total)}` : `${shown} of ${total} ${noun(total)}`;
}
