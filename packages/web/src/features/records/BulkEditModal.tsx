import { useState } from 'react';
import { Alert, Button, Group, Modal, Select, Stack, Text } from '@mantine/core';
import { errorMessage } from '../../api/client';
import { isEditable } from '../../api/metadata';
import { bulkWrite } from '../../api/records';
import type { ObjectDef } from '../../api/types';
import { FieldInput } from '../../components/FieldInput';

/** Sets one field on every selected record through POST /{object}/bulk (per-record results). */
export function BulkEditModal({ object, ids, opened, onClose, onDone }: { object: ObjectDef; ids: string[]; opened: boolean; onClose: () => void; onDone: (message: string) => void }) {
  const [field, setField] = useState<string | null>(null);
  const [value, setValue] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const f = object.fields.find((x) => x.apiName === field);
  const editable = object.fields.filter((x) => isEditable(x) && !x.unique);

  const apply = async () => {
    if (!f) return;
    setBusy(true);
    setError(null);
    try {
      const r = await bulkWrite(object.apiName, 'update', ids.map((id) => ({ id, [f.apiName]: value === '' ? null : value })));
      const firstError = r.results.find((x) => !x.ok)?.errors?.[0];
      onDone(`${r.succeeded} updated${r.failed ? `, ${r.failed} failed${firstError ? ` (${firstError.message})` : ''}` : ''}`);
      if (!r.failed) onClose();
      else setError(`${r.failed} of ${ids.length} records were not updated${firstError ? `: ${firstError.message}` : ''}`);
    } catch (e) {
      setError(errorMessage(e));
    } finally {
      setBusy(false);
    }
  };

  return (
    <Modal opened={opened} onClose={onClose} title={`Edit ${ids.length} ${ids.length === 1 ? object.label.toLowerCase() : object.pluralLabel.toLowerCase()}`}>
      <Stack>
        {error && <Alert color="red" role="alert">{error}</Alert>}
        <Select label="Field" data={editable.map((x) => ({ value: x.apiName, label: x.label }))} value={field} onChange={(v) => { setField(v); setValue(null); }} searchable comboboxProps={{ withinPortal: true }} />
        {f && <FieldInput field={{ ...f, required: false }} value={value} onChange={setValue} />}
        {f && <Text size="sm" c="dimmed">The new value replaces the current one on every selected record.</Text>}
        <Group justify="flex-end">
          <Button variant="default" onClick={onClose}>Cancel</Button>
          <Button onClick={() => void apply()} loading={busy} disabled={!f}>Apply</Button>
        </Group>
      </Stack>
    </Modal>
  );
}
