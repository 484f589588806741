import { useEffect, useMemo, useState } from 'react';
import { MultiSelect } from '@mantine/core';
import { useDebouncedValue } from '@mantine/hooks';
import { useQuery } from '@tanstack/react-query';
import { queryRecords } from '../../api/records';

/** One invitee as the picker holds it: `user:<id>` (a colleague) or `contact:<id>`. */
export type InviteeKey = `user:${string}` | `contact:${string}`;

/** The body's invitees (POST /activities/meetings) from the picker's keys. */
export function inviteesOf(keys: InviteeKey[]): Array<{ user: string } | { contact: string }> {
  return keys.map((k) => (k.startsWith('user:') ? { user: k.slice(5) } : { contact: k.slice(8) }));
}

interface Option {
  value: string;
  label: string;
}

interface Props {
  value: InviteeKey[];
  onChange: (value: InviteeKey[]) => void;
  /** Contacts offered first, under their own heading (the record's contacts). */
  suggested?: { heading: string; contacts: Option[] };
  error?: string;
}

/**
 * Whom to invite to a meeting: colleagues and contacts in one searchable list, the record's own
 * contacts first. Typing searches both by name on the server (20 of each); chosen ones keep
 * their names while the list changes.
 */
export function InviteePicker({ value, onChange, suggested, error }: Props) {
  const [search, setSearch] = useState('');
  const [term] = useDebouncedValue(search.trim(), 200);
  const [known, setKnown] = useState<Record<string, string>>({});
  const found = useQuery({
    queryKey: ['invitee-options', term],
    queryFn: async ({ signal }) => {
      const name = (field: string) => (term ? { field, op: 'contains' as const, value: term } : null);
      const [users, contacts] = await Promise.all([
        queryRecords('user', { filter: { and: [{ field: 'active', op: 'eq', value: true }, ...(term ? [name('full_name')!] : [])] }, fields: ['id', 'full_name', 'email'], sort: 'full_name', limit: 20, display: false }, signal),
        term ? queryRecords('contact', { filter: name('full_name'), fields: ['id', 'full_name'], sort: 'full_name', limit: 20, display: false }, signal) : Promise.resolve({ data: [] }),
      ]);
      return {
        users: users.data.map((u) => ({ value: `user:${u.id}`, label: String(u.full_name || u.email || u.id) })),
        contacts: contacts.data.map((c) => ({ value: `contact:${c.id}`, label: String(c.full_name || c.id) })),
      };
    },
    staleTime: 15_000,
    placeholderData: (previous) => previous,
  });

  const first = useMemo(() => (suggested?.contacts ?? []).map((c) => ({ value: `contact:${c.value}`, label: c.label })), [suggested]);
  useEffect(() => {
    const all = [...first, ...(found.data?.users ?? []), ...(found.data?.contacts ?? [])];
    if (all.some((o) => known[o.value] !== o.label)) setKnown((k) => ({ ...k, ...Object.fromEntries(all.map((o) => [o.value, o.label])) }));
  }, [first, found.data, known]);

  const data = useMemo(() => {
    const typed = search.trim().toLocaleLowerCase();
    const firstShown = first.filter((o) => o.label.toLocaleLowerCase().includes(typed));
    const shown = new Set(firstShown.map((o) => o.value));
    const colleagues = (found.data?.users ?? []).filter((o) => !shown.has(o.value));
    colleagues.forEach((o) => shown.add(o.value));
    const contacts = (found.data?.contacts ?? []).filter((o) => !shown.has(o.value));
    contacts.forEach((o) => shown.add(o.value));
    // A chosen invitee stays listed (the select takes its pill's name from the list).
    for (const v of value) {
      if (shown.has(v)) continue;
      (v.startsWith('user:') ? colleagues : contacts).push({ value: v, label: known[v] ?? v });
    }
    return [
      ...(firstShown.length ? [{ group: suggested!.heading, items: firstShown }] : []),
      ...(colleagues.length ? [{ group: 'Colleagues', items: colleagues }] : []),
      ...(contacts.length ? [{ group: 'Contacts', items: contacts }] : []),
    ];
  }, [first, found.data, value, known, suggested, search]);

  return (
    <MultiSelect
      label="Invitees"
      description="Colleagues and contacts; type to find others"
      placeholder={value.length ? undefined : 'Search people'}
      data={data}
      value={value}
      onChange={(v) => onChange(v as InviteeKey[])}
      searchable
      searchValue={search}
      onSearchChange={setSearch}
      // Filtered above: the server matched what is typed, the record's contacts are narrowed here.
      filter={({ options }) => options}
      hidePickedOptions
      clearable
      error={error}
      comboboxProps={{ withinPortal: true }}
    />
  );
}
