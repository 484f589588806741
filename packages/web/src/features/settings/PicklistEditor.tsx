import { ActionIcon, Button, Checkbox, Group, Stack, Text, TextInput } from '@mantine/core';
import type { PicklistValue } from '../../api/types';
import { toApiName } from './AdminOnly';

export interface EditableValue extends PicklistValue {
  key: string;
  /** Saved already: its value cannot be renamed, only relabelled or deactivated. */
  saved?: boolean;
}

let n = 0;
export const valueKey = () => `v${++n}`;

/** Picklist values in order: label, value, active; move up/down, add, remove. */
export function PicklistEditor({ values, onChange, error }: { values: EditableValue[]; onChange: (v: EditableValue[]) => void; error?: string }) {
  const set = (key: string, patch: Partial<EditableValue>) => onChange(values.map((v) => (v.key === key ? { ...v, ...patch } : v)));
  const move = (i: number, by: number) => {
    const j = i + by;
    if (j < 0 || j >= values.length) return;
    const next = [...values];
    [next[i], next[j]] = [next[j]!, next[i]!];
    onChange(next);
  };
  return (
    <Stack gap={6} role="group" aria-label="Picklist values">
      <Text size="sm" fw={500}>Values</Text>
      {error && <Text size="xs" c="red" role="alert">{error}</Text>}
      {values.map((v, i) => (
        <Group key={v.key} gap={4} wrap="nowrap" align="flex-start">
          <TextInput
            aria-label={`Label of value ${i + 1}`}
            placeholder="Label"
            value={v.label}
            onChange={(e) => {
              const label = e.currentTarget.value;
              set(v.key, v.saved ? { label } : { label, value: toApiName(label) || label });
            }}
            style={{ flex: 1 }}
          />
          <TextInput aria-label={`Stored value ${i + 1}`} placeholder="value" value={v.value} onChange={(e) => set(v.key, { value: e.currentTarget.value })} disabled={v.saved} w={130} />
          {v.saved && <Checkbox aria-label={`Value ${i + 1} active`} title="Active" checked={v.active !== false} onChange={(e) => set(v.key, { active: e.currentTarget.checked })} mt={8} />}
          <ActionIcon variant="subtle" aria-label={`Move value ${i + 1} up`} onClick={() => move(i, -1)} disabled={i === 0} size="input-sm">↑</ActionIcon>
          <ActionIcon variant="subtle" aria-label={`Move value ${i + 1} down`} onClick={() => move(i, 1)} disabled={i === values.length - 1} size="input-sm">↓</ActionIcon>
          {!v.saved && <ActionIcon variant="subtle" color="red" aria-label={`Remove value ${i + 1}`} onClick={() => onChange(values.filter((x) => x.key !== v.key))} size="input-sm">×</ActionIcon>}
        </Group>
      ))}
      <Button size="xs" variant="light" w="fit-content" onClick={() => onChange([...values, { key: valueKey(), value: '', label: '', active: true }])}>Add value</Button>
    </Stack>
  );
}
