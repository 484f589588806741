import { useEffect, useRef, useState } from 'react';
import { ActionIcon, Group, Loader, Text, Tooltip } from '@mantine/core';
import { AnchorLink } from '../../components/links';
import { ApiError, errorMessage } from '../../api/client';
import { isEditable, lookupTarget } from '../../api/metadata';
import { getRecord, updateRecord } from '../../api/records';
import type { DisplayMap, FieldDef, RecordData } from '../../api/types';
import { ConflictDialog } from '../../components/ConflictDialog';
import { FieldInput } from '../../components/FieldInput';
import { FieldValue } from '../../components/FieldValue';
import { formatValue } from '../../lib/format';

const SAVE_ON_CHANGE = new Set(['picklist', 'lookup', 'user', 'boolean', 'multi_picklist']);

/**
 * A list cell that edits in place: click (or Enter on the focused cell) opens the field's input;
 * Enter or leaving the input saves with If-Match, Escape cancels; pickers save on choice.
 */
export function InlineCell({ object, field, row, display, onSaved, recordName }: { object: string; field: FieldDef; row: RecordData; display: DisplayMap; onSaved: (r: RecordData, refetch: boolean) => void; recordName: string }) {
  const [editing, setEditing] = useState(false);
  const [draft, setDraft] = useState<unknown>(row[field.apiName]);
  const [error, setError] = useState<string | null>(null);
  const [saving, setSaving] = useState(false);
  const [conflict, setConflict] = useState<string | null>(null);
  const original = row[field.apiName];
  // Escape, or a save already under way, must not be followed by the blur's save.
  const settled = useRef(false);
  // After Escape (or a save from the keyboard) the focus goes back to the cell, not the page.
  const cellButton = useRef<HTMLButtonElement>(null);
  const [refocus, setRefocus] = useState(false);
  useEffect(() => {
    if (!editing && refocus) {
      cellButton.current?.focus();
      setRefocus(false);
    }
  }, [editing, refocus]);

  if (!isEditable(field)) return <FieldValue field={field} value={original} record={row} display={display} />;

  const save = async (value: unknown, version = row.version) => {
    settled.current = true;
    if (JSON.stringify(value ?? null) === JSON.stringify(original ?? null)) {
      setEditing(false);
      return;
    }
    setSaving(true);
    setError(null);
    try {
      const saved = await updateRecord(object, row.id, { [field.apiName]: value === '' ? null : value }, version);
      setEditing(false);
      onSaved(saved, lookupTarget(field) !== null);
    } catch (e) {
      if (e instanceof ApiError && e.code === 'version_conflict') setConflict(e.message);
      else setError(e instanceof ApiError && e.fieldErrors()[0] ? e.fieldErrors()[0]!.message : errorMessage(e));
      settled.current = false;
    } finally {
      setSaving(false);
    }
  };

  if (!editing) {
    const text = formatValue(field, original, row, display);
    const target = lookupTarget(field);
    if (target && typeof original === 'string' && original) {
      // A linked record's name opens it; the pencil (or Enter on it) edits the link.
      return (
        <Group gap={4} wrap="nowrap">
          <AnchorLink size="sm" to="/o/$object/$id" params={{ object: target, id: original }} search={{ tab: undefined }} lineClamp={1}>{text}</AnchorLink>
          <ActionIcon ref={cellButton} size="sm" variant="subtle" color="gray" aria-label={`${field.label} of ${recordName}: ${text}. Edit`}
            onClick={() => {
              setDraft(original);
              setError(null);
              settled.current = false;
              setEditing(true);
            }}>✎</ActionIcon>
        </Group>
      );
    }
    return (
      <button
        ref={cellButton}
        type="button"
        className="cell-edit-button"
        aria-label={`${field.label} of ${recordName}: ${text || 'empty'}. Edit`}
        onClick={() => {
          setDraft(original);
          setError(null);
          settled.current = false;
          setEditing(true);
        }}
      >
        <FieldValueText field={field} value={original} row={row} display={display} />
      </button>
    );
  }

  const saveOnChange = SAVE_ON_CHANGE.has(field.type);
  return (
    <div style={{ minWidth: 160, position: 'relative' }} data-inline-editor={field.apiName}>
      <FieldInput
        compact
        autoFocus
        field={field}
        value={draft}
        record={row}
        display={display}
        error={error ?? undefined}
        onChange={(v) => {
          setDraft(v);
          if (saveOnChange) void save(v);
        }}
        onBlur={() => {
          if (!saveOnChange && !conflict && !settled.current) void save(draft);
        }}
        onKeyDown={(e) => {
          if (e.key === 'Escape') {
            e.preventDefault();
            settled.current = true;
            setRefocus(true);
            setEditing(false);
          } else if (e.key === 'Enter' && field.type !== 'long_text' && !saveOnChange) {
            e.preventDefault();
            void save(draft);
          }
        }}
      />
      {saving && <Loader size="xs" style={{ position: 'absolute', right: 4, top: 8 }} aria-label="Saving" />}
      <ConflictDialog
        opened={conflict !== null}
        message={conflict ?? ''}
        onClose={() => setConflict(null)}
        onReload={async () => {
          setConflict(null);
          setEditing(false);
          onSaved(await getRecord(object, row.id), true);
        }}
        onOverwrite={async () => {
          const latest = await getRecord(object, row.id);
          setConflict(null);
          await save(draft, latest.version);
        }}
      />
    </div>
  );
}

/** Cell text without nested links (the cell itself is the button). */
function FieldValueText({ field, value, row, display }: { field: FieldDef; value: unknown; row: RecordData; display: DisplayMap }) {
  const text = formatValue(field, value, row, display);
  if (!text) return <Text span c="dimmed" size="sm">—</Text>;
  const numeric = ['number', 'currency', 'percent'].includes(field.type);
  const t = (
    <Text span size="sm" style={numeric ? { fontVariantNumeric: 'tabular-nums' } : undefined} lineClamp={1}>
      {text}
    </Text>
  );
  return text.length > 40 ? <Tooltip label={text} multiline maw={360}>{t}</Tooltip> : t;
}
