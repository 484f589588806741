import '@mantine/charts/styles.css';
import { useState } from 'react';
import { Alert, Box, Button, Modal, Paper, Stack, Table, Text, Title } from '@mantine/core';
import { AreaChart, BarChart, DonutChart, FunnelChart, LineChart } from '@mantine/charts';
import { useQuery } from '@tanstack/react-query';
import { errorMessage } from '../../api/client';
import { useMetadata } from '../../api/metadata';
import type { Condition } from '../../api/types';
import { AnchorLink } from '../../components/links';
import { analyticsApi, type Answer, type AnswerColumn, type AnswerRow, type ChartType } from './api';

const COLORS = ['indigo.6', 'teal.6', 'orange.6', 'grape.6', 'red.6', 'cyan.6', 'lime.7', 'pink.6'];

/** A group value as people read it: the lookup's name, the picklist's label, "(none)" for empty. */
export function showValue(answer: Answer, column: AnswerColumn, value: unknown): string {
  if (value === null || value === undefined) return '(none)';
  const names = answer.display[column.key];
  if (names && typeof value === 'string' && names[value]) return names[value];
  if (column.currency) return `${value} ${column.currency}`;
  return String(value);
}

const isTotal = (row: AnswerRow) => !!row.rolledUp?.length;

/**
 * A report's answer: its chart (for grouped reports) and always the table — the table is the
 * chart's text view for screen readers and the place to drill down: each group's count opens the
 * records behind it, read through the list API with the runner's own access.
 */
export function ReportResult({ object, answer, chart, chartMeasure, title }: { object: string; answer: Answer; chart: ChartType; chartMeasure: string | null; title: string }) {
  const [drill, setDrill] = useState<{ label: string; filter: Condition } | null>(null);
  const { byName } = useMetadata();
  // Display names of a tabular report's own lookups are keyed by the target object.
  const targetOf = (key: string) => byName(object)?.fields.find((f) => f.apiName === key)?.lookup?.object;
  const groups = answer.columns.filter((c) => c.kind === 'group');
  const measures = answer.columns.filter((c) => c.kind === 'measure');
  return (
    <Stack gap="sm">
      {answer.warnings?.map((w) => <Alert key={w} color="yellow">{w}</Alert>)}
      {answer.truncated && <Alert color="yellow">Only the first groups are shown.</Alert>}
      {answer.shape !== 'tabular' && chart !== 'none' && <ReportChart answer={answer} type={chart} measureKey={chartMeasure ?? measures[0]?.key ?? 'count'} title={title} />}
      <Paper withBorder>
        <Box style={{ overflowX: 'auto' }} tabIndex={0} role="region" aria-label={`${title}: table`}>
          <Table striped aria-label={`${title} (table view)`} miw={Math.max(300, answer.columns.length * 120)}>
            <Table.Thead>
              <Table.Tr>
                {answer.columns.map((c) => <Table.Th key={c.key} scope="col" ta={c.kind === 'measure' ? 'right' : undefined}>{c.label}{c.currency ? ` (${c.currency})` : ''}</Table.Th>)}
                {answer.shape !== 'tabular' && <Table.Th scope="col"><span className="visually-hidden">Records</span></Table.Th>}
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {answer.rows.length === 0 && <Table.Tr><Table.Td colSpan={answer.columns.length + 1}><Text c="dimmed" size="sm">No records.</Text></Table.Td></Table.Tr>}
              {answer.rows.map((row, i) => {
                const label = groups.filter((g) => !row.rolledUp?.includes(g.key)).map((g) => showValue(answer, g, row[g.key])).join(' · ') || 'All records';
                return (
                  <Table.Tr key={String(row.id ?? i)} fw={isTotal(row) ? 700 : undefined}>
                    {answer.columns.map((c, ci) => {
                      if (answer.shape === 'tabular') {
                        const value = row[c.key];
                        const target = targetOf(c.key);
                        const shown = value === null || value === undefined ? '' : (target && answer.display[target]?.[String(value)]) || String(value);
                        return ci === 0 ? (
                          <Table.Td key={c.key}><AnchorLink to="/o/$object/$id" params={{ object, id: String(row.id) }} search={{ tab: undefined }}>{shown || String(row.id)}</AnchorLink></Table.Td>
                        ) : <Table.Td key={c.key}>{shown}</Table.Td>;
                      }
                      if (c.kind === 'group') return <Table.Td key={c.key}>{row.rolledUp?.includes(c.key) ? (ci === 0 || !row.rolledUp.includes(groups[ci - 1]?.key ?? '') ? 'Total' : '') : showValue(answer, c, row[c.key])}</Table.Td>;
                      return <Table.Td key={c.key} ta="right" style={{ fontVariantNumeric: 'tabular-nums' }}>{row[c.key] === null || row[c.key] === undefined ? '—' : String(row[c.key])}</Table.Td>;
                    })}
                    {answer.shape !== 'tabular' && (
                      <Table.Td>
                        {row.drill ? <Button size="compact-xs" variant="subtle" onClick={() => setDrill({ label, filter: row.drill! })} aria-label={`Records of ${label}`}>Records</Button> : null}
                      </Table.Td>
                    )}
                  </Table.Tr>
                );
              })}
            </Table.Tbody>
          </Table>
        </Box>
      </Paper>
      <Modal opened={!!drill} onClose={() => setDrill(null)} title={drill ? `Records: ${drill.label}` : ''} size="lg">
        {drill && <DrillList object={object} filter={drill.filter} />}
      </Modal>
    </Stack>
  );
}


/** The records behind a figure, read through the list API with the viewer's access (dashboards reuse it). */
export function DrillList({ object, filter }: { object: string; filter: Condition }) {
  const { byName } = useMetadata();
  const def = byName(object);
  const q = useQuery({ queryKey: ['analytics', 'drill', object, filter], queryFn: () => analyticsApi.drill(object, filter) });
  if (q.error) return <Alert color="red">{errorMessage(q.error)}</Alert>;
  if (!q.data || !def) return <Text size="sm">Loading…</Text>;
  return (
    <Stack gap="xs">
      <Text size="sm">{q.data.data.length}{q.data.nextCursor ? '+' : ''} record(s) you can see.</Text>
      <ul aria-label="Records behind the figure">
        {q.data.data.map((r) => (
          <li key={r.id}><AnchorLink to="/o/$object/$id" params={{ object, id: r.id }} search={{ tab: undefined }}>{String(r[def.nameField] ?? r.id)}</AnchorLink></li>
        ))}
      </ul>
    </Stack>
  );
}

/**
 * The chart of a grouped report (Mantine charts). Summary: the first grouping along the axis and,
 * for stacked charts and matrices, the second grouping (or the column grouping) as series. The
 * chart is an image with a summary label; the table next to it carries every figure.
 */
export function ReportChart({ answer, type, measureKey, title, onPick }: { answer: Answer; type: ChartType; measureKey: string; title: string; onPick?: (category: string) => void }) {
  const groups = answer.columns.filter((c) => c.kind === 'group');
  const detail = answer.rows.filter((r) => !isTotal(r));
  const num = (v: unknown) => (v === null || v === undefined ? 0 : Number(v));
  if (!groups.length) return null;
  const axis = groups[0]!;
  const grand = answer.rows.find((r) => r.rolledUp?.length === groups.length);
  if (type === 'kpi') {
    const value = grand ? grand[measureKey] : detail.reduce((s, r) => s + num(r[measureKey]), 0);
    const column = answer.columns.find((c) => c.key === measureKey);
    return (
      <Paper withBorder p="md" role="group" aria-label={`${title}: ${column?.label ?? measureKey}`}>
        <Text size="sm" c="dimmed">{column?.label ?? measureKey}</Text>
        <Title order={2}>{String(value ?? 0)}{column?.currency ? ` ${column.currency}` : ''}</Title>
      </Paper>
    );
  }
  const seriesGroup = groups.length > 1 ? groups[groups.length - 1]! : null;
  const leaf = seriesGroup ? detail.filter((r) => !r.rolledUp?.length) : detail;
  const categories: string[] = [];
  const seriesNames: string[] = [];
  const data = new Map<string, Record<string, string | number>>();
  for (const r of leaf) {
    const cat = showValue(answer, axis, r[axis.key]);
    if (!data.has(cat)) { data.set(cat, { category: cat }); categories.push(cat); }
    const name = seriesGroup ? showValue(answer, seriesGroup, r[seriesGroup.key]) : (answer.columns.find((c) => c.key === measureKey)?.label ?? measureKey);
    if (!seriesNames.includes(name)) seriesNames.push(name);
    const entry = data.get(cat)!;
    entry[name] = num(entry[name]) + num(r[measureKey]);
  }
  const rows = categories.map((c) => data.get(c)!);
  const series = seriesNames.slice(0, 12).map((name, i) => ({ name, color: COLORS[i % COLORS.length]! }));
  const summary = `${title}: ${type.replace('_', ' ')} chart of ${rows.length} ${axis.label} values; the figures are in the table below`;
  const wrap = (chart: React.ReactNode) => <Box role="img" aria-label={summary} p="xs" style={onPick ? { cursor: 'pointer' } : undefined}>{chart}</Box>;
  // A click on a bar, point or slice names its category (dashboards open the records behind it).
  // The chart names the active point by index; its row carries the category.
  const pick = onPick ? { onClick: (state: { activeIndex?: unknown; activeTooltipIndex?: unknown } | null) => { const row = rows[Number(state?.activeTooltipIndex ?? state?.activeIndex)]; if (row) onPick(String(row.category)); } } : {};
  const barPick = onPick ? { onClick: (bar: { payload?: { category?: unknown } }) => { if (bar?.payload?.category !== undefined) onPick(String(bar.payload.category)); } } : undefined;
  if (type === 'donut' || type === 'funnel') {
    const slices = rows.map((r, i) => ({ name: String(r.category), value: seriesNames.reduce((s, n) => s + num(r[n]), 0), color: COLORS[i % COLORS.length]! }));
    return wrap(type === 'donut' ? <DonutChart data={slices} withLabelsLine={false} size={200} pieProps={onPick ? { onClick: (d: { name?: string }) => d?.name !== undefined && onPick(String(d.name)) } : undefined} /> : <FunnelChart data={slices} size={220} />);
  }
  if (type === 'line') return wrap(<LineChart h={260} data={rows} dataKey="category" series={series} lineChartProps={pick} />);
  if (type === 'area') return wrap(<AreaChart h={260} data={rows} dataKey="category" series={series} type={seriesGroup ? 'stacked' : 'default'} areaChartProps={pick} />);
  return wrap(<BarChart h={260} data={rows} dataKey="category" series={series} type={type === 'stacked_bar' ? 'stacked' : 'default'} barProps={barPick} />);
}

