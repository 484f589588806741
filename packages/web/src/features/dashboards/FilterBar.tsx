import { Group, NativeSelect, TextInput } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { adminApi } from '../../api/admin';
import { useMetadata } from '../../api/metadata';
import { LookupSelect } from '../../components/LookupSelect';
import type { FilterName, RunFilters } from './api';

const RANGES = [
  ['', 'Dashboard default'], ['this_month', 'This month'], ['last_month', 'Last month'], ['this_quarter', 'This quarter'], ['last_quarter', 'Last quarter'],
  ['this_year', 'This year'], ['last_year', 'Last year'], ['last_n_days:30', 'Last 30 days'], ['last_n_days:90', 'Last 90 days'], ['custom', 'Custom range'],
] as const;

/**
 * The dashboard-wide filters (those the dashboard offers): a date range, an owner (me or a
 * person), a team (a group) and a pipeline. Each applies to every widget whose report's object
 * has the matching field; whatever is chosen, each viewer still sees only their own records.
 */
export function FilterBar({ offered, value, onChange }: { offered: FilterName[]; value: RunFilters; onChange: (f: RunFilters) => void }) {
  const { byName } = useMetadata();
  const opportunity = byName('opportunity');
  const ownerField = opportunity?.fields.find((f) => f.apiName === 'owner');
  const pipelineField = opportunity?.fields.find((f) => f.apiName === 'pipeline');
  // Groups are listed to those allowed to read them; without them there is no team filter.
  const groups = useQuery({ queryKey: ['dashboards', 'groups'], queryFn: adminApi.groups, enabled: offered.includes('team'), retry: false });
  const range = value.dateRange;
  const rangeChoice = !range ? '' : 'relative' in range ? range.relative : 'custom';
  const set = (patch: Partial<RunFilters>) => {
    const next = { ...value, ...patch };
    for (const k of Object.keys(next) as Array<keyof RunFilters>) if (next[k] === undefined) delete next[k];
    onChange(next);
  };
  return (
    <Group gap="xs" align="flex-end" wrap="wrap" role="group" aria-label="Dashboard filters">
      {offered.includes('dateRange') && (
        <>
          <NativeSelect label="Date range" value={rangeChoice} w={180} data={RANGES.map(([v, l]) => ({ value: v, label: l }))}
            onChange={(e) => {
              const v = e.currentTarget.value;
              if (!v) set({ dateRange: undefined });
              else if (v === 'custom') { const today = new Date().toISOString().slice(0, 10); set({ dateRange: { from: today.slice(0, 8) + '01', to: today } }); }
              else set({ dateRange: { relative: v } });
            }} />
          {range && 'from' in range && (
            <>
              <TextInput type="date" label="From" value={range.from} w={160} onChange={(e) => e.currentTarget.value && set({ dateRange: { from: e.currentTarget.value, to: range.to } })} />
              <TextInput type="date" label="To" value={range.to} w={160} onChange={(e) => e.currentTarget.value && set({ dateRange: { from: range.from, to: e.currentTarget.value } })} />
            </>
          )}
        </>
      )}
      {offered.includes('owner') && (
        <>
          <NativeSelect label="Owner" w={140} value={value.ownerId === 'me' ? 'me' : ''} data={[{ value: '', label: 'Anyone' }, { value: 'me', label: 'Me' }]}
            onChange={(e) => set({ ownerId: e.currentTarget.value === 'me' ? 'me' : undefined })} />
          {ownerField && value.ownerId !== 'me' && (
            <LookupSelect field={ownerField} label="Owner (person)" value={value.ownerId ?? null} allowCreate={false} onChange={(id) => set({ ownerId: id ?? undefined })} />
          )}
        </>
      )}
      {offered.includes('team') && groups.data && (
        <NativeSelect label="Team" w={180} value={value.teamId ?? ''} data={[{ value: '', label: 'Any team' }, ...groups.data.map((g) => ({ value: g.name, label: g.label ?? g.name }))]}
          onChange={(e) => set({ teamId: e.currentTarget.value || undefined })} />
      )}
      {offered.includes('pipeline') && pipelineField && (
        <LookupSelect field={pipelineField} label="Pipeline" value={value.pipeline ?? null} allowCreate={false} onChange={(id) => set({ pipeline: id ?? undefined })} />
      )}
    </Group>
  );
}
