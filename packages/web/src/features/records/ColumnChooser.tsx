import { ActionIcon, Button, Checkbox, Group, Popover, ScrollArea, Stack, Text } from '@mantine/core';
import type { ObjectDef } from '../../api/types';

/** Picks and orders the list's columns (the name column always stays first). */
export function ColumnChooser({ object, columns, onChange }: { object: ObjectDef; columns: string[]; onChange: (c: string[]) => void }) {
  const fields = object.fields.filter((f) => f.type !== 'id');
  const move = (name: string, by: number) => {
    const i = columns.indexOf(name);
    const j = i + by;
    if (j < 1 || j >= columns.length) return;
    const next = [...columns];
    [next[i], next[j]] = [next[j]!, next[i]!];
    onChange(next);
  };
  return (
    <Popover position="bottom-end" withinPortal shadow="md" trapFocus>
      <Popover.Target>
        <Button variant="default">Columns</Button>
      </Popover.Target>
      <Popover.Dropdown>
        <Text size="sm" fw={600} mb="xs">Columns shown</Text>
        <ScrollArea.Autosize mah={360} type="auto">
          <Stack gap={6} pr="sm" role="group" aria-label="Columns shown">
            {columns.map((name) => {
              const f = fields.find((x) => x.apiName === name);
              if (!f) return null;
              const isName = name === object.nameField;
              return (
                <Group key={name} gap={4} wrap="nowrap" justify="space-between">
                  <Checkbox label={f.label} checked disabled={isName} onChange={() => onChange(columns.filter((c) => c !== name))} />
                  {!isName && (
                    <Group gap={2} wrap="nowrap">
                      <ActionIcon size="sm" variant="subtle" aria-label={`Move ${f.label} left`} onClick={() => move(name, -1)}>↑</ActionIcon>
                      <ActionIcon size="sm" variant="subtle" aria-label={`Move ${f.label} right`} onClick={() => move(name, 1)}>↓</ActionIcon>
                    </Group>
                  )}
                </Group>
              );
            })}
            {fields.filter((f) => !columns.includes(f.apiName)).map((f) => (
              <Checkbox key={f.apiName} label={f.label} checked={false} onChange={() => onChange([...columns, f.apiName])} />
            ))}
          </Stack>
        </ScrollArea.Autosize>
      </Popover.Dropdown>
    </Popover>
  );
}
