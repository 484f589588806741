import { useEffect, useRef, useState, type KeyboardEvent } from 'react';
import { Loader, Select, TextInput } from '@mantine/core';
import { activeValues } from '../../api/metadata';
import type { DisplayMap, FieldDef } from '../../api/types';
import { LookupSelect } from '../../components/LookupSelect';
import { localeSettings } from '../../lib/format';
import type { Column, EntryRow, Then } from './grid';
import { fixedText, parseDecimalInput } from './money';

export interface EditorProps {
  row: EntryRow;
  column: Column;
  field: FieldDef;
  display: DisplayMap;
  /** A character typed on the cell to open it: it replaces the value (or starts the search). */
  typed?: string;
  /** Decimals of the entry's currency, to show a price as 8400.00. */
  places: number;
  error?: string;
  saving: boolean;
  /** Saves the value; `then()` (asked once the save is done) says where the focus goes, null: nowhere. */
  onCommit: (value: unknown, then: () => Then | null) => Promise<boolean>;
  onCancel: () => void;
}

const initialText = (column: Column, value: unknown, typed: string | undefined, places: number) => {
  if (typed !== undefined && column.editor !== 'date') return typed;
  if (value === null || value === undefined) return '';
  if (column.key === 'unit_price' && typeof value === 'number') return fixedText(value, places);
  return typeof value === 'number' ? fixedText(value, 0) : String(value);
};

/**
 * The editor of one grid cell, keyed like a spreadsheet: Enter saves and goes down (Shift+Enter
 * up), Tab saves and goes right (Shift+Tab left), Escape cancels, leaving the cell saves. A pick
 * from a list saves at once. The editor stays open while the server refuses, with its reason.
 */
export function CellEditor({ row, column, field, display, typed, places, error, saving, onCommit, onCancel }: EditorProps) {
  const original = row.record[column.key];
  const [text, setText] = useState(() => initialText(column, original, typed, places));
  const [choice, setChoice] = useState<string | null>(typeof original === 'string' ? original : null);
  const [search, setSearch] = useState('');
  // A list opens empty, or with the typed character, once the select has put the current name in it.
  useEffect(() => {
    if (column.editor === 'choice') setSearch(typed ?? '');
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, []);
  const [typo, setTypo] = useState<string | null>(null);
  // Enter, Tab and Escape settle the editor: the blur that follows does not save again.
  const settled = useRef(false);
  const inflight = useRef<Promise<boolean> | null>(null);
  const then = useRef<Then | null>(null);

  const picks = column.editor === 'lookup' || column.editor === 'choice';
  const value = (): { ok: true; value: unknown } | { ok: false } => {
    if (picks) return { ok: true, value: choice };
    if (column.editor === 'date' || !text.trim()) return { ok: true, value: text.trim() || null };
    const decimal = parseDecimalInput(text, localeSettings().locale);
    if (decimal === null) {
      setTypo('Type a number, e.g. 12.50');
      return { ok: false };
    }
    return { ok: true, value: decimal };
  };

  const commit = (how: Then | null, picked?: { value: unknown }) => {
    settled.current = true;
    // A pick already saving (Enter chose the option, then reached here): only where to go changes.
    if (how) then.current = how;
    if (inflight.current) return;
    const read = picked ? { ok: true as const, value: picked.value } : value();
    if (!read.ok) {
      settled.current = false;
      return;
    }
    setTypo(null);
    then.current = how;
    inflight.current = onCommit(read.value, () => then.current).then((ok) => {
      inflight.current = null;
      if (!ok) settled.current = false;
      return ok;
    });
  };

  const onKeyDown = (e: KeyboardEvent) => {
    if (e.key === 'Escape') {
      e.preventDefault();
      e.stopPropagation();
      settled.current = true;
      onCancel();
    } else if (e.key === 'Enter' && !e.nativeEvent.isComposing) {
      e.preventDefault();
      if (picks && !inflight.current) pickFirstMatch(e.target as HTMLElement);
      commit(e.shiftKey ? 'up' : 'down');
    } else if (e.key === 'Tab') {
      e.preventDefault();
      commit(e.shiftKey ? 'left' : 'right');
    }
  };
  // Typed and Enter before the list highlighted a match (a fast typist): the first match is the pick.
  const currentName = column.key === 'product' ? row.product : column.key === 'product_spec' ? row.spec : column.key === 'unit_of_measure' ? row.unit : String(original ?? '');
  const pickFirstMatch = (target: HTMLElement) => {
    const typedText = target instanceof HTMLInputElement ? target.value.trim() : '';
    const list = target.getAttribute('aria-controls');
    if (!typedText || typedText === currentName || !list) return;
    document.getElementById(list)?.querySelector<HTMLElement>('[data-combobox-option]:not([data-combobox-disabled])')?.click();
  };
  const onBlur = () => {
    if (!settled.current) commit(null);
  };

  const label = `${column.label} of ${row.label}`;
  const shownError = typo ?? error;
  const pick = (v: string | null) => {
    setChoice(v);
    commit(null, { value: v });
  };

  let input;
  if (column.editor === 'lookup') {
    input = (
      <LookupSelect field={field} value={choice} onChange={pick} display={display} aria-label={label} error={shownError} autoFocus allowCreate={false}
        selectFirstOptionOnChange initialSearch={typed ?? ''} onBlur={onBlur}
        filter={column.key === 'product_spec' && typeof row.record.product === 'string' ? { field: 'product', op: 'eq', value: row.record.product } : undefined} />
    );
  } else if (column.editor === 'choice') {
    input = (
      <Select data={activeValues(field).map((v) => ({ value: v.value, label: v.label }))} value={choice} onChange={pick} aria-label={label} error={shownError} autoFocus
        searchable searchValue={search} onSearchChange={setSearch} selectFirstOptionOnChange={!!search.trim() && search !== original} allowDeselect={false} onBlur={onBlur}
        comboboxProps={{ withinPortal: true }} />
    );
  } else {
    input = (
      <TextInput value={text} onChange={(e) => setText(e.currentTarget.value)} aria-label={label} error={shownError} autoFocus onBlur={onBlur}
        type={column.editor === 'date' ? 'date' : 'text'} inputMode={column.editor === 'decimal' ? 'decimal' : undefined}
        styles={column.numeric ? { input: { textAlign: 'right' } } : undefined}
        onFocus={(e) => {
          // Typed: the caret after the character; opened with Enter/F2: the number selected, to type over.
          if (column.editor !== 'decimal') return;
          if (typed === undefined) e.currentTarget.select();
          else e.currentTarget.setSelectionRange(text.length, text.length);
        }} />
    );
  }
  return (
    <div className="price-cell-editor" data-editor={column.key} onKeyDown={onKeyDown}>
      {input}
      {saving && <Loader className="price-cell-saving" size={14} aria-label="Saving" />}
    </div>
  );
}
