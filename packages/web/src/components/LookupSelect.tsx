import { useEffect, useMemo, useState } from 'react';
import { ActionIcon, Group, Modal, Select, Tooltip } from '@mantine/core';
import { useDebouncedValue } from '@mantine/hooks';
import { useQuery } from '@tanstack/react-query';
import { lookupTarget, useMetadata } from '../api/metadata';
import { queryRecords } from '../api/records';
import type { DisplayMap, FieldDef } from '../api/types';
import { RecordForm } from './RecordForm';

interface Props {
  field: FieldDef;
  value: string | null;
  onChange: (value: string | null) => void;
  display?: DisplayMap;
  label?: string;
  'aria-label'?: string;
  description?: string;
  required?: boolean;
  error?: string;
  autoFocus?: boolean;
  onBlur?: () => void;
  onKeyDown?: (e: React.KeyboardEvent) => void;
}

/**
 * A lookup (or user) field: a searchable select over the target object, querying /query with
 * `contains` on its name field as the user types; "+" creates a target record in a modal.
 */
export function LookupSelect({ field, value, onChange, display, ...inputProps }: Props) {
  const target = lookupTarget(field)!;
  const { byName } = useMetadata();
  const targetDef = byName(target);
  const [search, setSearch] = useState('');
  const [debounced] = useDebouncedValue(search, 200);
  const [known, setKnown] = useState<Record<string, string>>(() => ({ ...(display?.[target] ?? {}) }));
  const [creating, setCreating] = useState(false);

  useEffect(() => {
    if (display?.[target]) setKnown((k) => ({ ...k, ...display[target] }));
  }, [display, target]);

  const selectedName = value ? known[value] : undefined;
  const term = debounced && debounced !== selectedName ? debounced : '';
  const options = useQuery({
    queryKey: ['lookup', target, term],
    enabled: !!targetDef,
    queryFn: ({ signal }) =>
      queryRecords(target, { filter: term ? { field: targetDef!.nameField, op: 'contains', value: term } : null, fields: ['id', targetDef!.nameField], sort: targetDef!.nameField, limit: 20, display: false }, signal),
    staleTime: 15_000,
  });

  // Learn names of the records listed, so a chosen value keeps its label.
  useEffect(() => {
    if (!options.data || !targetDef) return;
    setKnown((k) => {
      const next = { ...k };
      for (const r of options.data.data) next[r.id] = String(r[targetDef.nameField] ?? r.id);
      return next;
    });
  }, [options.data, targetDef]);

  const data = useMemo(() => {
    const list = (options.data?.data ?? []).map((r) => ({ value: r.id, label: known[r.id] ?? r.id }));
    if (value && !list.some((o) => o.value === value)) list.unshift({ value, label: known[value] ?? value });
    return list;
  }, [options.data, known, value]);

  const canCreate = target !== 'user' && !!targetDef;
  return (
    <>
      <Group gap={4} align="flex-end" wrap="nowrap">
        <Select
          {...inputProps}
          style={{ flex: 1 }}
          data={data}
          value={value}
          onChange={(v) => onChange(v)}
          searchable
          searchValue={search}
          onSearchChange={setSearch}
          filter={({ options: o }) => o}
          clearable={!field.required}
          nothingFoundMessage={options.isFetching ? 'Searching…' : 'No matches'}
          placeholder={targetDef ? `Search ${targetDef.pluralLabel.toLowerCase()}` : undefined}
          comboboxProps={{ withinPortal: true }}
        />
        {canCreate && (
          <Tooltip label={`New ${targetDef!.label.toLowerCase()}`}>
            <ActionIcon variant="default" size="input-sm" aria-label={`Create new ${targetDef!.label.toLowerCase()} for ${field.label}`} onClick={() => setCreating(true)}>
              +
            </ActionIcon>
          </Tooltip>
        )}
      </Group>
      {canCreate && (
        <Modal opened={creating} onClose={() => setCreating(false)} title={`New ${targetDef!.label.toLowerCase()}`} size="lg">
          {creating && (
            <RecordForm
              object={targetDef!}
              onCancel={() => setCreating(false)}
              onSaved={(r) => {
                setKnown((k) => ({ ...k, [r.id]: String(r[targetDef!.nameField] ?? r.id) }));
                onChange(r.id);
                setCreating(false);
              }}
              guard={false}
            />
          )}
        </Modal>
      )}
    </>
  );
}
