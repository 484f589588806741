import { useEffect, useMemo, useState } from 'react';
import { Alert, Button, Checkbox, Group, MultiSelect, NativeSelect, Paper, SimpleGrid, Stack, TagsInput, Text, TextInput, Title } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useNavigate, useParams } from '@tanstack/react-router';
import { errorMessage } from '../../api/client';
import { useMetadata } from '../../api/metadata';
import type { FieldDef, ObjectDef } from '../../api/types';
import { FilterBuilder } from '../../components/FilterBuilder';
import { Loading } from '../../components/PageState';
import { useMe } from '../../lib/useMe';
import { analyticsApi, emptyDefinition, type Bucket, type ChartType, type Grouping, type Measure, type Report, type ReportDefinition } from './api';
import { ReportDelivery } from './ReportDelivery';
import { ReportResult } from './ReportResult';

const UNGROUPABLE = new Set(['long_text', 'multi_picklist']);
const NUMERIC = new Set(['number', 'currency', 'percent']);
const DATES = new Set(['date', 'datetime']);
const BUCKETS: Bucket[] = ['day', 'week', 'month', 'quarter', 'year'];
const CHARTS: Array<{ value: ChartType; label: string }> = [
  { value: 'none', label: 'No chart' }, { value: 'bar', label: 'Bar' }, { value: 'stacked_bar', label: 'Stacked bar' }, { value: 'line', label: 'Line' },
  { value: 'area', label: 'Area' }, { value: 'donut', label: 'Donut' }, { value: 'funnel', label: 'Funnel' }, { value: 'kpi', label: 'KPI number' },
];
const FN_LABEL: Record<Measure['fn'], string> = { count: 'Count', count_distinct: 'Distinct', sum: 'Sum', avg: 'Average', min: 'Min', max: 'Max' };

interface FieldOption { value: string; label: string; field: FieldDef }

/** The object's fields and, one lookup away, its parents' fields (account.industry). */
function fieldOptions(object: ObjectDef, byName: (n: string) => ObjectDef | undefined): FieldOption[] {
  const own = object.fields.filter((f) => f.type !== 'id').map((f) => ({ value: f.apiName, label: f.label, field: f }));
  const parents = object.fields.filter((f) => f.type === 'lookup' && f.lookup).flatMap((l) => {
    const target = byName(l.lookup!.object);
    return (target?.fields ?? []).filter((f) => f.type !== 'id' && f.type !== 'long_text').map((f) => ({ value: `${l.apiName}.${f.apiName}`, label: `${l.label} › ${f.label}`, field: f }));
  });
  return [...own, ...parents];
}

const pathOf = (g: Grouping | null) => (g === null ? '' : typeof g === 'string' ? g : g.field);
const bucketOf = (g: Grouping | null) => (g !== null && typeof g !== 'string' ? g.bucket ?? '' : '');

function GroupingInput({ label, value, options, onChange }: { label: string; value: Grouping | null; options: FieldOption[]; onChange: (g: Grouping | null) => void }) {
  const path = pathOf(value);
  const field = options.find((o) => o.value === path)?.field;
  return (
    <Group gap="xs" align="flex-end" wrap="nowrap">
      <NativeSelect label={label} value={path} style={{ flex: 1 }} data={[{ value: '', label: '(none)' }, ...options.filter((o) => !UNGROUPABLE.has(o.field.type)).map((o) => ({ value: o.value, label: o.label }))]}
        onChange={(e) => {
          const next = options.find((o) => o.value === e.currentTarget.value);
          onChange(!next ? null : DATES.has(next.field.type) ? { field: next.value, bucket: 'month' } : next.value);
        }} />
      {field && DATES.has(field.type) && (
        <NativeSelect label={`${label}: period`} value={bucketOf(value) || 'month'} data={BUCKETS} w={120} onChange={(e) => onChange({ field: path, bucket: e.currentTarget.value as Bucket })} />
      )}
    </Group>
  );
}

/**
 * The report builder (/reports/$id, 'new' for a new one; issue 16 item 9): object, columns,
 * filter (the shared FilterBuilder), up to three row groupings and one column grouping,
 * measures and a chart, with a live preview run as the user through the preview endpoint.
 */
export function ReportBuilderPage() {
  const { id } = useParams({ strict: false }) as { id: string };
  const isNew = id === 'new';
  const existing = useQuery({ queryKey: ['analytics', 'report', id], queryFn: () => analyticsApi.report(id), enabled: !isNew });
  if (!isNew && existing.isLoading) return <Loading />;
  if (existing.error) return <Alert color="red" title="The report could not be loaded">{errorMessage(existing.error)}</Alert>;
  return <Builder key={id} report={isNew ? null : existing.data ?? null} />;
}

function Builder({ report }: { report: Report | null }) {
  const { objects, byName } = useMetadata();
  const navigate = useNavigate();
  const qc = useQueryClient();
  const [name, setName] = useState(report?.name ?? '');
  const [objectName, setObjectName] = useState(report?.object ?? 'opportunity');
  const [folder, setFolder] = useState(report?.folder ?? '');
  const [def, setDef] = useState<ReportDefinition>(report?.definition ?? emptyDefinition());
  const [groups, setGroups] = useState<string[]>(report?.sharing.groups ?? []);
  const [roles, setRoles] = useState<string[]>(report?.sharing.roles ?? []);
  const [saving, setSaving] = useState(false);
  const { data: me } = useMe();
  // A report is changed by its owner or an admin (standard reports: admins); others build their own.
  const readOnly = !!report && !!me && !me.isAdmin && me.id !== report.ownerId;
  const [errors, setErrors] = useState<string[]>([]);
  const object = byName(objectName);
  const options = useMemo(() => (object ? fieldOptions(object, byName) : []), [object, byName]);
  const folders = useQuery({ queryKey: ['analytics', 'folders'], queryFn: analyticsApi.folders });

  // The preview follows the definition half a second after the last change.
  const [debounced, setDebounced] = useState(def);
  useEffect(() => {
    const t = setTimeout(() => setDebounced(def), 500);
    return () => clearTimeout(t);
  }, [def]);
  const preview = useQuery({
    queryKey: ['analytics', 'preview', objectName, debounced],
    queryFn: ({ signal }) => analyticsApi.preview(objectName, debounced, signal),
    enabled: !!object, retry: false, placeholderData: (p) => p,
  });

  const measureOptions = options.flatMap((o) => {
    const list: Array<{ value: string; label: string }> = [{ value: `count_distinct:${o.value}`, label: `Distinct ${o.label}` }];
    if (NUMERIC.has(o.field.type)) list.unshift({ value: `sum:${o.value}`, label: `Sum of ${o.label}` }, { value: `avg:${o.value}`, label: `Average of ${o.label}` });
    if (NUMERIC.has(o.field.type) || DATES.has(o.field.type)) list.push({ value: `min:${o.value}`, label: `Min of ${o.label}` }, { value: `max:${o.value}`, label: `Max of ${o.label}` });
    return UNGROUPABLE.has(o.field.type) ? [] : list;
  });
  const measureKeys = def.measures.map((m) => (m.field ? `${m.fn}:${m.field}` : 'count'));
  const setMeasures = (keys: string[]) => setDef({ ...def, measures: keys.map((k): Measure => (k === 'count' ? { fn: 'count' } : { fn: k.slice(0, k.indexOf(':')) as Measure['fn'], field: k.slice(k.indexOf(':') + 1) })), chart: { ...def.chart, measure: null } });
  const setRow = (i: number, g: Grouping | null) => {
    const rows = [...def.groupings.rows];
    if (g === null) rows.splice(i); else rows[i] = g;
    setDef({ ...def, groupings: { rows, column: rows.length ? def.groupings.column : null } });
  };

  const save = async () => {
    setSaving(true);
    setErrors([]);
    try {
      const body = { name, folder: folder || null, definition: def, sharing: { groups, roles }, ...(report ? {} : { object: objectName }) };
      const saved = report ? await analyticsApi.replace(report.id, body) : await analyticsApi.create(body);
      await qc.invalidateQueries({ queryKey: ['analytics'] });
      notifications.show({ message: 'Report saved' });
      if (!report) navigate({ to: '/reports/$id', params: { id: saved.id } });
    } catch (error) {
      const problem = (error as { problem?: { errors?: Array<{ field: string; message: string }> } }).problem;
      setErrors(problem?.errors?.length ? problem.errors.map((e) => `${e.field}: ${e.message}`) : [errorMessage(error)]);
    } finally {
      setSaving(false);
    }
  };

  return (
    <Stack gap="md" maw={1200}>
      <Title order={1}>{report ? report.name : 'New report'}</Title>
      {report && !report.broken && <ReportDelivery report={report} />}
      {report?.broken && <Alert color="red" title="This report is broken">{report.broken}</Alert>}
      <Paper withBorder p="md">
        <Stack gap="sm">
          <SimpleGrid cols={{ base: 1, sm: 3 }}>
            <TextInput label="Name" required value={name} onChange={(e) => setName(e.currentTarget.value)} />
            <NativeSelect label="Object" value={objectName} disabled={!!report}
              data={objects.map((o) => ({ value: o.apiName, label: o.pluralLabel }))}
              onChange={(e) => { setObjectName(e.currentTarget.value); setDef(emptyDefinition()); }} />
            <NativeSelect label="Folder" value={folder} onChange={(e) => setFolder(e.currentTarget.value)} data={[{ value: '', label: '(no folder)' }, ...(folders.data ?? []).map((f) => ({ value: f.id, label: f.name }))]} />
          </SimpleGrid>
          {object && (
            <>
              <MultiSelect label="Columns (tabular reports)" data={options.map((o) => ({ value: o.value, label: o.label }))} value={def.columns} searchable maxValues={30}
                onChange={(columns) => setDef({ ...def, columns })} />
              <FilterBuilder object={object} value={def.filter} onChange={(filter) => setDef({ ...def, filter })} label="Report filter" />
              <SimpleGrid cols={{ base: 1, sm: 2 }}>
                {[0, 1, 2].filter((i) => i <= def.groupings.rows.length).map((i) => (
                  <GroupingInput key={i} label={`Row grouping ${i + 1}`} value={def.groupings.rows[i] ?? null} options={options} onChange={(g) => setRow(i, g)} />
                ))}
                {def.groupings.rows.length > 0 && (
                  <GroupingInput label="Column grouping (matrix)" value={def.groupings.column} options={options} onChange={(column) => setDef({ ...def, groupings: { ...def.groupings, column } })} />
                )}
              </SimpleGrid>
              <SimpleGrid cols={{ base: 1, sm: 3 }}>
                <MultiSelect label="Measures" data={[{ value: 'count', label: 'Count' }, ...measureOptions]} value={measureKeys} searchable maxValues={10} onChange={setMeasures} />
                <NativeSelect label="Chart" value={def.chart.type} data={CHARTS} onChange={(e) => setDef({ ...def, chart: { ...def.chart, type: e.currentTarget.value as ChartType } })} />
                <NativeSelect label="Chart measure" value={def.chart.measure ?? ''} onChange={(e) => setDef({ ...def, chart: { ...def.chart, measure: e.currentTarget.value || null } })}
                  data={[{ value: '', label: '(first measure)' }, ...def.measures.map((m) => { const k = m.field ? `${m.fn}:${m.field}` : 'count'; return { value: k, label: m.field ? `${FN_LABEL[m.fn]} of ${m.field}` : 'Count' }; })]} />
              </SimpleGrid>
              <Checkbox label="Subtotals and grand total" checked={def.totals} onChange={(e) => setDef({ ...def, totals: e.currentTarget.checked })} />
              <SimpleGrid cols={{ base: 1, sm: 2 }}>
                <TagsInput label="Share with groups" description="Empty: only you (and admins)" value={groups} onChange={setGroups} />
                <TagsInput label="Share with roles" value={roles} onChange={setRoles} />
              </SimpleGrid>
            </>
          )}
          {errors.length > 0 && <Alert color="red" title="The report could not be saved" role="alert"><ul>{errors.map((e) => <li key={e}>{e}</li>)}</ul></Alert>}
          <Group>
            <Button onClick={save} loading={saving} disabled={!name.trim() || readOnly}>Save report</Button>
            {readOnly && <Text size="sm">{report?.standard ? 'A standard report: only administrators change it.' : 'Only its owner or an administrator can change this report.'} Start a new report to make your own.</Text>}
          </Group>
        </Stack>
      </Paper>
      <section aria-label="Preview">
        <Title order={2} size="h3" mb="xs">Preview</Title>
        {preview.error && <Alert color="red" title="The preview could not run">{errorMessage(preview.error)}</Alert>}
        {!preview.data && !preview.error && <Text size="sm" c="dimmed">Loading the preview…</Text>}
        {preview.data && !preview.error && <ReportResult object={objectName} answer={preview.data} chart={def.chart.type} chartMeasure={def.chart.measure} title={name || 'Preview'} />}
      </section>
    </Stack>
  );
}
