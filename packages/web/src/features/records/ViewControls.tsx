import { useState } from 'react';
import { Button, Checkbox, Group, Menu, Modal, Select, Stack, TextInput } from '@mantine/core';
import type { SavedView } from '../../api/views';

interface Props {
  views: SavedView[];
  current: SavedView | null;
  modified: boolean;
  onSelect: (id: string | null) => void;
  onSave: (name: string, shared: boolean) => void;
  onUpdate: () => void;
  onDelete: () => void;
}

/** Saved views: choose, save as new (private or shared), update, delete. */
export function ViewControls({ views, current, modified, onSelect, onSave, onUpdate, onDelete }: Props) {
  const [naming, setNaming] = useState(false);
  const [name, setName] = useState('');
  const [shared, setShared] = useState(false);
  return (
    <Group gap="xs" wrap="nowrap">
      <Select
        aria-label="View"
        data={[{ value: '', label: 'All records' }, ...views.map((v) => ({ value: v.id, label: v.shared ? `${v.name} (shared)` : v.name }))]}
        value={current?.id ?? ''}
        onChange={(v) => onSelect(v || null)}
        allowDeselect={false}
        w={200}
        comboboxProps={{ withinPortal: true }}
      />
      <Menu withinPortal position="bottom-end">
        <Menu.Target>
          <Button variant={modified ? 'light' : 'default'}>{modified ? 'Save view…' : 'View…'}</Button>
        </Menu.Target>
        <Menu.Dropdown>
          <Menu.Item onClick={() => { setName(''); setShared(false); setNaming(true); }}>Save as new view</Menu.Item>
          {current && <Menu.Item onClick={onUpdate} disabled={!modified}>Update “{current.name}”</Menu.Item>}
          {current && <Menu.Item color="red" onClick={onDelete}>Delete “{current.name}”</Menu.Item>}
        </Menu.Dropdown>
      </Menu>
      <Modal opened={naming} onClose={() => setNaming(false)} title="Save view">
        <form
          onSubmit={(e) => {
            e.preventDefault();
            if (!name.trim()) return;
            onSave(name.trim(), shared);
            setNaming(false);
          }}
        >
          <Stack>
            <TextInput label="View name" value={name} onChange={(e) => setName(e.currentTarget.value)} required data-autofocus description="Only you see the view unless you share it." />
            <Checkbox label="Share with everyone" checked={shared} onChange={(e) => setShared(e.currentTarget.checked)} />
            <Group justify="flex-end">
              <Button variant="default" onClick={() => setNaming(false)}>Cancel</Button>
              <Button type="submit">Save</Button>
            </Group>
          </Stack>
        </form>
      </Modal>
    </Group>
  );
}
