import { useState } from 'react';
import { ActionIcon, Button, Group, Stack, Text } from '@mantine/core';
import { ApiError, errorMessage } from '../../api/client';
import { isEditable } from '../../api/metadata';
import { getRecord, updateRecord } from '../../api/records';
import type { DisplayMap, FieldDef, RecordData } from '../../api/types';
import { ConflictDialog } from '../../components/ConflictDialog';
import { FieldInput } from '../../components/FieldInput';
import { FieldValue } from '../../components/FieldValue';

/** One field on the record page: read, or edit in place (PATCH with If-Match). */
export function EditableField({ object, field, record, display, onSaved }: { object: string; field: FieldDef; record: RecordData; display: DisplayMap; onSaved: (r: RecordData) => void }) {
  const [editing, setEditing] = useState(false);
  const [draft, setDraft] = useState<unknown>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [conflict, setConflict] = useState<string | null>(null);

  const save = async (version = record.version) => {
    setBusy(true);
    setError(null);
    try {
      const saved = await updateRecord(object, record.id, { [field.apiName]: draft === '' ? null : draft }, version);
      setEditing(false);
      onSaved(saved);
    } catch (e) {
      if (e instanceof ApiError && e.code === 'version_conflict') setConflict(e.message);
      else setError(e instanceof ApiError && e.fieldErrors()[0] ? e.fieldErrors()[0]!.message : errorMessage(e));
    } finally {
      setBusy(false);
    }
  };

  if (editing) {
    return (
      <form
        onSubmit={(e) => {
          e.preventDefault();
          void save();
        }}
        onKeyDown={(e) => {
          if (e.key === 'Escape') setEditing(false);
        }}
      >
        <Stack gap={4}>
          <FieldInput field={field} value={draft} onChange={setDraft} record={record} display={display} error={error ?? undefined} autoFocus />
          <Group gap={4}>
            <Button size="compact-sm" type="submit" loading={busy}>Save</Button>
            <Button size="compact-sm" variant="default" onClick={() => setEditing(false)}>Cancel</Button>
          </Group>
        </Stack>
        <ConflictDialog
          opened={conflict !== null}
          message={conflict ?? ''}
          onClose={() => setConflict(null)}
          onReload={async () => {
            setConflict(null);
            setEditing(false);
            onSaved(await getRecord(object, record.id));
          }}
          onOverwrite={async () => {
            const latest = await getRecord(object, record.id);
            setConflict(null);
            await save(latest.version);
          }}
        />
      </form>
    );
  }

  return (
    <div data-field={field.apiName}>
      <Text size="xs" c="dimmed" component="div">{field.label}</Text>
      <Group gap={4} wrap="nowrap" align="center" mih={28}>
        <div style={{ minWidth: 0, overflowWrap: 'anywhere' }}>
          <FieldValue field={field} value={record[field.apiName]} record={record} display={display} />
        </div>
        {isEditable(field) && (
          <ActionIcon
            variant="subtle"
            size="sm"
            aria-label={`Edit ${field.label}`}
            onClick={() => {
              setDraft(record[field.apiName] ?? null);
              setError(null);
              setEditing(true);
            }}
          >
            ✎
          </ActionIcon>
        )}
      </Group>
    </div>
  );
}
