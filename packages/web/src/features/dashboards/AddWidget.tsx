import { useState } from 'react';
import { Button, Checkbox, Group, NativeSelect } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { analyticsApi } from '../analytics/api';
import { measureKey, type Widget, type WidgetKind } from './api';
import { nextRow } from './layout';

const KINDS: Array<{ value: WidgetKind; label: string }> = [{ value: 'chart', label: 'Chart' }, { value: 'kpi', label: 'KPI number' }, { value: 'table', label: 'Table' }, { value: 'list', label: 'List of records' }];
/** A new widget's size by kind: a KPI is small, the others half the width. */
const SIZE: Record<WidgetKind, { w: number; h: number }> = { kpi: { w: 3, h: 2 }, chart: { w: 6, h: 4 }, table: { w: 6, h: 4 }, list: { w: 4, h: 3 } };

/** Edit mode's "add a widget": a saved report the user may open, how to show it, a KPI's measure. */
export function AddWidget({ widgets, onAdd }: { widgets: Widget[]; onAdd: (w: Widget) => void }) {
  const reports = useQuery({ queryKey: ['analytics', 'reports', ''], queryFn: () => analyticsApi.reports() });
  const [reportId, setReportId] = useState('');
  const [kind, setKind] = useState<WidgetKind>('chart');
  const [measure, setMeasure] = useState('');
  const [compare, setCompare] = useState(true);
  const report = reports.data?.find((r) => r.id === reportId);
  const measures = report ? (report.definition.measures.length ? report.definition.measures.map(measureKey) : ['count']) : [];
  const chartNeedsGroups = kind === 'chart' && report?.shape === 'tabular';
  const add = () => {
    if (!report) return;
    const size = SIZE[kind];
    onAdd({
      id: `w${Date.now().toString(36)}`, reportId: report.id, kind, x: 0, y: nextRow(widgets), ...size,
      ...(kind === 'kpi' ? { kpi: { measure: measure || measures[0] || 'count', compare: compare ? 'previous_period' : null } } : {}),
    });
    setReportId('');
  };
  return (
    <Group gap="xs" align="flex-end" wrap="wrap" role="group" aria-label="Add a widget">
      <NativeSelect label="Report" w={240} value={reportId} onChange={(e) => { setReportId(e.currentTarget.value); setMeasure(''); }}
        data={[{ value: '', label: 'Pick a saved report' }, ...(reports.data ?? []).filter((r) => !r.broken).map((r) => ({ value: r.id, label: r.name }))]} />
      <NativeSelect label="Show as" w={160} value={kind} onChange={(e) => setKind(e.currentTarget.value as WidgetKind)} data={KINDS} />
      {kind === 'kpi' && report && (
        <>
          <NativeSelect label="Measure" w={160} value={measure || measures[0]} onChange={(e) => setMeasure(e.currentTarget.value)} data={measures} />
          <Checkbox label="Compare with the previous period" checked={compare} onChange={(e) => setCompare(e.currentTarget.checked)} mb={8} />
        </>
      )}
      <Button variant="default" onClick={add} disabled={!report || chartNeedsGroups} title={chartNeedsGroups ? 'A chart needs a report with a grouping' : undefined}>Add widget</Button>
    </Group>
  );
}
