import { useState } from 'react';
import { Alert, Button, Group, Modal, MultiSelect, SegmentedControl, Stack, TagsInput, Text, TextInput, Paper, Title } from '@mantine/core';
import { useMediaQuery } from '@mantine/hooks';
import { activeValues, picklistLabel } from '../../api/metadata';
import type { DisplayMap, RecordData } from '../../api/types';
import { LookupSelect } from '../../components/LookupSelect';
import { ErrorState, Loading } from '../../components/PageState';
import { EditorButtons, fromTags, nameOf, nextOrder, OrderedTable, toTags, useField, useOrderedRecords, useRecordSave, useRefresh, useReorder } from './assignmentShared';

/** A territory's criteria in words: "US, Canada · CA · 90000–96199 · Energy". */
function criteriaInWords(t: RecordData, industryLabel: (v: string) => string): string {
  const parts = [
    toTags(t.countries).join(', '),
    toTags(t.states).join(', '),
    t.postal_from || t.postal_to ? `postal codes ${String(t.postal_from ?? '…')}–${String(t.postal_to ?? '…')}` : '',
    toTags(t.industries).map(industryLabel).join(', '),
  ].filter(Boolean);
  return parts.length ? parts.join(' · ') : 'Every lead';
}

/**
 * The Territories tab: territories in the order they are tried (the first a lead lies in wins),
 * moved up and down, edited in a dialog — countries and states as tags, a postal-code range,
 * industries from the lead's industry picklist, and a user or a group taking turns.
 */
export function TerritoriesTab() {
  const territories = useOrderedRecords('territory');
  const refresh = useRefresh();
  const list = territories.data?.data ?? [];
  const reorder = useReorder('territory', list, refresh);
  const industry = useField('lead', 'industry');
  const [editing, setEditing] = useState<RecordData | 'new' | null>(null);
  const phone = useMediaQuery('(max-width: 48em)');
  if (territories.isPending) return <Loading />;
  if (territories.isError) return <ErrorState error={territories.error} what="the territories" />;
  const display = territories.data.display;
  const industryLabel = (v: string) => (industry ? picklistLabel(industry, v) : v);
  const territory = editing === 'new' ? undefined : editing ?? undefined;

  return (
    <Stack gap="md">
      <Group justify="space-between" align="flex-start">
        <Text size="sm" c="dimmed" maw={700}>Used by rules that assign by territory: the first territory the lead lies in decides. Every criterion a territory sets must match; empty ones match any lead.</Text>
        <Button onClick={() => setEditing('new')}>New territory</Button>
      </Group>
      {reorder.error && <Alert color="red" title="The new order was not saved">{reorder.error}</Alert>}
      {list.length === 0 ? (
        <Paper withBorder p="lg">
          <Title order={2} size="h4">No territories yet</Title>
          <Text mt="xs">A territory names the countries, states, postal codes and industries a rep or a group covers. Add one, then a rule that assigns by territory.</Text>
        </Paper>
      ) : (
        <OrderedTable label="Territories" headers={['Covers', 'Goes to']} records={list} reorder={reorder} onEdit={setEditing}
          cells={(t) => [
            criteriaInWords(t, industryLabel),
            t.user ? nameOf(display, 'user', t.user) : `Group ${nameOf(display, 'assignment_group', t.assignment_group)}`,
          ]} />
      )}
      <Modal opened={editing !== null} onClose={() => setEditing(null)} title={territory ? `Edit territory: ${String(territory.name)}` : 'New territory'} size="lg" fullScreen={phone}>
        {editing !== null && (
          <TerritoryForm key={territory?.id ?? 'new'} territory={territory} display={display} newOrder={nextOrder(list)}
            industries={industry ? activeValues(industry).map((v) => ({ value: v.value, label: v.label })) : []}
            onCancel={() => setEditing(null)} onSaved={() => { setEditing(null); void refresh(); }} />
        )}
      </Modal>
    </Stack>
  );
}

function TerritoryForm({ territory, display, newOrder, industries, onCancel, onSaved }: { territory?: RecordData; display?: DisplayMap; newOrder: number; industries: Array<{ value: string; label: string }>; onCancel: () => void; onSaved: () => void }) {
  const userField = useField('territory', 'user');
  const groupField = useField('territory', 'assignment_group');
  const [name, setName] = useState(String(territory?.name ?? ''));
  const [countries, setCountries] = useState(toTags(territory?.countries));
  const [states, setStates] = useState(toTags(territory?.states));
  const [postalFrom, setPostalFrom] = useState(String(territory?.postal_from ?? ''));
  const [postalTo, setPostalTo] = useState(String(territory?.postal_to ?? ''));
  const [chosen, setChosen] = useState(toTags(territory?.industries));
  const [to, setTo] = useState(territory?.assignment_group ? 'group' : 'user');
  const [user, setUser] = useState<string | null>((territory?.user as string) ?? null);
  const [group, setGroup] = useState<string | null>((territory?.assignment_group as string) ?? null);
  const { formRef, save, saving, errors, failure } = useRecordSave('territory', territory, onSaved, ['name', 'countries', 'states', 'postal_from', 'postal_to', 'industries', 'user', 'assignment_group']);
  const submit = () => save({
    name, countries: fromTags(countries), states: fromTags(states), postal_from: postalFrom.trim() || null, postal_to: postalTo.trim() || null,
    industries: fromTags(chosen), user: to === 'user' ? user : null, assignment_group: to === 'group' ? group : null,
    ...(territory ? {} : { sort_order: newOrder }),
  });
  return (
    <form ref={formRef} onSubmit={(e) => { e.preventDefault(); submit(); }}>
      <Stack gap="md">
        {failure && <Alert color="red" title="The territory was not saved">{failure}</Alert>}
        <TextInput label="Name" required value={name} onChange={(e) => setName(e.currentTarget.value)} error={errors.name} data-autofocus />
        <TagsInput label="Countries" description="As written on leads (e.g. US, Canada); press Enter after each. Empty: any." value={countries} onChange={setCountries} error={errors.countries} />
        <TagsInput label="States" description="Empty: any." value={states} onChange={setStates} error={errors.states} />
        <Group grow align="flex-start">
          <TextInput label="Postal code from" description="Inclusive; numbers compare as numbers" value={postalFrom} onChange={(e) => setPostalFrom(e.currentTarget.value)} error={errors.postal_from} />
          <TextInput label="Postal code to" description="Inclusive" value={postalTo} onChange={(e) => setPostalTo(e.currentTarget.value)} error={errors.postal_to} />
        </Group>
        <MultiSelect label="Industries" description="Empty: any." data={industries} value={chosen} onChange={setChosen} searchable error={errors.industries} />
        <Stack gap={4}>
          <Text id="tr-to" fw={500} size="sm">Goes to</Text>
          <SegmentedControl aria-labelledby="tr-to" data={[{ value: 'user', label: 'A user' }, { value: 'group', label: 'A group taking turns' }]} value={to} onChange={setTo} />
        </Stack>
        {to === 'user' && userField && <LookupSelect field={userField} label="User" required value={user} onChange={setUser} display={display} error={errors.user} allowCreate={false} />}
        {to === 'group' && groupField && <LookupSelect field={groupField} label="Group" required value={group} onChange={setGroup} display={display} error={errors.assignment_group ?? errors.user} allowCreate={false} />}
        <EditorButtons saveLabel="Save territory" saving={saving} onCancel={onCancel} />
      </Stack>
    </form>
  );
}
