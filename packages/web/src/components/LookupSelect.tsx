import { useEffect, useMemo, useState } from 'react';
import { ActionIcon, Group, Modal, Select, Tooltip } from '@mantine/core';
import { FormModal } from './FormModal';
import { useDebouncedValue } from '@mantine/hooks';
import { useQuery } from '@tanstack/react-query';
import { lookupTarget, useMetadata } from '../api/metadata';
import { queryRecords } from '../api/records';
import { api } from '../api/client';
import type { Condition, DisplayMap, FieldDef, RecordData, ResponseOf } from '../api/types';
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
  /** Only target records matching this condition are offered (a product's specs). */
  filter?: Condition;
  /** Offer "+" to create a target record (default); off where a modal would interrupt, e.g. a grid cell. */
  allowCreate?: boolean;
  disabled?: boolean;
  /** Shown while empty; default: "Search <objects>". */
  placeholder?: string;
  /** Typing highlights the first match, so Enter picks it (a grid cell). */
  selectFirstOptionOnChange?: boolean;
  /** What the search box holds once mounted (a grid cell opened by typing a character: that character). */
  initialSearch?: string;
}

/**
 * A lookup (or user) field: a searchable select over the target object — the global search's
 * typo-tolerant matching as the user types (or `contains` on its name field for objects without a
 * search index); "+" creates a target record in a modal.
 */
export function LookupSelect({ field, value, onChange, display, filter, allowCreate = true, placeholder, selectFirstOptionOnChange, initialSearch, ...inputProps }: Props) {
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
  // After the select's own first effects, which put the chosen value's name in the box.
  useEffect(() => {
    if (initialSearch !== undefined) setSearch(initialSearch);
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, []);

  const selectedName = value ? known[value] : undefined;
  const term = debounced && debounced !== selectedName ? debounced : '';
  // Typing searches like the global search (typo-tolerant: "Nortwind" finds Northwind) when the
  // target has a search index; otherwise, and with nothing typed, the list is by name.
  // The search index cannot take a condition: a filtered lookup matches names instead.
  const indexed = !filter && !!targetDef?.fields.some((f) => f.searchable);
  const options = useQuery({
    queryKey: ['lookup', target, term, indexed, filter ?? null],
    enabled: !!targetDef,
    queryFn: async ({ signal }): Promise<{ data: RecordData[] }> => {
      if (term && indexed) {
        const found = await api.get<ResponseOf<'search'>>(`/search?q=${encodeURIComponent(term)}&objects=${encodeURIComponent(target)}&limit=20`, { signal });
        return { data: (found.groups.find((g) => g.object === target)?.records ?? []).map((r) => ({ id: r.id, version: 0, [targetDef!.nameField]: r.name })) };
      }
      const byName: Condition | null = term ? { field: targetDef!.nameField, op: 'contains', value: term } : null;
      const where = filter && byName ? { and: [filter, byName] } : filter ?? byName;
      return queryRecords(target, { filter: where, fields: ['id', targetDef!.nameField], sort: targetDef!.nameField, limit: 20, display: false }, signal);
    },
    staleTime: 15_000,
    // The last list stays while the next is fetched (narrowed below), so the options never blink
    // empty — unless it was of another filter (another product's specs).
    placeholderData: (previous, query) => (query && JSON.stringify(query.queryKey[4]) === JSON.stringify(filter ?? null) ? previous : undefined),
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

  const typing = !!search.trim() && search !== selectedName;
  const data = useMemo(() => {
    const typed = search.trim().toLocaleLowerCase();
    const matches = (o: { label: string }) => o.label.toLocaleLowerCase().includes(typed);
    let list = (options.data?.data ?? []).map((r) => ({ value: r.id, label: known[r.id] ?? r.id }));
    // While the server has not answered what is being typed, the last list is narrowed to it here,
    // so Enter never picks an option the typed text does not match.
    if (typing && (search !== debounced || options.isPlaceholderData)) list = list.filter(matches);
    // The chosen value stays listed (the select takes its name from the list): first, or last while
    // searching for something else, so the first option is always the best match.
    if (value && !list.some((o) => o.value === value)) {
      const current = { value, label: known[value] ?? value };
      list = typing && !matches(current) ? [...list, current] : [current, ...list];
    }
    return list;
  }, [options.data, options.isPlaceholderData, known, value, search, debounced, typing]);

  const canCreate = allowCreate && target !== 'user' && !!targetDef;
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
          // Focus empties the box of a chosen value, so typing searches afresh instead of appending
          // to its name ("AdministratorPriya"); leaving without choosing shows the name again.
          onFocus={() => { if (value) setSearch(''); }}
          onBlur={() => { if (value) setSearch(known[value] ?? ''); inputProps.onBlur?.(); }}
          onOptionSubmit={(v) => setSearch(data.find((o) => o.value === v)?.label ?? '')}
          clearable={!field.required}
          selectFirstOptionOnChange={!!selectFirstOptionOnChange && typing}
          // Choosing the current value again keeps it (clearing is the × button's job).
          allowDeselect={false}
          nothingFoundMessage={options.isFetching ? 'Searching…' : 'No matches'}
          placeholder={placeholder ?? (targetDef ? `Search ${targetDef.pluralLabel.toLowerCase()}` : undefined)}
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
        <FormModal opened={creating} onClose={() => setCreating(false)} title={`New ${targetDef!.label.toLowerCase()}`} size="lg">
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
        </FormModal>
      )}
    </>
  );
}
